/**
 * The completion statistics of §4, computed in one pass over the accepted activities. Pure: the
 * as-of date is an argument. Sums run in sheet order so results match to the last bit.
 */
import { dayFromParts, dayOf, isoOf, partsOf } from './dates';
import { CATEGORIES, CATEGORY_LABELS, type Category, MEASURE_STATUSES, type MeasureStatus } from './i18n';
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
 * An activity of A_D reduced to what the statistics read, every field always present: one object
 * shape for all, which keeps the hot loops fast (activities read from a sheet have many shapes).
 */
interface Counted {
  measureId: string;
  day: number;
  date: IsoDate;
  partners: readonly string[];
  participants: number;
  beneficiaries: number;
  hours: number;
  funds: number;
}

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

  const counted: Counted[] = [];
  const byMeasure = new Map<string, Counted[]>();
  const days = new Map<IsoDate, number>();
  for (const activity of model.activities) {
    if (activity.status !== 'done') continue;
    let day = days.get(activity.date);
    if (day === undefined) {
      day = dayOf(activity.date);
      days.set(activity.date, day);
    }
    if (day > today) continue;
    const entry: Counted = {
      measureId: activity.measureId,
      day,
      date: activity.date,
      partners: activity.partners,
      participants: activity.participants ?? 0,
      beneficiaries: activity.beneficiaries ?? 0,
      hours: activity.hours ?? 0,
      funds: activity.funds ?? 0,
    };
    counted.push(entry);
    const list = byMeasure.get(activity.measureId);
    if (list) list.push(entry);
    else byMeasure.set(activity.measureId, [entry]);
  }

  const measures = model.measures.map((measure) =>
    measureStats(measure, byMeasure.get(measure.measureId) ?? [], year, today),
  );

  // Category totals in one pass, in sheet order like the plan's.
  const categoryOf = new Map(model.measures.map((m) => [m.measureId, m.category]));
  const categoryTotals = new Map<Category, Totals>();
  for (const entry of counted) {
    const category = categoryOf.get(entry.measureId);
    if (category === undefined) continue;
    let totals = categoryTotals.get(category);
    if (!totals) {
      totals = emptyTotals();
      categoryTotals.set(category, totals);
    }
    addActivity(totals, entry);
  }
  const categories: CategoryStats[] = [];
  for (const category of CATEGORIES) {
    const own = measures.filter((m) => m.category === category);
    if (own.length === 0) continue;
    categories.push({
      category,
      label: CATEGORY_LABELS[category],
      ...rollUp(own, categoryTotals.get(category) ?? emptyTotals()),
    });
  }

  const planTotals = emptyTotals();
  for (const entry of counted) addActivity(planTotals, entry);
  return {
    asOf,
    year,
    plan: rollUp(measures, planTotals),
    categories,
    measures,
    partners: partnerStats(model, measures, counted, today),
    months: monthStats(counted, year),
  };
}

/** What one activity adds to a measure of the given metric. */
function contribution(activity: Counted, metric: Measure['metric']): number {
  switch (metric) {
    case 'count':
    case 'milestone':
      return 1;
    case 'participants':
      return activity.participants;
    case 'beneficiaries':
      return activity.beneficiaries;
    case 'hours':
      return activity.hours;
    case 'funds':
      return activity.funds;
  }
}

function measureStats(measure: Measure, activities: Counted[], year: number, today: number): MeasureStats {
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
    for (const activity of activities) {
      const index = periods.findIndex((p) => activity.day >= p.first && activity.day <= p.last);
      if (index >= 0) sums[index] = (sums[index] ?? 0) + contribution(activity, measure.metric);
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
      for (const activity of activities) achieved += contribution(activity, measure.metric);
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

function emptyTotals(): Totals {
  return { activities: 0, participants: 0, beneficiaries: 0, hours: 0, funds: 0 };
}

function addActivity(totals: Totals, activity: Counted): void {
  totals.activities += 1;
  totals.participants += activity.participants;
  totals.beneficiaries += activity.beneficiaries;
  totals.hours += activity.hours;
  totals.funds += activity.funds;
}

/** Counts per status, completion rate, average progress and totals (plan or one category). */
function rollUp(measures: MeasureStats[], totals: Totals): RollUp {
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
  counted: Counted[],
  today: number,
): PartnerStats[] {
  const totals = new Map<string, Totals & { last: number | null }>();
  for (const partner of model.partners) totals.set(partner.partnerId, { ...emptyTotals(), last: null });
  for (const activity of counted) {
    for (const id of activity.partners) {
      const entry = totals.get(id);
      if (!entry) continue;
      addActivity(entry, activity);
      if (entry.last === null || activity.day > entry.last) entry.last = activity.day;
    }
  }
  const statusById = new Map(measures.map((m) => [m.measureId, m.status]));
  return model.partners.map((partner) => {
    const { last, ...sums } = totals.get(partner.partnerId) as Totals & { last: number | null };
    const daysSince = last === null ? null : today - last;
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
      ...sums,
      lastActivity: last === null ? null : isoOf(last),
      daysSinceLastActivity: daysSince,
      stale: partner.active && (daysSince === null || daysSince > model.settings.staleDays),
      measures: shared,
      measuresDone: done,
    };
  });
}

function monthStats(counted: Counted[], year: number): MonthStats[] {
  const months = Array.from({ length: 12 }, (_, i) => ({
    month: `${year}-${String(i + 1).padStart(2, '0')}`,
    ...emptyTotals(),
  }));
  for (const activity of counted) {
    if (Number(activity.date.slice(0, 4)) !== year) continue;
    const month = months[Number(activity.date.slice(5, 7)) - 1];
    if (month) addActivity(month, activity);
  }
  return months;
}
