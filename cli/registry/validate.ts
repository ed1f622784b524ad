/** `gongjian validate`: the workbook's issues, grouped by tab or as JSON (cli/commands/validate.ts). */
import { AS_OF_AND_JSON, asOfAndJson, defineCommand, helpOf, UNUSABLE_EXIT, WORKBOOK_PATH } from '../command';

export const validate = defineCommand({
  summary: '校验工作簿 / validate the workbook',
  options: AS_OF_AND_JSON,
  help: helpOf(WORKBOOK_PATH, '0 正常 ok', '1 有未通过校验的行 rows rejected', UNUSABLE_EXIT),
  args: asOfAndJson,
  action: async (args, ctx) => (await import('../commands/validate')).validateCommand(args, ctx),
});
