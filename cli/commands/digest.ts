/**
 * `gongjian digest PATH --as-of DATE --out DIR`: renders every email the as-of date would send —
 * digests on the digest day, due-soon reminders, overdue notices — as .eml and .html files in
 * DIR, without sending anything.
 */

import { mailContent, mailDocId, parseMailMessage } from '../../functions/src/mail/message';
import { createOutboxTransport } from '../../functions/src/mail/transport';
import type { EmailKind } from '../../shared/emails/email';
import { EMAIL_KINDS } from '../../shared/emails/kinds';
import { plannedEmails } from '../../shared/emails/plan';
import { computeStats } from '../../shared/stats';
import type { CliContext } from '../context';
import { loadPlan } from '../load';

export interface DigestArgs {
  path: string;
  asOf: string | undefined;
  out: string;
}

/** Runs the command and returns its exit code. */
export async function digestCommand(args: DigestArgs, ctx: CliContext): Promise<number> {
  const { result, asOf } = await loadPlan(args.path, args.asOf, ctx);
  const stats = computeStats(result.model, asOf);
  const { emails, skipped } = plannedEmails({ planId: 'local', model: result.model, stats, date: asOf });
  const fromAddress = 'noreply@gongjian.local';
  const outbox = createOutboxTransport({ dir: args.out, from: fromAddress });
  for (const email of emails) {
    // Through the mail document's fields, as the queue writes them and a sender reads them.
    const parsed = parseMailMessage(
      mailContent({ ...email, senderName: result.model.settings.senderName }, fromAddress),
    );
    if (!parsed.ok) throw new Error(parsed.error);
    await outbox.send({ id: mailDocId(email.key), ...parsed.mail });
  }
  await outbox.close();
  const byKind = new Map<EmailKind, number>();
  for (const email of emails) byKind.set(email.kind, (byKind.get(email.kind) ?? 0) + 1);
  const kinds = [...byKind].map(([kind, n]) => `${EMAIL_KINDS[kind].label} ${n}`).join('，');
  ctx.out(`${asOf} 应发邮件 ${emails.length} 封${kinds ? `（${kinds}）` : ''}，已写入 ${args.out}（未发送）`);
  ctx.out(
    `跳过：已退出的共建单位 ${skipped.inactivePartners} 个，没有邮箱的单位 ${skipped.partnersWithoutEmail} 个，` +
      `没有责任人邮箱的事项 ${skipped.measuresWithoutOwnerEmail} 项`,
  );
  return 0;
}
