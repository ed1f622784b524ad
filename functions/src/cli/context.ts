/**
 * What a CLI command may touch, built once in main.ts and passed in: output streams and the clock.
 * Commands never read process.* themselves.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns';
import { parseIsoDate } from '../../../shared/dates';
import { DEFAULT_TIMEZONE, type IsoDate } from '../../../shared/model';
import { UsageError } from './errors';

export interface CliContext {
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => Date;
  /** Print stacks of internal errors (GONGJIAN_DEBUG). */
  debug?: boolean;
}

/** Today's calendar date in a time zone. */
export function todayIn(now: Date, timezone: string = DEFAULT_TIMEZONE): IsoDate {
  return format(new TZDate(now, timezone), 'yyyy-MM-dd');
}

/** The `--as-of` option: a strict `YYYY-MM-DD` (other forms are a usage error, not a guess). */
export function parseAsOf(value: string | undefined): IsoDate | undefined {
  if (value === undefined) return undefined;
  const date = parseIsoDate(value.trim());
  if (date === undefined) {
    throw new UsageError(
      `--as-of 须为 YYYY-MM-DD 格式的日期：${value}`,
      `--as-of must be a date as YYYY-MM-DD: ${value}`,
    );
  }
  return date;
}
