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
 *   a sheet that does not exist; such names are dropped rather than written broken.
 * - fixed before saving (exceljsLoad.ts, `repairForExceljs`): data validations, which exceljs would
 *   write as overlapping rules. A rule over a whole column still costs a million entries in memory
 *   while the file is open.
 * - exceljs shares one style object among every cell loaded with the same style; every style
 *   change here assigns a fresh object, never mutating, so no other cell changes with it.
 */
import { resolve } from 'node:path';
import type ExcelJS from 'exceljs';
import { recordDateColumns, recordRowCells } from '../../shared/activityRow';
import { locateColumns, RECORD_ID_FIELD, type RecordTabKey } from '../../shared/columns';
import { GENERATED_TAB_LABELS, type GeneratedTab } from '../../shared/i18n';
import { ID_HEADER, planIdWrites, type SkippedId } from '../../shared/idWrites';
import type { Issue } from '../../shared/issues';
import {
  type CellIssues,
  type FillOwner,
  fillOwner,
  hasIssueNote,
  planCellMark,
  planMarks,
  staffNote,
} from '../../shared/marks';
import { cellText } from '../../shared/normalize';
import type { StatusCell } from '../../shared/summary';
import { columnWidth, textWidth } from '../../shared/widths';
import type { Table } from '../../shared/workbook';
import { accessError, errorCode } from './common';
import { repairForExceljs } from './exceljsLoad';
import { type GuardOptions, guardedUpdate } from './fileGuard';
import {
  GENERATED_TAB_ORDER,
  generatedTabOf,
  ISSUE_FILL_ARGB,
  insertionIndex,
  numberFormats,
  shownWidth,
  statusFills,
  type WorkbookUpdate,
  type WorkbookUpdateResult,
} from './port';
import { loadExcelWorkbook } from './xlsx';
import {
  dataSheet,
  dateFormatAbove,
  evidenceCell,
  headerOf,
  restoreCells,
  setRecordCell,
  valueAt,
} from './xlsxCells';
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
  repairForExceljs(workbook);
  if (update.generated) {
    writeGeneratedTabs(workbook, update.generated, update.statuses);
    if (update.charts) placeOverviewCharts(workbook, update.generated, update.charts);
  }
  const skippedIds = update.activityIds ? writeActivityIds(workbook, update.activityIds) : [];
  const unmarkedIssues = update.issues ? markIssues(workbook, update.issues) : [];
  const inWorkbook = update.appendActivities
    ? appendActivities(workbook, update.appendActivities)
    : undefined;
  const recordsInWorkbook = update.appendRecords ? appendRecords(workbook, update.appendRecords) : undefined;
  if (update.evidenceLinks) linkEvidence(workbook, update.evidenceLinks);
  if (update.restoreCells) restoreCells(workbook, update.restoreCells);
  return {
    skippedIds,
    unmarkedIssues,
    ...(inWorkbook ? { inWorkbook } : {}),
    ...(recordsInWorkbook ? { recordsInWorkbook } : {}),
    ...(update.restoreCells
      ? { cellsDone: update.restoreCells.map(({ tab, id, field }) => ({ tab, id, field })) }
      : {}),
  };
}

/** Links photo folders in empty 佐证链接 cells of the rows that still hold their activity ID. */
function linkEvidence(workbook: ExcelJS.Workbook, links: NonNullable<WorkbookUpdate['evidenceLinks']>): void {
  const sheet = dataSheet(workbook, 'activities');
  if (sheet === undefined) return;
  const columns = locateColumns('activities', headerOf(sheet));
  const idColumn = columns.get('activityId');
  const evidenceColumn = columns.get('evidence');
  if (idColumn === undefined || evidenceColumn === undefined) return;
  for (const { row, activityId, link } of links) {
    // The row as read may have moved since: only where it still holds the ID, and only an empty cell.
    if (cellText(valueAt(sheet, row, idColumn + 1)) !== activityId) continue;
    if (valueAt(sheet, row, evidenceColumn + 1) !== null) continue;
    sheet.getCell(row, evidenceColumn + 1).value = evidenceCell(link);
  }
}

/** Appends submitted rows below the last used row of 活动, skipping IDs already there; returns the IDs present. */
function appendActivities(
  workbook: ExcelJS.Workbook,
  rows: NonNullable<WorkbookUpdate['appendActivities']>,
): string[] {
  const sheet = dataSheet(workbook, 'activities');
  if (sheet === undefined || rows.length === 0) return [];
  if (locateColumns('activities', headerOf(sheet)).get('activityId') === undefined)
    addIdColumn(sheet, lastUsedColumn(sheet) + 1);
  return appendRows(
    sheet,
    'activities',
    rows.map(({ activityId, activity }) => ({ id: activityId, data: { ...activity, activityId } })),
  );
}

/** Appends restored partner and measure rows to their tabs (§12); returns those present. */
function appendRecords(
  workbook: ExcelJS.Workbook,
  rows: NonNullable<WorkbookUpdate['appendRecords']>,
): NonNullable<WorkbookUpdateResult['recordsInWorkbook']> {
  const present: NonNullable<WorkbookUpdateResult['recordsInWorkbook']> = [];
  for (const tab of ['partners', 'plan'] as const) {
    const sheet = dataSheet(workbook, tab);
    const mine = rows.filter((row) => row.tab === tab);
    if (sheet === undefined || mine.length === 0) continue;
    for (const id of appendRows(sheet, tab, mine)) present.push({ tab, id });
  }
  return present;
}

/**
 * Appends rows below the last used row of a record tab, skipping IDs already there (a retried
 * write finds its rows); returns the IDs present. A tab without its ID column takes none.
 */
function appendRows(
  sheet: ExcelJS.Worksheet,
  tab: RecordTabKey,
  rows: readonly { id: string; data: Record<string, unknown> }[],
): string[] {
  const header = headerOf(sheet);
  const columns = locateColumns(tab, header);
  const column = columns.get(RECORD_ID_FIELD[tab]);
  if (column === undefined) return [];
  const idColumn = column + 1;
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
  // Dates go in as date cells under the format the column already shows, like the dates staff type.
  const dateFormats = new Map(
    recordDateColumns(tab, header).map((i) => [i, dateFormatAbove(sheet, i + 1, last)]),
  );
  const evidenceColumn = tab === 'activities' ? columns.get('evidence') : undefined;
  for (const { id, data } of rows) {
    if (present.has(id)) continue;
    last += 1;
    recordRowCells(tab, header, data).forEach((value, i) => {
      if (value !== null)
        setRecordCell(sheet.getCell(last, i + 1), value, dateFormats.get(i), i === evidenceColumn);
    });
    present.add(id);
  }
  return rows.map((row) => row.id).filter((id) => present.has(id));
}

// ---------------------------------------------------------------------------------------------
// Reading cells without creating them.

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

// ---------------------------------------------------------------------------------------------
// Generated tabs.

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
  statuses: WorkbookUpdate['statuses'] = {},
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
    fillGeneratedSheet(sheet, tab, table, statuses[tab]);
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

/**
 * Writes a generated table into a fresh sheet. Strings go in as string values, never formulas,
 * whatever they start with. Protection has no password: xlsx has no warning-only protection like
 * the Google Sheet's, so this only tells staff the tab is generated (Review → Unprotect Sheet
 * lifts it without a prompt), and the next sync rewrites it anyway.
 */
function fillGeneratedSheet(
  sheet: ExcelJS.Worksheet,
  tab: GeneratedTab,
  table: Table,
  statuses: readonly StatusCell[] | undefined,
): void {
  fillTableSheet(sheet, table, numberFormats(tab, table), statusFills(tab, statuses));
}

/**
 * Writes any generated table (the plan's tabs, the district roll-up's) into a fresh sheet as
 * fillGeneratedSheet says: header bold, numbers in the given formats, the given cells filled
 * (ARGB by `row:column`), columns as wide as their widest cell, set up to print on A4 landscape one
 * page wide, protected without a password.
 */
export function fillTableSheet(
  sheet: ExcelJS.Worksheet,
  table: Table,
  formatOf: (row: number, column: number) => string | undefined,
  fills: ReadonlyMap<string, string>,
): void {
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
        format = formatOf(r, c);
        if (format !== undefined) cell.numFmt = format;
      }
      if (r === 0) cell.font = BOLD;
      const status = fills.get(`${r}:${c}`);
      if (status !== undefined) cell.fill = solid(status);
      widths[c] = Math.max(widths[c] ?? 0, shownWidth(value, format));
    });
  });
  for (let c = 0; c < widths.length; c++) {
    sheet.getColumn(c + 1).width = columnWidth(widths[c] ?? 0);
  }
  // Leaders print these tabs: A4 landscape, every column on one page's width (as many pages down
  // as the rows need), the header row repeated on each page. Without it a 25-column 社区总览 came
  // out of LibreOffice as 17 portrait pages of column slices.
  sheet.pageSetup = {
    paperSize: 9,
    orientation: 'landscape',
    fitToPage: true,
    fitToWidth: 1,
    fitToHeight: 0,
    printTitlesRow: '1:1',
  };
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

/** Adds the ID header (in the column after every used one), styled like its left neighbour. */
function addIdColumn(sheet: ExcelJS.Worksheet, column: number): void {
  const cell = sheet.getCell(1, column);
  const neighbour = column > 1 ? sheet.findCell(1, column - 1) : undefined;
  cell.style = { ...(neighbour?.style ?? {}), numFmt: '@' };
  cell.value = ID_HEADER;
  // The column format makes IDs typed later in Excel text too (4.30 stays 4.30).
  const sheetColumn = sheet.getColumn(column);
  sheetColumn.style = { ...sheetColumn.style, numFmt: '@' };
}

function writeActivityIds(
  workbook: ExcelJS.Workbook,
  ids: readonly { row: number; activityId: string }[],
): SkippedId[] {
  const sheet = dataSheet(workbook, 'activities');
  const plan = planIdWrites(
    ids,
    sheet && {
      header: headerOf(sheet),
      value: (row, column) => valueAt(sheet, row, column + 1),
      nextFreeColumn: () => lastUsedColumn(sheet),
    },
  );
  if (sheet === undefined || plan.column === undefined) return plan.skipped;
  const column = plan.column + 1;
  if (plan.added) addIdColumn(sheet, column);
  for (const [row, activityId] of plan.writes) {
    const cell = sheet.getCell(row, column);
    cell.style = { ...cell.style, numFmt: '@' };
    cell.value = activityId;
  }
  // Only a column this update added gets a width: staff's own columns keep theirs.
  if (plan.added) {
    const widest = Math.max(textWidth(ID_HEADER), ...[...plan.writes.values()].map(textWidth));
    sheet.getColumn(column).width = columnWidth(widest);
  }
  return plan.skipped;
}

// ---------------------------------------------------------------------------------------------
// Issue marks, as shared/marks.ts plans them.

function isPatternFill(fill: ExcelJS.Fill | undefined): fill is ExcelJS.FillPattern {
  return fill !== undefined && fill.type === 'pattern';
}

/** Whose a cell's fill is: a solid fill by its colour, a pattern or gradient always staff's. */
function ownerOf(fill: ExcelJS.Fill | undefined): FillOwner {
  if (fill === undefined || (isPatternFill(fill) && fill.pattern === 'none')) return fillOwner(undefined);
  return fillOwner(isPatternFill(fill) && fill.pattern === 'solid' ? (fill.fgColor?.argb ?? '') : fill.type);
}

type Note = string | ExcelJS.Comment | undefined;

function noteText(note: Note): string {
  if (note === undefined) return '';
  return typeof note === 'string' ? note : (note.texts ?? []).map((run) => run.text).join('');
}

/** The first `length` characters of a note's runs, each run keeping its font. */
function runsUpTo(runs: readonly ExcelJS.RichText[], length: number): ExcelJS.RichText[] {
  const kept: ExcelJS.RichText[] = [];
  let left = length;
  for (const run of runs) {
    if (left <= 0) break;
    kept.push(run.text.length <= left ? run : { ...run, text: run.text.slice(0, left) });
    left -= run.text.length;
  }
  return kept;
}

function setNote(cell: ExcelJS.Cell, note: Note): void {
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

/** Brings one cell's note and fill to the planned ones; a rich-text note keeps its runs (staff's formatting). */
function applyMark(cell: ExcelJS.Cell, issues: readonly Issue[]): void {
  const note = cell.note as Note;
  const before = noteText(note);
  const owner = ownerOf(cell.fill);
  const mark = planCellMark({ note: before, fill: owner }, issues);
  if (mark.note !== before) {
    const staff = staffNote(before);
    if (mark.note === '') setNote(cell, undefined);
    else if (typeof note !== 'object' || staff === '') setNote(cell, mark.note);
    else {
      const added = mark.note.slice(staff.length);
      const kept = runsUpTo(note.texts ?? [], staff.length);
      setNote(cell, { ...note, texts: added === '' ? kept : [...kept, { text: added }] });
    }
  }
  if (mark.fill === 'none' && owner === 'ours') {
    const { fill: _ours, ...rest } = cell.style;
    cell.style = rest;
  } else if (mark.fill === 'error' || mark.fill === 'warning') {
    const argb = ISSUE_FILL_ARGB[mark.fill];
    const current = isPatternFill(cell.fill) ? cell.fill.fgColor?.argb?.toUpperCase() : undefined;
    if (current !== argb) cell.style = { ...cell.style, fill: solid(argb) };
  }
}

/**
 * Replaces the previous run's marks by the issues' on every sheet but the generated ones: a cell
 * with our note or fill that no issue names loses them, and each cell an issue names is marked.
 */
function markIssues(workbook: ExcelJS.Workbook, issues: readonly Issue[]): Issue[] {
  const marked = new Map<ExcelJS.Worksheet, CellIssues<Issue>>();
  const plan = planMarks(issues, (tab) => {
    const sheet = dataSheet(workbook, tab);
    return sheet && { header: headerOf(sheet) };
  });
  for (const [tab, cells] of plan.cells) {
    const sheet = dataSheet(workbook, tab);
    if (sheet) marked.set(sheet, cells);
  }
  for (const sheet of workbook.worksheets) {
    if (generatedTabOf(sheet.name) !== undefined) continue;
    const cells = marked.get(sheet);
    for (const cell of [...existingCells(sheet)]) {
      if (cells?.get(Number(cell.row))?.has(Number(cell.col) - 1)) continue;
      if (hasIssueNote(noteText(cell.note as Note)) || ownerOf(cell.fill) === 'ours') applyMark(cell, []);
    }
    for (const [row, columns] of cells ?? []) {
      for (const [column, here] of columns) applyMark(sheet.getCell(row, column + 1), here);
    }
  }
  return plan.unmarked;
}
