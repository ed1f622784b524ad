/**
 * Validation "as of today" for the runtimes that have a clock (CLI, functions): today is the
 * calendar date in the plan's time zone, which is only known once the settings are read.
 */
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { DEFAULT_TIMEZONE, type IsoDate } from '../../shared/model';
import { type ValidateOptions, type ValidationResult, validateWorkbook } from '../../shared/validate';
import type { RawWorkbook } from '../../shared/workbook';

/** Today's calendar date in a time zone. */
export function todayIn(now: Date, timezone: string = DEFAULT_TIMEZONE): IsoDate {
  return format(new TZDate(now, timezone), 'yyyy-MM-dd');
}

/** Validates as of the given date, else as of today in the plan's own time zone. */
export function validateAsOf(
  workbook: RawWorkbook,
  asOf: IsoDate | undefined,
  now: Date,
  options: Omit<ValidateOptions, 'asOf'> = {},
): { result: ValidationResult; asOf: IsoDate } {
  const firstGuess = asOf ?? todayIn(now, DEFAULT_TIMEZONE);
  const result = validateWorkbook(workbook, { ...options, asOf: firstGuess });
  if (asOf !== undefined) return { result, asOf };
  const today = todayIn(now, result.model.settings.timezone);
  if (today === firstGuess) return { result, asOf: today };
  return { result: validateWorkbook(workbook, { ...options, asOf: today }), asOf: today };
}
