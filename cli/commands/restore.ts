/**
 * `gongjian restore PATH ID…`: brings deleted records back into their tab (活动, 共建单位 or 计划)
 * of the workbook served by the running local stack, with their IDs and last values, through the stack's
 * `POST …/restore` (the form's append path: restoring twice gives one row; functions/src/http/history.ts).
 * The statistics follow once the stack has appended the rows.
 */
import { postRoute } from '../../adapters/apiClient';
import { CommandError } from '../../adapters/terminal/errors';
import { TAB_LABELS } from '../../shared/i18n';
import type { CliContext } from '../context';
import { stackTarget } from '../stackTarget';

export interface RestoreCommandOptions {
  path: string;
  ids: readonly string[];
}

const OUTCOMES = {
  restored: '已恢复 / restored',
  alreadyRestored: '已恢复过 / restored before',
  present: '未被删除 / not deleted',
  unknown: '变更记录中没有此编号的删除 / no deletion of this ID in the history',
} as const;

/** Restores the IDs; exit 0 when each is restored (now or before), else 1 naming the others. */
export async function restoreCommand(options: RestoreCommandOptions, ctx: CliContext): Promise<number> {
  const { target, notRunning } = await stackTarget(options.path);
  const answer = await postRoute(target, 'restore', { ids: [...options.ids] }).catch(notRunning);
  for (const { id, tab, outcome } of answer.results)
    ctx.out(`${tab ? `「${TAB_LABELS[tab].zh}」` : ''}${id}：${OUTCOMES[outcome]}`);
  const failed = answer.results.filter((r) => r.outcome === 'unknown' || r.outcome === 'present');
  if (failed.length > 0)
    throw new CommandError(
      `有 ${failed.length} 个编号无法恢复：${failed.map((r) => r.id).join('、')}`,
      `${failed.length} ID(s) could not be restored: ${failed.map((r) => r.id).join(', ')}`,
    );
  return 0;
}
