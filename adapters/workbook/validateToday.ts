/**
 * Validation "as of today" for the runtimes that have a clock (CLI, functions): today is the
 * calendar date in the plan's time zone, which is only known once the settings are read.
 */
import { RECORD_TABS } from '../../shared/columns';
import type { IsoDate } from '../../shared/model';
import { todayIn } from '../../shared/today';
import {
  recogniseTabNames,
  type ValidateOptions,
  type ValidationResult,
  validateAsOfToday,
  validateWorkbook,
  WorkbookValidation,
} from '../../shared/validate';
import type { RawRow, RawWorkbook } from '../../shared/workbook';
import type { WorkbookSource } from './common';

/** Validates as of the given date, else as of today in the plan's own time zone. */
export function validateAsOf(
  workbook: RawWorkbook,
  asOf: IsoDate | undefined,
  now: Date,
  options: Omit<ValidateOptions, 'asOf'> = {},
): { result: ValidationResult; asOf: IsoDate } {
  if (asOf !== undefined) return { result: validateWorkbook(workbook, { ...options, asOf }), asOf };
  return validateAsOfToday(workbook, (timezone) => todayIn(now, timezone), options);
}

/**
 * validateAsOf over a workbook source, tab by tab and row by row in the order validation needs
 * (settings, partners, plan, activities, then the optional 节假日): no more of the file is held than the tab being read,
 * and "today" is settled from the settings before any activity is checked.
 */
export async function validateSourceAsOf(
  source: WorkbookSource,
  asOf: IsoDate | undefined,
  now: Date,
  options: Omit<ValidateOptions, 'asOf'> = {},
): Promise<{ result: ValidationResult; asOf: IsoDate }> {
  const at = recogniseTabNames(source.names);
  const present = new Set(Object.keys(at) as (keyof typeof at)[]);
  const validation = new WorkbookValidation(present, {
    ...options,
    asOf: asOf ?? ((timezone) => todayIn(now, timezone)),
  });
  if (at.settings === undefined) validation.settings(undefined);
  else {
    const { header, rows } = await source.open(at.settings);
    const read: RawRow[] = [];
    for await (const row of rows) read.push(row);
    validation.settings({ name: source.names[at.settings] as string, header, rows: read });
  }
  for (const key of RECORD_TABS) {
    const index = at[key];
    if (index === undefined) continue;
    const { header, rows } = await source.open(index);
    const feed = validation.tab(key, source.names[index] as string, header);
    for await (const row of rows) feed.row(row);
    feed.end();
  }
  if (at.holidays !== undefined) {
    const { header, rows } = await source.open(at.holidays);
    const feed = validation.holidays(source.names[at.holidays] as string, header);
    for await (const row of rows) feed.row(row);
    feed.end();
  }
  return { result: validation.result(), asOf: validation.asOf };
}
