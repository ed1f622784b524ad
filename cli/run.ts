/**
 * The `gongjian` command line: parses arguments, runs one command and maps every error to an exit
 * code and one clear sentence (Chinese, then English). No stack traces for user mistakes.
 */

import { reportTerminalError, UsageError } from '../adapters/terminal/errors';
import { version } from '../package.json';
import { type CliContext, parseAsOf, parseDateOption } from './context';
import {
  type OptionSpec,
  type OptionSpecs,
  optionLines,
  type ParsedOptions,
  parseOptions,
  synopsisOf,
} from './options';

interface Command {
  summary: string;
  options: OptionSpecs;
  /**
   * Checks the options' values, then loads the command's module: `--help` or `validate` load no
   * .docx, chart or mail code, and a mistyped date loads nothing.
   */
  run: (path: string, options: ParsedOptions, ctx: CliContext) => Promise<number>;
  /**
   * `PATH…`: the command takes one or more paths (`options.positionals`); `PATH ID…`: one path
   * and then IDs (restore); the others take exactly one and refuse more.
   */
  paths?: 'many' | 'ids';
  /** What its help says of PATH and the exit codes, when not the common PATH_NOTE. */
  note?: string;
}

const AS_OF: OptionSpec = {
  type: 'string',
  value: 'YYYY-MM-DD',
  zh: '统计日期，缺省为计划时区的今天',
  en: "the as-of date; today in the plan's time zone by default",
};
const JSON_OUTPUT: OptionSpec = { type: 'boolean', zh: '输出 JSON', en: 'print JSON' };
const YEAR: OptionSpec = { type: 'string', value: 'YYYY', zh: '计划年度', en: 'the plan year' };

/** Every command with the options it accepts: nothing else is accepted on its command line. */
const COMMANDS: Record<string, Command> = {
  validate: {
    summary: '校验工作簿 / validate the workbook',
    options: { 'as-of': AS_OF, json: JSON_OUTPUT },
    run: async (path, o, ctx) => {
      const args = { path, asOf: parseAsOf(o.strings['as-of']), json: o.flags.has('json') };
      const { validateCommand } = await import('./commands/validate');
      return validateCommand(args, ctx);
    },
  },
  stats: {
    summary: '完成情况统计 / completion statistics',
    options: { 'as-of': AS_OF, json: JSON_OUTPUT },
    run: async (path, o, ctx) => {
      const args = { path, asOf: parseAsOf(o.strings['as-of']), json: o.flags.has('json') };
      const { statsCommand } = await import('./commands/stats');
      return statsCommand(args, ctx);
    },
  },
  init: {
    summary: '写入示例工作簿 / write the sample workbook',
    options: {
      year: { ...YEAR, zh: '示例的计划年度，缺省为今年', en: 'the sample’s plan year; this year by default' },
      force: { type: 'boolean', zh: '覆盖已有的文件', en: 'overwrite an existing file' },
    },
    run: async (path, o, ctx) => {
      const args = { path, year: parseYear(o.strings.year), force: o.flags.has('force') };
      const { initCommand } = await import('./commands/init');
      return initCommand(args, ctx);
    },
  },
  digest: {
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
    run: async (path, o, ctx) => {
      // --out is required: parseOptions has refused its absence.
      const args = { path, asOf: parseAsOf(o.strings['as-of']), out: o.strings.out ?? '' };
      const { digestCommand } = await import('./commands/digest');
      return digestCommand(args, ctx);
    },
  },
  report: {
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
    run: async (path, o, ctx) => {
      const { year, out } = o.strings;
      const args = { path, year: parseYear(year), asOf: parseAsOf(o.strings['as-of']), out };
      const { reportCommand } = await import('./commands/report');
      return reportCommand(args, ctx);
    },
  },
  ledger: {
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
    note: `PATH 为 .xlsx 工作簿，或存放各工作表 CSV 文件的文件夹。照片取自工作簿旁的 佐证材料/<记录编号>/*.jpg。
PATH is an .xlsx workbook or a folder of CSV files. Photos come from 佐证材料/<记录编号>/*.jpg beside it.
退出码 / exit codes: 0 已写入 written · 2 无法使用的输入、用法错误、未知的共建单位、文档正在办公软件中打开
unusable input, a usage mistake, an unknown partner unit, the document open in an office program · 3 内部错误 internal error`,
    run: async (path, o, ctx) => {
      const args = {
        path,
        from: parseDateOption('--from', o.strings.from),
        to: parseDateOption('--to', o.strings.to),
        partner: o.strings.partner,
        out: o.strings.out,
      };
      const { ledgerCommand } = await import('./commands/ledger');
      return ledgerCommand(args, ctx);
    },
  },
  rollup: {
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
    note: `PATH… 为 .xlsx 工作簿、存放各工作表 CSV 文件的文件夹，或存放多个工作簿的文件夹（其中每个 .xlsx
按文件名顺序各为一个社区）。每个计划的统计与 gongjian stats 相同；同名社区各占一行，以文件名区分。
PATH… are .xlsx workbooks, folders of CSV files (one plan each), or folders of workbooks (each
.xlsx inside is a plan, in name order). Each plan is counted as gongjian stats counts it; two plans
of the same community keep a row each, told apart by file name.
退出码 / exit codes: 0 已写入（或已输出 JSON）written (or JSON printed) · 2 无法使用的输入（指明是哪个
PATH）、用法错误、汇总工作簿正在办公软件中打开或其文件夹不存在 unusable input (naming the PATH), a
usage mistake, the roll-up workbook open in an office program or its folder missing · 3 内部错误
internal error`,
    run: async (_path, o, ctx) => {
      const args = {
        paths: o.positionals,
        asOf: parseAsOf(o.strings['as-of']),
        out: o.strings.out,
        json: o.flags.has('json'),
      };
      const { rollupCommand } = await import('./commands/rollup');
      return rollupCommand(args, ctx);
    },
  },
  request: {
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
    run: async (path, o, ctx) => {
      const args = {
        path,
        to: o.lists.to ?? [],
        message: o.strings.message,
        due: parseDateOption('--due', o.strings.due),
        revoke: o.strings.revoke,
      };
      const { requestCommand } = await import('./commands/request');
      return requestCommand(args, ctx);
    },
  },
  'confirm-deletions': {
    summary: '确认本地服务暂缓的大批删除 / confirm the mass deletion the local stack held back',
    options: {},
    note: `PATH 为本地服务（npm start）正在运行的 .xlsx 工作簿。确认的是最近一次同步暂缓的那些行；确认后本地服务
立即再次同步并删除它们。若此后工作簿又有变化，下一次同步不删除，并说明现在将删除哪些行。
PATH is the .xlsx workbook the local stack (npm start) runs on. This confirms the rows its last sync
held back; the stack then syncs again at once and deletes them. If the workbook changes meanwhile,
that sync deletes nothing and says what it would delete now.
退出码 / exit codes: 0 已确认 confirmed · 2 本地服务未运行、没有待确认的删除或要删除的行已变化 no stack
running, nothing held back, or the rows to delete changed`,
    run: async (path, _o, ctx) => {
      const { confirmDeletionsCommand } = await import('./commands/confirmDeletions');
      return confirmDeletionsCommand({ path }, ctx);
    },
  },
  history: {
    summary: '经本地服务查看变更记录 / the change history (through npm start)',
    options: {
      row: { type: 'string', value: 'ID', zh: '只看这条记录', en: 'only this record' },
      since: { type: 'string', value: 'YYYY-MM-DD', zh: '自此日起', en: 'from this day on' },
      json: JSON_OUTPUT,
    },
    run: async (path, o, ctx) => {
      const args = {
        path,
        row: o.strings.row,
        since: parseDateOption('--since', o.strings.since),
        json: o.flags.has('json'),
      };
      const { historyCommand } = await import('./commands/history');
      return historyCommand(args, ctx);
    },
  },
  restore: {
    summary:
      '经本地服务恢复已删除的记录（活动、共建单位、计划事项）/ restore deleted records (through npm start)',
    options: {
      field: {
        type: 'string',
        value: 'NAME',
        zh: '把此记录的这一列恢复为最近一次修改前的值（列标题或字段名）',
        en: 'restore this column of the one record to its value before its latest change (header or field key)',
      },
    },
    paths: 'ids',
    run: async (path, o, ctx) => {
      const ids = o.positionals.slice(1);
      if (ids.length === 0) throw new UsageError('缺少要恢复的记录编号', 'Give the IDs to restore');
      const field = o.strings.field;
      if (field !== undefined && ids.length !== 1)
        throw new UsageError('--field 只能恢复一条记录的值', '--field restores a value of one record');
      const { restoreCommand } = await import('./commands/restore');
      return restoreCommand({ path, ids, ...(field !== undefined && { field }) }, ctx);
    },
  },
  district: {
    summary:
      '街道管理：创建街道、加入或移出计划、增减查看人与管理员 / a district: create it, add or remove plans and people',
    options: {
      api: { type: 'string', value: 'URL', zh: '服务地址', en: 'the API URL' },
      create: {
        type: 'string',
        value: 'NAME',
        zh: '以此名称创建街道',
        en: 'create the district with this name',
      },
      add: { type: 'string', value: 'PLAN', zh: '加入此计划', en: 'add this plan' },
      remove: { type: 'string', value: 'PLAN', zh: '移出此计划', en: 'remove this plan' },
      sheet: {
        type: 'string',
        value: 'SPREADSHEET_ID',
        zh: '街道汇总写入此 Google 表格（须先共享给服务账号）',
        en: 'write the roll-up into this Google Sheet (shared with the service account first)',
      },
      viewer: {
        type: 'string',
        value: 'EMAIL',
        zh: '（创建时）查看人邮箱，可重复',
        en: '(with --create) a viewer email; repeat it',
      },
      admin: {
        type: 'string',
        value: 'EMAIL',
        zh: '（创建时）管理员邮箱，可重复',
        en: '(with --create) an admin email; repeat it',
      },
      timezone: { type: 'string', value: 'TZ', zh: '（创建时）时区', en: '(with --create) the time zone' },
      'add-viewer': {
        type: 'string',
        value: 'EMAIL',
        zh: '加入查看人，可重复',
        en: 'add a viewer; repeat it',
      },
      'remove-viewer': {
        type: 'string',
        value: 'EMAIL',
        zh: '移除查看人，可重复',
        en: 'remove a viewer; repeat it',
      },
      'add-admin': {
        type: 'string',
        value: 'EMAIL',
        zh: '加入管理员，可重复',
        en: 'add an admin; repeat it',
      },
      'remove-admin': {
        type: 'string',
        value: 'EMAIL',
        zh: '移除管理员，可重复',
        en: 'remove an admin; repeat it',
      },
    },
    note: `PATH 为街道编号（字母、数字、_ 与 -）。身份令牌取自环境变量 GONGJIAN_TOKEN。
PATH is the district ID (letters, digits, _ and -). The identity token is read from GONGJIAN_TOKEN.
退出码 / exit codes: 0 完成 done · 2 用法错误或服务拒绝 a usage mistake or a refusal by the server`,
    run: async (districtId, o, ctx) => {
      const args = {
        districtId,
        apiUrl: o.strings.api,
        token: process.env.GONGJIAN_TOKEN,
        create: o.strings.create,
        add: o.strings.add,
        remove: o.strings.remove,
        sheet: o.strings.sheet,
        viewers: o.lists.viewer ?? [],
        admins: o.lists.admin ?? [],
        addViewers: o.lists['add-viewer'] ?? [],
        removeViewers: o.lists['remove-viewer'] ?? [],
        addAdmins: o.lists['add-admin'] ?? [],
        removeAdmins: o.lists['remove-admin'] ?? [],
        timezone: o.strings.timezone,
      };
      const { districtCommand } = await import('./commands/district');
      return districtCommand(args, ctx);
    },
  },
};

const PATH_NOTE = `PATH 为 .xlsx 工作簿，或存放各工作表 CSV 文件的文件夹（计划.csv 或 plan.csv 等）。
PATH is an .xlsx workbook or a folder of CSV files, one per tab (计划.csv or plan.csv, ...).
退出码 / exit codes: 0 正常 ok · 1 有未通过校验的行 rows rejected · 2 无法使用的输入 unusable input`;

const PATHS = { many: 'PATH…', ids: 'PATH ID…' } as const;
const synopsis = (name: string, command: Command) =>
  `gongjian ${name} ${command.paths ? PATHS[command.paths] : 'PATH'} ${synopsisOf(command.options)}`;

/** `gongjian --help`: every command on one line (two when its synopsis is long). */
function usage(): string {
  const rows: [string, string][] = [
    ...Object.entries(COMMANDS).map(([name, command]): [string, string] => [
      synopsis(name, command),
      command.summary,
    ]),
    ['gongjian COMMAND --help', '该命令的选项 / the options of a command'],
    ['gongjian --version', '版本号 / the version'],
  ];
  const width = 52;
  const lines = rows.map(([left, right]) =>
    left.length <= width ? `  ${left.padEnd(width)}  ${right}` : `  ${left}\n  ${''.padEnd(width)}  ${right}`,
  );
  return `用法 / Usage:\n${lines.join('\n')}\n\n${PATH_NOTE}`;
}

/** `gongjian COMMAND --help`: the command's synopsis and each of its options. */
function commandUsage(name: string, command: Command): string {
  const options = optionLines(command.options).join('\n');
  return `用法 / Usage: ${synopsis(name, command)}\n${command.summary}\n\n选项 / Options:\n${options}\n\n${command.note ?? PATH_NOTE}`;
}

/** The help a usage error of these arguments ends with: the command's own, or the overview. */
function usageFor(argv: string[]): string {
  const name = argv[0] ?? '';
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  return command === undefined ? usage() : commandUsage(name, command);
}

/** Runs the CLI with the given arguments and returns the exit code. */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  try {
    return await dispatch(argv, ctx);
  } catch (error) {
    return reportError(error, ctx, usageFor(argv));
  }
}

/** The CLI's boundary: adapters/terminal/errors.ts's, with the usage shown under a usage error. */
export function reportError(error: unknown, ctx: CliContext, help = usage()): number {
  return reportTerminalError(error, ctx, help);
}

async function dispatch(argv: string[], ctx: CliContext): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('缺少命令', 'COMMAND is missing');
  if (name === '--version') {
    ctx.out(`gongjian ${version}`);
    return 0;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    // `gongjian help validate` is `gongjian validate --help`.
    ctx.out(usageFor(rest));
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    if (name.startsWith('-')) throw new UsageError(`未知选项：${name}`, `Unknown option: ${name}`);
    throw new UsageError(`未知命令：${name}`, `Unknown command: ${name}`);
  }
  const options = parseOptions(rest, command.options);
  if (options.help) {
    ctx.out(commandUsage(name, command));
    return 0;
  }
  const [path, ...extra] = options.positionals;
  if (extra.length > 0 && command.paths === undefined) {
    throw new UsageError(`多余的参数：${extra.join(' ')}`, `Unexpected arguments: ${extra.join(' ')}`);
  }
  if (path === undefined) throw new UsageError('缺少 PATH 参数', 'PATH is missing');
  return command.run(path, options, ctx);
}

function parseYear(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const year = Number(value);
  if (!Number.isInteger(year) || year < 2000 || year > 2999) {
    throw new UsageError(`--year 须为四位年份：${value}`, `--year must be a four-digit year: ${value}`);
  }
  return year;
}
