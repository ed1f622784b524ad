/**
 * The write side of the workbook port, shared by its two adapters — the .xlsx file (xlsxPort.ts)
 * and the Google Sheet (sheets.ts): what an update carries, what it reports, and the look both
 * give the generated tabs and the issue marks. No exceljs or googleapis here, so either adapter
 * loads without the other.
 */
import type { ChartData, RollupChartData, RollupChartKind } from '../../shared/charts';
import { headerKey, type RecordTabKey, recogniseTab } from '../../shared/columns';
import { GENERATED_TAB_LABELS, type GeneratedTab, type RollupTab } from '../../shared/i18n';
import type { SkippedId } from '../../shared/idWrites';
import type { Issue, Severity } from '../../shared/issues';
import { ISSUE_FILL_RGB } from '../../shared/marks';
import type { Activity } from '../../shared/model';
import {
  type DistrictRollup,
  rollupChartData,
  rollupColumnShapes,
  rollupStatuses,
  rollupTables,
} from '../../shared/rollup';
import { type CellStatus, type NumberShape, percentCells, type StatusCell } from '../../shared/summary';
import { textWidth } from '../../shared/widths';
import type { Table } from '../../shared/workbook';

/** What one sync writes back into the workbook; every part is optional. */
export interface WorkbookUpdate {
  /** Generated tabs to rewrite whole (§6). */
  generated?: Partial<Record<GeneratedTab, Table>>;
  /** The cells of those tabs whose fill shows a status (summaryStatuses); others stay unfilled. */
  statuses?: Partial<Record<GeneratedTab, readonly StatusCell[]>>;
  /**
   * The charts' figures, from the same statistics as the tabs (shared/charts.ts chartData): drawn
   * beside a rebuilt 汇总 — never read back from the tables, whose labels are for people.
   */
  charts?: ChartData;
  /** IDs the system assigned to activity rows that had none (sheet row numbers). */
  activityIds?: { row: number; activityId: string }[];
  /** The complete current issue list: marks from the previous run are replaced by these. */
  issues?: Issue[];
  /**
   * Rows submitted through update requests, appended to 活动 unless a row with their activity ID
   * is there already (requests/submit.ts); text stays text (never a formula).
   */
  appendActivities?: { activityId: string; activity: Omit<Activity, 'row'> }[];
  /**
   * Restored partner and measure rows (§12), appended to 共建单位 or 计划 the same way: unless a
   * row with their ID is there already, as text and date cells, never a formula.
   */
  appendRecords?: AppendedRecord[];
  /**
   * Restored field values (§12 restore --field): the one cell of the row holding that ID, under
   * that field's column, written as a value (text stays text, dates as date cells); absent clears
   * it. A row no longer in its tab takes nothing (its cell is reported written: there is none).
   */
  restoreCells?: RestoredCell[];
  /**
   * Photo folders to link (SPEC §11): the 佐证链接 cell of the row holding that activity ID gets
   * the relative hyperlink, when it is empty (a link staff typed stays). The .xlsx only.
   */
  evidenceLinks?: { row: number; activityId: string; link: string }[];
}

export type { SkippedId, SkippedIdReason } from '../../shared/idWrites';

/** What a workbook update could not do, for the caller to log. */
export interface WorkbookUpdateResult {
  /** Assigned IDs left unwritten; the caller logs them (they still hold in the record store). */
  skippedIds: SkippedId[];
  /** Issues that name no cell of the workbook (row 1, no column, unknown tab or column). */
  unmarkedIssues: Issue[];
  /** With appendActivities: the IDs of those rows now in the 活动 tab (appended or found there). */
  inWorkbook?: string[];
  /** With appendRecords: those now in their tab (appended or found there). */
  recordsInWorkbook?: { tab: AppendedRecord['tab']; id: string }[];
  /** With restoreCells: those done (written, or whose row is no longer in its tab). */
  cellsDone?: RestoredCellKey[];
}

/** A restored partner or measure: its tab, ID and stored data (functions/src/store/records.ts). */
export interface AppendedRecord {
  tab: Exclude<RecordTabKey, 'activities'>;
  id: string;
  data: Record<string, unknown>;
}

/** A restored field value for one cell: tab, record ID, field key and the value (absent: cleared). */
export interface RestoredCell {
  tab: RecordTabKey;
  id: string;
  field: string;
  value?: unknown;
}
export type RestoredCellKey = Pick<RestoredCell, 'tab' | 'id' | 'field'>;

/** The generated tabs in the order they are added to a workbook. */
export const GENERATED_TAB_ORDER: readonly GeneratedTab[] = [
  'overview',
  'byCategory',
  'byPartner',
  'byMonth',
  'attention',
  'validation',
  'history',
];

export { ISSUE_NOTE_MARKER } from '../../shared/marks';

/** The fills of marked cells (shared/marks.ts) as ARGB, the form exceljs and these adapters use. */
export const ISSUE_FILL_ARGB: Record<Severity, string> = {
  error: `FF${ISSUE_FILL_RGB.error}`,
  warning: `FF${ISSUE_FILL_RGB.warning}`,
};

const RED = 'FFFFC7CE';
const ORANGE = 'FFFFE0B2';
const YELLOW = 'FFFFEB9C';
const GREY = 'FFE7E6E6';

/** The fill of each status a generated tab shows (shared/summary.ts summaryStatuses), per tab. */
export const STATUS_FILLS: { readonly [T in GeneratedTab]?: Readonly<Partial<Record<CellStatus, string>>> } =
  {
    attention: { overdue: RED, behind: ORANGE, dueSoon: YELLOW, stalePartner: GREY },
    byPartner: { stalePartner: RED },
    validation: { error: RED, warning: YELLOW },
  };

/** The fills of a generated tab's status cells as ARGB, by `row:column` (header row = 0). */
export function statusFills(tab: GeneratedTab, statuses: readonly StatusCell[] = []): Map<string, string> {
  const fills = new Map<string, string>();
  for (const { row, column, status } of statuses) {
    const fill = STATUS_FILLS[tab]?.[status];
    if (fill !== undefined && row > 0) fills.set(`${row}:${column}`, fill);
  }
  return fills;
}

/** Whether a number is a quantity (thousands separators) rather than a year or row number. */
function isQuantity(tab: GeneratedTab, cells: readonly (string | number | null)[]): boolean {
  if (tab === 'validation') return false; // its numbers are sheet row numbers
  return !(tab === 'overview' && cells[0] === '计划年度');
}

/** The number format of a share: a percentage with one decimal. */
export const PERCENT_FORMAT = '0.0%';

/**
 * The number format of the date cells the adapters write (a new workbook's dates, a submitted
 * activity's date where its column shows no format of its own): the way §3 writes dates, which
 * Excel, WPS, LibreOffice and Google Sheets all read back as a date.
 */
export const DATE_CELL_FORMAT = 'yyyy-mm-dd';

/**
 * The number formats of one generated table, the same in both adapters: shares as percentages,
 * quantities from 1,000 on with thousands separators; undefined where a cell shows as it is.
 */
export function numberFormats(
  tab: GeneratedTab,
  table: Table,
): (row: number, column: number) => string | undefined {
  const percent = new Set(percentCells(tab, table).map(([r, c]) => `${r}:${c}`));
  return tableNumberFormats(table, (r, c, cells) =>
    percent.has(`${r}:${c}`) ? 'percent' : isQuantity(tab, cells) ? 'quantity' : 'plain',
  );
}

/**
 * The number formats of any generated table (the plan's tabs, the district roll-up's), given how
 * each number cell shows: a share as a percentage with one decimal, a quantity from 1,000 on with
 * thousands separators, a plain number (a year, a row, a rank) as it is.
 */
export function tableNumberFormats(
  table: Table,
  shapeOf: (row: number, column: number, cells: readonly (string | number | null)[]) => NumberShape,
): (row: number, column: number) => string | undefined {
  return (r, c) => {
    const cells = table[r];
    const value = cells?.[c];
    if (r === 0 || cells === undefined || typeof value !== 'number') return undefined;
    const shape = shapeOf(r, c, cells);
    if (shape === 'percent') return PERCENT_FORMAT;
    if (Math.abs(value) < 1000 || shape === 'plain') return undefined;
    return Number.isInteger(value) ? '#,##0' : '#,##0.0#';
  };
}

/** How wide a generated table's value shows in its number format, in character cells. */
export function shownWidth(value: string | number, format: string | undefined): number {
  if (typeof value === 'string') return textWidth(value);
  if (format === PERCENT_FORMAT) return `${(value * 100).toFixed(1)}%`.length;
  if (format !== undefined) return value.toLocaleString('en-US', { maximumFractionDigits: 2 }).length;
  return String(Number(value.toPrecision(11))).length;
}

/** Which generated tab a sheet is, by its Chinese or English name. */
export function generatedTabOf(title: string): GeneratedTab | undefined {
  const key = headerKey(title);
  return GENERATED_TAB_ORDER.find(
    (tab) =>
      headerKey(GENERATED_TAB_LABELS[tab].zh) === key || headerKey(GENERATED_TAB_LABELS[tab].en) === key,
  );
}

/**
 * Where a new generated tab goes among the sheets (by title): after the generated tabs before it
 * in GENERATED_TAB_ORDER, else before those after it, else after the last data tab.
 */
export function insertionIndex(order: readonly string[], tab: GeneratedTab): number {
  const rank = GENERATED_TAB_ORDER.indexOf(tab);
  const rankAt = (title: string): number => {
    const generated = generatedTabOf(title);
    return generated === undefined ? -1 : GENERATED_TAB_ORDER.indexOf(generated);
  };
  let after = -1;
  order.forEach((title, i) => {
    const r = rankAt(title);
    if (r >= 0 && r < rank) after = i;
  });
  if (after >= 0) return after + 1;
  const before = order.findIndex((title) => rankAt(title) > rank);
  if (before >= 0) return before;
  let lastData = -1;
  order.forEach((title, i) => {
    if (recogniseTab(title) !== undefined) lastData = i;
  });
  return lastData >= 0 ? lastData + 1 : order.length;
}

/**
 * What a district's roll-up workbook holds (§13), whichever writer shows it — the .xlsx
 * (rollupXlsx.ts) or the district's Google Sheet (sheetsTabs.ts rollupRequests): one set of tables,
 * status cells and chart figures, so the two show the same cells.
 */
export interface RollupWorkbook {
  tables: Record<RollupTab, Table>;
  statuses: Partial<Record<RollupTab, readonly StatusCell[]>>;
  charts: RollupChartData;
}

/** What the workbook shows of a roll-up: its tables, status cells and charts. */
export function rollupWorkbook(rollup: DistrictRollup): RollupWorkbook {
  return { tables: rollupTables(rollup), statuses: rollupStatuses(rollup), charts: rollupChartData(rollup) };
}

/** Which chart sits beside which roll-up tab: each is drawn from the figures of the tab it sits beside. */
export const ROLLUP_CHART_OF: Partial<Record<RollupTab, RollupChartKind>> = {
  communities: 'communities',
  byCategory: 'categories',
  byMonth: 'months',
};

/**
 * How a roll-up tab's cells show, the same in both writers: each number cell's format by its
 * column's shape (rates as percentages, as the plan's 按类别), and 关注事项's 类型 cells filled in the
 * plan's 关注事项 colours (the other tabs, like the plan's 按类别, fill nothing).
 */
export function rollupTabLook(
  rollup: RollupWorkbook,
  tab: RollupTab,
): { formatOf: (row: number, column: number) => string | undefined; fills: Map<string, string> } {
  const table = rollup.tables[tab];
  const shapes = rollupColumnShapes(table);
  return {
    formatOf: tableNumberFormats(table, (_r, c) => shapes[c] ?? 'quantity'),
    fills: tab === 'attention' ? statusFills('attention', rollup.statuses.attention) : new Map(),
  };
}
