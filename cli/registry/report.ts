/** `gongjian report`: the year-end summary as a Word document (cli/commands/report.ts). */
import { AS_OF, defineCommand, helpOf, parseYear, UNUSABLE_EXIT, WORKBOOK_PATH, YEAR } from '../command';
import { parseAsOf } from '../context';

export const report = defineCommand({
  summary: '年度共建工作总结 / the year-end summary (.docx)',
  options: {
    year: {
      ...YEAR,
      zh: '总结的年度，缺省为计划年度',
      en: 'the year to summarise; the plan year by default',
    },
    'as-of': {
      ...AS_OF,
      zh: '统计截至日期，缺省为年末或今天',
      en: "count up to this date; the year's end or today by default",
    },
    out: {
      type: 'string',
      value: 'FILE.docx',
      zh: '输出文件，缺省在工作簿旁',
      en: 'the output file; beside the workbook by default',
    },
  },
  help: helpOf(WORKBOOK_PATH, '0 已写入 written', UNUSABLE_EXIT),
  args: (path, o) => ({
    path,
    year: parseYear(o.strings.year),
    asOf: parseAsOf(o.strings['as-of']),
    out: o.strings.out,
  }),
  action: async (args, ctx) => (await import('../commands/report')).reportCommand(args, ctx),
});
