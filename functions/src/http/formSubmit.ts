/**
 * The form's last steps (SPEC §9): store the checked post, keep its photos, and answer 「已保存」
 * (303 back to the form) only once what was stored is durable. A page submitted before under the
 * same key with other content answers 409 with what was saved; a repeat of the same post (a double
 * click, a retry after a lost answer) is acknowledged again and stores nothing twice.
 */
import type { ServerResponse } from 'node:http';
import { historyDays } from '../../../shared/model';
import { logs } from '../logs';
import type { StoredLink } from '../requests/links';
import { type Submission, type SubmittedActivity, submitActivity } from '../requests/submit';
import { refusePage, SECURITY_HEADERS, sendPage } from './formAnswer';
import type { CheckedPost } from './formCheck';
import type { FormContext } from './formContext';
import type { Admitted } from './formGate';
import { formPage } from './formPage';

/** How long a submission's answer waits for its row to reach the workbook. */
const FLUSH_WAIT_MS = 1_000;

/** Stores a checked post and answers it. */
export async function submitPost(
  ctx: FormContext,
  { link, token, address }: Admitted,
  { plan, key, kind, activity, kept, values, milestone }: CheckedPost,
  res: ServerResponse,
): Promise<void> {
  const { deps } = ctx;
  const stored = await submitActivity({ db: deps.db, now: deps.now }, link, {
    key,
    activity,
    kind,
    plan: { reviewReports: plan.settings.reviewReports === true, historyDays: historyDays(plan.settings) },
    use: { kind: kind === 'milestone' ? 'milestone' : 'submit', address },
  });
  if ('noPlan' in stored) return refusePage(res, 'gone');
  const { submission } = stored;
  if (!stored.created && !sameContent(submission, activity, kind)) {
    // This page was submitted before with other content: that is what was saved, and what was
    // typed now stays on the page with a fresh page value, to be submitted as a new record.
    const page = await formPage(ctx, link, token, {
      values,
      errors: {
        form: [
          `这张表单已经提交过，保存的是：${submission.activity.date} ${submission.activity.title}（编号 ${submission.activityId}）。` +
            '刚才填写的内容尚未保存；如需另外新增，请核对下方内容后再次提交。',
        ],
      },
      milestone,
    });
    if (!page) return refusePage(res, 'gone');
    return sendPage(res, 409, page);
  }
  // Whoever created the entry (this request or a retry of it whose answer was lost), a version
  // move that started after its commit must have committed before the person is told it is
  // saved: the statistics of a version never miss a record acknowledged before it
  // (requests/submit.ts). A failure there is logged only: the record is stored, and the sweep
  // moves the version. The use log went with the entry, in its batch.
  const moved = submission.versionPending
    ? ctx
        .moveVersion(link.planId, key)
        .catch((error: unknown) => deps.log(logs.versionMoveDeferred(link.planId, error)))
    : undefined;
  // The barrier waits beside the move, not after it: it has to cover the entry (committed
  // already), and the entry carries `versionPending` until its move commits — a crash that
  // keeps the entry but loses the move leaves the flag, and the sweep moves the version for it.
  // Acknowledged means kept: also for a repeated key, whose first answer may never have come.
  // The photos are kept (durably) before the answer, by the delivery that created the entry or
  // a repeat of it (a double click, a retry after a lost answer): the same bytes under the same
  // names, one set. A page posted again with other content returned above and keeps none.
  if (kept.length > 0 && plan.workbook && deps.photos)
    await deps.photos.put(link.planId, plan.workbook, submission.activityId, kept);
  const durable = deps.durable?.();
  const flushed = stored.created ? flushRows(ctx, link) : undefined;
  await Promise.all([moved, flushed, durable]);
  res.writeHead(303, { ...SECURITY_HEADERS, Location: `${ctx.formPath(token)}?ok=1` });
  res.end();
}

/**
 * The row reaches the workbook now when the workbook can take it; left queued (and retried)
 * when it cannot — the record is stored either way, so a failing flush is logged, not
 * answered as an error. The person waits for the row only when a flush can start at once, and
 * then FLUSH_WAIT_MS at most: behind a flush of this plan already under way (a burst of
 * submissions, the local file's one writer) the row is written by the next one, and every
 * refresh and sweep retries what is still queued.
 */
function flushRows({ flushes, deps }: FormContext, link: StoredLink): Promise<void> | undefined {
  if (!flushes) return undefined;
  const waitForRow = !flushes.busy(link.planId);
  const flush = flushes
    .run(link.planId, undefined)
    .catch((error: unknown) => deps.log(logs.rowsKeptForRetry(link.planId, error)));
  return waitForRow ? atMost(FLUSH_WAIT_MS, flush) : undefined;
}

/** Waits for the work, or `ms` at most (the work goes on; its failure is handled by the caller). */
async function atMost(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Whether a submission stored under a page's key holds what was submitted now (a double click). */
function sameContent(submission: Submission, activity: SubmittedActivity, kind: Submission['kind']): boolean {
  const { activityId: _id, status: _status, recorder: _recorder, ...saved } = submission.activity;
  return submission.kind === kind && canonical(saved) === canonical(activity);
}

/** JSON with sorted keys and without undefined fields, as Firestore stores a record. */
function canonical(value: object): string {
  const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.entries(plain).sort(([a], [b]) => (a < b ? -1 : 1))));
}
