/** `gongjian digest`: the emails a day would send, as files; sends nothing (cli/commands/digest.ts). */
import { AS_OF, defineCommand, helpOf, UNUSABLE_EXIT, WORKBOOK_PATH } from '../command';
import { parseAsOf } from '../context';

export const digest = defineCommand({
  summary: '生成当天应发的邮件（不发送）/ render that day’s emails (sends nothing)',
  options: {
    'as-of': {
      ...AS_OF,
      zh: '发信日期，缺省为计划时区的今天',
      en: "the sending day; today in the plan's time zone by default",
    },
    out: {
      type: 'string',
      value: 'DIR',
      required: true,
      zh: '写入 .eml 与 .html 的文件夹',
      en: 'the folder for the .eml and .html files',
    },
  },
  help: helpOf(WORKBOOK_PATH, '0 已写入 written', UNUSABLE_EXIT),
  // --out is required: parseOptions has refused its absence.
  args: (path, o) => ({ path, asOf: parseAsOf(o.strings['as-of']), out: o.strings.out ?? '' }),
  action: async (args, ctx) => (await import('../commands/digest')).digestCommand(args, ctx),
});
