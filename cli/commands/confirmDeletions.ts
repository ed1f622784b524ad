/**
 * `gongjian confirm-deletions PATH`: confirms the deletion the local stack's last sync of PATH held
 * back (a mass deletion, shared/deletionGuard.ts), so that the next sync of the workbook deletes
 * those rows — the stack syncs again at once. Like `gongjian request`, it asks the running stack's
 * API (its deletions/confirm route, with the stack's own development token) and opens no database.
 * The confirmation names the pending set by its token: if the workbook changes before that sync,
 * nothing is deleted and the stack says what would be deleted now.
 */
import { resolve } from 'node:path';
import { postRoute } from '../../adapters/apiClient';
import { findEndpoint } from '../../adapters/stackEndpoint';
import { ApiRefusalError, CommandError } from '../../adapters/terminal/errors';
import { TAB_LABELS } from '../../shared/i18n';
import type { CliContext } from '../context';

/** Records the confirmation through the running stack; exit 0 once it is kept. */
export async function confirmDeletionsCommand(options: { path: string }, ctx: CliContext): Promise<number> {
  const notRunning = () =>
    new CommandError(
      `本地服务没有在运行：暂缓的删除只有对这个工作簿运行的本地服务知道。请先在另一个终端窗口运行 npm start -- ${options.path}，等它同步并提示要删除的行之后再确认。`,
      `The local stack is not running: only the stack of this workbook knows the deletion it held back. Start it in another terminal (npm start -- ${options.path}), wait for its sync to name the rows, then confirm.`,
    );
  const endpoint = await findEndpoint(resolve(options.path));
  if (!endpoint) throw notRunning();
  const target = { apiUrl: endpoint.apiUrl, token: endpoint.devToken, planId: endpoint.planId };
  const answer = await postRoute(target, 'confirmDeletions', {}).catch((error: unknown) => {
    // The process named in stack.json is alive but nothing answers: it is not (or no longer) the stack.
    throw error instanceof ApiRefusalError ? error : notRunning();
  });
  for (const { tab, count, total } of answer.confirmed) {
    const label = TAB_LABELS[tab];
    ctx.out(
      `已确认删除「${label.zh}」中的 ${count} 行（共 ${total} 行）/ confirmed: delete ${count} of the ${total} rows of ${label.en}`,
    );
  }
  ctx.out('本地服务将立即再次同步并删除这些行 / the local stack syncs again now and deletes them');
  return 0;
}
