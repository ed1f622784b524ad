/**
 * Making exceljs 4.4 (no longer maintained) read what others wrote and write what others read,
 * mended around it rather than by forking it: the one home for such repairs.
 *
 * Saving: exceljs expands each data validation to one entry per cell on load and on save merges
 * them again in string order (`B10` before `B2`), which writes two overlapping rules (`B10:B200`
 * and `B2:B200`) that Excel may refuse as needing repair; and it mangles a formula name such as
 * `OFFSET(活动!$A$1,…)` into a reference to a sheet that does not exist. `repairForExceljs` fixes
 * both before a save.
 *
 * Loading:
 *
 * exceljs finds a sheet's notes only where Excel, LibreOffice and exceljs itself put them —
 * `xl/commentsN.xml` and `xl/drawings/vmlDrawingN.vml`, named relative to the sheet
 * (`../comments1.xml`). openpyxl writes `xl/comments/comment1.xml` and
 * `xl/drawings/commentsDrawing1.vml` and names every part absolutely (`/xl/comments/comment1.xml`);
 * exceljs then fails with "Cannot read properties of undefined (reading 'comments')" — on any
 * workbook with notes that openpyxl re-saved, and our issue marks are notes. Such a package is
 * rewritten in memory before exceljs reads it: note parts moved to the names exceljs knows and every
 * internal target made relative. openpyxl also writes drawings (our 汇总 charts) in the default
 * namespace (`<wsDr xmlns="…spreadsheetDrawing">`), where exceljs matches the prefixed tag names
 * Excel writes (`<xdr:wsDr>`) and so finds no drawing at all ("reading 'anchors'"); such a drawing
 * gets the prefix. A package that needs none of this is loaded as it is.
 *
 * Bounding (`checkExceljsBounds`): exceljs inflates every part of the package into memory and
 * builds an object per cell, with no limit of its own, so a zip bomb — a few megabytes that inflate
 * to gigabytes, or to millions of cells — would exhaust the process that holds the office's
 * workbook. Before exceljs sees a file, one streaming pass over the package (64 KiB at a time;
 * memory follows the compressed file, as in the streaming reader) measures what it really holds:
 * each part's inflated size (the size a part declares is checked first, but only the bytes counted
 * are trusted), the worksheets' cell elements, and the longest text between two tags of the
 * worksheets and shared strings — longer than any 32,767-character cell can be written, escapes
 * included. Over a bound, the file is refused with the reader's own sentences (UnusableInputError):
 * the workbook is as unusable for the write-back as it is for validation.
 */
import type ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { columnIndex, columnLetter, splitRange } from '../../shared/a1';
import { UnusableInputError } from '../../shared/errors';
import { cellTooLarge, corruptXlsx, isZlibError } from './xlsxReader';
import { MAX_CELL_CHARACTERS } from './xlsxText';
import { entryStream, NotZipError, zipEntries } from './zip';

const MiB = 1024 * 1024;

/**
 * What exceljs may be handed. Measured: the benchmark's generated 100,000-activity plan is a 6.6 MB
 * file of 1.09 million cells and 46 MB of XML (this pass over it: about 1.6 s), and the process
 * that generated and wrote it with exceljs peaked at 1.8 GB; about twice those cells, or ten times
 * those bytes, is more than an office PC should be asked to hold, and more than a community's plan
 * holds.
 */
export const EXCELJS_LIMITS = {
  /** Inflated bytes of all parts together. */
  packageBytes: 512 * MiB,
  /** Cell elements (`<c>`) of all worksheets together. */
  cells: 2_000_000,
} as const;

/**
 * The most bytes of text between two tags one cell can take: 32,767 characters, each at most a
 * 6-byte escape (`&quot;`); longer, it is a cell Excel could not have written.
 */
const MAX_TEXT_RUN = MAX_CELL_CHARACTERS * 6;
/** Longer tag names are no name a worksheet uses; only `c` and `prefix:c` matter. */
const MAX_NAME = 64;
const LT = 0x3c;
const GT = 0x3e;

/** Whether a byte may continue an XML name (ASCII subset; `:` for a prefix). */
function isNameByte(b: number): boolean {
  return (
    (b >= 0x61 && b <= 0x7a) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x30 && b <= 0x39) ||
    b === 0x3a ||
    b === 0x5f ||
    b === 0x2d ||
    b === 0x2e
  );
}

/** Counts cell elements and watches text runs over a part's chunks; tags may straddle chunks. */
class PartScan {
  cells = 0;
  private inTag = false;
  private naming = false;
  private name = '';
  private run = 0;

  constructor(private readonly overRun: () => never) {}

  push(chunk: Buffer): void {
    // Native indexOf finds the tags; only the few bytes of each tag's name are looked at one by
    // one. A `>` inside an attribute value ends the tag early, which only lengthens a text run.
    let i = 0;
    while (i < chunk.length) {
      if (!this.inTag) {
        const lt = chunk.indexOf(LT, i);
        this.run += (lt < 0 ? chunk.length : lt) - i;
        if (this.run > MAX_TEXT_RUN) this.overRun();
        if (lt < 0) return;
        this.inTag = true;
        this.naming = true;
        this.name = '';
        this.run = 0;
        i = lt + 1;
        continue;
      }
      while (this.naming && i < chunk.length) {
        const b = chunk[i] as number;
        if (isNameByte(b) && this.name.length < MAX_NAME) {
          this.name += String.fromCharCode(b);
          i++;
        } else {
          this.naming = false;
          if (this.name === 'c' || this.name.endsWith(':c')) this.cells++;
        }
      }
      const gt = chunk.indexOf(GT, i);
      if (gt < 0) return;
      this.inTag = false;
      i = gt + 1;
    }
  }
}

function tooLarge(path: string, zh: string, en: string): UnusableInputError {
  return new UnusableInputError(
    'workbook_too_large',
    `${zh}，超出写回工作簿的上限（不是电子表格程序能保存的文件），未打开：${path}`,
    `${en}, beyond what the write-back opens (no spreadsheet program saves such a file), so it was not opened: ${path}`,
  );
}

/**
 * Refuses, with the person's sentence, a package exceljs must not load (see "Bounding" above):
 * too many inflated bytes or cells, a cell longer than Excel allows, or a broken zip.
 */
export async function checkExceljsBounds(bytes: Buffer, path: string): Promise<void> {
  const mb = (n: number) => `${Math.round(n / MiB).toLocaleString('en')} MB`;
  const limitText = mb(EXCELJS_LIMITS.packageBytes);
  const overBytes = () =>
    tooLarge(path, `工作簿解压后超过 ${limitText}`, `The workbook inflates to more than ${limitText}`);
  try {
    const entries = [...zipEntries(bytes).values()];
    // The claims first: a file that admits its size costs no inflating at all.
    if (entries.reduce((sum, entry) => sum + entry.size, 0) > EXCELJS_LIMITS.packageBytes) throw overBytes();
    let total = 0;
    let cells = 0;
    for (const entry of entries) {
      if (entry.name.endsWith('/')) continue;
      const watched = /^xl\/(worksheets\/[^/]+|sharedStrings)\.xml$/.test(entry.name);
      const isSheet = entry.name.startsWith('xl/worksheets/');
      const scan = watched
        ? new PartScan(() => {
            throw cellTooLarge(path, {});
          })
        : undefined;
      for await (const chunk of entryStream(bytes, entry)) {
        total += chunk.length;
        if (total > EXCELJS_LIMITS.packageBytes) throw overBytes();
        if (!scan) continue;
        scan.push(chunk);
        if (isSheet && cells + scan.cells > EXCELJS_LIMITS.cells) {
          const limit = EXCELJS_LIMITS.cells.toLocaleString('en');
          throw tooLarge(
            path,
            `工作簿的单元格超过 ${limit} 个`,
            `The workbook holds more than ${limit} cells`,
          );
        }
      }
      if (isSheet && scan) cells += scan.cells;
    }
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    if (error instanceof NotZipError || isZlibError(error)) throw corruptXlsx(path);
    throw error;
  }
}

/** Loads the bytes of an .xlsx file into the workbook, mending openpyxl's part names first. */
export async function loadXlsxBytes(workbook: ExcelJS.Workbook, bytes: Buffer): Promise<void> {
  const mended = needsMending(bytes) ? await mendPartNames(bytes) : bytes;
  // exceljs types its input as its own Buffer interface; a Node Buffer is what it expects.
  await workbook.xlsx.load(mended as unknown as ExcelJS.Buffer);
}

/** Part names are stored as plain bytes in a zip's headers: a look, not a parse. */
function needsMending(bytes: Buffer): boolean {
  return (
    bytes.includes('xl/comments/') ||
    bytes.includes('xl/drawings/commentsDrawing') ||
    bytes.includes('xl/drawings/drawing')
  );
}

const SPREADSHEET_DRAWING = 'http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing';
/** The root of a drawing written in the default namespace, as openpyxl writes it. */
const UNPREFIXED_DRAWING = new RegExp(`<wsDr\\b[^>]*\\bxmlns="${SPREADSHEET_DRAWING}"`);

/** Gives the default-namespace elements of such a drawing the `xdr:` prefix exceljs matches. */
function prefixDrawing(xml: string): string {
  return xml
    .replace(`xmlns="${SPREADSHEET_DRAWING}"`, `xmlns:xdr="${SPREADSHEET_DRAWING}"`)
    .replace(/<(\/?)(?![A-Za-z][\w.-]*:)([A-Za-z][\w.-]*)/g, '<$1xdr:$2');
}

const RELATIONSHIP = /<Relationship\b[^>]*>/g;
const attribute = (element: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(element)?.[1];

async function mendPartNames(bytes: Buffer): Promise<Buffer> {
  const zip = await JSZip.loadAsync(bytes);
  let changed = false;
  let comments = 0;
  let drawings = 0;
  for (const name of Object.keys(zip.files).filter((n) => /^xl\/drawings\/[^/]+\.xml$/.test(n))) {
    const xml = await zip.file(name)?.async('string');
    if (xml === undefined || !UNPREFIXED_DRAWING.test(xml)) continue;
    zip.file(name, prefixDrawing(xml));
    changed = true;
  }
  const relsFiles = Object.keys(zip.files).filter((name) =>
    /^xl\/(worksheets|drawings)\/_rels\/[^/]+\.rels$/.test(name),
  );
  for (const relsName of relsFiles) {
    const file = zip.file(relsName);
    if (!file) continue;
    const xml = await file.async('string');
    const moves: Promise<void>[] = [];
    const rewritten = xml.replace(RELATIONSHIP, (element) => {
      const target = attribute(element, 'Target');
      const type = attribute(element, 'Type') ?? '';
      if (target === undefined || attribute(element, 'TargetMode') === 'External') return element;
      // Worksheets and drawings both live one folder below xl/.
      const part = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\.\//, '')}`;
      let renamed = part;
      if (type.endsWith('/comments') && !/^xl\/comments\d+\.xml$/.test(part)) {
        renamed = `xl/comments${9000 + ++comments}.xml`;
      } else if (type.endsWith('/vmlDrawing') && !/^xl\/drawings\/vmlDrawing\d+\.vml$/.test(part)) {
        renamed = `xl/drawings/vmlDrawing${9000 + ++drawings}.vml`;
      }
      if (renamed !== part) moves.push(movePart(zip, part, renamed));
      return element.replace(/\bTarget="[^"]*"/, `Target="../${renamed.slice('xl/'.length)}"`);
    });
    await Promise.all(moves);
    if (rewritten !== xml) {
      zip.file(relsName, rewritten);
      changed = true;
    }
  }
  return changed ? zip.generateAsync({ type: 'nodebuffer' }) : bytes;
}

async function movePart(zip: JSZip, from: string, to: string): Promise<void> {
  const file = zip.file(from);
  if (!file) return;
  zip.file(to, await file.async('uint8array'));
  zip.remove(from);
}

// ---------------------------------------------------------------------------------------------
// Saving: repairs of what exceljs would otherwise write broken.

/**
 * Mends a loaded workbook before exceljs saves it: its data validations regrouped, defined names
 * on missing sheets dropped (both described below).
 */
export function repairForExceljs(workbook: ExcelJS.Workbook): void {
  for (const sheet of workbook.worksheets) compactDataValidations(sheet);
  dropDanglingNames(workbook);
}

interface DataValidationsHolder {
  dataValidations: { model: Record<string, object | undefined> };
}

/**
 * Regroups a sheet's data validations into rectangles, one list per rule. exceljs gives every
 * cell of one `<dataValidation>` the same object, so grouping by identity recovers the rules;
 * range keys are written as they are, where per-cell keys would be merged in string order into
 * overlapping ranges.
 */
function compactDataValidations(sheet: ExcelJS.Worksheet): void {
  const holder = (sheet as unknown as DataValidationsHolder).dataValidations;
  const byRule = new Map<object, Map<number, number[]>>();
  const compact: Record<string, object> = {};
  for (const [address, rule] of Object.entries(holder.model)) {
    if (rule === undefined) continue;
    const cell = /^([A-Z]+)(\d+)$/.exec(address);
    if (!cell) {
      compact[address] = rule;
      continue;
    }
    const columns = byRule.get(rule) ?? new Map<number, number[]>();
    byRule.set(rule, columns);
    const column = columnIndex(cell[1] ?? 'A');
    const rows = columns.get(column) ?? [];
    columns.set(column, rows);
    rows.push(Number(cell[2]));
  }
  for (const [rule, columns] of byRule) {
    for (const range of rectangles(columns)) compact[range] = rule;
  }
  holder.model = compact;
}

/** Cells (column → rows) as rectangles: runs down each column, then equal runs side by side. */
function rectangles(columns: Map<number, number[]>): string[] {
  const runs: { left: number; right: number; top: number; bottom: number }[] = [];
  const open = new Map<string, (typeof runs)[number]>();
  for (const column of [...columns.keys()].sort((a, b) => a - b)) {
    const rows = [...new Set(columns.get(column))].sort((a, b) => a - b);
    for (let i = 0; i < rows.length; ) {
      const top = rows[i] ?? 0;
      let bottom = top;
      while (rows[i + 1] === bottom + 1) bottom = rows[++i] ?? bottom;
      i++;
      const key = `${top}:${bottom}`;
      const run = open.get(key);
      if (run && run.right === column - 1) {
        run.right = column;
      } else {
        const fresh = { left: column, right: column, top, bottom };
        runs.push(fresh);
        open.set(key, fresh);
      }
    }
  }
  return runs.map(({ left, right, top, bottom }) => {
    const start = `${columnLetter(left)}${top}`;
    const end = `${columnLetter(right)}${bottom}`;
    return start === end ? start : `${start}:${end}`;
  });
}

/**
 * Drops defined-name ranges on sheets the workbook does not have. exceljs reads a formula name
 * such as `OFFSET(活动!$A$1,…)` as a range on a sheet called `OFFSET(活动`; written back, that is
 * a broken reference Excel complains about. Losing the name is the lesser harm.
 */
function dropDanglingNames(workbook: ExcelJS.Workbook): void {
  const sheets = new Set(workbook.worksheets.map((sheet) => sheet.name));
  const names = workbook.definedNames as unknown as { model: { name: string; ranges: string[] }[] };
  const model = names.model;
  let dangling = false;
  const kept = model.map((name) => {
    const ranges = name.ranges.filter((range) => {
      const sheet = splitRange(range).tab;
      const ok = sheet === undefined || sheets.has(sheet);
      if (!ok) dangling = true;
      return ok;
    });
    return { name: name.name, ranges };
  });
  // Rebuilding the names re-expands each range to cells: only pay for it when something changes.
  if (dangling) names.model = kept.filter((name) => name.ranges.length > 0);
}
