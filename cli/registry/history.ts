/** `gongjian history`: the change log, through the running local stack (cli/commands/history.ts). */
import { defineCommand, exitCodes, INTERNAL_EXIT, JSON_OUTPUT, STACK_PATH } from '../command';
import { parseDateOption } from '../context';

export const history = defineCommand({
  summary: '经本地服务查看变更记录 / the change history (through npm start)',
  options: {
    row: { type: 'string', value: 'ID', zh: '只看这条记录', en: 'only this record' },
    since: { type: 'string', value: 'YYYY-MM-DD', zh: '自此日起', en: 'from this day on' },
    json: JSON_OUTPUT,
  },
  help: `${STACK_PATH}
${exitCodes(
  '0 已输出 printed',
  '2 用法错误、本地服务未运行或服务拒绝 a usage mistake, no stack running, or a refusal by the stack',
  INTERNAL_EXIT,
)}`,
  args: (path, o) => ({
    path,
    row: o.strings.row,
    since: parseDateOption('--since', o.strings.since),
    json: o.flags.has('json'),
  }),
  action: async (args, ctx) => (await import('../commands/history')).historyCommand(args, ctx),
});
