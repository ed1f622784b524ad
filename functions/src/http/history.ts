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
import {
  HistoryQuery,
  type HistoryResponse,
  RestoreRequest,
  type RestoreResponse,
} from '../../../shared/api';
import type { ChangeEntry } from '../../../shared/history';
import { Activity, historyDays, Measure, Partner } from '../../../shared/model';
import { queueActivity, queueRecord } from '../requests/submit';
import { readChanges } from '../store/changeLog';
import type { PlanDoc } from '../store/planStore';
import { recordDoc } from '../store/records';
import { ApiError, type ApiRequest, type HistoryDeps, parseSmallBody } from './handler';

/** Answers the plan's changes, newest first, filtered by the query. */
export async function historyOf(
  req: ApiRequest,
  plan: PlanDoc,
  deps: HistoryDeps,
): Promise<{ status: 200; body: HistoryResponse }> {
  const parsed = HistoryQuery.safeParse(req.query ?? {});
  if (!parsed.success)
    throw new ApiError(
      'invalid_body',
      '查询参数不正确：row 为记录编号，tab 为 partners、plan 或 activities，since 为日期（YYYY-MM-DD），limit 为 1–5000 的整数',
      'Bad query: row is a record ID, tab partners, plan or activities, since a date (YYYY-MM-DD), limit a whole number 1–5000',
    );
  const { row, tab, since, limit } = parsed.data;
  const timezone = plan.settings.timezone;
  const changes = await readChanges(deps.db, plan.planId, {
    limit: limit ?? 1000,
    ...(since !== undefined && { since: startOfDay(since, timezone) }),
    ...(row !== undefined && { ids: [row] }),
    ...(tab !== undefined && { keep: (entry: ChangeEntry) => entry.tab === tab }),
  });
  return { status: 200, body: { planId: plan.planId, timezone, changes } };
}

/** Brings deleted records back (see the module comment); answers what happened to each ID. */
export async function restoreRecords(
  req: ApiRequest,
  plan: PlanDoc,
  author: string,
  deps: HistoryDeps & { now: () => Date },
): Promise<{ status: 200; body: RestoreResponse }> {
  const {
    ids,
    field,
    tab: only,
  } = parseSmallBody(
    RestoreRequest,
    req,
    'ids 为要恢复的记录编号列表（活动、共建单位或计划事项）；给出 field 时只能有一个编号',
    'ids is a list of the IDs to restore (activities, partners or measures); one ID with field',
  );
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
