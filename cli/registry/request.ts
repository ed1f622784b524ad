/** `gongjian request`: update requests or revoked links, through the running local stack (cli/commands/request.ts). */
import { defineCommand, exitCodes, INTERNAL_EXIT, STACK_PATH } from '../command';
import { parseDateOption } from '../context';

export const request = defineCommand({
  summary: '经本地服务发送填报请求或撤销链接 / send update requests or revoke links (through npm start)',
  options: {
    to: {
      type: 'string',
      value: 'EMAIL|ID',
      zh: '收件人：责任人邮箱或共建单位编号，可重复或用逗号分隔',
      en: 'a recipient: an owner email or a partner ID; repeat it or separate with commas',
    },
    message: { type: 'string', value: 'TEXT', zh: '给收件人的留言', en: 'a message to the recipients' },
    due: { type: 'string', value: 'YYYY-MM-DD', zh: '请在此日期前填报', en: 'report by this date' },
    revoke: {
      type: 'string',
      value: 'EMAIL',
      zh: '撤销此人的全部填报链接',
      en: "revoke all of this person's links",
    },
  },
  help: `${STACK_PATH}
${exitCodes(
  '0 已发送或已撤销 sent or revoked',
  '2 用法错误、本地服务未运行或服务拒绝 a usage mistake, no stack running, or a refusal by the stack',
  INTERNAL_EXIT,
)}`,
  args: (path, o) => ({
    path,
    to: o.lists.to ?? [],
    message: o.strings.message,
    due: parseDateOption('--due', o.strings.due),
    revoke: o.strings.revoke,
  }),
  action: async (args, ctx) => (await import('../commands/request')).requestCommand(args, ctx),
});
