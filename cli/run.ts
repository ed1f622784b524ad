/**
 * The `gongjian` command line: parses arguments, runs one command of the table (registry.ts) and
 * maps every error to an exit code and one clear sentence (Chinese, then English). No stack traces
 * for user mistakes. Nothing here knows a command: each brings its options, help and action.
 */

import { reportTerminalError, UsageError } from '../adapters/terminal/errors';
import { version } from '../package.json';
import { type CliCommand, exitCodes, WORKBOOK_PATH } from './command';
import type { CliContext } from './context';
import { optionLines, parseOptions, synopsisOf } from './options';
import { COMMANDS } from './registry';

/** The overview's note: what PATH is for most commands, and the exit codes of `validate`. */
const PATH_NOTE = `${WORKBOOK_PATH}
${exitCodes('0 正常 ok', '1 有未通过校验的行 rows rejected', '2 无法使用的输入 unusable input')}`;

const PATHS = { many: 'PATH…', ids: 'PATH ID…' } as const;
const synopsis = (name: string, command: CliCommand) =>
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
function commandUsage(name: string, command: CliCommand): string {
  const options = optionLines(command.options).join('\n');
  return `用法 / Usage: ${synopsis(name, command)}\n${command.summary}\n\n选项 / Options:\n${options}\n\n${command.help}`;
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
