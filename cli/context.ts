/**
 * What a CLI command may touch, built once in main.ts and passed in: output streams and the clock.
 * Commands never read process.* themselves.
 */

import { UsageError } from '../adapters/terminal/errors';
import type { Progress } from '../adapters/terminal/progress';
import { parseIsoDate } from '../shared/dates';
import type { IsoDate } from '../shared/model';

export interface CliContext {
  out: (text: string) => void;
  /**
   * Writes a piece of a long output (no newline added), resolving once the stream can take more:
   * output of any size goes out in pieces without piling up in memory. Without it, pieces go to
   * `out` (each piece ends with a newline, which `out` adds back).
   */
  write?: (chunk: string) => Promise<void>;
  err: (text: string) => void;
  now: () => Date;
  /** Print stacks of internal errors (GONGJIAN_DEBUG). */
  debug?: boolean;
  /** Where progress on large inputs goes (stderr); none, none shown. */
  progress?: Progress;
}

/** The `--as-of` option: a strict `YYYY-MM-DD` (other forms are a usage error, not a guess). */
export function parseAsOf(value: string | undefined): IsoDate | undefined {
  return parseDateOption('--as-of', value);
}

/** A date option (`--as-of`, `--due`): a strict `YYYY-MM-DD`, else a usage error naming the option. */
export function parseDateOption(option: string, value: string | undefined): IsoDate | undefined {
  if (value === undefined) return undefined;
  const date = parseIsoDate(value.trim());
  if (date === undefined) {
    throw new UsageError(
      `${option} 须为 YYYY-MM-DD 格式的日期：${value}`,
      `${option} must be a date as YYYY-MM-DD: ${value}`,
    );
  }
  return date;
}
