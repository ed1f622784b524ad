/**
 * The completion statistics of §4, computed in one pass over the accepted activities. Pure: the
 * as-of date is an argument. Sums run in sheet order so results match to the last bit.
 */
import { dayFromParts, dayOf, isoOf, partsOf } from './dates';
import { CATEGORIES, CATEGORY_LABELS, MEASURE_STATUSES, type MeasureStatus } from './i18n';
import type { IsoDate, Measure, PlanModel } from './model';
import type {
  CategoryStats,
  MeasureStats,
  MonthStats,
  PartnerStats,
  RollUp,
  Stats,
  Totals,
} from './stats-types';

/**
 * The activities of A_D as columns (typed arrays, in sheet order): the hot loops then read numbers,
 * not objects of the many shapes rows read from a sheet have, and allocate nothing per activity.
 */
interface Counted {
  count: number;
  day: Int32Array;
  /** Index into model.measures, -1 when the measure is not in the plan. */
  measure: Int32Array;
  /** Index of the month in the plan year (0–11), -1 outside it. */
  month: Int8Array;
  /** participants, beneficiaries, hours, funds: four numbers per activity. */
  sums: Float64Array;
  partners: (readonly string[])[];
  /** 1 when the activity has evidence (佐证链接), else 0. */
  evidenced: Uint8Array;
}

const SUMS = 4;

/** A recurring measure's calendar period, clipped to the measure's [start, due]. */
interface Period {
  label: string;
  first: number;
  last: number;
}

/** Computes the statistics of the accepted rows as of a date. */
export function computeStats(model: PlanModel, asOf: IsoDate): Stats {
  const today = dayOf(asOf);
  const year = model.settings.year;
  const counted = countedActivities(model, today, year);

  const perMeasure: number[][] = model.measures.map(() => []);
  for (let i = 0; i < counted.count; i++) perMeasure[counted.measure[i] as number]?.push(i);
  const measures = model.measures.map((measure, m) =>
    measureStats(measure, counted, perMeasure[m] ?? [], year, today),
  );

  // Plan and category totals in one pass, in sheet order; the evidenced count rides in the last slot.
  const categoryOfMeasure = model.measures.map((m) => CATEGORIES.indexOf(m.category));
  const planTotals = new Float64Array(SUMS + 2);
  const categoryTotals = CATEGORIES.map(() => new Float64Array(SUMS + 2));
  for (let i = 0; i < counted.count; i++) {
    addInto(planTotals, counted, i);
    const category = categoryOfMeasure[counted.measure[i] as number];
    if (category !== undefined) addInto(categoryTotals[category] as Float64Array, counted, i);
  }
  const categories: CategoryStats[] = [];
  CATEGORIES.forEach((category, c) => {
    const own = measures.filter((m) => m.category === category);
    if (own.length === 0) return;
    categories.push({
      category,
      label: CATEGORY_LABELS[category],
      ...rollUp(own, totalsOf(categoryTotals[c] as Float64Array)),
      ...coverageOf(categoryTotals[c] as Float64Array),
    });
  });

  return {
    asOf,
    year,
    plan: { ...rollUp(measures, totalsOf(planTotals)), ...coverageOf(planTotals) },
    categories,
    measures,
    partners: partnerStats(model, measures, counted, today),
    months: monthStats(counted, year),
  };
}

/** A_D: accepted activities with status done dated on or before the as-of day, as columns. */
function countedActivities(model: PlanModel, today: number, year: number): Counted {
  const n = model.activities.length;
  const measureIndex = new Map(model.measures.map((m, i) => [m.measureId, i]));
  const counted: Counted = {
    count: 0,
    day: new Int32Array(n),
    measure: new Int32Array(n),
    month: new Int8Array(n),
    sums: new Float64Array(n * SUMS),
    partners: [],
    evidenced: new Uint8Array(n),
  };
  // A year of activities has a few hundred distinct dates: parse each once.
  const dates = new Map<IsoDate, { day: number; month: number }>();
  for (const activity of model.activities) {
    if (activity.status !== 'done') continue;
    let date = dates.get(activity.date);
    if (date === undefined) {
      const inYear = Number(activity.date.slice(0, 4)) === year;
      date = { day: dayOf(activity.date), month: inYear ? Number(activity.date.slice(5, 7)) - 1 : -1 };
      dates.set(activity.date, date);
    }
    if (date.day > today) continue;
    const i = counted.count++;
    counted.day[i] = date.day;
    counted.measure[i] = measureIndex.get(activity.measureId) ?? -1;
    counted.month[i] = date.month;
    counted.sums[i * SUMS] = activity.participants ?? 0;
    counted.sums[i * SUMS + 1] = activity.beneficiaries ?? 0;
    counted.sums[i * SUMS + 2] = activity.hours ?? 0;
    counted.sums[i * SUMS + 3] = activity.funds ?? 0;
    counted.partners.push(activity.partners);
    counted.evidenced[i] = activity.evidence === undefined ? 0 : 1;
  }
  return counted;
}

/** Adds activity i to a running total: [activities, participants, beneficiaries, hours, funds, with evidence]. */
function addInto(total: Float64Array, counted: Counted, i: number): void {
  total[0] = (total[0] as number) + 1;
  for (let k = 0; k < SUMS; k++)
    total[k + 1] = (total[k + 1] as number) + (counted.sums[i * SUMS + k] as number);
  total[SUMS + 1] = (total[SUMS + 1] as number) + (counted.evidenced[i] as number);
}

/** The evidence coverage of a running total (SPEC §11): counted activities with evidence, and their share. */
function coverageOf(total: Float64Array): Pick<RollUp, 'withEvidence' | 'evidenceCoverage'> {
  const activities = total[0] as number;
  const withEvidence = total[SUMS + 1] as number;
  return { withEvidence, evidenceCoverage: activities === 0 ? 0 : withEvidence / activities };
}

function totalsOf(total: Float64Array): Totals {
  return {
    activities: total[0] as number,
    participants: total[1] as number,
    beneficiaries: total[2] as number,
    hours: total[3] as number,
    funds: total[4] as number,
  };
}

const METRIC_SUM: Partial<Record<Measure['metric'], number>> = {
  participants: 0,
  beneficiaries: 1,
  hours: 2,
  funds: 3,
};

/** What activity i adds to a measure of the given metric (count and milestone: 1). */
function contribution(counted: Counted, i: number, metric: Measure['metric']): number {
  const k = METRIC_SUM[metric];
  return k === undefined ? 1 : (counted.sums[i * SUMS + k] as number);
}

function measureStats(
  measure: Measure,
  counted: Counted,
  activities: number[],
  year: number,
  today: number,
): MeasureStats {
  const start = dayOf(measure.start ?? `${year}-01-01`);
  const due = dayOf(measure.due ?? `${year}-12-31`);
  let achieved: number;
  let target: number;
  let progress: number;
  let expectedProgress: number;
  let missedPeriods: string[] = [];

  if (measure.recurrence !== 'none' && measure.metric !== 'milestone') {
    const periods = periodsOf(measure.recurrence, start, due);
    const sums = new Array<number>(periods.length).fill(0);
    for (const i of activities) {
      const day = counted.day[i] as number;
      const index = periods.findIndex((p) => day >= p.first && day <= p.last);
      if (index >= 0) sums[index] = (sums[index] ?? 0) + contribution(counted, i, measure.metric);
    }
    let met = 0;
    let elapsed = 0;
    periods.forEach((period, i) => {
      const isMet = (sums[i] ?? 0) >= measure.target;
      const hasElapsed = period.last < today;
      if (isMet) met += 1;
      if (hasElapsed) elapsed += 1;
      if (hasElapsed && !isMet) missedPeriods.push(period.label);
    });
    achieved = met;
    target = periods.length;
    progress = met / target;
    expectedProgress = elapsed / target;
  } else {
    if (measure.metric === 'milestone') {
      achieved = measure.state === 'done' ? 1 : 0;
      target = 1;
    } else {
      achieved = 0;
      for (const i of activities) achieved += contribution(counted, i, measure.metric);
      target = measure.target;
    }
    progress = achieved / target;
    expectedProgress = Math.min(Math.max((today - start + 1) / (due - start + 1), 0), 1);
    missedPeriods = [];
  }

  return {
    measureId: measure.measureId,
    category: measure.category,
    status: statusOf(
      measure,
      { achieved, target, progress, expectedProgress, missedPeriods },
      start,
      due,
      today,
    ),
    activities: activities.length,
    achieved,
    target,
    progress,
    expectedProgress,
    missedPeriods,
  };
}

/** §4 Status: the first rule that applies. */
function statusOf(
  measure: Measure,
  computed: Pick<MeasureStats, 'achieved' | 'target' | 'progress' | 'expectedProgress' | 'missedPeriods'>,
  start: number,
  due: number,
  today: number,
): MeasureStatus {
  if (measure.state === 'cancelled') return 'cancelled';
  if (measure.state === 'done' || computed.achieved >= computed.target) return 'done';
  if (today > due) return 'overdue';
  if (today < start) return 'notStarted';
  if (measure.recurrence !== 'none' && measure.metric !== 'milestone') {
    return computed.missedPeriods.length > 0 ? 'behind' : 'onTrack';
  }
  return computed.progress < computed.expectedProgress - 0.1 ? 'behind' : 'onTrack';
}

const MONTHS_PER_PERIOD = { monthly: 1, quarterly: 3, halfYearly: 6, yearly: 12 } as const;

/** The calendar periods that intersect [start, due], each clipped to it. */
export function periodsOf(recurrence: keyof typeof MONTHS_PER_PERIOD, start: number, due: number): Period[] {
  const size = MONTHS_PER_PERIOD[recurrence];
  const from = partsOf(start);
  let year = from.year;
  let month = Math.floor((from.month - 1) / size) * size + 1;
  const periods: Period[] = [];
  for (;;) {
    const first = dayFromParts(year, month, 1) as number;
    if (first > due) break;
    const nextMonth = month + size;
    const next =
      nextMonth > 12
        ? (dayFromParts(year + 1, 1, 1) as number)
        : (dayFromParts(year, nextMonth, 1) as number);
    periods.push({
      label: periodLabel(recurrence, year, month),
      first: Math.max(first, start),
      last: Math.min(next - 1, due),
    });
    if (nextMonth > 12) {
      year += 1;
      month = 1;
    } else {
      month = nextMonth;
    }
  }
  return periods;
}

function periodLabel(recurrence: keyof typeof MONTHS_PER_PERIOD, year: number, month: number): string {
  switch (recurrence) {
    case 'monthly':
      return `${year}-${String(month).padStart(2, '0')}`;
    case 'quarterly':
      return `${year}-Q${(month + 2) / 3}`;
    case 'halfYearly':
      return `${year}-H${month === 1 ? 1 : 2}`;
    case 'yearly':
      return String(year);
  }
}

/** Counts per status, completion rate, average progress and totals (plan or one category). */
function rollUp(measures: MeasureStats[], totals: Totals): Omit<RollUp, 'withEvidence' | 'evidenceCoverage'> {
  const byStatus = Object.fromEntries(MEASURE_STATUSES.map((s) => [s, 0])) as Record<MeasureStatus, number>;
  let progressSum = 0;
  for (const m of measures) {
    byStatus[m.status] += 1;
    if (m.status !== 'cancelled') progressSum += m.status === 'done' ? 1 : Math.min(m.progress, 1);
  }
  const live = measures.length - byStatus.cancelled;
  return {
    measures: measures.length,
    ...byStatus,
    completionRate: live === 0 ? 0 : byStatus.done / live,
    averageProgress: live === 0 ? 0 : progressSum / live,
    ...totals,
  };
}

function partnerStats(
  model: PlanModel,
  measures: MeasureStats[],
  counted: Counted,
  today: number,
): PartnerStats[] {
  const partnerIndex = new Map(model.partners.map((p, i) => [p.partnerId, i]));
  const totals = model.partners.map(() => new Float64Array(SUMS + 1));
  const last = new Int32Array(model.partners.length).fill(-2_147_483_648);
  for (let i = 0; i < counted.count; i++) {
    for (const id of counted.partners[i] ?? []) {
      const p = partnerIndex.get(id);
      if (p === undefined) continue;
      addInto(totals[p] as Float64Array, counted, i);
      if ((counted.day[i] as number) > (last[p] as number)) last[p] = counted.day[i] as number;
    }
  }
  const statusById = new Map(measures.map((m) => [m.measureId, m.status]));
  return model.partners.map((partner, p) => {
    const seen = (totals[p] as Float64Array)[0] !== 0;
    const lastDay = last[p] as number;
    const daysSince = seen ? today - lastDay : null;
    let shared = 0;
    let done = 0;
    for (const measure of model.measures) {
      const status = statusById.get(measure.measureId);
      if (status === 'cancelled' || !measure.partners.includes(partner.partnerId)) continue;
      shared += 1;
      if (status === 'done') done += 1;
    }
    return {
      partnerId: partner.partnerId,
      ...totalsOf(totals[p] as Float64Array),
      lastActivity: seen ? isoOf(lastDay) : null,
      daysSinceLastActivity: daysSince,
      stale: partner.active && (daysSince === null || daysSince > model.settings.staleDays),
      measures: shared,
      measuresDone: done,
    };
  });
}

function monthStats(counted: Counted, year: number): MonthStats[] {
  const totals = Array.from({ length: 12 }, () => new Float64Array(SUMS + 1));
  for (let i = 0; i < counted.count; i++) {
    const month = counted.month[i] as number;
    if (month >= 0) addInto(totals[month] as Float64Array, counted, i);
  }
  return totals.map((total, m) => ({
    month: `${year}-${String(m + 1).padStart(2, '0')}`,
    ...totalsOf(total),
  }));
}
