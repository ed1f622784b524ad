/**
 * `POST /v1/plans/{planId}/ledger` — the add-on's 生成活动台账: the activity ledger (§11) of a
 * period, optionally of one partner unit, built away from the request (a ledger of 1,000
 * activities takes about a minute) and emailed to the caller as a download link. Editors only (the
 * API's authorisation). Body: `{"from"?, "to"?, "partner"?}` as `gongjian ledger` takes them.
 *
 * The scope is resolved and checked here, against the records as last synced, so a mistake (an
 * unknown partner, `from` after the period's end) is a refusal now rather than a failure email
 * later; the job carries the resolved dates. The answer is a 202 once the job document is written
 * (durable before the answer, `writes: true`); its creation fires the build (ledgers/job.ts).
 *
 * A retry is one request: the same body from the same person within a minute answers the job of
 * the first (`duplicate: true`), chosen in a transaction on the request's key, so two retries
 * racing each other still make one job.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Timestamp } from 'firebase-admin/firestore';
import { resolveLedgerScope } from '../../../shared/ledger';
import { todayIn } from '../../../shared/today';
import type { LedgerJob } from '../ledgers/job';
import { logs } from '../logs';
import { ledgerJobRef, ledgerRequestRef } from '../store/paths';
import { ApiError, type PlanAnswer, type PlanCall } from './handler';

/** How long the same request counts as a retry of the first. */
export const LEDGER_RETRY_MS = 60_000;

/** Queues the build and answers 202 with its job. */
export async function requestLedger({
  input: body,
  plan,
  identity,
  deps,
}: PlanCall<'ledger', 'store' | 'now' | 'log' | 'ledgers'>): Promise<PlanAnswer<'ledger'>> {
  const { ledgers } = deps;
  if (!ledgers || !plan.workbook || !ledgers.output.serves(plan.workbook)) {
    throw new ApiError(
      'ledger_unavailable',
      '此服务不能为这个计划保存活动台账，请在本地运行 gongjian ledger 生成',
      'This service cannot keep a ledger for this plan; run gongjian ledger locally',
    );
  }
  const model = await deps.store.loadModel(plan);
  const now = deps.now();
  const resolved = resolveLedgerScope(model, body, todayIn(now, model.settings.timezone));
  if (!resolved.ok) {
    if (resolved.problem === 'unknown_partner') {
      throw new ApiError(
        'unknown_partner',
        `计划中没有编号或名称为「${resolved.partner}」的共建单位`,
        `The plan has no partner unit with the ID or name "${resolved.partner}"`,
      );
    }
    throw new ApiError(
      'invalid_body',
      `起始日期 ${resolved.from} 晚于台账的截止日期 ${resolved.to}`,
      `from ${resolved.from} is after the ledger's end ${resolved.to}`,
    );
  }
  const { scope } = resolved;
  const job: LedgerJob = {
    state: 'queued',
    email: identity.email,
    from: scope.from,
    to: scope.to,
    ...(scope.partnerId !== undefined && { partnerId: scope.partnerId }),
  };
  // The body as sent, not as resolved: a retry says the same words, whatever today has become.
  const key = createHash('sha256')
    .update(JSON.stringify([identity.email, body.from ?? null, body.to ?? null, body.partner ?? null]))
    .digest('hex');
  const { db } = ledgers;
  const keyRef = ledgerRequestRef(db, plan.planId, key);
  const { jobId, duplicate } = await db.runTransaction(async (tx) => {
    const last = await tx.get(keyRef);
    const at = last.get('at') as Timestamp | undefined;
    const lastJob = last.get('jobId') as string | undefined;
    if (lastJob !== undefined && at !== undefined && now.getTime() - at.toMillis() < LEDGER_RETRY_MS) {
      return { jobId: lastJob, duplicate: true };
    }
    const fresh = randomBytes(16).toString('base64url');
    tx.set(keyRef, { jobId: fresh, at: Timestamp.fromDate(now) });
    tx.create(ledgerJobRef(db, plan.planId, fresh), { ...job, createdAt: Timestamp.fromDate(now) });
    return { jobId: fresh, duplicate: false };
  });
  deps.log?.(logs.ledgerRequested(plan.planId, jobId, identity.email, duplicate));
  return {
    status: 202,
    body: {
      planId: plan.planId,
      jobId,
      from: scope.from,
      to: scope.to,
      ...(scope.partnerId !== undefined && { partnerId: scope.partnerId }),
      mailTo: identity.email,
      duplicate,
    },
  };
}
