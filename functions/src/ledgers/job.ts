/**
 * A ledger build asked through the API (`POST /v1/plans/{planId}/ledger`, SPEC §11): the request
 * writes a job document `plans/{planId}/ledgers/{jobId}` and answers 202; the document's creation
 * fires the build (triggers/onLedgerRequested.ts — deployed with a long timeout, and in the local
 * stack through the same trigger bridge as the statistics and the mail), which writes the .docx
 * where the plan's photos live (outputs.ts) and queues the `ledgerReady` email to the editor who
 * asked: the download link and the counts, or a short Chinese failure notice.
 *
 * Guarantees, and why they hold:
 *   - Built once per job: the build claims its job in a transaction (queued → building); a
 *     redelivered or duplicated event finds it claimed and does nothing.
 *   - One email per job: success and failure share the key plan · job, and the queue create()s it.
 *   - The CLI's document for the same data: the same writer (adapters/report/build.ts writeLedger)
 *     over the same shared/ledger.ts content, from the stored records and the scope fixed when the
 *     request was accepted (shared/ledger.ts resolveLedgerScope).
 *   - An instance that dies mid-build leaves the job `building` and no email: the editor asks again
 *     (a minute later it is a new request). Not swept: see the README's ledger section.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { Timestamp } from 'firebase-admin/firestore';
import * as z from 'zod';
import type { LedgerOutcome } from '../../../shared/emails/ledgerReady';
import { renderLedgerReady } from '../../../shared/emails/ledgerReady';
import { GongjianError } from '../../../shared/errors';
import type { LedgerScope } from '../../../shared/ledger';
import type { PlanModel } from '../../../shared/model';
import { type Log, logs } from '../logs';
import { planEmail } from '../mail/message';
import { enqueueMail, type MailQueue } from '../mail/queue';
import { ledgerJobRef } from '../store/paths';
import type { PlanStore } from '../store/planStore';
import type { LedgerOutput } from './outputs';

/** A job document as the request writes it. */
export const LedgerJob = z.object({
  state: z.enum(['queued', 'building', 'done', 'failed']),
  /** The editor who asked: the email goes to them. */
  email: z.string(),
  from: z.string(),
  to: z.string(),
  partnerId: z.string().optional(),
});
export type LedgerJob = z.infer<typeof LedgerJob>;

export interface LedgerJobDeps {
  db: Firestore;
  store: PlanStore;
  mailQueue: MailQueue;
  now: () => Date;
  log: Log;
  output: LedgerOutput;
}

/** Builds the ledger of one job, once, and queues its email. */
export async function runLedgerJob(planId: string, jobId: string, deps: LedgerJobDeps): Promise<void> {
  const ref = ledgerJobRef(deps.db, planId, jobId);
  const job = await deps.db.runTransaction(async (tx) => {
    const snap = await tx.get(ref);
    const parsed = LedgerJob.safeParse(snap.data());
    if (!parsed.success || parsed.data.state !== 'queued') return undefined;
    tx.update(ref, { state: 'building', startedAt: Timestamp.fromDate(deps.now()) });
    return parsed.data;
  });
  if (!job) return;
  const started = Date.now();
  const scope: LedgerScope = { from: job.from, to: job.to, partnerId: job.partnerId };
  let model: PlanModel | undefined;
  let outcome: LedgerOutcome;
  try {
    const plan = await deps.store.getPlan(planId);
    if (!plan) throw new GongjianError('unknown_plan', '计划已删除', 'The plan was deleted');
    model = await deps.store.loadModel(plan);
    const location = plan.workbook;
    if (!location || !deps.output.serves(location)) {
      throw new GongjianError(
        'ledger_unavailable',
        '此服务不能为这个计划保存活动台账，请在本地运行 gongjian ledger 生成',
        'This service cannot keep a ledger for this plan; run gongjian ledger locally',
      );
    }
    const written = await deps.output.write(planId, location, jobId, model, scope);
    outcome = {
      ok: true,
      from: scope.from,
      to: scope.to,
      partner: model.partners.find((p) => p.partnerId === scope.partnerId)?.name,
      activities: written.activities,
      photos: written.photos,
      skipped: written.skipped,
      where: written.where,
    };
    deps.log(logs.ledgerBuilt(planId, jobId, written.activities, written.photos, Date.now() - started));
  } catch (error) {
    deps.log(logs.ledgerFailed(planId, jobId, error));
    outcome = {
      ok: false,
      reason: error instanceof GongjianError ? error.messageZh : '服务暂时出错，请稍后再试',
    };
  }
  await ref.update({
    state: outcome.ok ? 'done' : 'failed',
    finishedAt: Timestamp.fromDate(deps.now()),
    ...(outcome.ok ? { activities: outcome.activities, photos: outcome.photos } : { reason: outcome.reason }),
  });
  // A deleted plan has nobody to tell on its behalf (and no community to name).
  if (!model) return;
  const email = renderLedgerReady({ planId, model, jobId, to: [job.email], outcome });
  await enqueueMail(deps.mailQueue, planEmail(email, planId, model.settings), deps.now());
}
