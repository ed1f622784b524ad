/**
 * A record as a new row of its tab: its cells under a given header row, by column, in the words
 * staff type (Chinese labels for enumerations, dates as YYYY-MM-DD, lists joined with 、). The row
 * an update request appends to 活动, and a restored partner or measure to 共建单位 or 计划 (§12),
 * in the Google Sheet and the .xlsx alike; each writer stores the cells of `recordDateColumns` as
 * date cells of its own kind, as staff's typed dates are. Reading such a row back gives the record
 * it was made from (the validation of each tab maps these words back), so a sync after the append
 * finds nothing changed. Pure.
 */
import { COLUMNS, columnNames, type EnumKind, headerKey, locateColumns, type RecordTabKey } from './columns';
import type { Activity } from './model';
import { enumLabel } from './normalize';

/** The cells of a record's stored data under `header` (null where it has nothing or the column is not ours). */
export function recordRowCells(
  tab: RecordTabKey,
  header: readonly unknown[],
  data: Readonly<Record<string, unknown>>,
): (string | number | null)[] {
  const cells: (string | number | null)[] = header.map(() => null);
  const kinds = new Map(COLUMNS[tab].map((column) => [column.field as string, column.kind]));
  for (const [field, index] of locateColumns(tab, header)) {
    const kind = kinds.get(field);
    // A measure stores its 状态 column as `state`, a partner its 状态 as the boolean `active` (model.ts).
    let value = tab === 'plan' && field === 'status' ? data.state : data[field];
    if (tab === 'partners' && field === 'active') value = value === false ? 'inactive' : 'active';
    if (Array.isArray(value)) value = value.map(String).join('、') || undefined;
    else if (kind?.type === 'enum' && typeof value === 'string')
      value = enumLabel(kind.of as EnumKind, value);
    if (typeof value === 'string' || typeof value === 'number') cells[index] = value;
  }
  return cells;
}

/** The column field a stored field is shown under: a measure stores its 状态 column as `state`. */
function columnFieldOf(tab: RecordTabKey, field: string): string {
  return tab === 'plan' && field === 'state' ? 'status' : field;
}

/** The 0-based column of `header` showing a stored field (restore --field, §12), if any. */
export function recordFieldColumn(
  tab: RecordTabKey,
  header: readonly unknown[],
  field: string,
): number | undefined {
  return locateColumns(tab, header).get(columnFieldOf(tab, field));
}

/**
 * The stored field a column name names — the Chinese or English header, or the field key as
 * stored (`state`) or as the column's (`status`) — or undefined when the tab has no such column.
 */
export function recordFieldNamed(tab: RecordTabKey, name: string): string | undefined {
  const key = headerKey(name);
  const column = COLUMNS[tab].find(
    (c) => columnNames(c).includes(key) || headerKey(columnFieldOf(tab, key)) === headerKey(c.field),
  );
  if (column === undefined) return undefined;
  return tab === 'plan' && column.field === 'status' ? 'state' : column.field;
}

/** The 0-based columns of `header` that hold dates (§3: the columns of kind date), which writers store as date cells. */
export function recordDateColumns(tab: RecordTabKey, header: readonly unknown[]): number[] {
  const dates = new Set<string>(COLUMNS[tab].filter((c) => c.kind.type === 'date').map((c) => c.field));
  return [...locateColumns(tab, header)].filter(([field]) => dates.has(field)).map(([, index]) => index);
}

/** The cells of an activity under `header`: its row as an update request appends it. */
export function activityRowCells(
  header: readonly unknown[],
  activity: Omit<Activity, 'row'>,
): (string | number | null)[] {
  return recordRowCells('activities', header, activity);
}

/** The 0-based columns of `header` in 活动 that hold dates. */
export function activityDateColumns(header: readonly unknown[]): number[] {
  return recordDateColumns('activities', header);
}
