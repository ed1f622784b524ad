/** `gongjian rollup`: the district roll-up of many plans (cli/commands/rollup.ts). */
import { AS_OF, defineCommand } from '../command';
import { parseAsOf } from '../context';

export const rollup = defineCommand({
  summary: '街道共建汇总：多个社区计划的统计汇总 / the district roll-up of many plans',
  paths: 'many',
  options: {
    'as-of': {
      ...AS_OF,
      zh: '统计日期，缺省为各计划时区的今天',
      en: "the as-of date; today in each plan's time zone by default",
    },
    out: {
      type: 'string',
      value: 'FILE.xlsx',
      zh: '汇总工作簿，缺省为当前文件夹的 街道汇总.xlsx',
      en: 'the roll-up workbook; 街道汇总.xlsx in the current folder by default',
    },
    json: {
      type: 'boolean',
      zh: '输出 JSON，不写工作簿',
      en: 'print JSON instead of writing the workbook',
    },
  },
  help: `PATH… 为 .xlsx 工作簿、存放各工作表 CSV 文件的文件夹，或存放多个工作簿的文件夹（其中每个 .xlsx
按文件名顺序各为一个社区）。每个计划的统计与 gongjian stats 相同；同名社区各占一行，以文件名区分。
PATH… are .xlsx workbooks, folders of CSV files (one plan each), or folders of workbooks (each
.xlsx inside is a plan, in name order). Each plan is counted as gongjian stats counts it; two plans
of the same community keep a row each, told apart by file name.
退出码 / exit codes: 0 已写入（或已输出 JSON）written (or JSON printed) · 2 无法使用的输入（指明是哪个
PATH）、用法错误、汇总工作簿正在办公软件中打开或其文件夹不存在 unusable input (naming the PATH), a
usage mistake, the roll-up workbook open in an office program or its folder missing · 3 内部错误
internal error`,
  // Every PATH: run.ts has checked that there is at least one.
  args: (_path, o) => ({
    paths: o.positionals,
    asOf: parseAsOf(o.strings['as-of']),
    out: o.strings.out,
    json: o.flags.has('json'),
  }),
  action: async (args, ctx) => (await import('../commands/rollup')).rollupCommand(args, ctx),
});
