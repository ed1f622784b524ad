/**
 * The charts of shared/charts.ts drawn as email bars (table cells: what Outlook and QQ Mail draw
 * without images), for every kind that shows them — the leader summary over a plan, the 街道月报
 * over a district. Both take `ChartData`, so the plan's figures and the roll-up's go through the
 * same definition (CHARTS) and the same drawing. Pure.
 */
import { type CategoryBar, CHARTS, type ChartData, chartSeries } from '../charts';
import type { BarsBlock } from './layout';
import { num } from './parts';

/** Measure statuses as stacked bars, one per category (or community): each status's share of its measures. */
export function statusBarsBlock(bars: readonly CategoryBar[], domain: string, empty: string): BarsBlock {
  return {
    type: 'bars',
    header: [domain, '事项完成情况'],
    legend: CHARTS.categories.series,
    rows: bars.map((bar) => ({
      label: bar.label,
      series: [
        {
          segments: bar.segments.map((s) => ({
            share: bar.measures > 0 ? s.count / bar.measures : 0,
            colour: s.colour,
          })),
          value: `${bar.segments.find((s) => s.status === 'done')?.count ?? 0}/${bar.measures}`,
        },
      ],
    })),
    empty,
  };
}

/** Activities and volunteer hours by month (CHARTS.months), each series scaled to its own busiest month. */
export function monthBarsBlock(data: ChartData): BarsBlock {
  const chart = CHARTS.months;
  const { labels, values } = chartSeries('months', data);
  const most = values.map((series) => Math.max(0, ...series));
  return {
    type: 'bars',
    header: [chart.domain, ...chart.series.map((series) => series.label)],
    legend: chart.series,
    rows: labels.map((label, i) => ({
      label,
      series: chart.series.map((series, k) => {
        const value = values[k]?.[i] ?? 0;
        const top = most[k] ?? 0;
        return {
          segments: [{ share: top > 0 ? value / top : 0, colour: series.colour }],
          value: `${num(value)}${series.unit}`,
        };
      }),
    })),
    empty: '',
  };
}
