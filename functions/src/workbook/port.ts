/**
 * The write side of the workbook port, shared by its two adapters — the .xlsx file (xlsxPort.ts)
 * and the Google Sheet (sheets.ts): what an update carries, what it reports, and the look both
 * give the generated tabs and the issue marks. No exceljs or googleapis here, so either adapter
 * loads without the other.
 */
import { headerKey, recogniseTab } from '../../../shared/columns';
import {
  GENERATED_TAB_LABELS,
  type GeneratedTab,
  SEVERITY_LABELS,
  STATUS_LABELS,
} from '../../../shared/i18n';
import type { Issue, Severity } from '../../../shared/issues';
import { ISSUE_FILL_RGB } from '../../../shared/marks';
import type { Activity } from '../../../shared/model';
import type { Table } from '../../../shared/workbook';

/** What one sync writes back into the workbook; every part is optional. */
export interface WorkbookUpdate {
  /** Generated tabs to rewrite whole (§6). */
  generated?: Partial<Record<GeneratedTab, Table>>;
  /** IDs the system assigned to activity rows that had none (sheet row numbers). */
  activityIds?: { row: number; activityId: string }[];
  /** The complete current issue list: marks from the previous run are replaced by these. */
  issues?: Issue[];
  /**
   * Rows submitted through update requests, appended to 活动 unless a row with their activity ID
   * is there already (requests/submit.ts); text stays text (never a formula).
   */
  appendActivities?: { activityId: string; activity: Omit<Activity, 'row'> }[];
}

/** Why an assigned ID was not written. */
export type SkippedIdReason =
  /** The cell already holds a different ID: staff typed it, and it is never overwritten. */
  | 'occupied'
  /** The row holds nothing in its recognised columns any more (rows moved since the read). */
  | 'empty_row'
  /** The workbook has no activities tab. */
  | 'no_tab'
  /** Not a data row number, or an empty ID. */
  | 'invalid';

export interface SkippedId {
  row: number;
  activityId: string;
  reason: SkippedIdReason;
  /** The ID found in the cell, for `occupied`. */
  existing?: string;
}

/** What a workbook update could not do, for the caller to log. */
export interface WorkbookUpdateResult {
  /** Assigned IDs left unwritten; the caller logs them (they still hold in the record store). */
  skippedIds: SkippedId[];
  /** Issues that name no cell of the workbook (row 1, no column, unknown tab or column). */
  unmarkedIssues: Issue[];
  /** With appendActivities: the IDs of those rows now in the 活动 tab (appended or found there). */
  inWorkbook?: string[];
}

/** The generated tabs in the order they are added to a workbook. */
export const GENERATED_TAB_ORDER: readonly GeneratedTab[] = [
  'overview',
  'byCategory',
  'byPartner',
  'byMonth',
  'attention',
  'validation',
];

export { ISSUE_NOTE_MARKER } from '../../../shared/marks';

/** The fills of marked cells as ARGB, the form exceljs and these adapters use. */
export const ISSUE_FILL_ARGB: Record<Severity, string> = {
  error: `FF${ISSUE_FILL_RGB.error}`,
  warning: `FF${ISSUE_FILL_RGB.warning}`,
};

/** The header of an activities tab that lacks an ID column gets this one. */
export const ID_HEADER = '记录编号';

const RED = 'FFFFC7CE';
const ORANGE = 'FFFFE0B2';
const YELLOW = 'FFFFEB9C';
const GREY = 'FFE7E6E6';

/** Status-like columns of the generated tabs (by header) and the fill of each value. */
export const STATUS_FILLS: Record<string, Record<string, string>> = {
  类型: { [STATUS_LABELS.overdue]: RED, [STATUS_LABELS.behind]: ORANGE, 即将到期: YELLOW, 失联单位: GREY },
  级别: { [SEVERITY_LABELS.error]: RED, [SEVERITY_LABELS.warning]: YELLOW },
  失联: { 是: RED },
};

/** Whether a number is a quantity (thousands separators) rather than a year or row number. */
export function isQuantity(tab: GeneratedTab, cells: readonly (string | number | null)[]): boolean {
  if (tab === 'validation') return false; // its numbers are sheet row numbers
  return !(tab === 'overview' && cells[0] === '计划年度');
}

/** The number format of a quantity. */
export function thousandsFormat(value: number): string {
  return Number.isInteger(value) ? '#,##0' : '#,##0.0#';
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
