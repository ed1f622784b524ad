/**
 * `POST /v1/plans/{planId}/restore {ids: [ID], field}` (§12, `gongjian restore PATH ID --field
 * NAME`): one field of one record back to its value before that field's latest change, read from
 * the record's own change-log chunks (the `ids` index). It lands through the queue that carries
 * restored rows (requests/restoreCell.ts has the argument): the record, the cell's queue entry and
 * the change (source restore) in one batch, created once per change undone — so restoring twice,
 * or two people at once, writes once — and guarded by the record's update time, so a sync that
 * changed the record meanwhile is never overwritten (we read again instead). The flush writes the
 * cell, and until a sync has read it there, a sync of an older workbook keeps the restored value.
 */
import { createHash } from 'node:crypto';
import { recordFieldNamed } from '../../../shared/activityRow';
import type { RestoreResponse } from '../../../shared/api';
import type { RecordTabKey } from '../../../shared/columns';
import { historyDays } from '../../../shared/model';
import { queueCell } from '../requests/restoreCell';
import { readChanges } from '../store/changeLog';
import { docIdOf } from '../store/docIds';
import { planRef } from '../store/paths';
import type { PlanDoc } from '../store/planStore';
import { COLLECTION_OF, type RecordDoc } from '../store/records';
import type { HistoryDeps } from './handler';

type Result = RestoreResponse['results'][number];

/** A sync committing between our read and our batch makes us read again; this many times at most. */
const ATTEMPTS = 5;

/**
 * Restores `name` of record `id` (see the module comment) — of tab `only` when given (IDs are
 * unique within a tab only), else of the tab of the ID's latest change; answers what happened.
 */
export async function restoreField(
  plan: PlanDoc,
  id: string,
  name: string,
  author: string,
  deps: HistoryDeps & { now: () => Date },
  only?: RecordTabKey,
): Promise<Result> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await tryRestore(plan, id, name, author, deps, only);
    if (outcome !== 'conflict') return outcome;
    if (attempt >= ATTEMPTS)
      throw new Error(
        `记录 ${id} 正被同步反复修改，请稍后再恢复 / record ${id} keeps changing: try again later`,
      );
  }
}

async function tryRestore(
  plan: PlanDoc,
  id: string,
  name: string,
  author: string,
  deps: HistoryDeps & { now: () => Date },
  only: RecordTabKey | undefined,
): Promise<Result | 'conflict'> {
  // The record's changes, newest first: the latest decides whether it is deleted.
  const changes = await readChanges(deps.db, plan.planId, {
    ids: [id],
    ...(only !== undefined && { keep: (entry) => entry.tab === only }),
  });
  const last = changes[0];
  if (last === undefined) return { id, outcome: 'unknown' };
  const { tab } = last;
  if (last.op === 'deleted') return { id, tab, outcome: 'deleted' };
  const field = recordFieldNamed(tab, name);
  if (field === undefined) return { id, tab, outcome: 'unknownField', field: name };
  // The field's latest change: an update naming it, or the record's creation (nothing before it).
  const latest = changes.find(
    (c) => c.tab === tab && (c.op === 'created' || c.fields.some((f) => f.field === field)),
  );
  const change = latest?.fields.find((f) => f.field === field);
  if (latest === undefined || change === undefined) return { id, tab, outcome: 'noChange', field };
  const back = { id, tab, field, ...(change.old !== undefined && { value: change.old }) };
  if (latest.source === 'restore') return { ...back, value: change.new, outcome: 'alreadyRestored' };
  const snapshot = await planRef(deps.db, plan.planId).collection(COLLECTION_OF[tab]).doc(docIdOf(id)).get();
  if (!snapshot.exists || snapshot.updateTime === undefined) return { id, tab, outcome: 'deleted' };
  const before = snapshot.data() as RecordDoc;
  if (JSON.stringify(before.data[field]) === JSON.stringify(change.old))
    return { ...back, outcome: 'alreadyRestored' };
  // One key per change undone: a retried or concurrent restore of it lands once.
  const key = createHash('sha256')
    .update(`restore-field\u0000${tab}\u0000${id}\u0000${field}\u0000${latest.at}`)
    .digest('hex')
    .slice(0, 40);
  const queued = await queueCell(deps.db, {
    planId: plan.planId,
    key,
    tab,
    before,
    readAt: snapshot.updateTime,
    field,
    value: change.old,
    change: { at: deps.now(), by: author, source: 'restore', keepDays: historyDays(plan.settings) },
  });
  if (queued.conflict) return 'conflict';
  if (queued.created) await deps.moveVersion(plan.planId, key);
  return { ...back, outcome: queued.created ? 'restored' : 'alreadyRestored' };
}
