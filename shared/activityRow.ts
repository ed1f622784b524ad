/**
 * A record as a new 活动 row: its cells under a given header row, by column, in the words staff
 * type (Chinese status labels, dates as YYYY-MM-DD, partner IDs listed with 、). The row an update
 * request appends to the Google Sheet and the .xlsx alike; each writer stores the cells of
 * `activityDateColumns` as date cells of its own kind, as staff's typed dates are. Pure.
 */
import { COLUMNS, locateColumns } from './columns';
import { ACTIVITY_STATUS_LABELS } from './i18n';
import type { Activity } from './model';

/** The cells of an activity under `header` (null where the activity has nothing or the column is not ours). */
export function activityRowCells(
  header: readonly unknown[],
  activity: Omit<Activity, 'row'>,
): (string | number | null)[] {
  const cells: (string | number | null)[] = header.map(() => null);
  for (const [field, index] of locateColumns('activities', header)) {
    const value =
      field === 'partners'
        ? activity.partners.join('、') || undefined
        : field === 'status'
          ? ACTIVITY_STATUS_LABELS[activity.status]
          : (activity as Record<string, unknown>)[field];
    if (typeof value === 'string' || typeof value === 'number') cells[index] = value;
  }
  return cells;
}

/** The 0-based columns of `header` that hold dates (§3: the columns of kind date), which writers store as date cells. */
export function activityDateColumns(header: readonly unknown[]): number[] {
  const dates = new Set<string>(COLUMNS.activities.filter((c) => c.kind.type === 'date').map((c) => c.field));
  return [...locateColumns('activities', header)]
    .filter(([field]) => dates.has(field))
    .map(([, index]) => index);
}
