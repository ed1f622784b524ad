/**
 * Handing out update links (§7, §9): every partner digest, due-soon reminder and overdue notice
 * carries its recipient's personal link, and staff send update requests on demand. A link is
 * minted when its email is queued, and only then.
 *
 * Why mint after a look, not derive the token from the key. A token derived from the email's key
 * (an HMAC under a server secret) would make re-planning free, but it would also make every link a
 * function of guessable data and one secret: a leaked secret opens every link ever sent, and a
 * revoked link would come back to life the next time its key is planned. So tokens stay random
 * (requests/links.ts), and the mail document's create() — the queue's idempotency — decides:
 *   1. the mail document of the key exists → the email was queued before: nothing is minted;
 *   2. otherwise a link is minted (its requestId is the email's key), the email is rendered with
 *      it and created;
 *   3. if that create finds the document already there — a concurrent run of the same plan won
 *      the race between 1 and 3 — our link is in no email, and it is revoked at once.
 * So planning an email twice leaves one email and one live link. The one gap is a crash between
 * 2 and 3: a live link that no email carries, whose token existed only in the dead process's
 * memory — nobody can ever open it, and it expires like any other.
 */

import { type LinkRecipient, ownerRecipient, partnerRecipient } from '../../../shared/emails/email';
import type { PlannedEmail } from '../../../shared/emails/plan';
import { measuresInScope, renderUpdateRequest, updateRequestKey } from '../../../shared/emails/updateRequest';
import type { IsoDate, PlanModel } from '../../../shared/model';
import { requestLinkDays } from '../../../shared/model';
import type { Stats } from '../../../shared/stats-types';
import { mailDocId } from '../mail/message';
import { enqueueMail, type MailQueue } from '../mail/queue';
import { mailCollection, requestLinkRef } from '../store/paths';
import { type LinkScope, linkUrl, mintLink, tokenHash } from './links';

/** What a queued email is, besides its rendering. */
interface EmailMeta {
  planId: string;
  senderName: string | undefined;
  /** 设置 → 填报链接有效天数. */
  validDays: number;
}

function scopeOf(recipient: LinkRecipient): LinkScope {
  return recipient.kind === 'owner'
    ? { kind: 'owner', ownerEmail: recipient.email.toLowerCase() }
    : { kind: 'partner', partnerId: recipient.partnerId };
}

/**
 * Queues a planned email, with its recipient's fresh link when there is a recipient and an issuer;
 * planning it again queues nothing and mints nothing (the header comment says how).
 */
export async function enqueuePlanned(
  queue: MailQueue,
  planned: Pick<PlannedEmail, 'kind' | 'key' | 'recipient' | 'render'>,
  meta: EmailMeta,
  now: Date,
): Promise<'queued' | 'duplicate'> {
  const queueRendered = (updateLink?: string) => {
    const email = planned.render(updateLink);
    return enqueueMail(queue, { ...email, planId: meta.planId, senderName: meta.senderName }, now);
  };
  const { recipient } = planned;
  if (!queue.links || !recipient) return queueRendered();
  const existing = await mailCollection(queue.db).doc(mailDocId(planned.key)).get();
  if (existing.exists) return 'duplicate';
  const deps = { db: queue.db, now: queue.links.now };
  // Whoever the email goes to holds the link: revoking any of them must kill it. The addresses do
  // not depend on the link, so a rendering without one names them.
  const { to, cc } = planned.render();
  const { token } = await mintLink(deps, {
    planId: meta.planId,
    email: recipient.email,
    sentTo: [...to, ...cc],
    name: recipient.name,
    scope: scopeOf(recipient),
    validDays: meta.validDays,
    requestId: planned.key,
  });
  const outcome = await queueRendered(linkUrl(queue.links.formUrl, token));
  if (outcome === 'duplicate') {
    await requestLinkRef(queue.db, tokenHash(token)).update({ revokedAt: queue.links.now().toISOString() });
  }
  return outcome;
}

/** A person named in a request: a measure owner by email, or a partner unit by ID. */
export type RequestTarget = string;

/** Why a person named in a request gets nothing. */
export type UnreachableReason = 'unknownPerson' | 'inactivePartner' | 'noEmail';

/** What a request is: who, the staff's message, the date to report by, the request's own ID. */
export interface UpdateRequest {
  to: readonly RequestTarget[];
  message?: string;
  due?: IsoDate;
  /** The same request retried queues nothing new; a new request is new emails. */
  requestId: string;
}

/** The person a target names, or why there is none. An `@` makes it an owner's email. */
export function resolveTarget(model: PlanModel, target: RequestTarget): LinkRecipient | UnreachableReason {
  const wanted = target.trim();
  if (wanted.includes('@')) {
    const recipient = { kind: 'owner', email: wanted.toLowerCase(), name: '' } as const;
    const [owned] = measuresInScope(model, recipient);
    if (!owned) return 'unknownPerson';
    return ownerRecipient(owned) ?? 'noEmail';
  }
  const partner = model.partners.find((p) => p.partnerId === wanted);
  if (!partner) return 'unknownPerson';
  if (!partner.active) return 'inactivePartner';
  return partnerRecipient(partner) ?? 'noEmail';
}

/** The recipients of a request, or the targets that name nobody reachable (then nothing is sent). */
export function resolveTargets(
  model: PlanModel,
  targets: readonly RequestTarget[],
):
  | { ok: true; recipients: LinkRecipient[] }
  | { ok: false; unreachable: { target: string; reason: UnreachableReason }[] } {
  const recipients: LinkRecipient[] = [];
  const unreachable: { target: string; reason: UnreachableReason }[] = [];
  const seen = new Set<string>();
  for (const target of targets) {
    const resolved = resolveTarget(model, target);
    if (typeof resolved === 'string') {
      unreachable.push({ target, reason: resolved });
      continue;
    }
    const id =
      resolved.kind === 'owner' ? `owner/${resolved.email.toLowerCase()}` : `partner/${resolved.partnerId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    recipients.push(resolved);
  }
  return unreachable.length > 0 ? { ok: false, unreachable } : { ok: true, recipients };
}

/** One person's request as queued. */
export interface SentRequest {
  recipient: LinkRecipient;
  to: string[];
  mailId: string;
  duplicate: boolean;
}

/**
 * Queues one updateRequest per recipient, each with a fresh link (the queue must have an issuer:
 * a request without a link would be pointless). `due.label` words the date (working days).
 */
export async function sendUpdateRequests(
  queue: MailQueue,
  context: { planId: string; model: PlanModel; stats: Stats },
  recipients: readonly LinkRecipient[],
  request: Omit<UpdateRequest, 'to' | 'due'> & { due?: { date: IsoDate; label?: string } },
  now: Date,
): Promise<SentRequest[]> {
  if (!queue.links) throw new Error('sendUpdateRequests needs a link issuer (GONGJIAN_FORM_URL)');
  const { planId, model, stats } = context;
  const validDays = requestLinkDays(model.settings);
  const sent: SentRequest[] = [];
  for (const recipient of recipients) {
    const key = updateRequestKey(planId, recipient, request.requestId);
    const render = (updateLink = '') =>
      renderUpdateRequest({
        planId,
        model,
        stats,
        recipient,
        requestId: request.requestId,
        updateLink,
        validDays,
        ...(request.message !== undefined && { message: request.message }),
        ...(request.due !== undefined && { due: request.due }),
      });
    const outcome = await enqueuePlanned(
      queue,
      { kind: 'updateRequest', key, recipient, render },
      { planId, senderName: model.settings.senderName, validDays },
      now,
    );
    // The addresses without a link: a duplicate was rendered (and its link minted) before.
    const { to } = render();
    sent.push({ recipient, to, mailId: mailDocId(key), duplicate: outcome === 'duplicate' });
  }
  return sent;
}
