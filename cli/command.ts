/**
 * What a `gongjian` command is: one module under cli/registry/ declares its options, summary, help
 * (what PATH is and every exit code), the checks on its arguments and its action, and run.ts
 * dispatches over the one table of them (cli/registry.ts).
 *
 * Cheap by construction: a definition imports nothing heavier than this module, options.ts and
 * context.ts, and its action loads the command's work (cli/commands/<name>.ts: workbooks, .docx,
 * charts, mail, sharp) with `await import` only once its arguments have passed their checks. So
 * `gongjian --help`, a mistyped date and `validate` load no code another command needs
 * (tests/cli/offline.test.ts watches what each run loads).
 */
import { UsageError } from '../adapters/terminal/errors';
import { type CliContext, parseAsOf } from './context';
import type { OptionSpec, OptionSpecs, ParsedOptions } from './options';

/** A command as run.ts sees it: what its help shows, and how to run it on checked options. */
export interface CliCommand {
  summary: string;
  options: OptionSpecs;
  /**
   * `PATH…`: the command takes one or more paths (`options.positionals`); `PATH ID…`: one path
   * and then IDs (restore); the others take exactly one and refuse more.
   */
  paths?: 'many' | 'ids';
  /** The end of its help: what PATH is, then every exit code it can end with. */
  help: string;
  /** Checks the option values (a usage error names the mistake), then loads and runs the work. */
  run: (path: string, options: ParsedOptions, ctx: CliContext) => Promise<number>;
}

/** A command as its module declares it: its arguments are typed from the check to the action. */
export interface CommandDefinition<Args> extends Omit<CliCommand, 'run'> {
  /** The arguments from the command line, checked: runs before anything is read or loaded. */
  args: (path: string, options: ParsedOptions) => Args;
  /** Loads the command's work (`await import`) and runs it; returns the exit code. */
  action: (args: Args, ctx: CliContext) => Promise<number>;
}

/** The definition as the table holds it: every command's arguments checked before its action. */
export function defineCommand<Args>({ args, action, ...shown }: CommandDefinition<Args>): CliCommand {
  return { ...shown, run: (path, options, ctx) => action(args(path, options), ctx) };
}

/** The as-of date of every command that counts. */
export const AS_OF: OptionSpec = {
  type: 'string',
  value: 'YYYY-MM-DD',
  zh: '统计日期，缺省为计划时区的今天',
  en: "the as-of date; today in the plan's time zone by default",
};
export const JSON_OUTPUT: OptionSpec = { type: 'boolean', zh: '输出 JSON', en: 'print JSON' };
export const YEAR: OptionSpec = { type: 'string', value: 'YYYY', zh: '计划年度', en: 'the plan year' };

/** The options of `validate` and `stats`, and their arguments. */
export const AS_OF_AND_JSON: OptionSpecs = { 'as-of': AS_OF, json: JSON_OUTPUT };
export function asOfAndJson(path: string, options: ParsedOptions) {
  return { path, asOf: parseAsOf(options.strings['as-of']), json: options.flags.has('json') };
}

/** What PATH is for a command that reads a plan's workbook. */
export const WORKBOOK_PATH = `PATH 为 .xlsx 工作簿，或存放各工作表 CSV 文件的文件夹（计划.csv 或 plan.csv 等）。
PATH is an .xlsx workbook or a folder of CSV files, one per tab (计划.csv or plan.csv, ...).`;

/** What PATH is for a command that works through the running local stack. */
export const STACK_PATH = `PATH 为本地服务（npm start）正在运行的 .xlsx 工作簿。
PATH is the .xlsx workbook the local stack (npm start) runs on.`;

/**
 * The end of a command's help: what PATH is, then every exit code it can end with (`N 中文 English`),
 * and 3 last, which every command can end with (a bug: adapters/terminal/errors.ts).
 */
export function helpOf(path: string, ...codes: string[]): string {
  return `${path}\n${exitCodes(...codes, INTERNAL_EXIT)}`;
}

/** The line of a help that lists the exit codes. */
export function exitCodes(...codes: string[]): string {
  return `退出码 / exit codes: ${codes.join(' · ')}`;
}

const INTERNAL_EXIT = '3 内部错误 internal error';

/** Exit 2 of a command that reads a workbook. */
export const UNUSABLE_EXIT = '2 无法使用的输入、用法错误 unusable input, a usage mistake';

/** Exit 2 of a command that works through the running local stack. */
export const STACK_EXIT =
  '2 用法错误、本地服务未运行或服务拒绝 a usage mistake, no stack running, or a refusal by the stack';

/** A string option: `--name VALUE` and what it is, in Chinese and English. */
export function stringOption(value: string, zh: string, en: string): OptionSpec {
  return { type: 'string', value, zh, en };
}

/** `--year YYYY`: a four-digit year, else a usage error. */
export function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const year = Number(value);
  if (!Number.isInteger(year) || year < 2000 || year > 2999) {
    throw new UsageError(`--year 须为四位年份：${value}`, `--year must be a four-digit year: ${value}`);
  }
  return year;
}
