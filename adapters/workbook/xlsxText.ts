/**
 * Cell text as Excel bounds it: its `_xHHHH_` escapes decoded, its length held to Excel's limit
 * while it is read, and the shared string table every `t="s"` cell points into.
 */
import { scan } from './xlsxParts';
import type { ZipEntry } from './zip';

/** Excel's limit for a cell: a longer text was not written by a spreadsheet. */
export const MAX_CELL_CHARACTERS = 32_767;

/** Raised inside the reader for a cell over Excel's limit; xlsxReader turns it into the user's message. */
export class CellTooLarge extends Error {
  constructor(readonly where: { sheet?: string; cell?: string }) {
    super('cell too large');
  }
}

/** OOXML escapes characters XML cannot hold as `_xHHHH_` (a literal `_x` is written `_x005F_x`). */
function decodeEscapes(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/** Collects text up to Excel's limit for a cell. */
export class TextCollector {
  text = '';
  append(piece: string, where: () => { sheet?: string; cell?: string }): void {
    this.text += piece;
    // The raw text may hold `_xHHHH_` escapes (7 characters for one): allow for them before refusing.
    if (this.text.length > MAX_CELL_CHARACTERS * 7) throw new CellTooLarge(where());
  }
  take(where: () => { sheet?: string; cell?: string }): string {
    const text = decodeEscapes(this.text);
    this.text = '';
    if (text.length > MAX_CELL_CHARACTERS && [...text].length > MAX_CELL_CHARACTERS) {
      throw new CellTooLarge(where());
    }
    return text;
  }
}

/** The shared string table: plain and rich text alike as their text, phonetic guides left out. */
export async function readSharedStrings(bytes: Buffer, entry: ZipEntry | undefined): Promise<string[]> {
  if (entry === undefined) return [];
  const strings: string[] = [];
  const collector = new TextCollector();
  const where = () => ({});
  let inText = false;
  let inPhonetic = false;
  await scan(bytes, entry, {
    open(name) {
      if (name === 't') inText = !inPhonetic;
      else if (name === 'rPh') inPhonetic = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') inPhonetic = false;
      else if (name === 'si') strings.push(collector.take(where));
    },
    text(text) {
      if (inText) collector.append(text, where);
    },
  });
  return strings;
}
