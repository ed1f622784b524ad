/**
 * The year-end summary part of `npm run bench`: the whole report (statistics, document model, charts
 * and .docx) of a generated plan, timed after a warm-up, beside the statistics alone on the same
 * model in the same process; and the size of the .docx.
 */

import { yearReportDocx } from '../adapters/report/build';
import { computeStats } from '../shared/stats';
import { validateWorkbook } from '../shared/validate';
import { type BenchRow, median } from './format';
import { type GenerateOptions, generateWorkbook } from './generate';

export const REPORT_TARGETS = { ms: 2000, bytes: 1024 * 1024 } as const;

export interface ReportBench {
  activities: number;
  measures: number;
  runs: number;
  /** Median time of the whole report. */
  reportMs: number;
  /** Median time of computeStats alone on the same model. */
  statsMs: number;
  docxBytes: number;
}

/** Generates a plan of `generate.activities` activities and times its year-end summary `runs` times. */
export async function runReportBench(
  generate: GenerateOptions,
  asOf: string,
  runs: number,
  progress: (line: string) => void,
): Promise<ReportBench> {
  progress(`year-end summary: generating a plan of ${generate.activities} activities…`);
  const { model } = validateWorkbook(generateWorkbook(generate), { asOf, requireYear: true });
  let docxBytes = (await yearReportDocx(model, asOf)).docx.length;
  const reportTimes: number[] = [];
  const statsTimes: number[] = [];
  for (let run = 1; run <= runs; run++) {
    let start = performance.now();
    computeStats(model, asOf);
    statsTimes.push(performance.now() - start);
    start = performance.now();
    docxBytes = (await yearReportDocx(model, asOf)).docx.length;
    reportTimes.push(performance.now() - start);
  }
  progress(`  report median ${median(reportTimes).toFixed(0)} ms, ${docxBytes} bytes`);
  return {
    activities: model.activities.length,
    measures: model.measures.length,
    runs,
    reportMs: median(reportTimes),
    statsMs: median(statsTimes),
    docxBytes,
  };
}

/** The benchmark table's rows for the report. */
export function reportRows(bench: ReportBench): BenchRow[] {
  const size = `${bench.activities.toLocaleString('en-US')} activities, ${bench.measures} measures`;
  return [
    {
      metric: `year-end summary .docx (${size}; median of ${bench.runs})`,
      value: `${bench.reportMs.toFixed(0)} ms`,
      target: `≤ ${REPORT_TARGETS.ms} ms`,
      pass: bench.reportMs <= REPORT_TARGETS.ms,
    },
    {
      metric: 'year-end summary / statistics alone, same model',
      value: `${(bench.reportMs / bench.statsMs).toFixed(0)}× (${bench.statsMs.toFixed(1)} ms)`,
      target: '',
    },
    {
      metric: 'year-end summary .docx size',
      value: `${(bench.docxBytes / 1024).toFixed(0)} KB`,
      target: `≤ ${REPORT_TARGETS.bytes / 1024} KB`,
      pass: bench.docxBytes <= REPORT_TARGETS.bytes,
    },
  ];
}
