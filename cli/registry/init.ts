/** `gongjian init`: writes the sample workbook of SPEC §8 (cli/commands/init.ts). */
import { defineCommand, helpOf, parseYear, YEAR } from '../command';

export const init = defineCommand({
  summary: '写入示例工作簿 / write the sample workbook',
  options: {
    year: { ...YEAR, zh: '示例的计划年度，缺省为今年', en: 'the sample’s plan year; this year by default' },
    force: { type: 'boolean', zh: '覆盖已有的文件', en: 'overwrite an existing file' },
  },
  help: helpOf(
    `PATH 以 .xlsx 结尾则写入工作簿，否则写入存放各工作表 CSV 文件的文件夹。
PATH ending in .xlsx gets a workbook, any other a folder of CSV files, one per tab.`,
    '0 已写入 written',
    '2 PATH 已存在（未加 --force）、文件正在办公软件中打开、用法错误 PATH exists (without --force), the file open in an office program, a usage mistake',
  ),
  args: (path, o) => ({ path, year: parseYear(o.strings.year), force: o.flags.has('force') }),
  action: async (args, ctx) => (await import('../commands/init')).initCommand(args, ctx),
});
