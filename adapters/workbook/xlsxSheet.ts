/**
 * A worksheet's cells streamed out of its XML: each cell by its type (shared string, inline text,
 * boolean, error, ISO date, or a number shown as a date by its style), rows kept sparse and within
 * Excel's limits, and a merged range's value in its top-left cell only.
 */
import { columnLetter, parseCell } from '../../shared/a1';
import type { CellValue, RawRow } from '../../shared/workbook';
import { type RowsRead, shapeRow, shapeTab } from './common';
import { TextCollector } from './xlsxText';
import { attributesOf, XmlError, XmlScanner } from './xmlScanner';
import { entryStream, type ZipEntry } from './zip';

/** Excel's limits: a farther row or column was not written by a spreadsheet. */
const MAX_ROWS = 1_048_576;
const MAX_COLUMNS = 16_384;

/** What a sheet is read with: the workbook's strings, date styles and date system; who hears progress. */
export interface SheetContext {
  strings: readonly string[];
  dateStyles: readonly boolean[];
  date1904: boolean;
  name: string;
  onRows: RowsRead | undefined;
}

/** `B12` → [12, 2] (1-based row and column); undefined when it is not a cell reference. */
function parseReference(ref: string): [number, number] | undefined {
  const cell = parseCell(ref);
  return cell?.row === undefined || cell.column === undefined ? undefined : [cell.row, cell.column + 1];
}

/**
 * One attribute of a cell tag, found by `indexOf` (this runs for every cell): `key` is ` r=`,
 * ` s=` or ` t=`, as every writer we know spells them; other spellings fall back to a full parse.
 */
function cellAttribute(raw: string, key: string): string | undefined {
  const at = raw.indexOf(key);
  if (at >= 0) {
    const quote = raw.charCodeAt(at + 3);
    if (quote === 0x22 || quote === 0x27) {
      const end = raw.indexOf(String.fromCharCode(quote), at + 4);
      if (end > 0) return raw.slice(at + 4, end);
    }
  }
  const name = key.slice(1, 2);
  return SPACED_ATTRIBUTE[name]?.test(raw) ? attributesOf(raw).get(name) : undefined;
}

const SPACED_ATTRIBUTE: Record<string, RegExp> = { r: /\sr\s*=/, s: /\ss\s*=/, t: /\st\s*=/ };
const ROW_NUMBER = /\sr\s*=\s*"(\d+)"/;
const REPORT_EVERY = 5_000;

function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - 25569 + (date1904 ? 1462 : 0)) * 86_400_000));
}

/** A `t="d"` cell: an ISO 8601 date(-time), read as wall-clock time. */
function isoDate(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?/.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map((part) => Number(part ?? 0)) as number[];
  const ms = Date.UTC(year ?? 0, (month ?? 1) - 1, day, hour, minute, 0) + Math.round((second ?? 0) * 1000);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/**
 * Opens a sheet: its header (row 1) now, its data rows as they are read. Merged ranges are listed
 * at the end of a sheet's XML, so a quick first pass over the part finds them before any row is
 * handed on; rows are handed on in the order the file holds them.
 */
export async function openSheet(
  bytes: Buffer,
  entry: ZipEntry,
  context: SheetContext,
): Promise<{ header: CellValue[]; rows: AsyncIterable<RawRow> }> {
  const { strings, dateStyles, date1904, name } = context;
  const merges = new MergedRanges(await mergeRanges(bytes, entry));
  let header: CellValue[] | undefined;
  const ready: RawRow[] = [];
  let rowNumber = 0;
  let cells: CellValue[] = [];
  let used = false;
  let column = 0;
  let type = '';
  let style = 0;
  let inValue = false;
  let inInline = false;
  let inPhonetic = false;
  let hasValue = false;
  let hasInline = false;
  const value = new TextCollector();
  const inline = new TextCollector();
  const where = () => ({ sheet: name, cell: `${columnLetter(column - 1)}${rowNumber}` });

  const endCell = () => {
    const raw = hasInline ? inline.take(where) : hasValue ? value.take(where) : '';
    let cell: CellValue = null;
    switch (type) {
      case 's':
        cell = raw === '' ? null : (strings[Number(raw)] ?? null);
        break;
      case 'inlineStr':
      case 'str':
        cell = raw;
        break;
      case 'b':
        cell = raw === '' ? null : raw === 'true' || Number(raw) !== 0;
        break;
      case 'e':
        cell = raw;
        break;
      case 'd':
        cell = isoDate(raw);
        break;
      default: {
        if (raw === '') break;
        const number = Number(raw);
        if (Number.isNaN(number)) break;
        cell = dateStyles[style] === true ? excelDate(number, date1904) : number;
      }
    }
    if (cell !== null && cell !== '') {
      cells[column - 1] = cell;
      used = true;
    }
  };

  const endRow = () => {
    if (rowNumber === 1) header = merges.hide(1, cells);
    else if (used) {
      const shown = merges.hide(rowNumber, cells);
      if (hasCell(shown)) ready.push({ row: rowNumber, cells: shown });
    }
  };

  const scanner = new XmlScanner({
    open(tag, raw) {
      switch (tag) {
        case 'row': {
          const r = ROW_NUMBER.exec(raw);
          rowNumber = r === null ? rowNumber + 1 : Number(r[1]);
          if (rowNumber < 1 || rowNumber > MAX_ROWS) throw new XmlError(`row ${rowNumber}`);
          cells = [];
          used = false;
          column = 0;
          return;
        }
        case 'c': {
          const ref = cellAttribute(raw, ' r=');
          type = cellAttribute(raw, ' t=') ?? '';
          style = Number(cellAttribute(raw, ' s=') ?? 0);
          const at = ref === undefined ? undefined : parseReference(ref);
          column = at === undefined ? column + 1 : at[1];
          if (column < 1 || column > MAX_COLUMNS) throw new XmlError(`column ${column}`);
          hasValue = false;
          hasInline = false;
          return;
        }
        case 'v':
          inValue = true;
          hasValue = true;
          return;
        case 'is':
          inInline = true;
          hasInline = true;
          return;
        case 'rPh':
          inPhonetic = true;
          return;
      }
    },
    close(tag) {
      switch (tag) {
        case 'v':
          inValue = false;
          return;
        case 'is':
          inInline = false;
          return;
        case 'rPh':
          inPhonetic = false;
          return;
        case 'c':
          endCell();
          return;
        case 'row':
          endRow();
          return;
      }
    },
    text(text) {
      if (inValue) value.append(text, where);
      else if (inInline && !inPhonetic) inline.append(text, where);
    },
  });
  const chunks = entryStream(bytes, entry)[Symbol.asyncIterator]();
  const decoder = new TextDecoder('utf-8');
  let ended = false;
  const pump = async () => {
    const next = await chunks.next();
    if (next.done) {
      scanner.write(decoder.decode());
      scanner.end();
      ended = true;
    } else scanner.write(decoder.decode(next.value, { stream: true }));
  };
  while (header === undefined && ready.length === 0 && !ended) await pump();
  async function* rows(): AsyncGenerator<RawRow> {
    let count = 0;
    for (;;) {
      for (const row of ready.splice(0)) {
        shapeRow(row.cells);
        count++;
        if (count % REPORT_EVERY === 0) context.onRows?.(name, count, false);
        yield row;
      }
      if (ended) break;
      await pump();
    }
    context.onRows?.(name, count, true);
  }
  return { header: shapeTab(name, header ?? [], []).header, rows: rows() };
}

/** Whether a (possibly sparse) row holds a cell, without walking its length. */
function hasCell(cells: CellValue[]): boolean {
  for (const _ in cells) return true;
  return false;
}

type Range = [top: number, left: number, bottom: number, right: number];

/**
 * The merged ranges of a sheet, found by searching the inflated bytes for `mergeCell` tags: far
 * cheaper than parsing the sheet twice.
 */
async function mergeRanges(bytes: Buffer, entry: ZipEntry): Promise<Range[]> {
  const ranges: Range[] = [];
  let carry = Buffer.alloc(0);
  for await (const chunk of entryStream(bytes, entry)) {
    const buffer = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    let at = buffer.indexOf('mergeCell ');
    let consumed = 0;
    while (at >= 0) {
      const end = buffer.indexOf('>', at);
      if (end < 0) break;
      const ref = /\sref\s*=\s*["']([A-Za-z]+\d+)(?::([A-Za-z]+\d+))?["']/.exec(
        buffer.toString('latin1', at, end),
      );
      const from = ref?.[1] === undefined ? undefined : parseReference(ref[1]);
      const to = ref?.[2] === undefined ? from : parseReference(ref[2]);
      if (from !== undefined && to !== undefined) ranges.push([from[0], from[1], to[0], to[1]]);
      consumed = end + 1;
      at = buffer.indexOf('mergeCell ', consumed);
    }
    // Keep what may be the start of a tag cut by the chunk's end.
    carry = Buffer.from(buffer.subarray(Math.max(consumed, buffer.length - 256)));
  }
  return ranges;
}

/** Hides the values a merged range covers (all but its top-left cell), row by row in order. */
class MergedRanges {
  private readonly pending: Range[];
  private active: Range[] = [];

  constructor(ranges: Range[]) {
    this.pending = ranges.sort((a, b) => b[0] - a[0]);
  }

  /** The row's cells with covered ones removed; rows must come in ascending order to be exact. */
  hide(row: number, cells: CellValue[]): CellValue[] {
    while (this.pending.length > 0 && (this.pending.at(-1) as Range)[0] <= row) {
      this.active.push(this.pending.pop() as Range);
    }
    if (this.active.length === 0) return cells;
    this.active = this.active.filter((range) => range[2] >= row);
    for (const [top, left, , right] of this.active) {
      if (top > row) continue;
      for (const key of Object.keys(cells)) {
        const i = Number(key);
        if (i >= left - 1 && i <= right - 1 && !(row === top && i === left - 1)) delete cells[i];
      }
    }
    return cells;
  }
}
