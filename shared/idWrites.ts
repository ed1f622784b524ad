/**
 * Which cells of the activities tab may receive the IDs the system assigned — the write-back
 * planner's other half (marks.ts is the first), applied by the Sheets API adapter, the .xlsx
 * adapter and the add-on alike: only an empty ID cell, on a row that still holds something, and an
 * ID column added after the used ones when the tab has none.
 */
import { locateColumns } from './columns';
import { cellText } from './normalize';
import type { CellValue } from './workbook';

/** The header of an activities tab that lacks an ID column gets this one. */
export const ID_HEADER = '记录编号';

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

/** An activities tab as the ID planner reads it; columns are 0-based. */
export interface IdTab {
  /** Row 1 as read (its recognised columns locate the ID column and tell an empty row). */
  header: readonly unknown[];
  /** The value of a cell as the sheet shows it now. */
  value(row: number, column: number): CellValue;
  /** Where an added ID column goes: right of every used column, so it never lands on data. */
  nextFreeColumn(): number;
}

/** Which IDs go where: the ID column (added when the tab had none), the cells to write, what is skipped. */
export interface IdPlan {
  /** Undefined when nothing is written and no column is needed. */
  column: number | undefined;
  /** The column is new: the writer adds its header (ID_HEADER) and text format. */
  added: boolean;
  /** Sheet row → ID, only into cells found empty. */
  writes: Map<number, string>;
  skipped: SkippedId[];
}

/**
 * Plans writing assigned IDs: only into an ID cell found empty, on a row that still holds
 * something (a row emptied since the read would become a record of its own). An ID already there
 * is left alone; a different one (staff typed it) is never overwritten.
 */
export function planIdWrites(
  ids: readonly { row: number; activityId: string }[],
  tab: IdTab | undefined,
): IdPlan {
  if (tab === undefined) {
    return {
      column: undefined,
      added: false,
      writes: new Map(),
      skipped: ids.map((id) => ({ ...id, reason: 'no_tab' })),
    };
  }
  const located = locateColumns('activities', tab.header);
  const others = [...located].filter(([field]) => field !== 'activityId').map(([, index]) => index);
  const plan: IdPlan = { column: located.get('activityId'), added: false, writes: new Map(), skipped: [] };
  for (const { row, activityId } of ids) {
    const wanted = typeof activityId === 'string' ? cellText(activityId) : undefined;
    if (!Number.isInteger(row) || row < 2 || wanted === undefined) {
      plan.skipped.push({ row, activityId, reason: 'invalid' });
      continue;
    }
    if (!others.some((column) => tab.value(row, column) !== null)) {
      plan.skipped.push({ row, activityId, reason: 'empty_row' });
      continue;
    }
    if (plan.column === undefined) {
      plan.column = tab.nextFreeColumn();
      plan.added = true;
    }
    const planned = plan.writes.get(row);
    const existing = cellText(planned ?? (plan.added ? null : tab.value(row, plan.column)));
    if (existing === wanted) continue;
    if (existing !== undefined) {
      plan.skipped.push({ row, activityId, reason: 'occupied', existing });
      continue;
    }
    plan.writes.set(row, activityId);
  }
  return plan;
}
