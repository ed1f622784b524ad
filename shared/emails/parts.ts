/**
 * The pieces several email kinds format alike: numbers and optional counts, status cells, a
 * measure's achievement and due date, the community's name, a subject-length cut, the plan's
 * rows by ID and activity totals. Pure.
 */

import { type MeasureStatus, RECURRENCE_LABELS, STATUS_LABELS } from '../i18n';
import type { Activity, IsoDate, Measure, Partner, PlanModel } from '../model';
import type { MeasureStats, Stats, Totals } from '../stats-types';
import { type BlockCell, oneLine, type Tone } from './layout';

/** A number as the emails show it: at most two decimals, thousands grouped (28,500). */
export function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  const [whole = '0', fraction] = String(Math.abs(rounded)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** An optional count: absent is a dash. */
export function optional(value: number | undefined): string {
  return value === undefined ? '—' : num(value);
}

const METRIC_UNITS: Record<Measure['metric'], string> = {
  count: '次',
  participants: '人',
  beneficiaries: '人',
  hours: '小时',
  funds: '元',
  milestone: '',
};

const STATUS_TONES: Partial<Record<MeasureStatus, Tone>> = {
  done: 'ok',
  overdue: 'danger',
  behind: 'warn',
  notStarted: 'muted',
  cancelled: 'muted',
};

/** A measure's status as a table cell, coloured by how much it needs attention. */
export function statusCell(status: MeasureStatus): BlockCell {
  const tone = STATUS_TONES[status];
  return tone ? { text: STATUS_LABELS[status], tone } : STATUS_LABELS[status];
}

/** Achieved against target in the measure's own terms: `3 / 8 次`, `2 / 4 个周期达标（每季度）`, `未完成`. */
export function achievedText(measure: Measure, m: MeasureStats): string {
  if (measure.metric === 'milestone') return m.achieved >= 1 ? '已完成' : '未完成';
  if (measure.recurrence !== 'none') {
    return `${m.achieved} / ${m.target} 个周期达标（${RECURRENCE_LABELS[measure.recurrence]}）`;
  }
  return `${num(m.achieved)} / ${num(m.target)} ${METRIC_UNITS[measure.metric]}`.trimEnd();
}

/** Which community the emails speak for. */
export function communityOf(model: PlanModel): string {
  return oneLine(model.settings.community ?? model.settings.senderName ?? '') || '社区';
}

/** A measure's due date: its own, or the last day of the plan year. */
export function dueOf(measure: Measure, year: number): IsoDate {
  return measure.due ?? `${year}-12-31`;
}

/** A sheet value cut to `max` characters for a subject. */
export function shorten(text: string, max: number): string {
  const chars = [...oneLine(text)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
}

/** The plan's partners, measures and measure statistics by ID. */
export interface Lookup {
  partners: Map<string, Partner>;
  measures: Map<string, Measure>;
  stats: Map<string, MeasureStats>;
}

/** Indexes the plan's partners, measures and measure statistics by ID. */
export function lookup(model: PlanModel, stats: Stats): Lookup {
  return {
    partners: new Map(model.partners.map((p) => [p.partnerId, p])),
    measures: new Map(model.measures.map((m) => [m.measureId, m])),
    stats: new Map(stats.measures.map((m) => [m.measureId, m])),
  };
}

/** Partner IDs as their names, joined with 、 (a dash when there are none). */
export function partnerNames(ids: readonly string[], partners: Map<string, Partner>): string {
  return ids.length === 0 ? '—' : ids.map((id) => partners.get(id)?.name ?? id).join('、');
}

/** The activities' totals: count, participants, beneficiaries, hours, funds. */
export function sumActivities(activities: readonly Activity[]): Totals {
  const totals: Totals = { activities: 0, participants: 0, beneficiaries: 0, hours: 0, funds: 0 };
  for (const a of activities) {
    totals.activities += 1;
    totals.participants += a.participants ?? 0;
    totals.beneficiaries += a.beneficiaries ?? 0;
    totals.hours += a.hours ?? 0;
    totals.funds += a.funds ?? 0;
  }
  return totals;
}
