/**
 * `gongjian restore PATH ID…`: brings deleted records back into their tab (活动, 共建单位 or 计划)
 * of the workbook served by the running local stack, with their IDs and last values, through the stack's
 * `POST …/restore` (the form's append path: restoring twice gives one row; functions/src/http/history.ts).
 * The statistics follow once the stack has appended the rows.
 */
import { postRoute } from '../../adapters/apiClient';
import { CommandError } from '../../adapters/terminal/errors';
import type { RestoreResponse } from '../../shared/api';
import { TAB_LABELS } from '../../shared/i18n';
import type { CliContext } from '../context';
import { stackTarget } from '../stackTarget';

export interface RestoreCommandOptions {
  path: string;
  ids: readonly string[];
  /** Restore this field of the one ID to its value before its latest change (§12). */
  field?: string;
}

const OUTCOMES = {
  restored: '已恢复 / restored',
  alreadyRestored: '已恢复过 / restored before',
  present: '未被删除 / not deleted',
  unknown: '变更记录中没有此编号的删除 / no deletion of this ID in the history',
  deleted: '记录已被删除，请先恢复整条记录 / the record is deleted: restore it first',
  unknownField: '此表没有这一列 / its tab has no such column',
  noChange: '这一列自记录新增以来没有修改过 / this column has not changed since the record was created',
} as const;

/** The outcomes of --field that are refusals, in the words of the API's answer. */
const FIELD_OUTCOMES = {
  ...OUTCOMES,
  unknown: '变更记录中没有此编号 / no change of this ID in the history',
} as const;

/** A restored value as the terminal shows it: empty for none, JSON for anything not text. */
function shown(value: unknown): string {
  if (value === undefined || value === null) return '（空）';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Restores the IDs; exit 0 when each is restored (now or before), else 2 naming the others. */
export async function restoreCommand(options: RestoreCommandOptions, ctx: CliContext): Promise<number> {
  const { target, notRunning } = await stackTarget(options.path);
  const body = { ids: [...options.ids], ...(options.field !== undefined && { field: options.field }) };
  const answer = await postRoute(target, 'restore', body).catch(notRunning);
  if (options.field !== undefined) return fieldAnswer(answer.results, options.field, ctx);
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

/** Prints a --field answer: the value back (exit 0), else the refusal in Chinese and English (exit 2). */
function fieldAnswer(results: RestoreResponse['results'], name: string, ctx: CliContext): number {
  const [result] = results;
  if (result === undefined) throw new CommandError('服务没有回答', 'The stack gave no answer');
  const { id, tab, outcome } = result;
  const where = `${tab ? `「${TAB_LABELS[tab].zh}」` : ''}${id}`;
  if (outcome === 'restored' || outcome === 'alreadyRestored') {
    const value = shown(result.value);
    ctx.out(
      outcome === 'restored'
        ? `${where}「${name}」：已恢复为 ${value} / restored to ${value}`
        : `${where}「${name}」：已是恢复后的值 ${value} / already restored to ${value}`,
    );
    return 0;
  }
  const [zh, en] = FIELD_OUTCOMES[outcome].split(' / ') as [string, string];
  throw new CommandError(
    `${where}「${name}」无法恢复：${zh}`,
    `${id} "${name}" could not be restored: ${en}`,
  );
}
