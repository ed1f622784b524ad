/**
 * The write side of the workbook port for an .xlsx file that staff also edit: generated tabs
 * rewritten whole, assigned activity IDs written into empty ID cells, and invalid cells marked
 * with a fill and a note. One read–modify–write per update, put in place by the protocol of
 * fileGuard.ts, so the file is either the old workbook or the new one and no save is lost.
 *
 * What a round trip through exceljs 4.4 keeps and loses (checked by loading and saving files it
 * wrote, some with Excel-only parts patched in, and by reading its source):
 * - kept: cell values (shared and rich text, numbers, dates, booleans, formulas with their cached
 *   results, hyperlinks), cell styles and number formats, column widths and hidden columns, row
 *   heights and hidden rows, merged cells, frozen panes, auto filters, tab colours, hidden sheets,
 *   notes (their text; the box size and position are redrawn at exceljs defaults), ordinary
 *   conditional formats, data validations written in the sheet itself, tables, images, sheet
 *   protection, print titles, headers and footers.
 * - lost: charts, pivot tables, shapes and form controls, threaded comments (their legacy-note
 *   copy survives), sparklines, slicers, `ignoredErrors` (Excel's "number stored as text"
 *   triangles come back), Excel 2010 extension parts: data validations whose list lives on
 *   another sheet (Excel writes those under `x14:`) and the x14 look of data bars; defined names
 *   that are constants or formulas, and the sheet scope of sheet-level names; the list of named
 *   cell styles and custom table styles (each cell keeps its look). Page setup gains exceljs's
 *   defaults (first page number 1, one copy). exceljs mangles a formula name into a reference to
 *   a sheet that does not exist; such names are dropped here rather than written broken.
 * - fixed here: exceljs expands each data validation to one entry per cell on load and on save
 *   merges them again in string order (`B10` before `B2`), which writes two overlapping rules
 *   (`B10:B200` and `B2:B200`) that Excel may refuse as needing repair; `compactDataValidations` restores one rectangle list per rule first. A
 *   rule over a whole column still costs a million entries in memory while the file is open.
 * - exceljs shares one style object among every cell loaded with the same style; every style
 *   change here assigns a fresh object, never mutating, so no other cell changes with it.
 */
import { resolve } from 'node:path';
import ExcelJS from 'exceljs';
import stringWidth from 'string-width';
import { activityRowCells } from '../../../shared/activityRow';
import { headerKey, locateColumns, recogniseTab, type TabKey } from '../../../shared/columns';
import { GENERATED_TAB_LABELS, type GeneratedTab, SEVERITY_LABELS } from '../../../shared/i18n';
import type { Issue, Severity } from '../../../shared/issues';
import { cellText } from '../../../shared/normalize';
import { percentCells } from '../../../shared/summary';
import type { CellValue, Table } from '../../../shared/workbook';
import { accessError, errorCode } from './common';
import { type GuardOptions, guardedUpdate } from './fileGuard';
import {
  GENERATED_TAB_ORDER,
  generatedTabOf,
  ID_HEADER,
  ISSUE_FILL_ARGB,
  ISSUE_NOTE_MARKER,
  insertionIndex,
  isQuantity,
  type SkippedId,
  STATUS_FILLS,
  thousandsFormat,
  type WorkbookUpdate,
  type WorkbookUpdateResult,
} from './port';
import { loadExcelWorkbook, plainValue } from './xlsx';
import { placeOverviewCharts } from './xlsxCharts';

// ---------------------------------------------------------------------------------------------
// File access: one update at a time per path, read–modify–write, atomic replace.

const queues = new Map<string, Promise<void>>();

/** Runs the task after every earlier task for the same file has settled. */
function serialised<T>(path: string, task: () => Promise<T>): Promise<T> {
  const key = resolve(path);
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/**
 * Applies one update to an .xlsx workbook: generated tabs, then assigned IDs, then issue marks.
 * Calls for the same path run one after another; user rows are never deleted or reordered and no
 * user cell is touched but the ID cells and the marked cells named by the update. Nothing is
 * written while an office program has the workbook open ({@link WorkbookOpenError}), and a save
 * that lands meanwhile is never overwritten (the protocol in fileGuard.ts).
 */
export async function updateXlsx(
  path: string,
  update: WorkbookUpdate,
  options: GuardOptions = {},
): Promise<WorkbookUpdateResult & { readVersion: string; writtenVersion: string }> {
  const { result, readVersion, writtenVersion } = await serialised(path, () =>
    guardedUpdate(
      path,
      async () => {
        const workbook = await loadExcelWorkbook(path);
        const result = applyUpdate(workbook, update);
        return { bytes: Buffer.from(await workbook.xlsx.writeBuffer()), result };
      },
      options,
    ).catch((error: unknown) => {
      throw errorCode(error) === 'ENOENT' || errorCode(error) === 'EACCES' ? accessError(error, path) : error;
    }),
  );
  return { ...result, readVersion, writtenVersion };
}

/** The changes of one update, made in memory. Exported for tests. */
export function applyUpdate(workbook: ExcelJS.Workbook, update: WorkbookUpdate): WorkbookUpdateResult {
  for (const sheet of workbook.worksheets) compactDataValidations(sheet);
  dropDanglingNames(workbook);
  if (update.generated) {
    writeGeneratedTabs(workbook, update.generated);
    placeOverviewCharts(workbook, update.generated);
  }
  const skippedIds = update.activityIds ? writeActivityIds(workbook, update.activityIds) : [];
  const unmarkedIssues = update.issues ? markIssues(workbook, update.issues) : [];
  const inWorkbook = update.appendActivities
    ? appendActivities(workbook, update.appendActivities)
    : undefined;
  return { skippedIds, unmarkedIssues, ...(inWorkbook ? { inWorkbook } : {}) };
}

/** Appends submitted rows below the last used row of 活动, skipping IDs already there; returns the IDs present. */
function appendActivities(
  workbook: ExcelJS.Workbook,
  rows: NonNullable<WorkbookUpdate['appendActivities']>,
): string[] {
  const sheet = dataSheet(workbook, 'activities');
  if (sheet === undefined || rows.length === 0) return [];
  const column = locateColumns('activities', headerOf(sheet)).get('activityId');
  const idColumn = column === undefined ? addIdColumn(sheet) : column + 1;
  const header = headerOf(sheet);
  const present = new Set<string>();
  let last = 1;
  for (let r = 2; r <= sheet.rowCount; r++) {
    const id = cellText(valueAt(sheet, r, idColumn));
    if (id !== undefined) present.add(id);
    for (let c = 1; c <= header.length; c++) {
      if (valueAt(sheet, r, c) !== null) {
        last = r;
        break;
      }
    }
  }
  for (const { activityId, activity } of rows) {
    if (present.has(activityId)) continue;
    last += 1;
    activityRowCells(header, { ...activity, activityId }).forEach((value, i) => {
      if (value === null) return;
      const cell = sheet.getCell(last, i + 1);
      // Text is a string cell (shared string): "=1+1" typed in a form stays text.
      if (typeof value === 'string') cell.style = { ...cell.style, numFmt: '@' };
      cell.value = value;
    });
    present.add(activityId);
  }
  return rows.map((row) => row.activityId).filter((id) => present.has(id));
}

// ---------------------------------------------------------------------------------------------
// Reading cells without creating them.

/** The value at a cell, or null; never creates the cell (getCell would add it to the file). */
function valueAt(sheet: ExcelJS.Worksheet, row: number, column: number): CellValue {
  const cell = sheet.findCell(row, column);
  if (cell === undefined || cell.type === ExcelJS.ValueType.Merge) return null;
  return plainValue(cell.value);
}

/** Row 1 as written: trimmed text per 0-based column, '' where empty. */
function headerOf(sheet: ExcelJS.Worksheet): string[] {
  const row = sheet.findRow(1);
  if (row === undefined) return [];
  const header: string[] = [];
  for (let c = 1; c <= row.cellCount; c++) {
    const value = valueAt(sheet, 1, c);
    header.push(value === null ? '' : typeof value === 'string' ? value.trim() : (cellText(value) ?? ''));
  }
  while (header.length > 0 && header[header.length - 1] === '') header.pop();
  return header;
}

/** Every existing cell of a sheet, in row order. */
function* existingCells(sheet: ExcelJS.Worksheet): Generator<ExcelJS.Cell> {
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.findRow(r);
    if (row === undefined) continue;
    for (let c = 1; c <= row.cellCount; c++) {
      const cell = row.findCell(c);
      if (cell !== undefined) yield cell;
    }
  }
}

/** The first worksheet recognised as the given data tab (validation refuses two). */
function dataSheet(workbook: ExcelJS.Workbook, tab: TabKey): ExcelJS.Worksheet | undefined {
  return workbook.worksheets.find((sheet) => recogniseTab(sheet.name) === tab);
}

// ---------------------------------------------------------------------------------------------
// Repairs of what exceljs would otherwise write broken.

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
    const column = columnNumber(cell[1] ?? 'A');
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
    const start = `${columnName(left)}${top}`;
    const end = `${columnName(right)}${bottom}`;
    return start === end ? start : `${start}:${end}`;
  });
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const letter of letters) n = n * 26 + letter.charCodeAt(0) - 64;
  return n;
}

function columnName(n: number): string {
  let letters = '';
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  }
  return letters;
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
      const match = /^(?:'((?:[^']|'')*)'|([^'!]*))!/.exec(range);
      const sheet = match ? (match[1]?.replaceAll("''", "'") ?? match[2]) : undefined;
      const ok = sheet === undefined || sheets.has(sheet);
      if (!ok) dangling = true;
      return ok;
    });
    return { name: name.name, ranges };
  });
  // Rebuilding the names re-expands each range to cells: only pay for it when something changes.
  if (dangling) names.model = kept.filter((name) => name.ranges.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Generated tabs.

const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
/** Excel holds at most this many characters in a cell; a longer string makes the file invalid. */
const MAX_CELL_TEXT = 32_767;
const BOLD: Partial<ExcelJS.Font> = { bold: true };

function solid(argb: string): ExcelJS.FillPattern {
  return { type: 'pattern', pattern: 'solid', fgColor: { argb } };
}

/**
 * Replaces or adds each given generated tab. A tab found under its Chinese or English name is
 * rebuilt in its place under the name it had; a new one goes after the generated tabs before it
 * in GENERATED_TAB_ORDER, else before those after it, else after the last data tab.
 */
function writeGeneratedTabs(
  workbook: ExcelJS.Workbook,
  generated: Partial<Record<GeneratedTab, Table>>,
): void {
  const order = [...workbook.worksheets];
  for (const tab of GENERATED_TAB_ORDER) {
    const table = generated[tab];
    if (table === undefined) continue;
    const index = order.findIndex((sheet) => generatedTabOf(sheet.name) === tab);
    const existing = order[index];
    // Rebuilding beats clearing: merges, validations and styles staff may have added go too.
    if (existing) workbook.removeWorksheet(existing.id);
    const sheet = workbook.addWorksheet(existing?.name ?? GENERATED_TAB_LABELS[tab].zh, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    fillGeneratedSheet(sheet, tab, table);
    if (existing) order[index] = sheet;
    else
      order.splice(
        insertionIndex(
          order.map((sheet) => sheet.name),
          tab,
        ),
        0,
        sheet,
      );
  }
  // exceljs orders sheets by orderNo (not in its typings); renumbering places the new ones.
  order.forEach((sheet, i) => {
    (sheet as unknown as { orderNo: number }).orderNo = i + 1;
  });
}

/** How wide a cell shows, in Excel's units (about one Latin digit; CJK characters count two). */
function shownWidth(value: string | number, format: string | undefined): number {
  let text: string;
  if (typeof value === 'number') {
    if (format === '0.0%') text = `${(value * 100).toFixed(1)}%`;
    else if (format !== undefined) text = value.toLocaleString('en-US', { maximumFractionDigits: 2 });
    else text = String(Number(value.toPrecision(11)));
  } else {
    text = value;
  }
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, stringWidth(line));
  return widest;
}

/**
 * Writes a generated table into a fresh sheet. Strings go in as string values, never formulas,
 * whatever they start with. Protection has no password: xlsx has no warning-only protection like
 * the Google Sheet's, so this only tells staff the tab is generated (Review → Unprotect Sheet
 * lifts it without a prompt), and the next sync rewrites it anyway.
 */
function fillGeneratedSheet(sheet: ExcelJS.Worksheet, tab: GeneratedTab, table: Table): void {
  const percent = new Set(percentCells(tab, table).map(([r, c]) => `${r}:${c}`));
  const header = table[0] ?? [];
  const widths: number[] = [];
  table.forEach((cells, r) => {
    const row = sheet.getRow(r + 1);
    cells.forEach((value, c) => {
      if (value === null) return;
      // NaN or Infinity would be written as text Excel cannot parse: leave the cell empty.
      if (typeof value === 'number' && !Number.isFinite(value)) return;
      const cell = row.getCell(c + 1);
      let format: string | undefined;
      if (typeof value === 'string') {
        cell.value = value.length > MAX_CELL_TEXT ? `${value.slice(0, MAX_CELL_TEXT - 1)}…` : value;
      } else {
        cell.value = value;
        if (r > 0 && percent.has(`${r}:${c}`)) format = '0.0%';
        else if (r > 0 && Math.abs(value) >= 1000 && isQuantity(tab, cells)) format = thousandsFormat(value);
        if (format !== undefined) cell.numFmt = format;
      }
      if (r === 0) cell.font = BOLD;
      const status = STATUS_FILLS[String(header[c] ?? '')]?.[String(value)];
      if (r > 0 && status !== undefined) cell.fill = solid(status);
      widths[c] = Math.max(widths[c] ?? 0, shownWidth(value, format));
    });
  });
  for (let c = 0; c < widths.length; c++) {
    sheet.getColumn(c + 1).width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, (widths[c] ?? 0) + 2));
  }
  // Formatting columns and rows stays allowed so readers can widen a column to read it. protect()
  // returns a promise only for password hashing; without a password it takes effect at once.
  void sheet.protect('', { formatColumns: true, formatRows: true });
}

// ---------------------------------------------------------------------------------------------
// Assigned activity IDs.

/** The last column (1-based) holding a value in any row, so an added column never lands on data. */
function lastUsedColumn(sheet: ExcelJS.Worksheet): number {
  let last = 0;
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.findRow(r);
    if (row === undefined) continue;
    for (let c = row.cellCount; c > last; c--) {
      if (valueAt(sheet, r, c) !== null) {
        last = c;
        break;
      }
    }
  }
  return last;
}

/** Appends the ID header after every used column, styled like its left neighbour. */
function addIdColumn(sheet: ExcelJS.Worksheet): number {
  const column = lastUsedColumn(sheet) + 1;
  const cell = sheet.getCell(1, column);
  const neighbour = column > 1 ? sheet.findCell(1, column - 1) : undefined;
  cell.style = { ...(neighbour?.style ?? {}), numFmt: '@' };
  cell.value = ID_HEADER;
  // The column format makes IDs typed later in Excel text too (4.30 stays 4.30).
  const sheetColumn = sheet.getColumn(column);
  sheetColumn.style = { ...sheetColumn.style, numFmt: '@' };
  return column;
}

function writeActivityIds(
  workbook: ExcelJS.Workbook,
  ids: readonly { row: number; activityId: string }[],
): SkippedId[] {
  const skipped: SkippedId[] = [];
  const sheet = dataSheet(workbook, 'activities');
  if (sheet === undefined) return ids.map((id) => ({ ...id, reason: 'no_tab' }));
  const header = headerOf(sheet);
  const located = locateColumns('activities', header);
  const others = [...located.entries()]
    .filter(([field]) => field !== 'activityId')
    .map(([, index]) => index + 1);
  let column = located.has('activityId') ? (located.get('activityId') ?? 0) + 1 : undefined;
  let widest = 0;
  for (const { row, activityId } of ids) {
    const wanted = typeof activityId === 'string' ? cellText(activityId) : undefined;
    if (!Number.isInteger(row) || row < 2 || wanted === undefined) {
      skipped.push({ row, activityId, reason: 'invalid' });
      continue;
    }
    // A row emptied since the read is not given an ID: it would become a record of its own.
    if (!others.some((c) => valueAt(sheet, row, c) !== null)) {
      skipped.push({ row, activityId, reason: 'empty_row' });
      continue;
    }
    if (column === undefined) column = addIdColumn(sheet);
    const existing = cellText(valueAt(sheet, row, column));
    if (existing === wanted) continue;
    if (existing !== undefined) {
      skipped.push({ row, activityId, reason: 'occupied', existing });
      continue;
    }
    const cell = sheet.getCell(row, column);
    cell.style = { ...cell.style, numFmt: '@' };
    cell.value = activityId;
    widest = Math.max(widest, stringWidth(activityId));
  }
  // Only a column this update added gets a width: staff's own columns keep theirs.
  if (column !== undefined && !located.has('activityId')) {
    const added = sheet.getColumn(column);
    added.width = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH + 2, widest + 2, stringWidth(ID_HEADER) + 2));
  }
  return skipped;
}

// ---------------------------------------------------------------------------------------------
// Issue marks.

function isPatternFill(fill: ExcelJS.Fill | undefined): fill is ExcelJS.FillPattern {
  return fill !== undefined && fill.type === 'pattern';
}

function hasNoFill(fill: ExcelJS.Fill | undefined): boolean {
  return fill === undefined || (isPatternFill(fill) && fill.pattern === 'none');
}

function isOurFill(fill: ExcelJS.Fill | undefined): boolean {
  if (!isPatternFill(fill) || fill.pattern !== 'solid') return false;
  const argb = fill.fgColor?.argb?.toUpperCase();
  return argb === ISSUE_FILL_ARGB.error || argb === ISSUE_FILL_ARGB.warning;
}

function noteRuns(note: string | ExcelJS.Comment): ExcelJS.RichText[] {
  return typeof note === 'string' ? [{ text: note }] : (note.texts ?? []);
}

/** A note without our part (from the marker on), or undefined when nothing of the user's is left. */
function withoutOurPart(note: string | ExcelJS.Comment): string | ExcelJS.Comment | undefined {
  const kept: ExcelJS.RichText[] = [];
  for (const run of noteRuns(note)) {
    const at = run.text.indexOf(ISSUE_NOTE_MARKER);
    if (at < 0) {
      kept.push(run);
      continue;
    }
    if (at > 0) kept.push({ ...run, text: run.text.slice(0, at) });
    break;
  }
  // The blank line that separated the user's note from ours goes with ours.
  while (kept.length > 0) {
    const last = kept[kept.length - 1] as ExcelJS.RichText;
    const text = last.text.replace(/\s+$/, '');
    if (text !== '') {
      kept[kept.length - 1] = { ...last, text };
      break;
    }
    kept.pop();
  }
  if (kept.length === 0) return undefined;
  if (typeof note === 'string') return kept.map((run) => run.text).join('');
  return { ...note, texts: kept };
}

function setNote(cell: ExcelJS.Cell, note: string | ExcelJS.Comment | undefined): void {
  if (note !== undefined) {
    cell.note = note;
    return;
  }
  // exceljs has no API to remove a note (assigning undefined writes an empty one), and a loaded
  // cell keeps a copy of its note in its value's model, which is written when no note is set.
  const internals = cell as unknown as { _comment?: unknown; _value?: { model?: { comment?: unknown } } };
  internals._comment = undefined;
  if (internals._value?.model) delete internals._value.model.comment;
}

function withOurPart(note: string | ExcelJS.Comment | undefined, ours: string): string | ExcelJS.Comment {
  if (note === undefined) return ours;
  if (typeof note === 'string') return `${note}\n\n${ours}`;
  return { ...note, texts: [...(note.texts ?? []), { text: `\n\n${ours}` }] };
}

/** Removes our notes and fills from every sheet but the generated ones; staff's stay as they are. */
function clearMarks(workbook: ExcelJS.Workbook): void {
  for (const sheet of workbook.worksheets) {
    if (generatedTabOf(sheet.name) !== undefined) continue;
    for (const cell of existingCells(sheet)) {
      const note = cell.note as string | ExcelJS.Comment | undefined;
      if (note !== undefined && noteRuns(note).some((run) => run.text.includes(ISSUE_NOTE_MARKER))) {
        setNote(cell, withoutOurPart(note));
      }
      if (isOurFill(cell.fill)) {
        const { fill: _ours, ...rest } = cell.style;
        cell.style = rest;
      }
    }
  }
}

/** The 0-based column an issue names: the header as written, else the same header by headerKey. */
function issueColumn(header: readonly string[], column: string): number {
  const written = column.trim();
  if (written === '') return -1;
  const exact = header.indexOf(written);
  if (exact >= 0) return exact;
  const key = headerKey(written);
  return header.findIndex((text) => text !== '' && headerKey(text) === key);
}

/**
 * Clears the previous run's marks, then marks each cell an issue names: a light red fill for an
 * error, light yellow for a warning only, and one note listing every message. A cell that already
 * has a fill of the user's keeps it (the note still marks it): restoring it later would need the
 * old fill stored somewhere, and staff's colours are theirs.
 */
function markIssues(workbook: ExcelJS.Workbook, issues: readonly Issue[]): Issue[] {
  clearMarks(workbook);
  const unmarked: Issue[] = [];
  const sheets = new Map<TabKey, { sheet: ExcelJS.Worksheet; header: string[] } | undefined>();
  const byCell = new Map<
    string,
    { sheet: ExcelJS.Worksheet; row: number; column: number; issues: Issue[] }
  >();
  for (const issue of issues) {
    if (!sheets.has(issue.tab)) {
      const sheet = dataSheet(workbook, issue.tab);
      sheets.set(issue.tab, sheet && { sheet, header: headerOf(sheet) });
    }
    const found = sheets.get(issue.tab);
    const column =
      found && Number.isInteger(issue.row) && issue.row >= 2 ? issueColumn(found.header, issue.column) : -1;
    if (!found || column < 0) {
      unmarked.push(issue);
      continue;
    }
    const key = `${issue.tab}:${issue.row}:${column}`;
    const entry = byCell.get(key) ?? { sheet: found.sheet, row: issue.row, column: column + 1, issues: [] };
    byCell.set(key, entry);
    entry.issues.push(issue);
  }
  for (const { sheet, row, column, issues: here } of byCell.values()) {
    const cell = sheet.getCell(row, column);
    const severity: Severity = here.some((issue) => issue.severity === 'error') ? 'error' : 'warning';
    if (hasNoFill(cell.fill)) cell.style = { ...cell.style, fill: solid(ISSUE_FILL_ARGB[severity]) };
    const lines = here.map((issue) => `${SEVERITY_LABELS[issue.severity]}：${issue.message}`);
    const ours = `${ISSUE_NOTE_MARKER}校验结果（下次同步时自动更新）\n${lines.join('\n')}`;
    setNote(cell, withOurPart(cell.note as string | ExcelJS.Comment | undefined, ours));
  }
  return unmarked;
}
