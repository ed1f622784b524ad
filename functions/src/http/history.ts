/**
 * The change log's routes (§12), for the plan's editors like every route:
 *   GET  /v1/plans/{planId}/history?row=ID&tab=T&since=YYYY-MM-DD&limit=N   changes, newest first
 *   POST /v1/plans/{planId}/restore  {ids: [...], tab?}                 deleted records back
 *   POST /v1/plans/{planId}/restore  {ids: [ID], field, tab?}           a field's previous value
 *                                                                        (restoreField.ts)
 * IDs are unique within a tab only (a partner and an activity may both be P01), so `tab` names
 * whose changes are meant; without it an ID's latest change in any tab decides, as before.
 * A restore takes the update-request form's path (requests/submit.ts queueActivity, queueRecord):
 * the record, a queue entry from which the row is appended to its tab (活动, 共建单位 or 计划)
 * with its ID and last values, and its change (source restore) in one batch that creates the
 * entry only if new. The entry's key derives from the record and the deletion undone, so
 * restoring twice — a retried request, two people at once — writes one record and appends one
 * row. The plan's version then moves (as after a submission), so the statistics and generated
 * tabs follow, and the refresh appends the queued row.
 */
import { createHash } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import type { RestoreResponse } from '../../../shared/api';
import type { ChangeEntry } from '../../../shared/history';
import { Activity, historyDays, Measure, Partner } from '../../../shared/model';
import { queueActivity, queueRecord } from '../requests/submit';
import { readChanges } from '../store/changeLog';
import { recordDoc } from '../store/records';
import {
  type ApiDeps,
  ApiError,
  authorOf,
  type HistoryDeps,
  type PlanAnswer,
  type PlanCall,
} from './handler';

/** The change log's database and version mover, which a service without a change log lacks. */
function historyDeps(deps: Pick<ApiDeps, 'history'>): HistoryDeps {
  if (!deps.history)
    throw new ApiError('internal', '此服务未提供变更记录', 'This service keeps no change history');
  return deps.history;
}

/** Answers the plan's changes, newest first, filtered by the query. */
export async function historyOf({
  input: { row, tab, since, limit },
  plan,
  deps,
}: PlanCall<'history', 'history'>): Promise<PlanAnswer<'history'>> {
  const { db } = historyDeps(deps);
  const timezone = plan.settings.timezone;
  const changes = await readChanges(db, plan.planId, {
    limit: limit ?? 1000,
    ...(since !== undefined && { since: startOfDay(since, timezone) }),
    ...(row !== undefined && { ids: [row] }),
    ...(tab !== undefined && { keep: (entry: ChangeEntry) => entry.tab === tab }),
  });
  return { status: 200, body: { planId: plan.planId, timezone, changes } };
}

/** Brings deleted records back (see the module comment); answers what happened to each ID. */
export async function restoreRecords({
  input: { ids, field, tab: only },
  plan,
  identity,
  deps: runtime,
}: PlanCall<'restore', 'history' | 'now' | 'localAuthor'>): Promise<PlanAnswer<'restore'>> {
  const author = authorOf(identity, runtime);
  const deps = { ...historyDeps(runtime), now: runtime.now };
  if (field !== undefined) {
    const { restoreField } = await import('./restoreField');
    const result = await restoreField(plan, ids[0] as string, field, author, deps, only);
    return { status: 200, body: { planId: plan.planId, results: [result] } };
  }
  const wanted = [...new Set(ids)];
  // The records' own chunks, newest first (the ids index): each ID's latest change decides.
  const latest = new Map<string, ChangeEntry>();
  const keep = only === undefined ? undefined : (entry: ChangeEntry) => entry.tab === only;
  for (const entry of await readChanges(deps.db, plan.planId, { ids: wanted, ...(keep && { keep }) }))
    if (!latest.has(entry.id)) latest.set(entry.id, entry);
  const change = {
    at: deps.now(),
    by: author,
    source: 'restore' as const,
    keepDays: historyDays(plan.settings),
  };
  const results: RestoreResponse['results'] = [];
  const moves: Promise<void>[] = [];
  for (const id of wanted) {
    const last = latest.get(id);
    if (!last) {
      results.push({ id, outcome: 'unknown' });
      continue;
    }
    const { tab } = last;
    if (last.op !== 'deleted') {
      const undone = last.op === 'created' && last.source === 'restore';
      results.push({ id, tab, outcome: undone ? 'alreadyRestored' : 'present' });
      continue;
    }
    // One key per deletion undone: a retried or concurrent restore of it lands once.
    const key = createHash('sha256')
      .update(
        tab === 'activities'
          ? `restore\u0000${id}\u0000${last.at}`
          : `restore\u0000${tab}\u0000${id}\u0000${last.at}`,
      )
      .digest('hex')
      .slice(0, 40);
    const data = { ...last.data, row: 0 };
    const queued =
      tab === 'activities'
        ? await queueActivity(deps.db, {
            planId: plan.planId,
            key,
            tokenHash: 'restore',
            kind: 'activity',
            activity: { ...Activity.parse(data), activityId: id },
            change,
          })
        : await queueRecord(deps.db, {
            planId: plan.planId,
            key,
            tab,
            record: recordDoc(id, tab === 'partners' ? Partner.parse(data) : Measure.parse(data)),
            change,
          });
    results.push({ id, tab, outcome: queued.created ? 'restored' : 'alreadyRestored' });
    if (queued.created) moves.push(deps.moveVersion(plan.planId, key));
  }
  await Promise.all(moves);
  return { status: 200, body: { planId: plan.planId, results } };
}

/** The instant a calendar day starts in the plan's zone, as the log's ISO instants compare. */
function startOfDay(day: string, timezone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, timezone).getTime()).toISOString();
}
