/**
 * `npm start`: the main job on the embedded default. Until the local stack (Firestore emulator,
 * functions, triggers) exists, it writes the sample workbook to local/plan.xlsx on first run and
 * prints its validation and statistics.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { computeStats } from '../../../shared/stats';
import { writeSample } from '../cli/commands/init';
import { statsReport } from '../cli/commands/stats';
import { validationReport } from '../cli/commands/validate';
import { todayIn } from '../cli/context';
import { loadPlan } from '../cli/load';
import { reportError } from '../cli/run';

const ctx = {
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
  now: () => new Date(),
  debug: Boolean(process.env.GONGJIAN_DEBUG),
};

/** Writes the sample on first run, then prints the workbook's validation and statistics. */
async function start(workbookPath: string): Promise<number> {
  if (!existsSync(workbookPath)) {
    await mkdir(dirname(workbookPath), { recursive: true });
    const today = todayIn(ctx.now());
    const year = Number(today.slice(0, 4));
    await writeSample(workbookPath, year, today);
    ctx.out(`首次运行：已写入示例工作簿 ${workbookPath}（${year}年）`);
  }
  const { result, asOf } = await loadPlan(workbookPath, undefined, ctx);
  ctx.out(validationReport(result, workbookPath, asOf));
  ctx.out('');
  ctx.out(statsReport(result, computeStats(result.model, asOf)));
  return 0;
}

process.exitCode = await start(resolve(process.argv[2] ?? 'local/plan.xlsx')).catch((error) =>
  reportError(error, ctx),
);
