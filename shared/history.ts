/**
 * The change log (§12, 变更记录) as data: what one record change is, how it is computed from a
 * record's stored content before and after a write, how a log replays into records, and the
 * generated tab 变更记录. Pure: the store decides where entries live and when they are written
 * (functions/src/store/changeLog.ts); writers pass the time and the person.
 *
 * Guarantees argued here:
 *   - An entry says everything needed to undo it: a creation carries the record as created, a
 *     deletion the record's last values, an update each changed field's old and new value (a
 *     field absent on one side is `undefined` there). So `replayChanges` over a complete log from
 *     empty rebuilds the records exactly, and a deleted record can be restored to its last values.
 *   - An unchanged record yields no entry (`recordChange` compares content, field by field, with
 *     the row number left out — moving a row is not a change, as in the store's hash).
 *   - User text is never a formula in the tab: the adapters write every generated cell as a value
 *     (strings stay strings), as they do for the other generated tabs.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import * as z from 'zod';
import { COLUMNS, RECORD_TABS, type RecordTabKey } from './columns';
import { CHANGE_OP_LABELS, CHANGE_SOURCE_LABELS, TAB_LABELS } from './i18n';
import type { Table } from './workbook';

/** Who wrote a change: a sync of the workbook, the update-request form, a restore, or the API. */
export const CHANGE_SOURCES = ['sync', 'form', 'restore', 'api'] as const;
export type ChangeSource = (typeof CHANGE_SOURCES)[number];

/** How many changes the generated tab 变更记录 shows, newest first. */
export const HISTORY_TAB_LIMIT = 500;

/** A record's content as stored: its fields without the row (JSON values). */
export type RecordData = Record<string, unknown>;

/** One field's change within an update; a side that is absent is an absent (cleared) cell. */
export const FieldChange = z.object({
  field: z.string(),
  old: z.unknown().optional(),
  new: z.unknown().optional(),
});
export type FieldChange = z.infer<typeof FieldChange>;

/** One record's change, as every reader sees it (the API's history answer, the tab, the CLI). */
export const ChangeEntry = z.object({
  /** When the writer wrote it (ISO instant). */
  at: z.string(),
  by: z.string(),
  source: z.enum(CHANGE_SOURCES),
  tab: z.enum(RECORD_TABS as [RecordTabKey, ...RecordTabKey[]]),
  id: z.string(),
  op: z.enum(['created', 'updated', 'deleted']),
  /** An update's changed fields, in field order. */
  fields: z.array(FieldChange),
  /** A creation: the record as created; a deletion: its last values (what a restore puts back). */
  data: z.record(z.string(), z.unknown()).optional(),
});
export type ChangeEntry = z.infer<typeof ChangeEntry>;

/** A change without who, when and from where: what a store computes per record it writes. */
export const RecordChangeSchema = ChangeEntry.omit({ at: true, by: true, source: true });
export type RecordChange = z.infer<typeof RecordChangeSchema>;

/** The change that takes a record from `before` to `after` (undefined: absent), or none. */
export function recordChange(
  tab: RecordTabKey,
  id: string,
  before: RecordData | undefined,
  after: RecordData | undefined,
): RecordChange | undefined {
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined) return { tab, id, op: 'created', fields: [], data: after };
  if (after === undefined) return { tab, id, op: 'deleted', fields: [], data: before };
  const fields: FieldChange[] = [];
  for (const field of fieldOrder(tab, [...Object.keys(before), ...Object.keys(after)])) {
    const old = before[field];
    const now = after[field];
    if (sameValue(old, now)) continue;
    fields.push({ field, ...(old !== undefined && { old }), ...(now !== undefined && { new: now }) });
  }
  return fields.length === 0 ? undefined : { tab, id, op: 'updated', fields };
}

/** Applies changes, oldest first, to records by tab and ID (a new map per tab; the input is not changed). */
export function replayChanges(
  changes: readonly RecordChange[],
  start: Partial<Record<RecordTabKey, ReadonlyMap<string, RecordData>>> = {},
): Record<RecordTabKey, Map<string, RecordData>> {
  const records = Object.fromEntries(RECORD_TABS.map((tab) => [tab, new Map(start[tab] ?? [])])) as Record<
    RecordTabKey,
    Map<string, RecordData>
  >;
  for (const change of changes) {
    const tab = records[change.tab];
    if (change.op === 'deleted') tab.delete(change.id);
    else if (change.op === 'created') tab.set(change.id, { ...change.data });
    else {
      const next = { ...tab.get(change.id) };
      for (const { field, new: value } of change.fields) {
        if (value === undefined) delete next[field];
        else next[field] = value;
      }
      tab.set(change.id, next);
    }
  }
  return records;
}

/** The last deletion of a record in a log given newest first, if it is deleted now (no later creation). */
export function lastDeletion(
  newestFirst: readonly ChangeEntry[],
  tab: RecordTabKey,
  id: string,
): ChangeEntry | undefined {
  const latest = newestFirst.find((entry) => entry.tab === tab && entry.id === id);
  return latest?.op === 'deleted' ? latest : undefined;
}

/** The header row of the generated tab 变更记录. */
export const HISTORY_HEADERS = [
  '时间',
  '操作人',
  '来源',
  '工作表',
  '记录编号',
  '字段',
  '原值',
  '新值',
] as const;

/** A change as the tab's and the CLI's rows: one per changed field, one for a creation or deletion. */
export function changeRows(entry: ChangeEntry, timezone: string): (string | null)[][] {
  const head = [
    format(new TZDate(entry.at, timezone), 'yyyy-MM-dd HH:mm:ss'),
    entry.by,
    CHANGE_SOURCE_LABELS[entry.source],
    TAB_LABELS[entry.tab].zh,
    entry.id,
  ];
  if (entry.op !== 'updated') {
    const summary = recordSummary(entry.tab, entry.data ?? {});
    const label = `（${CHANGE_OP_LABELS[entry.op]}）`;
    return [
      [...head, label, entry.op === 'deleted' ? summary : null, entry.op === 'created' ? summary : null],
    ];
  }
  return entry.fields.map((change) => [
    ...head,
    fieldLabel(entry.tab, change.field),
    showValue(change.old),
    showValue(change.new),
  ]);
}

/** The generated tab 变更记录: the latest changes' rows, newest first, at most HISTORY_TAB_LIMIT. */
export function historyTable(newestFirst: readonly ChangeEntry[], timezone: string): Table {
  const rows: Table = [[...HISTORY_HEADERS]];
  for (const entry of newestFirst) {
    for (const row of changeRows(entry, timezone)) {
      if (rows.length > HISTORY_TAB_LIMIT) return rows;
      rows.push(row);
    }
  }
  return rows;
}

/** A field's column header (§3), or the field's own name for one no column shows. */
export function fieldLabel(tab: RecordTabKey, field: string): string {
  const column = tab === 'plan' && field === 'state' ? 'status' : field;
  return COLUMNS[tab].find((c) => c.field === column)?.zh ?? field;
}

/** A stored value as text: lists joined by 「、」, absent as nothing. */
export function showValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String).join('、');
  if (typeof value === 'boolean') return value ? '是' : '否';
  return String(value);
}

function recordSummary(tab: RecordTabKey, data: RecordData): string | null {
  return showValue(tab === 'partners' ? data.name : data.title);
}

/** Fields in the order of the tab's columns, then any others by name, each once. */
function fieldOrder(tab: RecordTabKey, fields: string[]): string[] {
  // A measure stores its 状态 column as `state` (model.ts).
  const known: string[] = COLUMNS[tab].map((column) =>
    tab === 'plan' && column.field === 'status' ? 'state' : column.field,
  );
  const rest = [...new Set(fields.filter((f) => !known.includes(f)))].sort();
  return [...known.filter((f) => fields.includes(f)), ...rest];
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
