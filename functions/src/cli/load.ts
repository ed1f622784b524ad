/**
 * Reads and validates the workbook a command was pointed at, settling the as-of date: the
 * `--as-of` option, else today in the plan's time zone.
 */
import { DEFAULT_TIMEZONE, type IsoDate } from '../../../shared/model';
import { type ValidationResult, validateWorkbook } from '../../../shared/validate';
import { readWorkbook } from '../workbook';
import { type CliContext, todayIn } from './context';

export interface LoadedPlan {
  result: ValidationResult;
  asOf: IsoDate;
}

/** Reads PATH and validates it as of the given date (or today in the plan's zone). */
export async function loadPlan(
  path: string,
  asOf: IsoDate | undefined,
  ctx: CliContext,
): Promise<LoadedPlan> {
  const workbook = await readWorkbook(path);
  const firstGuess = asOf ?? todayIn(ctx.now(), DEFAULT_TIMEZONE);
  const result = validateWorkbook(workbook, { asOf: firstGuess });
  if (asOf !== undefined) return { result, asOf };
  // The plan may live in another zone, where today can be another date.
  const today = todayIn(ctx.now(), result.model.settings.timezone);
  if (today === firstGuess) return { result, asOf: today };
  return { result: validateWorkbook(workbook, { asOf: today }), asOf: today };
}
