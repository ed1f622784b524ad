/**
 * The charts leaders see (§6), as data drawn from the statistics: measure statuses by category, and
 * activities and volunteer hours by month; and the district roll-up's (§13): the same two over the
 * district, and measure statuses per community (whose data shared/rollup.ts builds).
 *
 * One definition, three renderers: CHARTS says each chart's title, type, series and axes, and
 * chartData/chartSeries its figures — always from the statistics (`Stats`), never read back from
 * the tables rendered for people. The leader email draws them as HTML bars (emails/leaderSummary.ts),
 * the .xlsx 汇总 tab and the year-end summary as pictures (chartSvg below), the Google Sheet as native
 * charts over a block of the same series (adapters/workbook/sheetsTabs.ts). Pure.
 */
import { CATEGORY_LABELS, MEASURE_STATUSES, type MeasureStatus, STATUS_LABELS } from './i18n';
import { escapeHtml } from './markup';
import type { Stats } from './stats-types';

/** Activities and volunteer hours by month; measure statuses by category. */
export type ChartKind = 'months' | 'categories';

/** The colours of the charts, by meaning. */
export const CHART_COLOURS = {
  done: '#2e7d32',
  overdue: '#c62828',
  behind: '#ef8f00',
  onTrack: '#1e88e5',
  notStarted: '#9ca3af',
  cancelled: '#d1d5db',
  activities: '#1e88e5',
  hours: '#ef8f00',
  track: '#f3f4f6',
} as const;
export type ChartColour = keyof typeof CHART_COLOURS;

/** The chart titles (also the captions beside the pictures). */
export const CHART_TITLES: Record<ChartKind, string> = {
  categories: '各类别事项完成情况',
  months: '各月活动次数与志愿服务时长',
};

/**
 * The district roll-up's charts (§13): the plan's two over the district's figures, and completion
 * per community — one stacked bar per community in 社区总览's order, labelled by its 排名, since a
 * community's name is user text the chart font cannot draw.
 */
export type RollupChartKind = 'communities' | ChartKind;

/** The roll-up's chart titles: the plan's, and the per-community one. */
export const ROLLUP_CHART_TITLES: Record<RollupChartKind, string> = {
  ...CHART_TITLES,
  communities: '各社区事项完成情况（按排名）',
};

/** What the roll-up's pictures are drawn from: the plan's chart data, and one bar per community. */
export interface RollupChartData extends ChartData {
  communities: CategoryBar[];
}

/**
 * How a community's bar is labelled: by its 排名 in 社区总览 (`第3名`). The chart cannot draw names, so
 * communities sharing a rank would otherwise draw two bars both called 第3名 with nothing to tell
 * which is which; a tied bar adds its place among the tied rows in 社区总览's order (`第3名-2` is the
 * second row ranked 3rd).
 */
export function rankLabel(rank: number, tiedPlace?: number): string {
  return tiedPlace === undefined ? `第${rank}名` : `第${rank}名-${tiedPlace}`;
}

/** One category's bar: the count of its measures in each status, in the tables' order. */
export interface CategoryBar {
  label: string;
  measures: number;
  segments: { status: MeasureStatus; label: string; count: number; colour: ChartColour }[];
}

/** Completion by category: one stacked bar per category that has measures. */
export function categoryBars(stats: Stats): CategoryBar[] {
  return stats.categories.map((c) => ({
    label: c.label,
    measures: c.measures,
    segments: MEASURE_STATUSES.map((status) => ({
      status,
      label: STATUS_LABELS[status],
      count: c[status],
      colour: status,
    })),
  }));
}

/** One month of the plan year: `1月` … `12月`, its activities and volunteer hours. */
export interface MonthBar {
  label: string;
  activities: number;
  hours: number;
}

/** Activities and volunteer hours in each month of the plan year. */
export function monthBars(stats: Stats): MonthBar[] {
  return stats.months.map((m) => ({
    label: `${Number(m.month.slice(5, 7))}月`,
    activities: m.activities,
    hours: m.hours,
  }));
}

/** The legend of the category chart: every status, in the tables' order. */
export const STATUS_LEGEND: { label: string; colour: ChartColour }[] = MEASURE_STATUSES.map((status) => ({
  label: STATUS_LABELS[status],
  colour: status,
}));

/** The series of the month chart. */
export const MONTH_SERIES = {
  activities: { label: '活动次数', unit: '次', colour: 'activities' },
  hours: { label: '志愿服务时长', unit: '小时', colour: 'hours' },
} as const satisfies Record<string, { label: string; unit: string; colour: ChartColour }>;

/** What the pictures are drawn from. */
export interface ChartData {
  categories: CategoryBar[];
  months: MonthBar[];
}

/** Chart data of the statistics. */
export function chartData(stats: Stats): ChartData {
  return { categories: categoryBars(stats), months: monthBars(stats) };
}

/** The axis titles of the month chart: each series on its own scale. */
const AXIS_TITLES = { activities: '活动次数（次）', hours: '志愿服务时长（小时）' } as const;

/** One series of a chart: what it counts, its colour, and the value axis it is read against. */
export interface ChartSeriesDefinition {
  label: string;
  unit: string;
  colour: ChartColour;
  /** The first value axis (left, or below for bars) or the second (right). */
  axis: 'primary' | 'secondary';
}

/** A chart as every renderer draws it. */
export interface ChartDefinition {
  title: string;
  /** Horizontal bars stacking the series (a row per label), or columns side by side per label. */
  type: 'stackedBars' | 'columns';
  /** What the labels are (the heading of their column). */
  domain: string;
  series: ChartSeriesDefinition[];
  /** The value axes' titles, where the picture shows them. */
  axes: Partial<Record<ChartSeriesDefinition['axis'], string>>;
}

/** The plan's charts: the one definition the email, the .xlsx pictures and the Sheet's native charts draw. */
export const CHARTS: Record<ChartKind, ChartDefinition> = {
  categories: {
    title: CHART_TITLES.categories,
    type: 'stackedBars',
    domain: '类别',
    series: STATUS_LEGEND.map((entry) => ({ ...entry, unit: '项', axis: 'primary' })),
    axes: {},
  },
  months: {
    title: CHART_TITLES.months,
    type: 'columns',
    domain: '月份',
    series: [
      { ...MONTH_SERIES.activities, axis: 'primary' },
      { ...MONTH_SERIES.hours, axis: 'secondary' },
    ],
    axes: { primary: AXIS_TITLES.activities, secondary: AXIS_TITLES.hours },
  },
};

/** A chart's figures: its labels, and per series of its definition (in that order) a value per label. */
export interface ChartSeries {
  labels: string[];
  values: number[][];
}

/** The figures a chart draws, in its definition's series order. */
export function chartSeries(kind: ChartKind, data: ChartData): ChartSeries {
  if (kind === 'categories') {
    return {
      labels: data.categories.map((bar) => bar.label),
      values: MEASURE_STATUSES.map((status) =>
        data.categories.map((bar) => bar.segments.find((s) => s.status === status)?.count ?? 0),
      ),
    };
  }
  return {
    labels: data.months.map((m) => m.label),
    values: [data.months.map((m) => m.activities), data.months.map((m) => m.hours)],
  };
}

/**
 * The roll-up's charts (§13): the plan's two over the district, and completion per community —
 * the categories chart's stacked statuses with one bar per community, labelled by 排名.
 */
export const ROLLUP_CHARTS: Record<RollupChartKind, ChartDefinition> = {
  ...CHARTS,
  communities: { ...CHARTS.categories, title: ROLLUP_CHART_TITLES.communities, domain: '排名' },
};

/** The figures a roll-up chart draws, in its definition's series order. */
export function rollupChartSeries(kind: RollupChartKind, data: RollupChartData): ChartSeries {
  return chartSeries(kind === 'communities' ? 'categories' : kind, {
    ...data,
    categories: kind === 'communities' ? data.communities : data.categories,
  });
}

// ---------------------------------------------------------------------------------------------
// SVG: what the server renders to PNG with the chart font (adapters/charts/).

/** The family name of the chart font the renderer is given (a subset of Noto Sans SC). */
export const CHART_FONT_FAMILY = 'Gongjian Chart Sans';

const NO_MEASURES = '暂无事项';

/**
 * Every character a chart can draw: the labels above, digits and the punctuation of numbers. The
 * chart font is subset to these (scripts/chart-font.mjs), and a test checks each is in it.
 */
export const CHART_CHARACTERS = [
  ...new Set(
    [
      ...Object.values(ROLLUP_CHART_TITLES),
      rankLabel(0),
      ...Object.values(CATEGORY_LABELS),
      ...Object.values(STATUS_LABELS),
      ...Object.values(MONTH_SERIES).flatMap((s) => [s.label, s.unit]),
      ...Object.values(AXIS_TITLES),
      NO_MEASURES,
      '月0123456789.-/',
    ].join(''),
  ),
]
  .sort()
  .join('');

/** A number as the charts write it: at most one decimal. */
function tick(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function label(
  x: number,
  y: number,
  text: string,
  size: number,
  anchor = 'start',
  colour = '#374151',
): string {
  return `<text x="${x}" y="${y}" font-size="${size}" text-anchor="${anchor}" fill="${colour}">${escapeHtml(text)}</text>`;
}

function svgDocument(width: number, height: number, body: string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${CHART_FONT_FAMILY}">` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>${body.join('')}</svg>`
  );
}

function legend(
  y: number,
  items: readonly { label: string; colour: ChartColour }[],
  width: number,
): string[] {
  const widths = items.map((item) => 36 + [...item.label].length * 20);
  let x = (width - widths.reduce((a, b) => a + b, 0)) / 2;
  return items.flatMap((item, i) => {
    const at = x;
    x += widths[i] ?? 0;
    return [
      `<rect x="${at}" y="${y - 15}" width="16" height="16" fill="${CHART_COLOURS[item.colour]}"/>`,
      label(at + 22, y, item.label, 18),
    ];
  });
}

/**
 * Measure statuses as a horizontal stacked bar per row (a category, or a community in the roll-up),
 * counts inside the segments. Rows of a long roll-up are packed closer: hundreds of communities
 * still make a picture a sheet can show.
 */
function statusBarsSvg(title: string, bars: CategoryBar[]): string {
  const width = 1000;
  const rowHeight = bars.length > 30 ? 36 : 50;
  const barHeight = rowHeight - 20;
  const top = 120;
  const height = top + Math.max(1, bars.length) * rowHeight + 20;
  const body = [label(width / 2, 42, title, 28, 'middle', '#111827')];
  body.push(...legend(84, CHARTS.categories.series, width));
  if (bars.length === 0) body.push(label(width / 2, top + 30, NO_MEASURES, 22, 'middle'));
  const left = 180;
  const span = 680;
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const baseline = y + barHeight / 2 + 7;
    body.push(label(left - 12, baseline, bar.label, 22, 'end'));
    body.push(
      `<rect x="${left}" y="${y}" width="${span}" height="${barHeight}" fill="${CHART_COLOURS.track}"/>`,
    );
    let x = left;
    for (const segment of bar.segments) {
      if (segment.count <= 0 || bar.measures <= 0) continue;
      const w = (segment.count / bar.measures) * span;
      body.push(
        `<rect x="${x}" y="${y}" width="${w}" height="${barHeight}" fill="${CHART_COLOURS[segment.colour]}"/>`,
      );
      // Light segments (cancelled) take dark figures.
      const ink = segment.colour === 'cancelled' ? '#374151' : '#ffffff';
      if (w >= 26) body.push(label(x + w / 2, baseline, tick(segment.count), 18, 'middle', ink));
      x += w;
    }
    const done = bar.segments.find((s) => s.status === 'done')?.count ?? 0;
    body.push(label(left + span + 14, baseline, `${tick(done)}/${tick(bar.measures)}`, 20));
  });
  return svgDocument(width, height, body);
}

/** A round top for an axis holding `most`, and its step: 4 steps of 1, 2 or 5 × 10ⁿ. */
function niceAxis(most: number): { top: number; step: number } {
  if (most <= 0) return { top: 4, step: 1 };
  const raw = most / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, ([1, 2, 5, 10].find((f) => f * power >= raw) ?? 10) * power);
  return { top: step * 4, step };
}

/** Activities (left axis) and volunteer hours (right axis) by month, side by side. */
function monthsSvg(months: MonthBar[]): string {
  const width = 1000;
  const height = 500;
  const plot = { left: 90, right: 910, top: 140, bottom: 440 };
  const chart = CHARTS.months;
  const body = [label(width / 2, 42, chart.title, 28, 'middle', '#111827')];
  body.push(...legend(84, chart.series, width));
  body.push(label(plot.left, plot.top - 16, chart.axes.primary ?? '', 16, 'middle'));
  body.push(label(plot.right, plot.top - 16, chart.axes.secondary ?? '', 16, 'middle'));
  const activityAxis = niceAxis(Math.max(0, ...months.map((m) => m.activities)));
  const hourAxis = niceAxis(Math.max(0, ...months.map((m) => m.hours)));
  const plotHeight = plot.bottom - plot.top;
  for (let k = 0; k <= 4; k++) {
    const y = plot.bottom - (k / 4) * plotHeight;
    body.push(
      `<line x1="${plot.left}" y1="${y}" x2="${plot.right}" y2="${y}" stroke="#e5e7eb" stroke-width="1"/>`,
    );
    body.push(label(plot.left - 8, y + 6, tick(activityAxis.step * k), 16, 'end'));
    body.push(label(plot.right + 8, y + 6, tick(hourAxis.step * k), 16, 'start'));
  }
  const group = (plot.right - plot.left) / Math.max(1, months.length);
  // A roll-up over plans of several years has more months and longer labels (`2026-03`): bars
  // narrow to fit their group, and labels keep a readable size by naming every k-th month only.
  const barWidth = Math.min(22, Math.floor(group * 0.34));
  const longest = Math.max(1, ...months.map((m) => [...m.label].length));
  const sizeFor = (every: number) => Math.min(18, Math.floor((every * group) / (0.62 * longest)));
  const every = [1, 2, 3, 4, 6, 12].find((k) => sizeFor(k) >= 14) ?? 12;
  months.forEach((m, i) => {
    const x = plot.left + i * group + group / 2;
    const bar = (value: number, top: number, dx: number, colour: ChartColour) => {
      const h = (value / top) * plotHeight;
      return `<rect x="${x + dx}" y="${plot.bottom - h}" width="${barWidth}" height="${h}" fill="${CHART_COLOURS[colour]}"/>`;
    };
    body.push(bar(m.activities, activityAxis.top, -barWidth - 2, chart.series[0]?.colour ?? 'activities'));
    body.push(bar(m.hours, hourAxis.top, 2, chart.series[1]?.colour ?? 'hours'));
    if (i % every === 0) body.push(label(x, plot.bottom + 28, m.label, sizeFor(every), 'middle'));
  });
  body.push(
    `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}" stroke="#9ca3af" stroke-width="1"/>`,
  );
  return svgDocument(width, height, body);
}

/** The chart as an SVG document drawn in the chart font (no user text: only labels and figures). */
export function chartSvg(kind: ChartKind, data: ChartData): string {
  return kind === 'categories'
    ? statusBarsSvg(CHARTS.categories.title, data.categories)
    : monthsSvg(data.months);
}

/** A roll-up chart as an SVG document: the plan's charts over the district, or completion per community. */
export function rollupChartSvg(kind: RollupChartKind, data: RollupChartData): string {
  if (kind === 'communities') return statusBarsSvg(ROLLUP_CHART_TITLES.communities, data.communities);
  return chartSvg(kind, data);
}
