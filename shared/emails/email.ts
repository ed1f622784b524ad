/**
 * What every email kind shares: the kinds (EmailKind), the rendered email with its idempotency key
 * and recipients, who its update link is for, the context every renderer reads, the footer and the
 * update-link button. Each kind renders its own layout in its own module beside this one and
 * passes it through `composeEmail`, so subjects are single lines and both parts say the same.
 */
import type { Measure, Partner, PlanModel } from '../model';
import type { Stats } from '../stats-types';
import {
  type Block,
  type ButtonBlock,
  cleanAddresses,
  type Layout,
  oneLine,
  renderHtml,
  renderText,
} from './layout';

/**
 * The kinds of email of §7. Each has its module in this folder and its entry in EMAIL_KINDS
 * (kinds.ts), which fails to compile while a kind here has none.
 */
export type EmailKind =
  | 'partnerDigest'
  | 'leaderSummary'
  | 'dueSoon'
  | 'overdue'
  | 'updateRequest'
  | 'report'
  | 'ledgerReady'
  | 'pendingReview'
  | 'districtSummary';

/**
 * Who an email's update link (§9) is for: a measure owner (the measures they own) or a partner
 * unit's contact (the unit's measures and activities). `email` is the address the link is bound
 * to — for a partner, its first address, the one a digest names first.
 */
export type LinkRecipient =
  | { kind: 'owner'; email: string; name: string }
  | { kind: 'partner'; partnerId: string; email: string; name: string };

/** One email ready to queue: the key is its idempotency key (the mail document's ID). */
export interface RenderedEmail {
  kind: EmailKind;
  key: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  partnerId?: string;
  measureId?: string;
  /** Who the update link in it is for (digests, reminders, requests). */
  recipient?: LinkRecipient;
}

/** What every renderer reads: the plan's ID (for keys), its accepted rows and their statistics. */
export interface EmailContext {
  planId: string;
  model: PlanModel;
  stats: Stats;
}

/** The caption of the update-link button in every email that carries one. */
export const UPDATE_BUTTON_LABEL = '填报活动 / 更新进展';

/** The closing line of every email. */
export const FOOTER =
  '本邮件由共建助手根据社区共建工作台账自动生成，数据以台账为准。如有疑问，请与社区居委会联系。';

/** An idempotency key: the kind and its components, each URI-encoded so ':' and '/' never appear in one. */
export function emailKey(kind: EmailKind, ...parts: string[]): string {
  return [kind, ...parts.map((part) => encodeURIComponent(part))].join(':');
}

/** An email from its layout: the subject as one line, the text and HTML parts rendered from the same blocks. */
export function composeEmail(
  kind: EmailKind,
  key: string,
  to: string[],
  cc: string[],
  subject: string,
  layout: Layout,
  ids: { partnerId?: string; measureId?: string; recipient?: LinkRecipient | undefined },
): RenderedEmail {
  const line = oneLine(subject);
  const rendered: RenderedEmail = {
    kind,
    key,
    to,
    cc,
    subject: line,
    text: renderText(layout),
    html: renderHtml(layout, line),
  };
  if (ids.partnerId !== undefined) rendered.partnerId = ids.partnerId;
  if (ids.measureId !== undefined) rendered.measureId = ids.measureId;
  if (ids.recipient !== undefined) rendered.recipient = ids.recipient;
  return rendered;
}

/** The update-link button, when there is a link. */
export function updateButton(link: string | undefined, note?: string): Block[] {
  if (link === undefined) return [];
  const button: ButtonBlock = { type: 'button', label: UPDATE_BUTTON_LABEL, url: link };
  return [
    { ...button, note: note ?? '链接为您个人专用，无需登录，请勿转发；填报的活动会直接记入共建台账。' },
  ];
}

/** Who a partner's update link is for: its first clean address, named by its contact person. */
export function partnerRecipient(partner: Partner): LinkRecipient | undefined {
  const [email] = cleanAddresses(partner.emails);
  if (email === undefined) return undefined;
  return {
    kind: 'partner',
    partnerId: partner.partnerId,
    email,
    name: oneLine(partner.contact ?? partner.name),
  };
}

/** Who an owner's update link is for: the owner's clean address, named as the plan names them. */
export function ownerRecipient(measure: Measure): LinkRecipient | undefined {
  const [email] = cleanAddresses(measure.ownerEmail === undefined ? [] : [measure.ownerEmail]);
  if (email === undefined) return undefined;
  return { kind: 'owner', email, name: oneLine(measure.owner ?? '') || email };
}
