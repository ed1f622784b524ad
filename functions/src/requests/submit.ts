/**
 * Where a submission from the update-request form goes (SPEC §9): an activity record in Firestore
 * at once — so statistics and generated tabs follow through the usual refresh — and a queue entry
 * (plans/{id}/submissions/{key}) from which a writer appends the row to the workbook.
 *
 * Nothing is lost, nothing doubles — the argument:
 *   - One submission, one key. The key is a hash of the link and the page's nonce (the anti-forgery
 *     value, requests/formGuard.ts), so a double-click, a resubmitted form or a retried request
 *     carries the same key. The queue entry, the activity record and the plan's version move in
 *     one transaction that creates the entry only if it does not exist: a second delivery finds it
 *     and writes nothing. The activity ID derives from the key, so even a retried writer names the
 *     same row.
 *   - The row reaches the workbook at least once: the entry stays `queued` until a writer has
 *     appended it (the Sheets API with RAW values, the local .xlsx through its one writer); a
 *     failure (a 500, a workbook open in an office program) leaves it queued, and every later
 *     flush — after the next submission, every refresh of the statistics (each sync), the
 *     five-minute sweep — tries again.
 *   - …and at most once: a writer first looks for the activity ID in the 活动 tab and appends only
 *     the rows not there, one writer per workbook at a time (the Sheets adapter's queue, the
 *     local file's single writer). A response lost after an append only makes the next flush
 *     find the row and mark the entry written.
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
import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import * as z from 'zod';
import { Activity } from '../../../shared/model';
import { docIdOf } from '../store/docIds';
import type { PlanStore, WorkbookLocation } from '../store/planStore';
import { recordDoc } from '../store/records';
import { submissionsRef } from '../store/requestStore';
import type { StoredLink } from './links';

const DAY_MS = 86_400_000;
/** How long a written row stays protected from a sync that may have read the workbook before it. */
export const WRITTEN_GRACE_MS = DAY_MS;

/** The activity as submitted: validated, without ID, status, recorder or row. */
export type SubmittedActivity = Omit<Activity, 'activityId' | 'status' | 'recorder' | 'row'>;

export const Submission = z.object({
  key: z.string(),
  planId: z.string(),
  /** The link it came from. */
  tokenHash: z.string(),
  activityId: z.string(),
  activity: Activity.omit({ row: true }),
  kind: z.enum(['activity', 'milestone']),
  submittedAt: z.string(),
  state: z.enum(['queued', 'written']),
  writtenAt: z.string().optional(),
  attempts: z.number().int(),
  lastError: z.string().optional(),
});
export type Submission = z.infer<typeof Submission>;

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
 * Stores a submission: the activity record, the queue entry and the plan's version, once per key.
 * `created` is false when the key was submitted before (nothing written).
 */
export async function submitActivity(
  deps: SubmitDeps,
  link: StoredLink,
  input: { key: string; activity: SubmittedActivity; kind: Submission['kind'] },
): Promise<{ created: boolean; submission: Submission } | { created: false; noPlan: true }> {
  const plan = deps.db.collection('plans').doc(link.planId);
  const entry = submissionsRef(deps.db, link.planId).doc(input.key);
  return deps.db.runTransaction(async (tx) => {
    const [planSnap, existing] = await Promise.all([tx.get(plan), tx.get(entry)]);
    if (!planSnap.exists) return { created: false as const, noPlan: true as const };
    if (existing.exists) return { created: false, submission: Submission.parse(existing.data()) };
    const review = planSnap.get('settings.reviewReports') === true;
    const activityId = submittedActivityId(input.key);
    const activity: Activity = {
      ...input.activity,
      activityId,
      status: review ? 'pending' : 'done',
      recorder: reportedBy(link.name),
      // Not in the sheet yet: row 0 until a sync reads it from its row.
      row: 0,
    };
    const { row: _row, ...stored } = activity;
    const submission: Submission = {
      key: input.key,
      planId: link.planId,
      tokenHash: link.tokenHash,
      activityId,
      activity: JSON.parse(JSON.stringify(stored)),
      kind: input.kind,
      submittedAt: deps.now().toISOString(),
      state: 'queued',
      attempts: 0,
    };
    tx.create(entry, submission);
    tx.set(plan.collection('activities').doc(docIdOf(activityId)), recordDoc(activityId, activity));
    // The statistics trigger listens to the plan document: one recomputation for this row.
    tx.update(plan, { version: FieldValue.increment(1) });
    return { created: true, submission };
  });
}

/** The submissions made through one link, newest first. */
export async function submissionsOfLink(db: Firestore, link: StoredLink): Promise<Submission[]> {
  const found = await submissionsRef(db, link.planId).where('tokenHash', '==', link.tokenHash).get();
  return found.docs
    .map((doc) => Submission.parse(doc.data()))
    .sort((a, b) => (a.submittedAt < b.submittedAt ? 1 : -1));
}

/**
 * The activity document IDs a sync must not delete (see the module comment), read after the
 * sync read the stored records; entries whose row the sync's workbook holds are cleared.
 */
export async function protectSubmitted(
  store: PlanStore,
  planId: string,
  inWorkbook: ReadonlySet<string>,
  now: Date,
): Promise<Set<string>> {
  const entries = await submissionsRef(store.db, planId).get();
  const keep = new Set<string>();
  const cleared = store.db.bulkWriter();
  for (const doc of entries.docs) {
    const submission = Submission.parse(doc.data());
    if (inWorkbook.has(submission.activityId)) {
      void cleared.delete(doc.ref);
      continue;
    }
    const fresh =
      submission.state === 'queued' ||
      now.getTime() - Date.parse(submission.writtenAt ?? submission.submittedAt) < WRITTEN_GRACE_MS;
    if (fresh) keep.add(docIdOf(submission.activityId));
  }
  await cleared.close();
  return keep;
}

/** A row to append to the workbook's 活动 tab. */
export interface AppendedActivity {
  activityId: string;
  activity: Submission['activity'];
}

/**
 * Appends rows to a plan's workbook: only those whose activity ID the 活动 tab does not hold yet.
 * Returns the IDs now in the workbook (appended or found); throws or omits on failure.
 */
export type SubmissionRowWriter = (
  planId: string,
  location: WorkbookLocation,
  rows: AppendedActivity[],
) => Promise<{ inWorkbook: string[] }>;

/** Writes a plan's queued rows to its workbook and marks them written; failures stay queued. */
export async function flushSubmissions(
  deps: SubmitDeps & { store: PlanStore; writeRows: SubmissionRowWriter; log?: (message: string) => void },
  planId: string,
): Promise<{ written: number; queued: number }> {
  const queued = await submissionsRef(deps.db, planId).where('state', '==', 'queued').get();
  if (queued.empty) return { written: 0, queued: 0 };
  const plan = await deps.store.getPlan(planId);
  if (!plan?.workbook) return { written: 0, queued: queued.size };
  const submissions = queued.docs.map((doc) => Submission.parse(doc.data()));
  let inWorkbook: Set<string>;
  try {
    const result = await deps.writeRows(
      planId,
      plan.workbook,
      submissions.map(({ activityId, activity }) => ({ activityId, activity })),
    );
    inWorkbook = new Set(result.inWorkbook);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log?.(
      `填报行写入工作簿失败，已保留待重试 plan=${planId}：${message} / rows kept queued for a retry: ${message}`,
    );
    const writer = deps.db.bulkWriter();
    for (const doc of queued.docs) {
      void writer.update(doc.ref, { attempts: FieldValue.increment(1), lastError: message.slice(0, 500) });
    }
    await writer.close();
    return { written: 0, queued: queued.size };
  }
  const writtenAt = deps.now().toISOString();
  const writer = deps.db.bulkWriter();
  let written = 0;
  for (const [i, doc] of queued.docs.entries()) {
    if (!inWorkbook.has((submissions[i] as Submission).activityId)) continue;
    written += 1;
    void writer.update(doc.ref, { state: 'written', writtenAt, attempts: FieldValue.increment(1) });
  }
  await writer.close();
  return { written, queued: queued.size - written };
}
