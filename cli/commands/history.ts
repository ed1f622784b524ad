/**
 * `gongjian history PATH [--row ID] [--since DATE] [--json]`: the change log (§12) of the workbook
 * served by the running local stack, newest first — who changed which record, when, from where,
 * and each field's old and new value — through the stack's `GET …/history` (cli/stackTarget.ts).
 */
import { getRoute } from '../../adapters/apiClient';
import { renderTable } from '../../adapters/terminal/table';
import { changeRows, HISTORY_HEADERS } from '../../shared/history';
import type { IsoDate } from '../../shared/model';
import type { CliContext } from '../context';
import { stackTarget } from '../stackTarget';

export interface HistoryCommandOptions {
  path: string;
  row?: string | undefined;
  since?: IsoDate | undefined;
  json: boolean;
}

/** Prints the changes; exit 0 (an empty log is no error). */
export async function historyCommand(options: HistoryCommandOptions, ctx: CliContext): Promise<number> {
  const { target, notRunning } = await stackTarget(options.path);
  const answer = await getRoute(target, 'history', { row: options.row, since: options.since }).catch(
    notRunning,
  );
  if (options.json) {
    ctx.out(JSON.stringify(answer.changes, null, 2));
    return 0;
  }
  if (answer.changes.length === 0) {
    ctx.out('没有符合条件的变更记录 / no changes match');
    return 0;
  }
  const rows = answer.changes.flatMap((entry) => changeRows(entry, answer.timezone));
  ctx.out(
    renderTable(
      [...HISTORY_HEADERS],
      rows.map((row) => row.map((cell) => cell ?? '')),
    ),
  );
  ctx.out(`共 ${answer.changes.length} 条变更 / ${answer.changes.length} change(s)`);
  return 0;
}
