/**
 * Where a submission from the update-request form goes (SPEC §9): an activity record in Firestore
 * at once — so statistics and generated tabs follow through the usual refresh — and a queue entry
 * (plans/{id}/submissions/{key}) from which a writer appends the row to the workbook.
 *
 * Nothing is lost, nothing doubles — the argument:
 *   - One submission, one key. The key is a hash of the link and the page's nonce (the anti-forgery
 *     value, requests/formGuard.ts), so a double-click, a resubmitted form or a retried request
 *     carries the same key. The queue entry and the activity record are written in one batch that
 *     creates the entry only if it does not exist: a second delivery finds it and writes nothing.
 *     The activity ID derives from the key, so even a retried writer names the same row.
 *   - The statistics see every record, without a lock on the plan. The plan document is not in that
 *     batch (a transaction on it per submission made concurrent submissions abort each other on its
 *     lock). Its `version`, which the statistics trigger follows (stats/refresh.ts), is moved after
 *     the batch by createVersionMover: one move per plan at a time in a process, and every
 *     submission waiting for a move that *started after its commit* — so fifty at once cost about
 *     two moves. The entry carries `versionPending` until such a move has committed; the form
 *     answers only after that. A process that dies in between leaves the flag, and the five-minute
 *     sweep (moveStrandedVersions) moves the version for it. Hence every record is followed by a
 *     version move, and a recomputation may count a record before its move (early, never missed).
 *   - The row reaches the workbook at least once: the entry stays `queued` until a writer has
 *     appended it (the Sheets API with RAW values, the local .xlsx through its one writer); a
 *     failure (a 500, a workbook open in an office program) leaves it queued, and every later
 *     flush — after the next submission, every refresh of the statistics (each sync), the
 *     five-minute sweep — tries again.
 *   - …and at most once: a flush leases the rows it writes (a transaction; two minutes), so flushes
 *     on several instances never write one row together; the writer first looks for the activity
 *     ID in the 活动 tab and appends only the rows not there (and one update at a time per
 *     workbook in a process: the Sheets adapter's queue, the local file's single writer). A
 *     response lost after an append only makes the next flush find the row and mark it written.
 *   - A sync never deletes a submitted record whose row it could not have seen. A sync brings the
 *     store to exactly the rows of the workbook it was sent; the records it would delete are
 *     checked against the queue (read after the records, so an entry created with its record is
 *     seen with it): a record whose entry is queued, or written less than a day ago, is kept —
 *     the workbook the sync read may predate the append. Entries are cleared by the first sync
 *     whose workbook holds the row (found by its activity ID): from then on the sheet is the
 *     record's source like any other row's. A written row that staff delete before any sync read
 *     it is kept for that day and deleted by the first sync after it.
 */

import { createHash } from 'node:crypto';
import {
  FieldValue,
  type Firestore,
  type QueryDocumentSnapshot,
  type Timestamp,
  type WriteBatch,
} from 'firebase-admin/firestore';
import * as z from 'zod';
import type { AppendedRecord, RestoredCell, RestoredCellKey } from '../../../adapters/workbook/port';
import type { RecordTabKey } from '../../../shared/columns';
import { type RecordData, recordChange } from '../../../shared/history';
import { Activity, DEFAULT_HISTORY_DAYS } from '../../../shared/model';
import { type Log, logs } from '../logs';
import { writeEach } from '../store/batches';
import { type ChangeContext, chunkDoc, chunkId, chunkRef } from '../store/changeLog';
import { docIdOf } from '../store/docIds';
import { GRPC_STATUS, hasGrpcStatus } from '../store/grpcStatus';
import { planRef, submissionsRef } from '../store/paths';
import type { PlanStore, WorkbookLocation } from '../store/planStore';
import { type RecordCollection, type RecordDoc, recordDoc, TAB_OF } from '../store/records';
import { Coalescer } from './coalesce';
import { addLinkUse, type LinkUse, type StoredLink } from './links';

const DAY_MS = 86_400_000;
/** How long one flush holds the rows it writes: longer than the Sheets adapter's retries take. */
const FLUSH_LEASE_MS = 120_000;
/** A version move still pending after this long was abandoned by its process: the sweep moves it. */
const STRANDED_AFTER_MS = 60_000;
/** How long a written row stays protected from a sync that may have read the workbook before it. */
export const WRITTEN_GRACE_MS = DAY_MS;

/** The activity as submitted: validated, without ID, status, recorder or row. */
export type SubmittedActivity = Omit<Activity, 'activityId' | 'status' | 'recorder' | 'row'>;

/** Where a queue entry stands on its way into the workbook: the part every entry shares. */
const QueueState = z.object({
  key: z.string(),
  planId: z.string(),
  /** The link it came from ('restore' for a restore). */
  tokenHash: z.string(),
  submittedAt: z.string(),
  state: z.enum(['queued', 'written']),
  writtenAt: z.string().optional(),
  attempts: z.number().int(),
  lastError: z.string().optional(),
  /** Epoch ms: a flush is writing this row until then (FLUSH_LEASE_MS); others leave it alone. */
  leaseUntil: z.number().optional(),
  /** Set until a version move that started after the entry's commit has committed (module comment). */
  versionPending: z.boolean().optional(),
});

/** A submitted (or restored) activity, queued for the 活动 tab. */
export const Submission = QueueState.extend({
  activityId: z.string(),
  activity: Activity.omit({ row: true }),
  kind: z.enum(['activity', 'milestone']),
});
export type Submission = z.infer<typeof Submission>;

/**
 * A restored partner or measure (§12, http/history.ts), queued for 共建单位 or 计划 like a
 * submission for 活动: the same lease, write-back and protection from a sync that predates it.
 */
export const RestoredRow = QueueState.extend({
  kind: z.literal('record'),
  tab: z.enum(['partners', 'plan']),
  recordId: z.string(),
  record: z.record(z.string(), z.unknown()),
});
export type RestoredRow = z.infer<typeof RestoredRow>;

/**
 * A restored field value (§12 `restore --field`, http/restoreField.ts), queued for the one cell
 * of its record's row: written by the same flush, and kept by a sync whose workbook does not hold
 * it yet (protectRestoredCells). `value` absent: the field was empty before (the cell is cleared).
 */
export const RestoredCellEntry = QueueState.extend({
  kind: z.literal('cell'),
  tab: z.enum(['activities', 'partners', 'plan']),
  recordId: z.string(),
  field: z.string(),
  value: z.unknown().optional(),
});
export type RestoredCellEntry = z.infer<typeof RestoredCellEntry>;

/** Any queue entry: a submitted or restored activity, a restored partner or measure, or a cell. */
export const QueueEntry = z.union([Submission, RestoredRow, RestoredCellEntry]);
export type QueueEntry = z.infer<typeof QueueEntry>;

/** A row's key across tabs (IDs are unique within a tab only). */
function rowKey(tab: RecordTabKey, id: string): string {
  return `${tab}\u0000${id}`;
}

/** The tab an entry's row (or cell) goes to, and its record ID there. */
function rowOf(entry: QueueEntry): { tab: RecordTabKey; id: string } {
  return entry.kind === 'record' || entry.kind === 'cell'
    ? { tab: entry.tab, id: entry.recordId }
    : { tab: 'activities', id: entry.activityId };
}

/** What the flush reports done for an entry: its row, or for a cell its row and field. */
function doneKey(entry: QueueEntry): string {
  const { tab, id } = rowOf(entry);
  return entry.kind === 'cell' ? `${rowKey(tab, id)}\u0000${entry.field}` : rowKey(tab, id);
}

export interface SubmitDeps {
  db: Firestore;
  now: () => Date;
}

/** The idempotency key of the submission of one page of one link. */
export function submissionKey(tokenHash: string, nonce: string): string {
  return createHash('sha256').update(`${tokenHash}\u0000${nonce}`).digest('hex').slice(0, 40);
}

/** The activity ID a submission's row gets: derived from its key, so every retry names the same row. */
export function submittedActivityId(key: string): string {
  return `R${createHash('sha256').update(key).digest('hex').slice(0, 10).toUpperCase()}`;
}

/** Who a row was reported by: 记录人 = the person's name and 「（填报）」. */
export function reportedBy(name: string): string {
  return `${name}（填报）`;
}

/**
 * Stores a submission: the activity record, the queue entry and its change-log entry (source
 * form, by 「name（填报）」), in one batch that creates the entry only if it does not exist, so
 * once per key (queueActivity). It takes no lock on the plan document: the
 * plan's version is moved afterwards, coalesced (createVersionMover). `created` is false when the
 * key was submitted before (nothing written; the stored submission is returned).
 * `plan`: what the caller read of the plan just before (the form has it), spared a second read of
 * the plan document; without it, the plan is read here. `use`: the link's use, logged in the same
 * batch (so only by the delivery that created the entry).
 */
export async function submitActivity(
  deps: SubmitDeps,
  link: StoredLink,
  input: {
    key: string;
    activity: SubmittedActivity;
    kind: Submission['kind'];
    plan?: { reviewReports: boolean; historyDays: number };
    use?: LinkUse;
  },
): Promise<{ created: boolean; submission: Submission } | { created: false; noPlan: true }> {
  const plan = planRef(deps.db, link.planId);
  let known = input.plan;
  if (known === undefined) {
    const planSnap = await plan.get();
    if (!planSnap.exists) return { created: false, noPlan: true };
    known = {
      reviewReports: planSnap.get('settings.reviewReports') === true,
      historyDays: Number(planSnap.get('settings.historyDays') ?? DEFAULT_HISTORY_DAYS),
    };
  }
  const activityId = submittedActivityId(input.key);
  const activity: Activity & { activityId: string } = {
    ...input.activity,
    activityId,
    status: known.reviewReports ? 'pending' : 'done',
    recorder: reportedBy(link.name),
    // Not in the sheet yet: row 0 until a sync reads it from its row.
    row: 0,
  };
  const at = deps.now();
  const queued = await queueActivity(deps.db, {
    planId: link.planId,
    key: input.key,
    tokenHash: link.tokenHash,
    kind: input.kind,
    activity,
    change: { at, by: reportedBy(link.name), source: 'form', keepDays: known.historyDays },
    ...(input.use && {
      also: (batch: WriteBatch, submission: Submission) =>
        addLinkUse(batch, deps, link, {
          ...(input.use as LinkUse),
          submissionId: input.key,
          what: submission.activity,
        }),
    }),
  });
  return queued;
}

/**
 * Stores an activity record, its queue entry (from which a writer appends its row to the
 * workbook) and its change-log chunk in one batch that creates the entry only if it does not
 * exist: the form's submissions and restores (history/restore.ts) take this one path, so each
 * key lands once, with its log entry, and its row reaches the workbook as a submitted one does.
 * `also` adds writes to the same batch (the link's use). `created` is false for a key seen before.
 */
export async function queueActivity(
  db: Firestore,
  input: {
    planId: string;
    key: string;
    tokenHash: string;
    kind: Submission['kind'];
    activity: Activity & { activityId: string };
    change: ChangeContext;
    also?: (batch: WriteBatch, submission: Submission) => void;
  },
): Promise<{ created: boolean; submission: Submission }> {
  const { activity, key } = input;
  const { row: _row, ...stored } = activity;
  const submission: Submission = {
    key,
    planId: input.planId,
    tokenHash: input.tokenHash,
    activityId: activity.activityId,
    activity: JSON.parse(JSON.stringify(stored)),
    kind: input.kind,
    submittedAt: input.change.at.toISOString(),
    state: 'queued',
    attempts: 0,
    versionPending: true,
  };
  const record = recordDoc(activity.activityId, activity);
  const queued = await commitQueued(db, input.planId, submission, 'activities', record, input.change, {
    also: (batch) => input.also?.(batch, submission),
  });
  return queued.created
    ? { created: true, submission }
    : { created: false, submission: Submission.parse(queued.existing) };
}

/** How a restore's queue entry starts (a row: queueRecord; a cell: restoreCell.ts): queued, version pending. */
export function restoreQueued(key: string, planId: string, at: Date) {
  return {
    key,
    planId,
    tokenHash: 'restore',
    submittedAt: at.toISOString(),
    state: 'queued' as const,
    attempts: 0,
    versionPending: true,
  };
}

/**
 * Stores a restored partner or measure (§12) the way queueActivity stores an activity: its record
 * (row 0 until a sync reads its row), its queue entry for its tab and its change-log chunk in one
 * batch that creates the entry only if new. `created` is false for a key seen before.
 */
export async function queueRecord(
  db: Firestore,
  input: {
    planId: string;
    key: string;
    tab: RestoredRow['tab'];
    record: RecordDoc;
    change: ChangeContext;
  },
): Promise<{ created: boolean }> {
  const entry: RestoredRow = {
    ...restoreQueued(input.key, input.planId, input.change.at),
    kind: 'record',
    tab: input.tab,
    recordId: input.record.id,
    record: JSON.parse(JSON.stringify(input.record.data)),
  };
  const collection = input.tab === 'plan' ? 'measures' : 'partners';
  return commitQueued(db, input.planId, entry, collection, input.record, input.change);
}

/**
 * The one batch every queued row (or cell, restoreCell.ts) takes (see the module comment): the entry, created only if new,
 * its record and its change-log chunk. A second delivery of the key fails the whole batch and
 * writes nothing; `existing` is then the entry stored.
 */
export async function commitQueued(
  db: Firestore,
  planId: string,
  entry: QueueEntry,
  collection: RecordCollection,
  record: RecordDoc,
  context: ChangeContext,
  options: { also?: (batch: WriteBatch) => void; before?: RecordData; readAt?: Timestamp } = {},
): Promise<{ created: boolean; existing?: unknown }> {
  const ref = submissionsRef(db, planId).doc(entry.key);
  const batch = db.batch();
  batch.create(ref, entry);
  const recordRef = planRef(db, planId).collection(collection).doc(docIdOf(record.id));
  // A field restore replaces the record only as read (its update time): see queueCell.
  if (options.readAt) batch.update(recordRef, { ...record }, { lastUpdateTime: options.readAt });
  else batch.set(recordRef, record);
  const change = recordChange(TAB_OF[collection], record.id, options.before, record.data);
  if (change)
    batch.set(
      chunkRef(db, planId, chunkId(context, `${context.source}-${entry.key}`)),
      chunkDoc(context, [change]),
    );
  options.also?.(batch);
  try {
    await batch.commit();
    return { created: true };
  } catch (error) {
    // create() of an existing entry fails the whole batch: a second delivery writes nothing.
    if (!hasGrpcStatus(error, GRPC_STATUS.ALREADY_EXISTS)) throw error;
    return { created: false, existing: (await ref.get()).data() };
  }
}

/**
 * The plan's version move after submissions, coalesced per plan in this process (see the module
 * comment): `move(planId, key)` resolves once a move that started after the call has committed,
 * and that move clears `versionPending` on the entries it covered. A burst of submissions moves
 * the version about twice instead of once each, and never in a transaction.
 */
export function createVersionMover(db: Firestore): (planId: string, key: string) => Promise<void> {
  const moves = new Coalescer<string, void>(async (planId, keys) => {
    await planRef(db, planId).update({ version: FieldValue.increment(1) });
    await clearPending(db, planId, keys);
  });
  return (planId, key) => moves.run(planId, key);
}

async function clearPending(db: Firestore, planId: string, keys: readonly string[]): Promise<void> {
  const writer = db.bulkWriter();
  // An entry a sync cleared meanwhile is gone: nothing to clear.
  writer.onWriteError(() => false);
  for (const key of keys)
    void writer
      .update(submissionsRef(db, planId).doc(key), { versionPending: FieldValue.delete() })
      .catch(() => {});
  await writer.close();
}

/**
 * The repair for a process that died between a submission's commit and its version move: entries
 * still marked `versionPending` well after they were made get one version move now (the sweep
 * calls this). Returns how many entries it covered.
 */
export async function moveStrandedVersions(db: Firestore, planId: string, now: Date): Promise<number> {
  const pending = await submissionsRef(db, planId).where('versionPending', '==', true).get();
  const stranded = pending.docs.filter(
    (doc) => now.getTime() - Date.parse(String(doc.get('submittedAt'))) > STRANDED_AFTER_MS,
  );
  if (stranded.length === 0) return 0;
  await planRef(db, planId).update({ version: FieldValue.increment(1) });
  await clearPending(
    db,
    planId,
    stranded.map((doc) => doc.id),
  );
  return stranded.length;
}

/** The submissions made through one link, newest first. */
export async function submissionsOfLink(db: Firestore, link: StoredLink): Promise<Submission[]> {
  const found = await submissionsRef(db, link.planId).where('tokenHash', '==', link.tokenHash).get();
  return found.docs
    .map((doc) => Submission.parse(doc.data()))
    .sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : -1));
}

/**
 * The document IDs of a tab's records a sync must not delete (see the module comment), read after
 * the sync read the stored records; entries of that tab whose row the sync's workbook holds are
 * cleared. Submissions go to 活动; restored partners and measures to their tabs.
 */
export async function protectSubmitted(
  db: Firestore,
  planId: string,
  inWorkbook: ReadonlySet<string>,
  now: Date,
  tab: RecordTabKey = 'activities',
  log?: Log,
): Promise<Set<string>> {
  const entries = await submissionsRef(db, planId).get();
  const keep = new Set<string>();
  const done: QueryDocumentSnapshot[] = [];
  for (const doc of entries.docs) {
    const entry = QueueEntry.parse(doc.data());
    const row = rowOf(entry);
    // A restored cell keeps a value, not a row (protectRestoredCells).
    if (row.tab !== tab || entry.kind === 'cell') continue;
    if (inWorkbook.has(row.id)) {
      done.push(doc);
      continue;
    }
    const fresh =
      entry.state === 'queued' ||
      now.getTime() - Date.parse(entry.writtenAt ?? entry.submittedAt) < WRITTEN_GRACE_MS;
    if (fresh) keep.add(docIdOf(row.id));
  }
  await clearEntries(db, planId, done, log);
  return keep;
}

/**
 * Deletes queue entries whose rows or cells the workbook holds now. One that stays is harmless
 * (the next sync finds it in the workbook again and clears it), so a failure is reported, not thrown.
 */
export async function clearEntries(
  db: Firestore,
  planId: string,
  entries: readonly QueryDocumentSnapshot[],
  log?: Log,
): Promise<void> {
  const failed = await writeEach(db, entries, (writer, doc) => writer.delete(doc.ref));
  if (failed[0]) log?.(logs.submissionsClearFailed(planId, failed.length, failed[0].error));
}

/** A row to append to the workbook's 活动 tab. */
export interface AppendedActivity {
  activityId: string;
  activity: Submission['activity'];
}

/**
 * Appends rows to a plan's workbook: only those whose ID their tab does not hold yet (activities
 * to 活动; restored partners and measures, `records`, to theirs), and writes restored `cells`. Returns the IDs now in the
 * workbook (appended or found); throws or omits on failure.
 */
export type SubmissionRowWriter = (
  planId: string,
  location: WorkbookLocation,
  rows: AppendedActivity[],
  records: AppendedRecord[],
  cells?: RestoredCell[],
) => Promise<{
  inWorkbook: string[];
  recordsInWorkbook?: { tab: AppendedRecord['tab']; id: string }[];
  /** The restored cells done (port.ts WorkbookUpdate.restoreCells). */
  cellsDone?: RestoredCellKey[];
}>;

/** Writes a plan's queued rows to its workbook and marks them written; failures stay queued. */
export async function flushSubmissions(
  deps: SubmitDeps & { store: PlanStore; writeRows: SubmissionRowWriter; log?: Log },
  planId: string,
): Promise<{ written: number; queued: number }> {
  const found = await submissionsRef(deps.db, planId).where('state', '==', 'queued').get();
  if (found.empty) return { written: 0, queued: 0 };
  const plan = await deps.store.getPlan(planId);
  if (!plan?.workbook) return { written: 0, queued: found.size };
  // Flushes on several instances at once: each row is leased to one of them (in a transaction),
  // so two writers never both find it missing from the sheet and both append it.
  const queued = await deps.db.runTransaction(async (tx) => {
    const now = deps.now().getTime();
    const fresh = await tx.getAll(...found.docs.map((doc) => doc.ref));
    const free = fresh.filter(
      (doc) => doc.exists && doc.get('state') === 'queued' && !((doc.get('leaseUntil') ?? 0) > now),
    );
    for (const doc of free) tx.update(doc.ref, { leaseUntil: now + FLUSH_LEASE_MS });
    return free;
  });
  if (queued.length === 0) return { written: 0, queued: found.size };
  const entries = queued.map((doc) => QueueEntry.parse(doc.data()));
  const inWorkbook = new Set<string>();
  try {
    const result = await deps.writeRows(
      planId,
      plan.workbook,
      entries.flatMap((e) =>
        e.kind === 'record' || e.kind === 'cell' ? [] : [{ activityId: e.activityId, activity: e.activity }],
      ),
      entries.flatMap((e) => (e.kind === 'record' ? [{ tab: e.tab, id: e.recordId, data: e.record }] : [])),
      entries.flatMap((e) =>
        e.kind === 'cell' ? [{ tab: e.tab, id: e.recordId, field: e.field, value: e.value }] : [],
      ),
    );
    for (const id of result.inWorkbook) inWorkbook.add(rowKey('activities', id));
    for (const { tab, id } of result.recordsInWorkbook ?? []) inWorkbook.add(rowKey(tab, id));
    for (const { tab, id, field } of result.cellsDone ?? [])
      inWorkbook.add(`${rowKey(tab, id)}\u0000${field}`);
  } catch (error) {
    deps.log?.(logs.rowsKeptForRetry(planId, error));
    const lastError = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const unmarked = await writeEach(deps.db, queued, (writer, doc) =>
      writer.update(doc.ref, {
        attempts: FieldValue.increment(1),
        lastError,
        leaseUntil: FieldValue.delete(),
      }),
    );
    // Still queued either way; an entry whose count did not move is retried when its lease ends.
    if (unmarked[0]) deps.log?.(logs.submissionsMarkFailed(planId, unmarked.length, unmarked[0].error));
    return { written: 0, queued: found.size };
  }
  const writtenAt = deps.now().toISOString();
  const done = new Set(queued.filter((_, i) => inWorkbook.has(doneKey(entries[i] as QueueEntry))));
  const unmarked = await writeEach(deps.db, queued, (writer, doc) =>
    writer.update(doc.ref, {
      ...(done.has(doc) ? { state: 'written', writtenAt } : {}),
      attempts: FieldValue.increment(1),
      leaseUntil: FieldValue.delete(),
    }),
  );
  // A row in the workbook whose entry is not marked stays queued: the next flush finds the row
  // there (by its ID) and marks it, rather than appending it twice.
  if (unmarked[0]) deps.log?.(logs.submissionsMarkFailed(planId, unmarked.length, unmarked[0].error));
  const failed = new Set(unmarked.map((f) => f.path));
  const written = [...done].filter((doc) => !failed.has(doc.ref.path)).length;
  return { written, queued: found.size - written };
}
