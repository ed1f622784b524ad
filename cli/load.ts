/**
 * Reads and validates the workbook a command was pointed at, settling the as-of date: the
 * `--as-of` option, else today in the plan's time zone.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LARGE_INPUT_BYTES } from '../adapters/terminal/progress';
import { openWorkbook } from '../adapters/workbook';
import { validateSourceAsOf } from '../adapters/workbook/validateToday';
import type { IsoDate } from '../shared/model';
import type { ValidationResult } from '../shared/validate';
import type { CliContext } from './context';

export interface LoadedPlan {
  result: ValidationResult;
  asOf: IsoDate;
}

/**
 * Reads PATH and validates it as of the given date (or today in the plan's zone), showing
 * progress (rows read and validated) when the input is large.
 */
export async function loadPlan(
  path: string,
  asOf: IsoDate | undefined,
  ctx: CliContext,
): Promise<LoadedPlan> {
  const progress =
    ctx.progress !== undefined && (await inputBytes(path)) >= LARGE_INPUT_BYTES ? ctx.progress : undefined;
  try {
    // Read and validated together, tab by tab: a large file is never held whole.
    return await validateSourceAsOf(await openWorkbook(path, progress?.rows), asOf, ctx.now());
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
