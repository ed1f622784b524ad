/**
 * `gongjian request PATH --to <owner email | partner ID>… [--message TEXT] [--due DATE]` and
 * `gongjian request PATH --revoke EMAIL`: update requests for a workbook served by the local
 * stack. Links live in the stack's database and the emails leave through its mail queue, so this
 * command does not open the database itself (and loads no firebase-admin): it finds the stack
 * running on PATH (local/endpoint.ts) and asks its API, with the stack's own development token —
 * the same `POST …/requests` the add-on uses. Without a running stack it says to start one.
 */
import { randomUUID } from 'node:crypto';
import { postRoute } from '../../adapters/apiClient';
import { UsageError } from '../../adapters/terminal/errors';
import type { IsoDate } from '../../shared/model';
import type { CliContext } from '../context';
import { stackTarget } from '../stackTarget';

export interface RequestCommandOptions {
  path: string;
  to: readonly string[];
  message?: string | undefined;
  due?: IsoDate | undefined;
  revoke?: string | undefined;
}

/** Sends update requests (or revokes a person's links) through the local stack; exit 0 when done. */
export async function requestCommand(options: RequestCommandOptions, ctx: CliContext): Promise<number> {
  const to = options.to.flatMap((value) => value.split(/[,，、\s]+/)).filter((value) => value !== '');
  if (to.length > 0 === (options.revoke !== undefined)) {
    throw new UsageError(
      '请给出 --to（收件人）或 --revoke（要撤销链接的邮箱），二者取一',
      'Give either --to (recipients) or --revoke (whose links to revoke), not both',
    );
  }
  if (options.revoke !== undefined && (options.message !== undefined || options.due !== undefined)) {
    throw new UsageError('--revoke 不能与 --message 或 --due 同用', '--revoke takes no --message or --due');
  }
  const { target, notRunning } = await stackTarget(options.path);
  if (options.revoke !== undefined) {
    const revoked = await postRoute(target, 'revoke', { email: options.revoke }).catch(notRunning);
    ctx.out(`已撤销 ${options.revoke} 的 ${revoked.revoked} 个填报链接 / revoked ${revoked.revoked} link(s)`);
    return 0;
  }
  const answer = await postRoute(target, 'requests', {
    to,
    // Each run is a new request; a retry inside this run would reuse it.
    requestId: randomUUID(),
    ...(options.message !== undefined && { message: options.message }),
    ...(options.due !== undefined && { due: options.due }),
  }).catch(notRunning);
  const { sent } = answer;
  for (const person of sent) {
    const who = person.kind === 'partner' ? `共建单位 ${person.partnerId}` : `责任人 ${person.email}`;
    ctx.out(`${person.duplicate ? '已发过' : '已排队发送'}：${who} → ${person.to.join(', ')}`);
  }
  ctx.out(
    `共 ${sent.length} 封填报请求 / ${sent.length} update request(s) queued (request ${answer.requestId})`,
  );
  return 0;
}
