/**
 * Update requests on demand (§9), for the plan's editors (the API's own check, api.ts):
 *   POST /v1/plans/{planId}/requests         {to: [owner email | partner ID…], message?, due?, requestId?}
 *     → 202, one updateRequest email per person, each with a fresh personal link
 *   POST /v1/plans/{planId}/requests/revoke  {email} → 200, every link of that person revoked
 * A request naming anyone the plan cannot reach (unknown, inactive, no email) sends nothing and
 * says who (422): staff fix the list rather than wonder who got it. `requestId` names the request,
 * so a retried POST queues nothing new (the mail key is plan · person · request); without one the
 * server names it and every POST is a new request. `due` must be a real calendar date, today or
 * later in the plan's time zone (400 invalid_due otherwise: the email would ask the impossible).
 * One editor queues at most GONGJIAN_REQUEST_EMAILS_PER_DAY update-request emails a day (200 by
 * default; a retried request's emails are not counted again): a request that would pass it sends
 * nothing and is answered 429 request_email_cap with Retry-After.
 */

import { randomUUID } from 'node:crypto';
import { parseIsoDate } from '../../../shared/dates';
import { updateRequestKey } from '../../../shared/emails/updateRequest';
import type { IsoDate } from '../../../shared/model';
import { computeStats } from '../../../shared/stats';
import { todayIn } from '../../../shared/today';
import { calendarOf, describeDue } from '../../../shared/workdays';
import { DEFAULT_REQUEST_EMAILS_PER_DAY } from '../config';
import { logs } from '../logs';
import { mailDocId } from '../mail/message';
import type { MailQueue } from '../mail/queue';
import { revokeLinks } from '../requests/links';
import { RateLimiter } from '../requests/rateLimit';
import { resolveTargets, sendUpdateRequests, type UnreachableReason } from '../requests/send';
import { mailCollection } from '../store/paths';
import { type ApiDeps, ApiError, type PlanAnswer, type PlanCall } from './handler';

const UNREACHABLE: Record<UnreachableReason, [zh: string, en: string]> = {
  unknownPerson: [
    '计划中没有这个责任人邮箱或共建单位编号',
    'no measure owner with this email and no partner with this ID',
  ],
  inactivePartner: ['该共建单位已停用', 'the partner is inactive'],
  noEmail: ['没有可用的邮箱', 'no usable email address'],
};

function linkQueue(deps: Pick<ApiDeps, 'mailQueue'>): MailQueue {
  if (!deps.mailQueue?.links) {
    throw new ApiError(
      'form_unavailable',
      '此服务未配置填报表单地址（GONGJIAN_FORM_URL），无法发送填报链接',
      'This service has no form address (GONGJIAN_FORM_URL) configured; no links can be sent',
    );
  }
  return deps.mailQueue;
}

/** Queues one update request per person named; answers 202 with what was queued. */
export async function requestUpdates({
  input: body,
  plan,
  identity,
  deps,
}: PlanCall<'requests', 'store' | 'now' | 'log' | 'mailQueue' | 'requestEmailsPerDay'>): Promise<
  PlanAnswer<'requests'>
> {
  const queue = linkQueue(deps);
  const now = deps.now();
  // The plan's today: a date to report by that has passed, or never exists, is a mistake to fix.
  const today = todayIn(now, plan.settings.timezone);
  if (body.due !== undefined) checkDue(body.due, today);
  const model = await deps.store.loadModel(plan);
  const resolved = resolveTargets(model, body.to);
  if (!resolved.ok) {
    const list = resolved.unreachable.map(({ target, reason }) => `${target}（${UNREACHABLE[reason][0]}）`);
    const listEn = resolved.unreachable.map(({ target, reason }) => `${target} (${UNREACHABLE[reason][1]})`);
    throw new ApiError(
      'unreachable_recipient',
      `以下收件人无法发送，本次没有发出任何请求：${list.join('、')}`,
      `Cannot send to: ${listEn.join(', ')}; no request was sent`,
    );
  }
  const requestId = body.requestId ?? randomUUID();
  // One email per person: reserved against the editor's daily cap before any is queued.
  const cap = new RateLimiter(
    queue.db,
    'requestEmails',
    { limit: deps.requestEmailsPerDay ?? DEFAULT_REQUEST_EMAILS_PER_DAY, windowMs: DAY_MS },
    deps.now,
  );
  // A retried request's emails exist already and will not be sent again: they cost nothing.
  const queuedBefore = (
    await queue.db.getAll(
      ...resolved.recipients.map((recipient) =>
        mailCollection(queue.db).doc(mailDocId(updateRequestKey(plan.planId, recipient, requestId))),
      ),
    )
  ).filter((doc) => doc.exists).length;
  const wanted = resolved.recipients.length - queuedBefore;
  const reserved = wanted > 0 ? await cap.take(identity.email, wanted) : ({ ok: true } as const);
  if (!reserved.ok) {
    await cap.giveBack(identity.email, wanted);
    const limit = deps.requestEmailsPerDay ?? DEFAULT_REQUEST_EMAILS_PER_DAY;
    const hours = Math.ceil(reserved.retryAfterS / 3600);
    throw new ApiError(
      'request_email_cap',
      `每位工作人员每天最多发送 ${limit} 封填报请求邮件，本次 ${wanted} 封会超出上限，没有发送任何请求。请约 ${hours} 小时后再试，或减少收件人。`,
      `Each staff member may send at most ${limit} update-request emails a day; these ${wanted} would exceed it, so none was sent. Retry in about ${hours} h or name fewer people.`,
      undefined,
      reserved.retryAfterS,
    );
  }
  const stats = computeStats(model, today);
  const sent = await sendUpdateRequests(
    queue,
    { planId: plan.planId, model, stats },
    resolved.recipients,
    {
      requestId,
      ...(body.message !== undefined && body.message.trim() !== '' && { message: body.message }),
      // 「12月4日（还有 3 个工作日）」: the mainland calendar's working days until then.
      ...(body.due !== undefined && {
        due: { date: body.due, label: describeDue(body.due, today, calendarOf(model.settings)) },
      }),
    },
    now,
  );
  // A concurrent run of the same request may have queued some meanwhile: those are not ours either.
  await cap.giveBack(identity.email, sent.filter((s) => s.duplicate).length - queuedBefore);
  deps.log?.(
    logs.linksRequested(
      plan.planId,
      requestId,
      identity.email,
      sent.filter((s) => !s.duplicate).length,
      sent.filter((s) => s.duplicate).length,
    ),
  );
  return {
    status: 202,
    body: {
      planId: plan.planId,
      requestId,
      sent: sent.map((s) => ({
        kind: s.recipient.kind,
        ...(s.recipient.kind === 'partner'
          ? { partnerId: s.recipient.partnerId }
          : { email: s.recipient.email }),
        to: s.to,
        mailId: s.mailId,
        duplicate: s.duplicate,
      })),
    },
  };
}

const DAY_MS = 86_400_000;

/** A date to report by: a real calendar date (2026-02-30 and 0000-00-00 are not), today or later. */
function checkDue(due: string, today: IsoDate): void {
  if (parseIsoDate(due) === undefined) {
    throw new ApiError(
      'invalid_due',
      `截止日期 ${due} 不是有效的日期，请用 YYYY-MM-DD 写一个存在的日期`,
      `The due date ${due} is not a real calendar date; give an existing date as YYYY-MM-DD`,
    );
  }
  if (due < today) {
    throw new ApiError(
      'invalid_due',
      `截止日期 ${due} 已经过去（今天是 ${today}），请填写今天或以后的日期`,
      `The due date ${due} has passed (today is ${today}); give today or a later date`,
    );
  }
}

/** Revokes every link of one person in the plan; answers 200 with how many were live. */
export async function revokeRequestLinks({
  input: { email },
  plan,
  identity,
  deps,
}: PlanCall<'revoke', 'now' | 'log' | 'mailQueue'>): Promise<PlanAnswer<'revoke'>> {
  // No form needed: links minted before the form moved, say, must still be revocable. The links
  // live in the mail queue's database (requests/send.ts mints them as the emails are queued).
  if (!deps.mailQueue) throw new ApiError('requests_unavailable', '此服务未配置邮件队列', 'No mail queue');
  const revoked = await revokeLinks(
    { db: deps.mailQueue.db, now: deps.now, log: deps.log },
    { planId: plan.planId, email },
  );
  deps.log?.(logs.linksRevoked(plan.planId, email.toLowerCase(), identity.email, revoked));
  return { status: 200, body: { planId: plan.planId, email: email.toLowerCase(), revoked } };
}
