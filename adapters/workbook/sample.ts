/** The sample plan (shared/sample.ts) written as a workbook: `gongjian init` and the local stack's first run. */
import type { IsoDate } from '../../shared/model';
import { sampleWorkbook } from '../../shared/sample';
import type { RawWorkbook } from '../../shared/workbook';
import { type WriteTab, writeCsvFolder } from './index';
import { writeXlsx } from './xlsx';

/** Writes the sample workbook for a plan year, as seen on a date, to an .xlsx file or a CSV folder. */
export async function writeSample(path: string, year: number, today: IsoDate): Promise<void> {
  const tabs = writeTabs(sampleWorkbook(year, today));
  if (/\.xlsx$/i.test(path)) await writeXlsx(path, tabs);
  else await writeCsvFolder(path, tabs);
}

/** A workbook in the neutral form as the tabs the writers take (header cells as text). */
export function writeTabs(workbook: RawWorkbook): WriteTab[] {
  return workbook.tabs.map((tab) => ({
    name: tab.name,
    header: tab.header.map((cell) => String(cell ?? '')),
    rows: tab.rows.map((row) => row.cells),
  }));
}
