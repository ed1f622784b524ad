/**
 * The year-end summary from a plan's accepted rows, start to finish: statistics, the document
 * model, and the .docx. One path for the CLI, the API and the benchmark.
 */
import type { IsoDate, PlanModel } from '../../../shared/model';
import { buildYearReport, type YearReport } from '../../../shared/report';
import { computeStats } from '../../../shared/stats';
import { renderReportDocx } from './docx';

/** Builds the summary of the model's plan year as of a date, and writes it as .docx bytes. */
export async function yearReportDocx(
  model: PlanModel,
  asOf: IsoDate,
): Promise<{ report: YearReport; docx: Buffer }> {
  const report = buildYearReport(model, computeStats(model, asOf));
  return { report, docx: await renderReportDocx(report) };
}
