/** `gongjian stats`: the completion statistics of the accepted rows (cli/commands/stats.ts). */
import {
  AS_OF_AND_JSON,
  asOfAndJson,
  defineCommand,
  exitCodes,
  INTERNAL_EXIT,
  WORKBOOK_PATH,
} from '../command';

export const stats = defineCommand({
  summary: '完成情况统计 / completion statistics',
  options: AS_OF_AND_JSON,
  // Rejected rows are left out of the statistics, not an exit code: `validate` says which.
  help: `${WORKBOOK_PATH}
${exitCodes('0 已输出 printed', '2 无法使用的输入、用法错误 unusable input, a usage mistake', INTERNAL_EXIT)}`,
  args: asOfAndJson,
  action: async (args, ctx) => (await import('../commands/stats')).statsCommand(args, ctx),
});
