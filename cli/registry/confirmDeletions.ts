/** `gongjian confirm-deletions`: confirms the deletion the local stack held back (cli/commands/confirmDeletions.ts). */
import { defineCommand } from '../command';

export const confirmDeletions = defineCommand({
  summary: '确认本地服务暂缓的大批删除 / confirm the mass deletion the local stack held back',
  options: {},
  help: `PATH 为本地服务（npm start）正在运行的 .xlsx 工作簿。确认的是最近一次同步暂缓的那些行；确认后本地服务
立即再次同步并删除它们。若此后工作簿又有变化，下一次同步不删除，并说明现在将删除哪些行。
PATH is the .xlsx workbook the local stack (npm start) runs on. This confirms the rows its last sync
held back; the stack then syncs again at once and deletes them. If the workbook changes meanwhile,
that sync deletes nothing and says what it would delete now.
退出码 / exit codes: 0 已确认 confirmed · 2 本地服务未运行、没有待确认的删除或要删除的行已变化 no stack
running, nothing held back, or the rows to delete changed · 3 内部错误 internal error`,
  args: (path) => ({ path }),
  action: async (args, ctx) =>
    (await import('../commands/confirmDeletions')).confirmDeletionsCommand(args, ctx),
});
