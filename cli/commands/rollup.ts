/**
 * `gongjian rollup PATH… [--as-of DATE] [--out FILE.xlsx] [--json]`: the district roll-up (§13,
 * 街道共建汇总) of many plans — workbooks, CSV folders, or folders of workbooks.
 *
 * - Each plan is read, validated and counted by `gongjian stats`'s own code path (planStatistics),
 *   so its row shows the numbers `gongjian stats --json` prints for it.
 * - One plan at a time: a plan is summarised (shared/rollup.ts) and dropped before the next is
 *   read, so memory holds one plan and N small summaries, whatever N is.
 * - An unusable PATH stops the roll-up with exit 2 and a message naming it (and the workbook inside
 *   a folder); the output is checked before any plan is read, so a mistake there costs no wait.
 * - The roll-up workbook is never written over while an office program has it open.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { UsageError } from '../../adapters/terminal/errors';
import { percent } from '../../adapters/terminal/table';
import { accessError } from '../../adapters/workbook/common';
import { assertNotOpen } from '../../adapters/workbook/fileGuard';
import { DEFAULT_ROLLUP_FILE, workbookNames } from '../../adapters/workbook/planFolder';
import { UnusableInputError } from '../../shared/errors';
import type { IsoDate } from '../../shared/model';
import { type PlanSource, type PlanSummary, rollUpDistrict, summarisePlan } from '../../shared/rollup';
import type { CliContext } from '../context';
import { assertOutputFolder } from '../output';
import { planStatistics } from './stats';

export interface RollupArgs {
  paths: string[];
  asOf: IsoDate | undefined;
  out: string | undefined;
  json: boolean;
}

/** One plan to read: its path, and how the roll-up names where it came from. */
interface PlanPath {
  path: string;
  source: PlanSource;
}

/** Rolls up the plans and returns the exit code. */
export async function rollupCommand(args: RollupArgs, ctx: CliContext): Promise<number> {
  const out = args.out ?? DEFAULT_ROLLUP_FILE;
  if (!args.json) await checkOutput(out);
  const plans = await plansOf(args.paths, resolve(out));
  const summaries: PlanSummary[] = [];
  const withRejected: string[] = [];
  try {
    for (const [i, plan] of plans.entries()) {
      ctx.progress?.plan(i + 1, plans.length, plan.path);
      try {
        const { result, stats } = await planStatistics(plan.path, args.asOf, ctx);
        summaries.push(summarisePlan(result.model, stats, plan.source));
        const { partners, plan: measures, activities } = result.tabs;
        if (partners.rejected + measures.rejected + activities.rejected > 0) withRejected.push(plan.path);
      } catch (error) {
        throw namingPath(error, plan.path);
      }
    }
  } finally {
    // A terminal's progress line goes before the result or the error is said.
    ctx.progress?.end();
  }
  const rollup = rollUpDistrict(summaries);
  if (args.json) {
    ctx.out(JSON.stringify(rollup, null, 2));
    return 0;
  }
  // The writer (exceljs, the chart renderer) loads only when a workbook is written.
  const { rollupWorkbook, writeRollupXlsx } = await import('../../adapters/workbook/rollupXlsx');
  await writeRollupXlsx(out, rollupWorkbook(rollup));
  const { total } = rollup;
  ctx.out(
    `已写入街道汇总（${summaries.length} 个社区，事项 ${total.measures} 项，完成率 ${percent(total.completionRate)}）：${out}`,
  );
  if (withRejected.length > 0) {
    ctx.out(
      `其中 ${withRejected.length} 个工作簿另有未通过校验的行，未计入统计（运行 gongjian validate 查看原因）：${withRejected.join('、')}`,
    );
  }
  return 0;
}

/** Refuses, before any plan is read, an output that cannot be written: not .xlsx, no folder, open. */
async function checkOutput(out: string): Promise<void> {
  if (extname(out).toLowerCase() !== '.xlsx') {
    throw new UsageError(`--out 须为 .xlsx 文件：${out}`, `--out must be an .xlsx file: ${out}`);
  }
  await assertOutputFolder(out, { zh: '街道汇总', en: 'the roll-up' });
  await assertNotOpen(out);
}

/**
 * The plans the PATHs name, in order: a workbook; a folder of CSV files (one plan, as `gongjian
 * stats` reads it); or a folder of workbooks, each .xlsx inside in name order — leaving out office
 * owner files (`~$…`), hidden files and the roll-up being written.
 */
async function plansOf(paths: readonly string[], out: string): Promise<PlanPath[]> {
  const plans: PlanPath[] = [];
  for (const path of paths) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(path)).isDirectory();
    } catch (error) {
      throw accessError(error, path);
    }
    if (!isFolder) {
      plans.push({ path, source: { name: basename(path), path } });
      continue;
    }
    let names: string[];
    try {
      names = await readdir(path);
    } catch (error) {
      throw accessError(error, path);
    }
    const workbooks = workbookNames(names, (name) => resolve(path, name) === out);
    if (workbooks.length > 0 && !names.some((name) => /\.csv$/i.test(name))) {
      for (const name of workbooks)
        plans.push({ path: join(path, name), source: { name, path: join(path, name) } });
    } else {
      plans.push({ path, source: { name: basename(resolve(path)), path } });
    }
  }
  return plans;
}

/** An unusable-input error whose message names the plan's path (a file inside a folder too). */
function namingPath(error: unknown, path: string): unknown {
  if (!(error instanceof UnusableInputError) || error.messageZh.includes(path)) return error;
  return new UnusableInputError(error.code, `${path}：${error.messageZh}`, `${path}: ${error.messageEn}`);
}
