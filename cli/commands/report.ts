/**
 * `gongjian report PATH [--year YYYY] [--as-of DATE] [--out FILE.docx]`: the year-end summary
 * (年度共建工作总结) as a Word document. The figures are those of `gongjian stats` as of the
 * year's last day, or as of today while the year is still running. Each category's part shows a
 * photo from the evidence folder beside the workbook (`佐证材料/`), where its activities have one.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { evidenceRoot } from '../../adapters/photos/folderStore';
import { writeYearReport } from '../../adapters/report/build';
import { readWorkbook } from '../../adapters/workbook';
import { validateAsOf } from '../../adapters/workbook/validateToday';
import type { IsoDate } from '../../shared/model';
import { reportTitle } from '../../shared/report';
import type { CliContext } from '../context';

export interface ReportArgs {
  path: string;
  /** The year to summarise; the plan year (设置 → 计划年度) when absent. */
  year: number | undefined;
  asOf: IsoDate | undefined;
  out: string | undefined;
}

/** Writes the summary and returns the exit code. */
export async function reportCommand(args: ReportArgs, ctx: CliContext): Promise<number> {
  const workbook = await readWorkbook(args.path);
  let loaded = validateAsOf(workbook, args.asOf, ctx.now());
  const year = args.year ?? loaded.result.model.settings.year;
  // A summary of a finished year counts up to its last day, not to today.
  const yearEnd = `${year}-12-31`;
  if (args.asOf === undefined && loaded.asOf > yearEnd) loaded = validateAsOf(workbook, yearEnd, ctx.now());
  const { result, asOf } = loaded;
  const model = { ...result.model, settings: { ...result.model.settings, year } };
  const out = args.out ?? defaultOut(args.path, year);
  // One photo per category from the evidence folder beside the workbook, where there is one.
  const evidence = evidenceRoot(args.path, (await stat(args.path)).isDirectory());
  const { report, skipped } = await writeYearReport(model, asOf, { evidence, out });
  ctx.out(`已写入「${reportTitle(report)}」（统计截至 ${asOf}）：${out}`);
  if (skipped.length > 0) {
    ctx.out(`以下 ${skipped.length} 个文件不是可读取的 JPEG 照片，未放入总结：${skipped.join('、')}`);
  }
  const rejected =
    result.tabs.partners.rejected + result.tabs.plan.rejected + result.tabs.activities.rejected;
  if (rejected > 0) ctx.out(`另有 ${rejected} 行未通过校验，未计入总结（运行 gongjian validate 查看原因）`);
  ctx.out('“五、下一步打算”等黄色底纹处需由工作人员填写。');
  return 0;
}

/** Beside the workbook: `local/plan.xlsx` → `local/plan-2026年共建工作总结.docx`. */
function defaultOut(path: string, year: number): string {
  const name = basename(path, extname(path)) || 'plan';
  return join(dirname(path), `${name}-${year}年共建工作总结.docx`);
}
