/** `gongjian request`: update requests or revoked links, through the running local stack (cli/commands/request.ts). */
import { defineCommand, helpOf, STACK_EXIT, STACK_PATH, stringOption } from '../command';
import { parseDateOption } from '../context';

export const request = defineCommand({
  summary: '经本地服务发送填报请求或撤销链接 / send update requests or revoke links (through npm start)',
  options: {
    to: stringOption(
      'EMAIL|ID',
      '收件人：责任人邮箱或共建单位编号，可重复或用逗号分隔',
      'a recipient: an owner email or a partner ID; repeat it or separate with commas',
    ),
    message: stringOption('TEXT', '给收件人的留言', 'a message to the recipients'),
    due: stringOption('YYYY-MM-DD', '请在此日期前填报', 'report by this date'),
    revoke: stringOption('EMAIL', '撤销此人的全部填报链接', "revoke all of this person's links"),
  },
  help: helpOf(STACK_PATH, '0 已发送或已撤销 sent or revoked', STACK_EXIT),
  args: (path, o) => ({
    path,
    to: o.lists.to ?? [],
    message: o.strings.message,
    due: parseDateOption('--due', o.strings.due),
    revoke: o.strings.revoke,
  }),
  action: async (args, ctx) => (await import('../commands/request')).requestCommand(args, ctx),
});
