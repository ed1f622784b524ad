/**
 * The options of one command: each command declares its own, and anything else on its command
 * line is a usage error naming the word (exit 2) — never silently ignored. Parsed with node:util's
 * parseArgs; the checks are ours so that every mistake gets a sentence in Chinese and in English.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../adapters/terminal/errors';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** How the help shows a string option's value: `--as-of YYYY-MM-DD`. */
  value?: string;
  /** The command cannot run without it. */
  required?: boolean;
  zh: string;
  en: string;
}

/** A command's options by long name (without the leading `--`). */
export type OptionSpecs = Record<string, OptionSpec>;

export interface ParsedOptions {
  positionals: string[];
  /** The values of the string options given (the last, when one is given twice). */
  strings: Partial<Record<string, string>>;
  /** Every value of each string option, in order: for options that may repeat (`--to A --to B`). */
  lists: Partial<Record<string, string[]>>;
  /** The boolean options given. */
  flags: Set<string>;
  /** `--help` or `-h` was given: the caller shows the command's help and runs nothing. */
  help: boolean;
}

/** The option every command has besides its own. */
const HELP_OPTION: OptionSpec = { type: 'boolean', zh: '显示本帮助', en: 'show this help' };

/** Parses a command's arguments against its declared options; a usage error for anything else. */
export function parseOptions(args: string[], specs: OptionSpecs): ParsedOptions {
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, { type: spec.type }]),
  );
  // Not strict: unknown options come back as tokens, so the error can name them in both languages.
  const { tokens } = parseArgs({
    args,
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  const parsed: ParsedOptions = { positionals: [], strings: {}, lists: {}, flags: new Set(), help: false };
  for (const token of tokens) {
    if (token.kind === 'positional') parsed.positionals.push(token.value);
    if (token.kind !== 'option') continue;
    if (token.name === 'help') {
      parsed.help = true;
      continue;
    }
    const spec = specs[token.name];
    if (spec === undefined) {
      throw new UsageError(`未知选项：${token.rawName}`, `Unknown option: ${token.rawName}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) {
        throw new UsageError(
          `选项 ${token.rawName} 不带取值：${token.rawName}=${token.value}`,
          `Option ${token.rawName} takes no value: ${token.rawName}=${token.value}`,
        );
      }
      parsed.flags.add(token.name);
      continue;
    }
    // `--out --json` would otherwise take "--json" for the folder; `--out=--json` still can.
    if (token.value === undefined || (token.inlineValue === false && token.value.startsWith('-'))) {
      throw new UsageError(
        `选项 ${token.rawName} 缺少取值（${token.rawName} ${spec.value ?? 'VALUE'}）`,
        `Option ${token.rawName} needs a value (${token.rawName} ${spec.value ?? 'VALUE'})`,
      );
    }
    parsed.strings[token.name] = token.value;
    parsed.lists[token.name] = [...(parsed.lists[token.name] ?? []), token.value];
  }
  if (!parsed.help) {
    for (const [name, spec] of Object.entries(specs)) {
      if (spec.required && parsed.strings[name] === undefined) {
        throw new UsageError(`缺少选项 --${name} ${spec.value ?? ''}`.trim(), `--${name} is missing`);
      }
    }
  }
  return parsed;
}

/** `--as-of YYYY-MM-DD` as a synopsis shows it: in brackets unless required. */
export function synopsisOf(specs: OptionSpecs): string {
  return Object.entries(specs)
    .map(([name, spec]) => {
      const option = spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`;
      return spec.required ? option : `[${option}]`;
    })
    .join(' ');
}

/** One line per option, the descriptions aligned: what `gongjian COMMAND --help` lists. */
export function optionLines(specs: OptionSpecs): string[] {
  const rows = Object.entries(specs).map(([name, spec]): [string, OptionSpec] => [
    spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`,
    spec,
  ]);
  rows.push(['-h, --help', HELP_OPTION]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, spec]) => `  ${left.padEnd(width)}  ${spec.zh} / ${spec.en}`);
}
