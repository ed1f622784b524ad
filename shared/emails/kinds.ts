/**
 * Where the email kinds are registered: one entry per EmailKind, each naming the kind's renderer
 * (its module in this folder), how the CLI and logs call it, and whether the daily schedule
 * sends it. `satisfies Record<EmailKind, …>` makes a kind without an entry a compile error.
 */
import { renderDistrictSummary } from './districtSummary';
import { renderDueSoon } from './dueSoon';
import type { EmailKind, RenderedEmail } from './email';
import { renderLeaderSummary } from './leaderSummary';
import { renderLedgerReady } from './ledgerReady';
import { renderOverdue } from './overdue';
import { renderPartnerDigest } from './partnerDigest';
import { renderPendingReview } from './pendingReview';
import { renderReportEmail } from './report';
import { renderUpdateRequest } from './updateRequest';

/** What the registry knows of one kind. */
interface EmailKindEntry {
  /** The kind's name in Chinese, as `gongjian digest` counts it. */
  label: string;
  /** Sent by the daily schedule (planned in plan.ts); otherwise queued on a person's request. */
  scheduled: boolean;
  /** The kind's renderer; its input type stays the module's own. */
  render(input: never): RenderedEmail;
}

/** Every email kind, its renderer, its label and whether the schedule sends it. */
export const EMAIL_KINDS = {
  partnerDigest: { label: '共建单位摘要', scheduled: true, render: renderPartnerDigest },
  leaderSummary: { label: '领导摘要', scheduled: true, render: renderLeaderSummary },
  dueSoon: { label: '到期提醒', scheduled: true, render: renderDueSoon },
  overdue: { label: '逾期通知', scheduled: true, render: renderOverdue },
  updateRequest: { label: '填报请求', scheduled: false, render: renderUpdateRequest },
  report: { label: '年度总结', scheduled: false, render: renderReportEmail },
  ledgerReady: { label: '活动台账', scheduled: false, render: renderLedgerReady },
  pendingReview: { label: '待审核提醒', scheduled: true, render: renderPendingReview },
  districtSummary: { label: '街道月报', scheduled: true, render: renderDistrictSummary },
} as const satisfies Record<EmailKind, EmailKindEntry>;

/** The kinds the daily schedule sends, in the registry's order. */
export const SCHEDULED_EMAIL_KINDS: readonly EmailKind[] = (Object.keys(EMAIL_KINDS) as EmailKind[]).filter(
  (kind) => EMAIL_KINDS[kind].scheduled,
);
