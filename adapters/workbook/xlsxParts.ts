/**
 * The .xlsx package around the cells: each part streamed as XML out of the zip, the relationships
 * that say which part is the workbook, its styles, its shared strings and each worksheet, and the
 * workbook part's sheet list.
 */
import { attributesOf, type XmlHandler, XmlScanner } from './xmlScanner';
import { entryStream, type ZipEntry } from './zip';

/** The relationship types the reader follows, by the last segment of their URI. */
const REL_TYPE = /\/(worksheet|styles|sharedStrings|officeDocument)$/;

/** Streams a part through a handler. */
export async function scan(bytes: Buffer, entry: ZipEntry, handler: XmlHandler): Promise<void> {
  const scanner = new XmlScanner(handler);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of entryStream(bytes, entry)) scanner.write(decoder.decode(chunk, { stream: true }));
  scanner.write(decoder.decode());
  scanner.end();
}

export interface Relationship {
  type: string;
  target: string;
}

/** A part's relationships by ID, targets resolved against the part's folder. */
export async function relationships(
  bytes: Buffer,
  entry: ZipEntry | undefined,
  base: string,
): Promise<Map<string, Relationship>> {
  const found = new Map<string, Relationship>();
  if (entry === undefined) return found;
  await scan(bytes, entry, {
    open(name, raw) {
      if (name !== 'Relationship') return;
      const attributes = attributesOf(raw);
      const type = REL_TYPE.exec(attributes.get('Type') ?? '')?.[1];
      const id = attributes.get('Id');
      const target = attributes.get('Target');
      if (type === undefined || id === undefined || target === undefined) return;
      found.set(id, { type, target: resolvePart(base, target) });
    },
    close() {},
    text() {},
  });
  return found;
}

function resolvePart(base: string, target: string): string {
  const parts = (target.startsWith('/') ? target.slice(1) : base + target).split('/');
  const resolved: string[] = [];
  for (const part of parts) {
    if (part === '..') resolved.pop();
    else if (part !== '.' && part !== '') resolved.push(part);
  }
  return resolved.join('/');
}

/** The workbook part: its sheets in order (name and relationship ID) and its date system. */
export async function readWorkbookPart(
  bytes: Buffer,
  entry: ZipEntry,
): Promise<{ sheets: { name: string; rid: string }[]; date1904: boolean }> {
  const sheets: { name: string; rid: string }[] = [];
  let date1904 = false;
  await scan(bytes, entry, {
    open(name, raw) {
      if (name === 'workbookPr') {
        const value = attributesOf(raw).get('date1904');
        date1904 = value === '1' || value === 'true';
      } else if (name === 'sheet') {
        const attributes = attributesOf(raw);
        const rid = [...attributes].find(([key]) => /(?:^|:)id$/.test(key) && key !== 'sheetId')?.[1];
        sheets.push({ name: attributes.get('name') ?? '', rid: rid ?? '' });
      }
    },
    close() {},
    text() {},
  });
  return { sheets, date1904 };
}
