/**
 * `POST /v1/plans/{planId}/report` — the add-on's 生成年度总结: builds the year-end summary from the
 * stored records and queues it to the caller as an email with the .docx attached. Body:
 * `{"requestId": "…", "year": 2026}` (year optional: the plan year). The mail's key is plan · year ·
 * request (§7): the same request retried queues one email, a new request another.
 *
 * The attachment travels inside the mail document as base64 (`message.attachments`, nodemailer's
 * fields, which the Trigger Email extension passes to nodemailer as they are), so a summary whose
 * document would pass Firestore's 1 MiB limit is refused (413) rather than queued broken.
 */

import { yearReportDocx } from '../../../adapters/report/build';
import { renderReportEmail } from '../../../shared/emails/report';
import { reportFileName } from '../../../shared/report';
import { todayIn } from '../../../shared/today';
import { logs } from '../logs';
import { mailDocId, planEmail } from '../mail/message';
import { AttachmentTooLargeError, enqueueMail } from '../mail/queue';
import { ApiError, type PlanAnswer, type PlanCall } from './handler';

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** Builds the summary and queues it to the caller; answers 202 with the mail's ID. */
export async function requestReport({
  input: body,
  plan,
  identity,
  deps,
}: PlanCall<'report', 'store' | 'now' | 'log' | 'mailQueue'>): Promise<PlanAnswer<'report'>> {
  const stored = await deps.store.loadModel(plan);
  const year = body.year ?? stored.settings.year;
  const model = { ...stored, settings: { ...stored.settings, year } };
  // A finished year counts up to its last day, as `gongjian report` does.
  const today = todayIn(deps.now(), model.settings.timezone);
  const asOf = today < `${year}-12-31` ? today : `${year}-12-31`;
  const { stats, report, docx } = await yearReportDocx(model, asOf);
  const email = renderReportEmail({
    planId: plan.planId,
    model,
    stats,
    report,
    to: [identity.email],
    // 设置 → 总结抄送领导 = 是: the leaders get it too.
    cc: model.settings.reportToLeaders ? model.settings.leaderEmails : [],
    requestId: body.requestId,
  });
  if (!deps.mailQueue) {
    throw new ApiError(
      'mail_unavailable',
      '此服务未配置邮件队列',
      'This service has no mail queue configured',
    );
  }
  let outcome: 'queued' | 'duplicate';
  try {
    outcome = await enqueueMail(
      deps.mailQueue,
      planEmail(email, plan.planId, model.settings, [
        {
          filename: reportFileName(report),
          content: docx.toString('base64'),
          encoding: 'base64',
          contentType: DOCX_TYPE,
        },
      ]),
      deps.now(),
    );
  } catch (error) {
    if (!(error instanceof AttachmentTooLargeError)) throw error;
    throw new ApiError(
      'report_too_large',
      `年度总结文件过大（${docx.length} 字节），无法作为邮件附件发送，请用 gongjian report 在本地生成`,
      `The year-end summary (${docx.length} bytes) is too large to email; build it locally with gongjian report`,
    );
  }
  deps.log?.(logs.reportQueued(plan.planId, year, asOf, docx.length, identity.email, outcome));
  return {
    status: 202,
    body: {
      planId: plan.planId,
      year,
      asOf,
      to: email.to,
      mailId: mailDocId(email.key),
      bytes: docx.length,
      duplicate: outcome === 'duplicate',
    },
  };
}
