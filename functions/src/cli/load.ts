/**
 * Reads and validates the workbook a command was pointed at, settling the as-of date: the
 * `--as-of` option, else today in the plan's time zone.
 */
import type { IsoDate } from '../../../shared/model';
import type { ValidationResult } from '../../../shared/validate';
import { validateAsOf } from '../validateToday';
import { readWorkbook } from '../workbook';
import type { CliContext } from './context';

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
  return validateAsOf(await readWorkbook(path), asOf, ctx.now());
}
