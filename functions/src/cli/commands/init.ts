/** `gongjian init PATH [--year YEAR] [--force]`: writes the sample workbook of §8. */
import { existsSync } from 'node:fs';
import type { IsoDate } from '../../../../shared/model';
import { samplePlanTitle, sampleWorkbook } from '../../../../shared/sample';
import type { RawWorkbook } from '../../../../shared/workbook';
import { todayIn } from '../../validateToday';
import { type WriteTab, writeCsvFolder } from '../../workbook';
import { assertNotOpen } from '../../workbook/fileGuard';
import { writeXlsx } from '../../workbook/xlsx';
import type { CliContext } from '../context';
import { UsageError } from '../errors';

export interface InitArgs {
  path: string;
  year: number | undefined;
  force: boolean;
}

/** Writes the sample as an .xlsx workbook, or as a folder of CSV files for any other path. */
export async function initCommand(args: InitArgs, ctx: CliContext): Promise<number> {
  if (existsSync(args.path) && !args.force) {
    throw new UsageError(
      `${args.path} 已存在，未覆盖（确需覆盖请加 --force）`,
      `${args.path} already exists and was left alone (add --force to overwrite it)`,
    );
  }
  // Overwriting a workbook under an office program that has it open would lose its next save.
  await assertNotOpen(args.path);
  const today = todayIn(ctx.now());
  const year = args.year ?? Number(today.slice(0, 4));
  await writeSample(args.path, year, today);
  ctx.out(`已写入示例「${samplePlanTitle(year)}」：${args.path}`);
  return 0;
}

/** Writes the sample workbook for a plan year, as seen on a date, to an .xlsx file or a CSV folder. */
export async function writeSample(path: string, year: number, today: IsoDate): Promise<void> {
  const tabs = writeTabs(sampleWorkbook(year, today));
  if (/\.xlsx$/i.test(path)) await writeXlsx(path, tabs);
  else await writeCsvFolder(path, tabs);
}

function writeTabs(workbook: RawWorkbook): WriteTab[] {
  return workbook.tabs.map((tab) => ({
    name: tab.name,
    header: tab.header.map((cell) => String(cell ?? '')),
    rows: tab.rows.map((row) => row.cells),
  }));
}
