/**
 * One chart definition, three renderers (shared/charts.ts): the leader email's bars and the .xlsx
 * 汇总 pictures draw the series chartSeries gives for the statistics, and nothing they read from the
 * tables rendered for people — whose figures are zeroed here to show it. The Google Sheet's native
 * charts are read back from the fake Sheets server in tests/adapters/workbook/sheets.test.ts ("lays the
 * generated tabs out"), against the same chartSeries.
 */
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../../adapters/charts/render';
import { writeSample } from '../../../adapters/workbook/sample';
import { readXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { CHARTS, type ChartKind, chartData, chartSeries } from '../../../shared/charts';
import { renderLeaderSummary } from '../../../shared/emails/leaderSummary';
import { num } from '../../../shared/emails/parts';
import { type DigestPeriod, digestPeriodFor } from '../../../shared/emails/periods';
import type { GeneratedTab } from '../../../shared/i18n';
import { computeStats } from '../../../shared/stats';
import { summaryTables } from '../../../shared/summary';
import { validateWorkbook } from '../../../shared/validate';
import type { Table } from '../../../shared/workbook';
import { tempFolder } from '../workbook/helpers';

const AS_OF = '2026-06-30';
const folder = tempFolder();
afterAll(() => folder.remove());

/** The tables with every figure zeroed: a renderer that read its figures from them would draw nothing. */
function zeroed<K extends GeneratedTab>(tables: Record<K, Table>): Record<K, Table> {
  const out = { ...tables };
  for (const tab of Object.keys(out) as K[]) {
    const [header = [], ...rows] = out[tab];
    out[tab] = [header, ...rows.map((row) => row.map((cell) => (typeof cell === 'number' ? 0 : cell)))];
  }
  return out;
}

describe('the charts of one set of statistics', () => {
  it('.xlsx: the 汇总 pictures are the pictures of chartSeries, whatever the tables hold', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    await writeSample(path, 2026, '2026-12-31');
    const result = validateWorkbook(await readXlsx(path), { asOf: AS_OF });
    const stats = computeStats(result.model, AS_OF);
    const data = chartData(stats);
    await updateXlsx(path, { generated: zeroed(summaryTables(result, stats)), charts: data });

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const overview = workbook.getWorksheet('汇总');
    const pictures = (overview?.getImages() ?? []).map((image) =>
      Buffer.from(workbook.getImage(Number(image.imageId)).buffer as unknown as Uint8Array),
    );
    const expected = (['months', 'categories'] as ChartKind[]).map((kind) =>
      Buffer.from(renderChart(kind, data).png),
    );
    expect(pictures).toHaveLength(2);
    expect(pictures.map((p, i) => p.equals(expected[i] as Buffer))).toEqual([true, true]);
    // The sample has activities in the first half-year: a month picture of zeros would be another.
    expect(chartSeries('months', data).values[0]?.some((count) => count > 0)).toBe(true);
  }, 60_000);

  it('email: the leader summary’s bars are chartSeries’ labels and figures, under the definition’s names', async () => {
    const path = join(folder.dir, 'email.xlsx');
    await writeSample(path, 2026, '2026-12-31');
    const result = validateWorkbook(await readXlsx(path), { asOf: AS_OF });
    const stats = computeStats(result.model, AS_OF);
    const period = digestPeriodFor('monthly', '2026-07-01') as DigestPeriod;
    const email = renderLeaderSummary({ planId: 'sample', model: result.model, stats, period });
    const lines = email.text.split('\n').map((line) => line.trim());
    // A bars row in plain text: its label padded, then each series' figure, two spaces apart.
    const cells = lines.map((line) => line.split(/ {2,}/));

    const months = chartSeries('months', chartData(stats));
    const units = CHARTS.months.series.map((series) => series.unit);
    months.labels.forEach((label, i) => {
      const figures = months.values.map((series, k) => `${num(series[i] ?? 0)}${units[k]}`);
      expect(cells, label).toContainEqual([label, ...figures]);
    });
    for (const series of [...CHARTS.months.series, ...CHARTS.categories.series])
      expect(email.html).toContain(series.label);
    // Each category's bar ends in done/measures, the definition's first series over the bar's total.
    const categories = chartSeries('categories', chartData(stats));
    const done = CHARTS.categories.series.findIndex((series) => series.colour === 'done');
    categories.labels.forEach((label, i) => {
      const total = categories.values.reduce((sum, series) => sum + (series[i] ?? 0), 0);
      expect(
        lines.some(
          (line) => line.startsWith(label) && line.endsWith(`${categories.values[done]?.[i]}/${total}`),
        ),
        label,
      ).toBe(true);
    });
  }, 60_000);
});
