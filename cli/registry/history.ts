/** `gongjian history`: the change log, through the running local stack (cli/commands/history.ts). */
import { defineCommand, helpOf, JSON_OUTPUT, STACK_EXIT, STACK_PATH, stringOption } from '../command';
import { parseDateOption } from '../context';

export const history = defineCommand({
  summary: '经本地服务查看变更记录 / the change history (through npm start)',
  options: {
    row: stringOption('ID', '只看这条记录', 'only this record'),
    since: stringOption('YYYY-MM-DD', '自此日起', 'from this day on'),
    json: JSON_OUTPUT,
  },
  help: helpOf(STACK_PATH, '0 已输出 printed', STACK_EXIT),
  args: (path, o) => ({
    path,
    row: o.strings.row,
    since: parseDateOption('--since', o.strings.since),
    json: o.flags.has('json'),
  }),
  action: async (args, ctx) => (await import('../commands/history')).historyCommand(args, ctx),
});
