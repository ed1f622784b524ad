/** `gongjian init PATH [--year YEAR] [--force]`: writes the sample workbook of §8. */
import { existsSync } from 'node:fs';
import { UsageError } from '../../adapters/terminal/errors';
import { assertNotOpen } from '../../adapters/workbook/fileGuard';
import { writeSample } from '../../adapters/workbook/sample';
import { samplePlanTitle } from '../../shared/sample';
import { todayIn } from '../../shared/today';
import type { CliContext } from '../context';

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
