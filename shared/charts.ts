/**
 * The charts leaders see (§6), as data drawn from the statistics: measure statuses by category, and
 * activities and volunteer hours by month. The leader email draws them as HTML bars
 * (emails/layout.ts), the .xlsx 汇总 tab and the year-end summary as pictures (charts/svg.ts).
 * One palette and one set of labels for all of them. Pure.
 */
import { MEASURE_STATUSES, type MeasureStatus, STATUS_LABELS } from './i18n';
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
