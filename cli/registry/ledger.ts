/** `gongjian ledger`: the activity ledger with its photos as a Word document (cli/commands/ledger.ts). */
import { defineCommand } from '../command';
import { parseDateOption } from '../context';

export const ledger = defineCommand({
  summary: '活动台账：每次已完成活动的记录表和照片 / the activity ledger (.docx) with photos',
  options: {
    from: {
      type: 'string',
      value: 'YYYY-MM-DD',
      zh: '起始日期，缺省为计划年度的1月1日',
      en: 'the first day; 1 January of the plan year by default',
    },
    to: {
      type: 'string',
      value: 'YYYY-MM-DD',
      zh: '截止日期，缺省为今天（年度已过则为年末）',
      en: "the last day; today (the year's end once it is over) by default",
    },
    partner: {
      type: 'string',
      value: 'ID',
      zh: '只含该共建单位参与的活动（编号或名称）',
      en: 'only the activities of this partner unit (ID or name)',
    },
    out: {
      type: 'string',
      value: 'FILE.docx',
      zh: '输出文件，缺省在工作簿旁（<名称>-活动台账.docx）',
      en: 'the output file; <name>-活动台账.docx beside the workbook by default',
    },
  },
  help: `PATH 为 .xlsx 工作簿，或存放各工作表 CSV 文件的文件夹。照片取自工作簿旁的 佐证材料/<记录编号>/*.jpg。
PATH is an .xlsx workbook or a folder of CSV files. Photos come from 佐证材料/<记录编号>/*.jpg beside it.
退出码 / exit codes: 0 已写入 written · 2 无法使用的输入、用法错误、未知的共建单位、文档正在办公软件中打开
unusable input, a usage mistake, an unknown partner unit, the document open in an office program · 3 内部错误 internal error`,
  args: (path, o) => ({
    path,
    from: parseDateOption('--from', o.strings.from),
    to: parseDateOption('--to', o.strings.to),
    partner: o.strings.partner,
    out: o.strings.out,
  }),
  action: async (args, ctx) => (await import('../commands/ledger')).ledgerCommand(args, ctx),
});
