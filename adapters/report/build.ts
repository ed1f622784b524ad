/**
 * The year-end summary from a plan's accepted rows, start to finish: statistics, the document
 * model, its chart pictures and the .docx. One path for the CLI, the API and the benchmark.
 */
import { chartData } from '../../shared/charts';
import type { IsoDate, PlanModel } from '../../shared/model';
import { buildYearReport, type YearReport } from '../../shared/report';
import { computeStats } from '../../shared/stats';
import type { Stats } from '../../shared/stats-types';
import { renderCharts } from '../charts/render';
import { renderReportDocx } from './docx';

/** Builds the summary of the model's plan year as of a date, and writes it as .docx bytes. */
export async function yearReportDocx(
  model: PlanModel,
  asOf: IsoDate,
): Promise<{ stats: Stats; report: YearReport; docx: Buffer }> {
  const stats = computeStats(model, asOf);
  const report = buildYearReport(model, stats);
  return { stats, report, docx: await renderReportDocx(report, renderCharts(chartData(stats))) };
}
