/**
 * The `gongjian` command line: parses arguments, runs one command and maps every error to an exit
 * code and one clear sentence (Chinese, then English). No stack traces for user mistakes.
 */
import { parseArgs } from 'node:util';
import { UnusableInputError } from '../../../shared/errors';
import { WorkbookChangingError, WorkbookOpenError } from '../workbook/fileGuard';
import { digestCommand } from './commands/digest';
import { initCommand } from './commands/init';
import { reportCommand } from './commands/report';
import { statsCommand } from './commands/stats';
import { validateCommand } from './commands/validate';
import { type CliContext, parseAsOf } from './context';
import { UsageError } from './errors';

const USAGE = `用法 / Usage:
  gongjian validate PATH [--as-of YYYY-MM-DD] [--json]   校验工作簿 / validate the workbook
  gongjian stats PATH [--as-of YYYY-MM-DD] [--json]      完成情况统计 / completion statistics
  gongjian init PATH [--year YYYY] [--force]             写入示例工作簿 / write the sample workbook
  gongjian digest PATH --as-of YYYY-MM-DD --out DIR      生成当天应发的邮件（不发送）/ render that day's emails
  gongjian report PATH [--year YYYY] [--as-of YYYY-MM-DD] [--out FILE.docx]
                                                         年度共建工作总结 / the year-end summary (.docx)

PATH 为 .xlsx 工作簿，或存放各工作表 CSV 文件的文件夹（计划.csv 或 plan.csv 等）。
PATH is an .xlsx workbook or a folder of CSV files, one per tab (计划.csv or plan.csv, ...).
退出码 / exit codes: 0 正常 ok · 1 有未通过校验的行 rows rejected · 2 无法使用的输入 unusable input`;

/** Runs the CLI with the given arguments and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    return await dispatch(argv, ctx);
  } catch (error) {
    return reportError(error, ctx);
  }
}

/** Says what went wrong in one sentence each in Chinese and English; returns the exit code. */
export function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof UsageError) {
    ctx.err(`${error.messageZh}\n${error.messageEn}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof UnusableInputError) {
    ctx.err(`无法使用输入：${error.messageZh}\nUnusable input: ${error.messageEn}`);
    return 2;
  }
  if (error instanceof WorkbookOpenError || error instanceof WorkbookChangingError) {
    ctx.err(`${error.messageZh}\n${error.messageEn}`);
    return 2;
  }
  // A bug, not a user mistake: say so plainly; the stack only on request.
  const detail = error instanceof Error ? error.message : String(error);
  ctx.err(`内部错误：${detail}\nInternal error: ${detail}`);
  if (ctx.debug && error instanceof Error && error.stack) ctx.err(error.stack);
  return 3;
}

async function dispatch(argv: string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    ctx.out(USAGE);
    return command === undefined ? 2 : 0;
  }
  const { values, positionals } = parseOptions(rest);
  const path = positionals[0];
  if (positionals.length > 1) {
    throw new UsageError(
      `多余的参数：${positionals.slice(1).join(' ')}`,
      `Unexpected arguments: ${positionals.slice(1).join(' ')}`,
    );
  }
  if (path === undefined) throw new UsageError('缺少 PATH 参数', 'PATH is missing');
  switch (command) {
    case 'validate':
      return validateCommand({ path, asOf: parseAsOf(values['as-of']), json: values.json === true }, ctx);
    case 'stats':
      return statsCommand({ path, asOf: parseAsOf(values['as-of']), json: values.json === true }, ctx);
    case 'digest': {
      if (values.out === undefined) throw new UsageError('缺少 --out 目录', '--out DIR is missing');
      return digestCommand({ path, asOf: parseAsOf(values['as-of']), out: values.out }, ctx);
    }
    case 'report':
      return reportCommand(
        { path, year: parseYear(values.year), asOf: parseAsOf(values['as-of']), out: values.out },
        ctx,
      );
    case 'init':
      return initCommand({ path, year: parseYear(values.year), force: values.force === true }, ctx);
    default:
      throw new UsageError(`未知命令：${command}`, `Unknown command: ${command}`);
  }
}

function parseOptions(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        'as-of': { type: 'string' },
        json: { type: 'boolean' },
        year: { type: 'string' },
        force: { type: 'boolean' },
        out: { type: 'string' },
      },
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new UsageError(`参数有误：${detail}`, `Bad arguments: ${detail}`);
  }
}

function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const year = Number(value);
  if (!Number.isInteger(year) || year < 2000 || year > 2999) {
    throw new UsageError(`--year 须为四位年份：${value}`, `--year must be a four-digit year: ${value}`);
  }
  return year;
}
