/** `gongjian stats`: the completion statistics of the accepted rows (cli/commands/stats.ts). */
import { AS_OF_AND_JSON, asOfAndJson, defineCommand, helpOf, UNUSABLE_EXIT, WORKBOOK_PATH } from '../command';

export const stats = defineCommand({
  summary: '完成情况统计 / completion statistics',
  options: AS_OF_AND_JSON,
  // Rejected rows are left out of the statistics, not an exit code: `validate` says which.
  help: helpOf(WORKBOOK_PATH, '0 已输出 printed', UNUSABLE_EXIT),
  args: asOfAndJson,
  action: async (args, ctx) => (await import('../commands/stats')).statsCommand(args, ctx),
});
