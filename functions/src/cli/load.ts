/**
 * Reads and validates the workbook a command was pointed at, settling the as-of date: the
 * `--as-of` option, else today in the plan's time zone.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { IsoDate } from '../../../shared/model';
import type { ValidationResult } from '../../../shared/validate';
import { validateAsOf } from '../validateToday';
import { readWorkbook } from '../workbook';
import type { CliContext } from './context';
import { LARGE_INPUT_BYTES } from './progress';

export interface LoadedPlan {
  result: ValidationResult;
  asOf: IsoDate;
}

/**
 * Reads PATH and validates it as of the given date (or today in the plan's zone), showing
 * progress when the input is large.
 */
export async function loadPlan(
  path: string,
  asOf: IsoDate | undefined,
  ctx: CliContext,
): Promise<LoadedPlan> {
  const progress =
    ctx.progress !== undefined && (await inputBytes(path)) >= LARGE_INPUT_BYTES ? ctx.progress : undefined;
  try {
    const workbook = await readWorkbook(path, progress?.rows);
    const rows = workbook.tabs.reduce((sum, tab) => sum + tab.rows.length, 0);
    progress?.stage(`校验 ${rows.toLocaleString('en')} 行`, `validating ${rows.toLocaleString('en')} rows`);
    return validateAsOf(workbook, asOf, ctx.now());
  } finally {
    progress?.end();
  }
}

/** The size of the file, or of the CSV files in the folder; 0 when it cannot be read (reading will say why). */
async function inputBytes(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isDirectory()) return info.size;
    let total = 0;
    for (const name of await readdir(path)) {
      if (/\.csv$/i.test(name)) total += (await stat(join(path, name))).size;
    }
    return total;
  } catch {
    return 0;
  }
}
