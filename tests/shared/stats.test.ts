/**
 * Independent tests of SPEC §4 "Completion statistics (exact)". Every expected value below is
 * derived by hand from the spec (calendar-day counts are written out in the comments); none is
 * taken from the engine. 2026 is not a leap year: Jan 31, Feb 28, Mar 31, Apr 30, May 31, Jun 30,
 * Jul 31, Aug 31, Sep 30, Oct 31, Nov 30, Dec 31 (day 181 = 30 Jun, 365 days in all).
 */
import { describe, expect, it } from 'vitest';
import type { Activity, Measure } from '../../shared/model';
import { computeStats } from '../../shared/stats';
import type { MeasureStats, PartnerStats, Stats } from '../../shared/stats-types';
import { activity, measure, model, partner, settings } from '../support/model';

// ---------------------------------------------------------------------------------------------
// Builders

/** Activities dated on each of the given dates, for measure M1 unless overridden. */
function on(dates: string[], overrides: Partial<Activity> = {}): Activity[] {
  return dates.map((date) => activity({ date, ...overrides }));
}

function measureStats(stats: Stats, id: string): MeasureStats {
  const found = stats.measures.find((m) => m.measureId === id);
  if (!found) throw new Error(`no stats for measure ${id}`);
  return found;
}

function partnerStats(stats: Stats, id: string): PartnerStats {
  const found = stats.partners.find((p) => p.partnerId === id);
  if (!found) throw new Error(`no stats for partner ${id}`);
  return found;
}

/** Relative tolerance 1e-9 (§4), absolute near zero. */
function expectClose(actual: number, expected: number, what = ''): void {
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  if (!(Math.abs(actual - expected) <= tolerance)) {
    expect.fail(`${what}: expected ${expected}, got ${actual}`);
  }
}

interface ExpectedMeasure {
  status?: MeasureStats['status'];
  activities?: number;
  achieved?: number;
  target?: number;
  progress?: number;
  expectedProgress?: number;
  missedPeriods?: string[];
}

function expectMeasure(actual: MeasureStats, expected: ExpectedMeasure): void {
  if (expected.status !== undefined) expect(actual.status, 'status').toBe(expected.status);
  if (expected.missedPeriods !== undefined)
    expect(actual.missedPeriods, 'missedPeriods').toEqual(expected.missedPeriods);
  for (const key of ['activities', 'achieved', 'target', 'progress', 'expectedProgress'] as const) {
    const want = expected[key];
    if (want !== undefined) expectClose(actual[key], want, key);
  }
}

/** Computes the stats of a one-measure model (measure M1) as of `asOf`. */
function one(m: Partial<Measure>, activities: Activity[], asOf: string, year = 2026): MeasureStats {
  const stats = computeStats(
    model({ measures: [measure(m)], activities, settings: settings({ year }) }),
    asOf,
  );
  return measureStats(stats, m.measureId ?? 'M1');
}

// ---------------------------------------------------------------------------------------------
// Status: first rule that applies

describe('§4 status, first rule wins', () => {
  interface Case {
    name: string;
    m: Partial<Measure>;
    activities: Activity[];
    asOf: string;
    want: ExpectedMeasure;
  }
  const cases: Case[] = [
    {
      // cancelled is checked before done: target reached, yet cancelled
      name: 'cancelled beats achieved ≥ target',
      m: { state: 'cancelled' },
      activities: on(['2026-03-01']),
      asOf: '2026-06-30',
      want: { status: 'cancelled', activities: 1, achieved: 1, target: 1, progress: 1, missedPeriods: [] },
    },
    {
      // cancelled is checked before overdue: a cancelled measure past its due date
      name: 'cancelled beats overdue',
      m: { state: 'cancelled', due: '2026-03-31' },
      activities: [],
      asOf: '2026-06-30',
      want: { status: 'cancelled', achieved: 0, progress: 0, expectedProgress: 1 },
    },
    {
      // manual 已完成 beats overdue; achieved is still the sum (0), expected clamps at 1
      name: 'manual done beats overdue',
      m: { state: 'done', due: '2026-03-31', target: 3 },
      activities: [],
      asOf: '2026-06-30',
      want: { status: 'done', activities: 0, achieved: 0, target: 3, progress: 0, expectedProgress: 1 },
    },
    {
      // achieved ≥ target → done, even though D > due
      name: 'achieved ≥ target beats overdue',
      m: { due: '2026-03-31', target: 2 },
      activities: on(['2026-01-10', '2026-03-10']),
      asOf: '2026-06-30',
      want: { status: 'done', achieved: 2, target: 2, progress: 1, expectedProgress: 1 },
    },
    {
      // achieved ≥ target → done, even though D < start (the early activity counts); expected 0
      name: 'achieved ≥ target beats notStarted',
      m: { start: '2026-09-01' },
      activities: on(['2026-05-01']),
      asOf: '2026-06-30',
      want: { status: 'done', activities: 1, achieved: 1, progress: 1, expectedProgress: 0 },
    },
    {
      // D > due and target not reached → overdue; expected clamps at 1
      name: 'overdue the day after due',
      m: { due: '2026-03-31', target: 3 },
      activities: on(['2026-01-10', '2026-02-10']),
      asOf: '2026-04-01',
      want: { status: 'overdue', achieved: 2, target: 3, progress: 2 / 3, expectedProgress: 1 },
    },
    {
      // D = due is not overdue: expected = 90/90 = 1, progress 2/3 < 0.9 → behind
      name: 'on the due date itself: not overdue',
      m: { due: '2026-03-31', target: 3 },
      activities: on(['2026-01-10', '2026-02-10']),
      asOf: '2026-03-31',
      want: { status: 'behind', progress: 2 / 3, expectedProgress: 1 },
    },
    {
      // D < start → notStarted; (D − start + 1) = 0 → expected 0 (184 days Jul 1 – Dec 31)
      name: 'notStarted the day before start',
      m: { start: '2026-07-01', target: 2 },
      activities: [],
      asOf: '2026-06-30',
      want: { status: 'notStarted', achieved: 0, progress: 0, expectedProgress: 0 },
    },
    {
      // D = start: started; expected = 1/184; 0 < 1/184 − 0.1 is false → onTrack
      name: 'on the start date itself: started',
      m: { start: '2026-07-01', target: 2 },
      activities: [],
      asOf: '2026-07-01',
      want: { status: 'onTrack', progress: 0, expectedProgress: 1 / 184 },
    },
    {
      // non-recurring: expected 5/10 = 0.5, progress 3/10 = 0.3 < 0.4 → behind
      name: 'non-recurring behind below the 0.1 margin',
      m: { start: '2026-01-01', due: '2026-01-10', target: 10 },
      activities: on(['2026-01-01', '2026-01-02', '2026-01-03']),
      asOf: '2026-01-05',
      want: { status: 'behind', achieved: 3, target: 10, progress: 0.3, expectedProgress: 0.5 },
    },
    {
      // non-recurring: progress 4/10 = 0.4 = 0.5 − 0.1 exactly (also in doubles) → not behind → onTrack
      name: 'non-recurring onTrack exactly at the 0.1 boundary',
      m: { start: '2026-01-01', due: '2026-01-10', target: 10 },
      activities: on(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04']),
      asOf: '2026-01-05',
      want: { status: 'onTrack', achieved: 4, target: 10, progress: 0.4, expectedProgress: 0.5 },
    },
    {
      // recurring quarterly: Q2 ended Jun 30 < Jul 15 with nothing in it → missed → behind
      name: 'recurring behind when a period is missed',
      m: { recurrence: 'quarterly' },
      activities: on(['2026-02-01']),
      asOf: '2026-07-15',
      want: {
        status: 'behind',
        activities: 1,
        achieved: 1,
        target: 4,
        progress: 0.25,
        expectedProgress: 0.5,
        missedPeriods: ['2026-Q2'],
      },
    },
    {
      // recurring quarterly: both elapsed quarters met → onTrack
      name: 'recurring onTrack when no period is missed',
      m: { recurrence: 'quarterly' },
      activities: on(['2026-02-01', '2026-05-01']),
      asOf: '2026-07-15',
      want: {
        status: 'onTrack',
        achieved: 2,
        target: 4,
        progress: 0.5,
        expectedProgress: 0.5,
        missedPeriods: [],
      },
    },
    {
      // recurring uses the missed-period rule, not the 0.1 margin: nothing elapsed yet (January
      // ends on D) → onTrack with progress 0 (non-recurring, 0 < 31/59 − 0.1 would be behind)
      name: 'recurring onTrack while the first period is still open',
      m: { recurrence: 'monthly', start: '2026-01-01', due: '2026-02-28' },
      activities: [],
      asOf: '2026-01-31',
      want: {
        status: 'onTrack',
        achieved: 0,
        target: 2,
        progress: 0,
        expectedProgress: 0,
        missedPeriods: [],
      },
    },
    {
      // recurring: every period met (target 2 periods) → achieved ≥ target → done before the end
      name: 'recurring done when every period is met',
      m: { recurrence: 'monthly', start: '2026-01-01', due: '2026-02-28' },
      activities: on(['2026-01-05', '2026-02-03']),
      asOf: '2026-02-10',
      want: { status: 'done', achieved: 2, target: 2, progress: 1, expectedProgress: 0.5, missedPeriods: [] },
    },
    {
      // recurring: overdue is checked before missed periods
      name: 'recurring overdue beats behind',
      m: { recurrence: 'monthly', start: '2026-01-01', due: '2026-02-28' },
      activities: on(['2026-01-05']),
      asOf: '2026-03-01',
      want: {
        status: 'overdue',
        achieved: 1,
        target: 2,
        progress: 0.5,
        expectedProgress: 1,
        missedPeriods: ['2026-02'],
      },
    },
    {
      // recurring: notStarted before start (Q2..Q4 = 3 periods, none elapsed)
      name: 'recurring notStarted',
      m: { recurrence: 'quarterly', start: '2026-04-01' },
      activities: [],
      asOf: '2026-03-15',
      want: {
        status: 'notStarted',
        achieved: 0,
        target: 3,
        progress: 0,
        expectedProgress: 0,
        missedPeriods: [],
      },
    },
  ];

  it.each(cases)('$name', ({ m, activities, asOf, want }) => {
    expectMeasure(one(m, activities, asOf), want);
  });
});

// ---------------------------------------------------------------------------------------------
// expectedProgress

describe('§4 expectedProgress = clamp((D − start + 1) / (due − start + 1), 0, 1)', () => {
  const cases: { name: string; m: Partial<Measure>; asOf: string; year?: number; expected: number }[] = [
    // the example of §5: default 1 Jan – 31 Dec, D = 30 Jun → 181/365
    { name: 'spec example, default dates', m: {}, asOf: '2026-06-30', expected: 0.4958904109589041 },
    // first day: 1/365
    { name: 'D = default start', m: {}, asOf: '2026-01-01', expected: 1 / 365 },
    // last day: 365/365
    { name: 'D = default due', m: {}, asOf: '2026-12-31', expected: 1 },
    // before start: negative → clamped to 0
    { name: 'clamped at 0 before start', m: { start: '2026-03-01' }, asOf: '2026-01-15', expected: 0 },
    // after due: > 1 → clamped to 1
    { name: 'clamped at 1 after due', m: { due: '2026-03-31' }, asOf: '2026-11-30', expected: 1 },
    // 1–31 Mar, D = 10 Mar → 10/31
    {
      name: 'explicit start and due',
      m: { start: '2026-03-01', due: '2026-03-31' },
      asOf: '2026-03-10',
      expected: 10 / 31,
    },
    // 1 Nov 2025 – 31 Dec 2026 = 30 + 31 + 365 = 426 days; D = 30 Jun 2026 → 61 + 181 = 242
    { name: 'spanning two years', m: { start: '2025-11-01' }, asOf: '2026-06-30', expected: 242 / 426 },
    // leap plan year 2028: defaults 1 Jan – 31 Dec 2028 = 366 days; 1 Mar = day 31 + 29 + 1 = 61
    { name: 'leap plan year', m: {}, asOf: '2028-03-01', year: 2028, expected: 61 / 366 },
    // a one-day measure on its day: 1/1
    {
      name: 'one-day measure',
      m: { start: '2026-05-05', due: '2026-05-05' },
      asOf: '2026-05-05',
      expected: 1,
    },
  ];

  it.each(cases)('$name', ({ m, asOf, year, expected }) => {
    expectClose(one({ target: 1000, ...m }, [], asOf, year).expectedProgress, expected, 'expectedProgress');
  });

  it('reproduces the measure of the §5 example exactly', () => {
    // default dates, target 1, no activity, D = 2026-06-30: 0 < 181/365 − 0.1 → behind
    const stats = computeStats(model({ measures: [measure({ measureId: '4.1' })] }), '2026-06-30');
    const m = measureStats(stats, '4.1');
    expect(m).toMatchObject({
      measureId: '4.1',
      category: 'practicalMatters',
      status: 'behind',
      activities: 0,
      achieved: 0,
      target: 1,
      progress: 0,
      missedPeriods: [],
    });
    expectClose(m.expectedProgress, 0.4958904109589041, 'expectedProgress');
  });
});

// ---------------------------------------------------------------------------------------------
// Metric values and the set A_D

describe('§4 value(a) per metric and the activities that count (A_D, C(m))', () => {
  const mixed = (measureId = 'M1') => [
    activity({
      measureId,
      date: '2026-02-01',
      participants: 10,
      beneficiaries: 3,
      hours: 1.5,
      funds: 1200.5,
    }),
    activity({ measureId, date: '2026-03-01', participants: 5, hours: 2.25, funds: 799.5 }),
    activity({ measureId, date: '2026-04-01', beneficiaries: 4 }),
  ];
  const cases: { name: string; metric: Measure['metric']; target: number; achieved: number }[] = [
    // count: 1 per activity → 3
    { name: 'count', metric: 'count', target: 6, achieved: 3 },
    // participants 10 + 5 + absent(0) = 15
    { name: 'participants', metric: 'participants', target: 30, achieved: 15 },
    // beneficiaries 3 + absent(0) + 4 = 7
    { name: 'beneficiaries', metric: 'beneficiaries', target: 14, achieved: 7 },
    // hours 1.5 + 2.25 + absent(0) = 3.75
    { name: 'hours', metric: 'hours', target: 10, achieved: 3.75 },
    // funds 1200.5 + 799.5 + absent(0) = 2000
    { name: 'funds', metric: 'funds', target: 5000, achieved: 2000 },
  ];
  it.each(cases)('metric $name', ({ metric, target, achieved }) => {
    expectMeasure(one({ metric, target }, mixed(), '2026-06-30'), {
      activities: 3,
      achieved,
      target,
      progress: achieved / target,
    });
  });

  it('counts only done activities dated ≤ D, and only those of the measure', () => {
    // counted: done on D itself (2026-06-30); not counted: planned, cancelled, pending, future (D + 1),
    // another measure's activity
    const stats = computeStats(
      model({
        measures: [
          measure({ metric: 'participants', target: 100 }),
          measure({ measureId: 'M2', metric: 'participants' }),
        ],
        activities: [
          activity({ date: '2026-06-30', participants: 7 }),
          activity({ date: '2026-05-01', participants: 100, status: 'planned' }),
          activity({ date: '2026-05-02', participants: 100, status: 'cancelled' }),
          activity({ date: '2026-05-04', participants: 100, status: 'pending' }),
          activity({ date: '2026-07-01', participants: 100 }),
          activity({ date: '2026-05-03', participants: 50, measureId: 'M2' }),
        ],
      }),
      '2026-06-30',
    );
    expectMeasure(measureStats(stats, 'M1'), { activities: 1, achieved: 7, target: 100, progress: 0.07 });
    expectMeasure(measureStats(stats, 'M2'), {
      status: 'done',
      activities: 1,
      achieved: 50,
      target: 1,
      progress: 50,
    });
  });

  it('counts late (after due) and early (before start) activities of a non-recurring measure', () => {
    // 1 Mar – 31 Mar; activities 15 Feb (early), 10 Mar (inside), 20 Apr (late) → all 3 count → 3 ≥ 3 → done
    const m = one(
      { start: '2026-03-01', due: '2026-03-31', target: 3 },
      on(['2026-02-15', '2026-03-10', '2026-04-20']),
      '2026-06-30',
    );
    expectMeasure(m, { status: 'done', activities: 3, achieved: 3, progress: 1, expectedProgress: 1 });
  });
});

// ---------------------------------------------------------------------------------------------
// Milestones

describe('§4 milestones', () => {
  const cases: { name: string; m: Partial<Measure>; activities: Activity[]; want: ExpectedMeasure }[] = [
    {
      // activities do not make a milestone done; achieved 0; 0 < 181/365 − 0.1 → behind
      name: 'automatic state with activities: achieved 0, activities still reported',
      m: { metric: 'milestone' },
      activities: on(['2026-02-01', '2026-03-01']),
      want: {
        status: 'behind',
        activities: 2,
        achieved: 0,
        target: 1,
        progress: 0,
        expectedProgress: 181 / 365,
      },
    },
    {
      // state done → achieved 1, progress 1
      name: 'state done: achieved 1',
      m: { metric: 'milestone', state: 'done', doneOn: '2026-04-01' },
      activities: [],
      want: {
        status: 'done',
        activities: 0,
        achieved: 1,
        target: 1,
        progress: 1,
        expectedProgress: 181 / 365,
      },
    },
    {
      // state cancelled: status is not done → achieved 0
      name: 'state cancelled: achieved 0',
      m: { metric: 'milestone', state: 'cancelled' },
      activities: on(['2026-02-01']),
      want: { status: 'cancelled', activities: 1, achieved: 0, target: 1, progress: 0 },
    },
    {
      // "target = 1" for a milestone whatever the model carries
      name: 'target is always 1',
      m: { metric: 'milestone', target: 5, state: 'done' },
      activities: [],
      want: { status: 'done', achieved: 1, target: 1, progress: 1 },
    },
    {
      // past due, not done → overdue; expected 1
      name: 'past due, not done: overdue',
      m: { metric: 'milestone', due: '2026-05-31' },
      activities: on(['2026-05-01']),
      want: { status: 'overdue', activities: 1, achieved: 0, target: 1, progress: 0, expectedProgress: 1 },
    },
  ];
  it.each(cases)('$name', ({ m, activities, want }) => {
    expectMeasure(one(m, activities, '2026-06-30'), { missedPeriods: [], ...want });
  });
});

// ---------------------------------------------------------------------------------------------
// Recurring measures

describe('§4 recurring measures', () => {
  it('monthly: labels, elapsed months, missed months', () => {
    // 12 periods; D = 15 Mar: Jan (ends 31 Jan) and Feb (ends 28 Feb) elapsed, Mar open.
    // Met: Jan, Mar → 2; missed: Feb.
    const m = one({ recurrence: 'monthly' }, on(['2026-01-10', '2026-03-02']), '2026-03-15');
    expectMeasure(m, {
      status: 'behind',
      activities: 2,
      achieved: 2,
      target: 12,
      progress: 2 / 12,
      expectedProgress: 2 / 12,
      missedPeriods: ['2026-02'],
    });
  });

  it('a period ending exactly on D is still open', () => {
    // activities in Jan and Feb only; D = 31 Mar: March ends on D → not elapsed
    const m = one({ recurrence: 'monthly' }, on(['2026-01-10', '2026-02-10']), '2026-03-31');
    expectMeasure(m, { status: 'onTrack', achieved: 2, expectedProgress: 2 / 12, missedPeriods: [] });
  });

  it('a period ending the day before D has elapsed', () => {
    // same activities; D = 1 Apr: March ended the day before → elapsed, missed
    const m = one({ recurrence: 'monthly' }, on(['2026-01-10', '2026-02-10']), '2026-04-01');
    expectMeasure(m, { status: 'behind', achieved: 2, expectedProgress: 3 / 12, missedPeriods: ['2026-03'] });
  });

  it('monthly in a leap year: February ends on the 29th', () => {
    // 2028: Feb ends 29 Feb = D → open; Jan elapsed and met
    const open = one({ recurrence: 'monthly' }, on(['2028-01-10']), '2028-02-29', 2028);
    expectMeasure(open, {
      status: 'onTrack',
      achieved: 1,
      target: 12,
      expectedProgress: 1 / 12,
      missedPeriods: [],
    });
    // D = 1 Mar 2028: Feb elapsed, nothing in it → missed
    const closed = one({ recurrence: 'monthly' }, on(['2028-01-10']), '2028-03-01', 2028);
    expectMeasure(closed, { status: 'behind', expectedProgress: 2 / 12, missedPeriods: ['2028-02'] });
  });

  it('quarterly with clipped first and last periods', () => {
    // start 15 Feb, due 10 Aug → Q1 = 15 Feb–31 Mar, Q2 = 1 Apr–30 Jun, Q3 = 1 Jul–10 Aug: 3 periods.
    // 10 Feb (before start) and 11 Aug (after due) are outside every period: they count for nothing
    // in achieved but are in `activities`. Q2 met (20 Apr), Q1 and Q3 not.
    // D = 30 Sep > due → all elapsed, overdue.
    const m = one(
      { recurrence: 'quarterly', start: '2026-02-15', due: '2026-08-10' },
      on(['2026-02-10', '2026-04-20', '2026-08-11']),
      '2026-09-30',
    );
    expectMeasure(m, {
      status: 'overdue',
      activities: 3,
      achieved: 1,
      target: 3,
      progress: 1 / 3,
      expectedProgress: 1,
      missedPeriods: ['2026-Q1', '2026-Q3'],
    });
  });

  it('quarterly: the clipped last day decides when the last period elapses', () => {
    // Q3 clipped to 1 Jul–10 Aug. D = 10 Aug → Q3 open (elapsed 2 of 3)
    const activities = on(['2026-02-15', '2026-04-20', '2026-07-05']);
    const onDue = one(
      { recurrence: 'quarterly', start: '2026-02-15', due: '2026-08-10', target: 2 },
      activities,
      '2026-08-10',
    );
    // each quarter has 1 activity < target 2 → none met; Q1, Q2 elapsed → missed
    expectMeasure(onDue, {
      status: 'behind',
      activities: 3,
      achieved: 0,
      target: 3,
      progress: 0,
      expectedProgress: 2 / 3,
      missedPeriods: ['2026-Q1', '2026-Q2'],
    });
    // D = 11 Aug → Q3 (ends 10 Aug, not 30 Sep) elapsed too
    const after = one(
      { recurrence: 'quarterly', start: '2026-02-15', due: '2026-08-10', target: 2 },
      activities,
      '2026-08-11',
    );
    expectMeasure(after, {
      status: 'overdue',
      expectedProgress: 1,
      missedPeriods: ['2026-Q1', '2026-Q2', '2026-Q3'],
    });
  });

  it('quarterly: an activity on the clipped first day counts', () => {
    // start 15 Feb: 15 Feb is inside Q1 (clipped); D = 1 Apr → Q1 elapsed and met
    const m = one(
      { recurrence: 'quarterly', start: '2026-02-15', due: '2026-08-10' },
      on(['2026-02-15']),
      '2026-04-01',
    );
    expectMeasure(m, {
      status: 'onTrack',
      achieved: 1,
      target: 3,
      progress: 1 / 3,
      expectedProgress: 1 / 3,
      missedPeriods: [],
    });
  });

  it('halfYearly with a metric target per period', () => {
    // participants, target 50 per half-year. H1: 30 + 25 = 55 ≥ 50 met; H2: 10 + absent = 10 not met.
    // D = 2027-01-01: both elapsed (H2 ends 31 Dec < D) → missed H2; D > due → overdue.
    const m = one(
      { recurrence: 'halfYearly', metric: 'participants', target: 50 },
      [
        activity({ date: '2026-03-01', participants: 30 }),
        activity({ date: '2026-06-30', participants: 25 }),
        activity({ date: '2026-07-01', participants: 10 }),
        activity({ date: '2026-12-01' }),
      ],
      '2027-01-01',
    );
    expectMeasure(m, {
      status: 'overdue',
      activities: 4,
      achieved: 1,
      target: 2,
      progress: 0.5,
      expectedProgress: 1,
      missedPeriods: ['2026-H2'],
    });
  });

  it('halfYearly: a period not reaching the target is missed', () => {
    // count target 2: H1 has 1 activity → not met, elapsed at 1 Jul; H2 has 2 → met
    const m = one(
      { recurrence: 'halfYearly', target: 2 },
      on(['2026-03-01', '2026-07-01', '2026-07-01']),
      '2026-07-01',
    );
    expectMeasure(m, {
      status: 'behind',
      activities: 3,
      achieved: 1,
      target: 2,
      progress: 0.5,
      expectedProgress: 0.5,
      missedPeriods: ['2026-H1'],
    });
  });

  it('yearly: the year ending on D is still open', () => {
    // one period 2026; D = 31 Dec = its last day → not elapsed; not past due → onTrack
    const m = one({ recurrence: 'yearly' }, [], '2026-12-31');
    expectMeasure(m, {
      status: 'onTrack',
      achieved: 0,
      target: 1,
      progress: 0,
      expectedProgress: 0,
      missedPeriods: [],
    });
  });

  it('yearly: elapsed after the year, labelled by the year', () => {
    // D = 1 Jan 2027 → elapsed, missed '2026'; D > due → overdue
    const m = one({ recurrence: 'yearly' }, [], '2027-01-01');
    expectMeasure(m, {
      status: 'overdue',
      target: 1,
      progress: 0,
      expectedProgress: 1,
      missedPeriods: ['2026'],
    });
  });

  it('yearly spanning two years: periods 2025 and 2026, clipped', () => {
    // start 1 Nov 2025, due 31 Mar 2026 → '2025' = 1 Nov–31 Dec 2025, '2026' = 1 Jan–31 Mar 2026.
    // D = 1 Feb 2026: 2025 elapsed and met (5 Dec 2025); 2026 open → onTrack.
    const m = one(
      { recurrence: 'yearly', start: '2025-11-01', due: '2026-03-31' },
      on(['2025-12-05']),
      '2026-02-01',
    );
    expectMeasure(m, {
      status: 'onTrack',
      activities: 1,
      achieved: 1,
      target: 2,
      progress: 0.5,
      expectedProgress: 0.5,
      missedPeriods: [],
    });
  });

  it('monthly spanning two years: labels of both years', () => {
    // start 1 Nov 2025, due 31 Dec 2026 → 2025-11, 2025-12, 2026-01 … 2026-12 = 14 periods.
    // D = 15 Feb 2026: 2025-11, 2025-12, 2026-01 elapsed. Met: 2025-11, 2026-01. Missed: 2025-12.
    const m = one(
      { recurrence: 'monthly', start: '2025-11-01' },
      on(['2025-11-20', '2026-01-05']),
      '2026-02-15',
    );
    expectMeasure(m, {
      status: 'behind',
      activities: 2,
      achieved: 2,
      target: 14,
      progress: 2 / 14,
      expectedProgress: 3 / 14,
      missedPeriods: ['2025-12'],
    });
  });

  it('monthly spanning two years lists missed months in order across the year boundary', () => {
    // same measure, no activity; D = 1 Feb 2026 → 2025-11, 2025-12, 2026-01 elapsed and missed
    const m = one({ recurrence: 'monthly', start: '2025-11-01' }, [], '2026-02-01');
    expect(m.missedPeriods).toEqual(['2025-11', '2025-12', '2026-01']);
  });

  it('missed periods are listed even when the measure is done by hand', () => {
    // quarterly, state done, no activity; D = 15 Jul → Q1, Q2 elapsed, not met
    const m = one({ recurrence: 'quarterly', state: 'done' }, [], '2026-07-15');
    expectMeasure(m, {
      status: 'done',
      achieved: 0,
      target: 4,
      progress: 0,
      expectedProgress: 0.5,
      missedPeriods: ['2026-Q1', '2026-Q2'],
    });
  });

  it('missed periods are listed even when the measure is cancelled', () => {
    const m = one({ recurrence: 'quarterly', state: 'cancelled' }, on(['2026-05-01']), '2026-07-15');
    expectMeasure(m, {
      status: 'cancelled',
      achieved: 1,
      target: 4,
      progress: 0.25,
      missedPeriods: ['2026-Q1'],
    });
  });

  it('a short measure inside one month has a single clipped period', () => {
    // 10–20 May monthly → one period '2026-05' = 10–20 May; D = 21 May → elapsed, nothing → missed
    const m = one(
      { recurrence: 'monthly', start: '2026-05-10', due: '2026-05-20' },
      on(['2026-05-05']),
      '2026-05-21',
    );
    expectMeasure(m, {
      status: 'overdue',
      activities: 1,
      achieved: 0,
      target: 1,
      progress: 0,
      expectedProgress: 1,
      missedPeriods: ['2026-05'],
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Plan and category roll-ups

describe('§4 plan and category roll-ups', () => {
  // D = 2026-06-30, default dates unless noted; 181/365 − 0.1 ≈ 0.3959.
  const measures = [
    // M1 partyBuilding: 2 of 2 → done, progress 1
    measure({ measureId: 'M1', category: 'partyBuilding', target: 2 }),
    // M2 civility: 1 of 4 → 0.25 < 0.3959 → behind
    measure({ measureId: 'M2', category: 'civility', target: 4 }),
    // M3 partyBuilding: cancelled, its activity still counts in category and plan
    measure({ measureId: 'M3', category: 'partyBuilding', state: 'cancelled' }),
    // M4 other: participants 40 of 100 → 0.4, due 31 Mar < D → overdue
    measure({ measureId: 'M4', category: 'other', metric: 'participants', target: 100, due: '2026-03-31' }),
    // M5 partyBuilding: starts 1 Sep → notStarted, progress 0
    measure({ measureId: 'M5', category: 'partyBuilding', start: '2026-09-01' }),
    // M6 civility: 1 of 2 → 0.5 ≥ 0.3959 → onTrack
    measure({ measureId: 'M6', category: 'civility', target: 2 }),
    // M7 civility: done by hand with progress 0 → counts as 1 in averageProgress
    measure({ measureId: 'M7', category: 'civility', target: 3, state: 'done' }),
  ];
  const activities = [
    activity({ measureId: 'M1', date: '2026-03-01', participants: 10, hours: 2 }),
    activity({ measureId: 'M1', date: '2026-05-01', participants: 5, funds: 100 }),
    activity({ measureId: 'M2', date: '2026-06-30', beneficiaries: 7 }),
    activity({ measureId: 'M3', date: '2026-04-01', participants: 3, funds: 50.5 }),
    activity({ measureId: 'M4', date: '2026-02-01', participants: 40 }),
    activity({ measureId: 'M6', date: '2026-06-01', participants: 2, hours: 1.5 }),
    // not in A_D: planned, cancelled, pending, future
    activity({ measureId: 'M1', date: '2026-04-01', participants: 100, status: 'planned' }),
    activity({ measureId: 'M2', date: '2026-04-01', participants: 100, status: 'cancelled' }),
    activity({ measureId: 'M4', date: '2026-04-01', participants: 100, status: 'pending' }),
    activity({ measureId: 'M2', date: '2026-07-01', participants: 1000, funds: 9 }),
  ];
  const stats = computeStats(model({ measures, activities }), '2026-06-30');

  it('measure statuses as derived', () => {
    expect(stats.measures.map((m) => [m.measureId, m.status])).toEqual([
      ['M1', 'done'],
      ['M2', 'behind'],
      ['M3', 'cancelled'],
      ['M4', 'overdue'],
      ['M5', 'notStarted'],
      ['M6', 'onTrack'],
      ['M7', 'done'],
    ]);
  });

  it('plan totals', () => {
    // 7 measures; done M1, M7; completionRate 2 / (7 − 1) = 1/3;
    // averageProgress over M1, M2, M4, M5, M6, M7 = (1 + 0.25 + 0.4 + 0 + 0.5 + 1) / 6 = 3.15 / 6 = 0.525;
    // A_D = first 6 activities: participants 10+5+3+40+2 = 60, beneficiaries 7, hours 3.5, funds 150.5
    expect(stats.plan).toMatchObject({
      measures: 7,
      done: 2,
      overdue: 1,
      behind: 1,
      onTrack: 1,
      notStarted: 1,
      cancelled: 1,
      activities: 6,
      participants: 60,
      beneficiaries: 7,
    });
    expectClose(stats.plan.completionRate, 1 / 3, 'completionRate');
    expectClose(stats.plan.averageProgress, 0.525, 'averageProgress');
    expectClose(stats.plan.hours, 3.5, 'hours');
    expectClose(stats.plan.funds, 150.5, 'funds');
  });

  it('categories: only those with a measure, in spec order, with Chinese labels', () => {
    expect(stats.categories.map((c) => [c.category, c.label])).toEqual([
      ['partyBuilding', '党建共商'],
      ['civility', '文明共创'],
      ['other', '其他'],
    ]);
  });

  it('category roll-ups', () => {
    const [party, civility, other] = stats.categories;
    // partyBuilding: M1 done, M3 cancelled, M5 notStarted; rate 1/(3−1); avg (1 + 0)/2;
    // activities of M1 and M3 (cancelled included): 3; participants 18; hours 2; funds 150.5
    expect(party).toMatchObject({
      measures: 3,
      done: 1,
      overdue: 0,
      behind: 0,
      onTrack: 0,
      notStarted: 1,
      cancelled: 1,
      activities: 3,
      participants: 18,
      beneficiaries: 0,
    });
    expectClose(party?.completionRate ?? Number.NaN, 0.5, 'party completionRate');
    expectClose(party?.averageProgress ?? Number.NaN, 0.5, 'party averageProgress');
    expectClose(party?.hours ?? Number.NaN, 2, 'party hours');
    expectClose(party?.funds ?? Number.NaN, 150.5, 'party funds');
    // civility: M2 behind, M6 onTrack, M7 done; rate 1/3; avg (0.25 + 0.5 + 1)/3 = 1.75/3;
    // activities of M2 and M6: 2; participants 2; beneficiaries 7; hours 1.5; funds 0
    expect(civility).toMatchObject({
      measures: 3,
      done: 1,
      overdue: 0,
      behind: 1,
      onTrack: 1,
      notStarted: 0,
      cancelled: 0,
      activities: 2,
      participants: 2,
      beneficiaries: 7,
    });
    expectClose(civility?.completionRate ?? Number.NaN, 1 / 3, 'civility completionRate');
    expectClose(civility?.averageProgress ?? Number.NaN, 1.75 / 3, 'civility averageProgress');
    expectClose(civility?.hours ?? Number.NaN, 1.5, 'civility hours');
    expectClose(civility?.funds ?? Number.NaN, 0, 'civility funds');
    // other: M4 overdue; rate 0/1 = 0; avg 0.4; 1 activity, participants 40
    expect(other).toMatchObject({
      measures: 1,
      done: 0,
      overdue: 1,
      behind: 0,
      onTrack: 0,
      notStarted: 0,
      cancelled: 0,
      activities: 1,
      participants: 40,
      beneficiaries: 0,
      hours: 0,
      funds: 0,
    });
    expectClose(other?.completionRate ?? Number.NaN, 0, 'other completionRate');
    expectClose(other?.averageProgress ?? Number.NaN, 0.4, 'other averageProgress');
  });

  it('categories add up to the plan', () => {
    const sum = (key: 'activities' | 'participants' | 'beneficiaries' | 'hours' | 'funds') =>
      stats.categories.reduce((acc, c) => acc + c[key], 0);
    expect(sum('activities')).toBe(stats.plan.activities);
    expectClose(sum('participants'), stats.plan.participants, 'participants');
    expectClose(sum('funds'), stats.plan.funds, 'funds');
  });

  it('completionRate and averageProgress are 0 when every measure is cancelled', () => {
    // measures − cancelled = 0 → 0; no non-cancelled measure → averageProgress 0;
    // the cancelled measure's activity still counts in plan and category
    const s = computeStats(
      model({ measures: [measure({ state: 'cancelled' })], activities: on(['2026-02-01'], { funds: 12 }) }),
      '2026-06-30',
    );
    expect(s.plan).toMatchObject({
      measures: 1,
      cancelled: 1,
      done: 0,
      completionRate: 0,
      averageProgress: 0,
      activities: 1,
      funds: 12,
    });
    expect(s.categories).toHaveLength(1);
    expect(s.categories[0]).toMatchObject({
      category: 'practicalMatters',
      label: '实事共办',
      completionRate: 0,
      averageProgress: 0,
      activities: 1,
    });
  });

  it('an empty plan: zeros, no categories, twelve empty months', () => {
    const s = computeStats(model({}), '2026-06-30');
    expect(s.plan).toEqual({
      measures: 0,
      done: 0,
      overdue: 0,
      behind: 0,
      onTrack: 0,
      notStarted: 0,
      cancelled: 0,
      completionRate: 0,
      averageProgress: 0,
      activities: 0,
      participants: 0,
      beneficiaries: 0,
      hours: 0,
      funds: 0,
      withEvidence: 0,
      evidenceCoverage: 0,
    });
    expect(s.categories).toEqual([]);
    expect(s.measures).toEqual([]);
    expect(s.partners).toEqual([]);
    expect(s.months).toHaveLength(12);
    expect(s.months.every((row) => row.activities === 0 && row.funds === 0)).toBe(true);
  });

  it('every category in spec order when each has a measure', () => {
    const order = [
      'other',
      'organization',
      'jointActivities',
      'problemSolving',
      'civility',
      'practicalMatters',
      'partyBuilding',
    ] as const;
    const s = computeStats(
      model({ measures: order.map((category, i) => measure({ measureId: `X${i}`, category })) }),
      '2026-06-30',
    );
    expect(s.categories.map((c) => [c.category, c.label])).toEqual([
      ['partyBuilding', '党建共商'],
      ['practicalMatters', '实事共办'],
      ['civility', '文明共创'],
      ['problemSolving', '难题共解'],
      ['jointActivities', '活动共搞'],
      ['organization', '组织保障'],
      ['other', '其他'],
    ]);
  });

  it('a recurring measure contributes met/periods to averageProgress', () => {
    // R: quarterly, Q1 met, D = 15 Jul → Q2 missed → behind, progress 1/4.
    // N: count target 4, 1 activity → 0.25 < 196/365 − 0.1 ≈ 0.437 → behind.
    // averageProgress = (0.25 + 0.25) / 2 = 0.25; completionRate 0/2 = 0
    const s = computeStats(
      model({
        measures: [
          measure({ measureId: 'R', recurrence: 'quarterly' }),
          measure({ measureId: 'N', target: 4 }),
        ],
        activities: [
          activity({ measureId: 'R', date: '2026-02-01' }),
          activity({ measureId: 'N', date: '2026-02-01' }),
        ],
      }),
      '2026-07-15',
    );
    expect(s.plan).toMatchObject({ measures: 2, behind: 2, activities: 2 });
    expectClose(s.plan.averageProgress, 0.25, 'averageProgress');
    expectClose(s.plan.completionRate, 0, 'completionRate');
  });
});

// ---------------------------------------------------------------------------------------------
// Partners

describe('§4 partners', () => {
  // D = 2026-06-30, staleDays 30.
  const partners = [
    partner({ partnerId: 'P1', name: '一' }),
    partner({ partnerId: 'P2', name: '二' }),
    partner({ partnerId: 'P3', name: '三' }),
    partner({ partnerId: 'P4', name: '四', active: false }),
    partner({ partnerId: 'P5', name: '五', active: false }),
    partner({ partnerId: 'P6', name: '六' }),
  ];
  const measures = [
    // MA names P1, P2; 1 of 1 → done
    measure({ measureId: 'MA', partners: ['P1', 'P2'] }),
    // MB names P1, cancelled → not in P1's measures
    measure({ measureId: 'MB', partners: ['P1'], state: 'cancelled' }),
    // MC names P1, P3; 4 of 5 = 0.8 → onTrack
    measure({ measureId: 'MC', partners: ['P1', 'P3'], target: 5 }),
    // MD names P2; done by hand
    measure({ measureId: 'MD', partners: ['P2'], state: 'done' }),
  ];
  const activities = [
    activity({
      measureId: 'MA',
      date: '2026-06-10',
      partners: ['P1'],
      participants: 10,
      beneficiaries: 4,
      hours: 2,
      funds: 30,
    }),
    // two partners: counts fully for each
    activity({
      measureId: 'MC',
      date: '2026-05-01',
      partners: ['P1', 'P4'],
      participants: 3,
      beneficiaries: 1,
      hours: 1.5,
      funds: 100,
    }),
    activity({ measureId: 'MC', date: '2026-05-31', partners: ['P2'] }),
    activity({ measureId: 'MC', date: '2026-05-30', partners: ['P3'], hours: 0.5 }),
    activity({ measureId: 'MC', date: '2026-01-05', partners: ['P4'], beneficiaries: 6 }),
    // not in A_D
    activity({ measureId: 'MC', date: '2026-06-01', partners: ['P6'], participants: 99, status: 'planned' }),
    activity({ measureId: 'MC', date: '2026-06-03', partners: ['P6'], participants: 99, status: 'pending' }),
    activity({ measureId: 'MC', date: '2026-07-01', partners: ['P6'], participants: 99 }),
    activity({
      measureId: 'MC',
      date: '2026-06-02',
      partners: ['P6'],
      participants: 99,
      status: 'cancelled',
    }),
  ];
  const stats = computeStats(model({ partners, measures, activities }), '2026-06-30');

  const cases: { name: string; id: string; want: Omit<PartnerStats, 'partnerId'> }[] = [
    {
      // 2 activities (06-10, 05-01): last is the latest date, not the last row; 20 days ≤ 30
      name: 'P1: several activities, one shared',
      id: 'P1',
      want: {
        activities: 2,
        participants: 13,
        beneficiaries: 5,
        hours: 3.5,
        funds: 130,
        lastActivity: '2026-06-10',
        daysSinceLastActivity: 20,
        stale: false,
        measures: 2, // MA, MC (MB cancelled)
        measuresDone: 1, // MA
      },
    },
    {
      // exactly staleDays (30) since 31 May → not stale; MA and MD both done
      name: 'P2: exactly staleDays → not stale',
      id: 'P2',
      want: {
        activities: 1,
        participants: 0,
        beneficiaries: 0,
        hours: 0,
        funds: 0,
        lastActivity: '2026-05-31',
        daysSinceLastActivity: 30,
        stale: false,
        measures: 2,
        measuresDone: 2,
      },
    },
    {
      // 31 days since 30 May > 30 → stale
      name: 'P3: more than staleDays → stale',
      id: 'P3',
      want: {
        activities: 1,
        participants: 0,
        beneficiaries: 0,
        hours: 0.5,
        funds: 0,
        lastActivity: '2026-05-30',
        daysSinceLastActivity: 31,
        stale: true,
        measures: 1,
        measuresDone: 0,
      },
    },
    {
      // inactive: activities count (shared one fully), 60 days since 1 May, never stale
      name: 'P4: inactive with old activity → counted, not stale',
      id: 'P4',
      want: {
        activities: 2,
        participants: 3,
        beneficiaries: 7,
        hours: 1.5,
        funds: 100,
        lastActivity: '2026-05-01',
        daysSinceLastActivity: 60,
        stale: false,
        measures: 0,
        measuresDone: 0,
      },
    },
    {
      // inactive without activity → not stale
      name: 'P5: inactive without activity → not stale',
      id: 'P5',
      want: {
        activities: 0,
        participants: 0,
        beneficiaries: 0,
        hours: 0,
        funds: 0,
        lastActivity: null,
        daysSinceLastActivity: null,
        stale: false,
        measures: 0,
        measuresDone: 0,
      },
    },
    {
      // active, only planned/cancelled/pending/future activities → no activity → stale
      name: 'P6: active without counted activity → stale',
      id: 'P6',
      want: {
        activities: 0,
        participants: 0,
        beneficiaries: 0,
        hours: 0,
        funds: 0,
        lastActivity: null,
        daysSinceLastActivity: null,
        stale: true,
        measures: 0,
        measuresDone: 0,
      },
    },
  ];

  it.each(cases)('$name', ({ id, want }) => {
    const p = partnerStats(stats, id);
    const { hours, funds, ...exact } = want;
    expect(p).toMatchObject(exact);
    expectClose(p.hours, hours, 'hours');
    expectClose(p.funds, funds, 'funds');
  });

  it('partners are listed in input order', () => {
    expect(stats.partners.map((p) => p.partnerId)).toEqual(['P1', 'P2', 'P3', 'P4', 'P5', 'P6']);
  });

  it('days since the last activity cross the year boundary and use staleDays from settings', () => {
    // last activity 31 Dec 2025 (outside the plan year, still counts); D = 10 Jan 2026 → 10 days;
    // staleDays 9 → 10 > 9 → stale
    const s = computeStats(
      model({
        settings: settings({ staleDays: 9 }),
        partners: [partner()],
        measures: [measure({ partners: ['P1'] })],
        activities: [activity({ date: '2025-12-31', partners: ['P1'] })],
      }),
      '2026-01-10',
    );
    expect(partnerStats(s, 'P1')).toMatchObject({
      activities: 1,
      lastActivity: '2025-12-31',
      daysSinceLastActivity: 10,
      stale: true,
      measures: 1,
      measuresDone: 1, // 1 of 1 → done
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Months

describe('§4 months', () => {
  // D = 15 Jan 2027 so that activities after the plan year are in A_D too.
  const activities = [
    activity({ date: '2025-12-31', participants: 1000 }), // before the plan year: plan only
    activity({ date: '2026-01-01', participants: 1 }),
    activity({ date: '2026-01-31', hours: 2.5 }),
    activity({ date: '2026-02-28', participants: 5, beneficiaries: 3 }),
    activity({ date: '2026-03-15', status: 'planned', participants: 77 }), // not in A_D
    activity({ date: '2026-04-15', status: 'pending', participants: 88 }), // not in A_D
    activity({ date: '2026-12-31', funds: 10 }),
    activity({ date: '2027-01-10', funds: 2000 }), // after the plan year: plan only
  ];
  const stats = computeStats(model({ measures: [measure()], activities }), '2027-01-15');

  it('twelve rows for the plan year, in order', () => {
    expect(stats.months.map((row) => row.month)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
  });

  it('monthly counts and sums', () => {
    const byMonth = new Map(stats.months.map((row) => [row.month, row]));
    expect(byMonth.get('2026-01')).toEqual({
      month: '2026-01',
      activities: 2,
      participants: 1,
      beneficiaries: 0,
      hours: 2.5,
      funds: 0,
    });
    expect(byMonth.get('2026-02')).toEqual({
      month: '2026-02',
      activities: 1,
      participants: 5,
      beneficiaries: 3,
      hours: 0,
      funds: 0,
    });
    expect(byMonth.get('2026-03')).toEqual({
      month: '2026-03',
      activities: 0,
      participants: 0,
      beneficiaries: 0,
      hours: 0,
      funds: 0,
    });
    expect(byMonth.get('2026-12')).toEqual({
      month: '2026-12',
      activities: 1,
      participants: 0,
      beneficiaries: 0,
      hours: 0,
      funds: 10,
    });
    expect(stats.months.reduce((acc, row) => acc + row.activities, 0)).toBe(4);
  });

  it('activities outside the plan year are in plan totals and measures, not in months', () => {
    // plan: 6 activities (all but the planned one); participants 1000 + 1 + 5; funds 10 + 2000
    expect(stats.plan).toMatchObject({ activities: 6, participants: 1006, beneficiaries: 3, funds: 2010 });
    expectClose(stats.plan.hours, 2.5, 'hours');
    expect(measureStats(stats, 'M1').activities).toBe(6);
  });

  it('twelve rows even when D is early in the year (future months are zero)', () => {
    const s = computeStats(
      model({ measures: [measure()], activities: on(['2026-01-05', '2026-03-01']) }),
      '2026-01-31',
    );
    expect(s.months).toHaveLength(12);
    expect(s.months[0]).toMatchObject({ month: '2026-01', activities: 1 });
    expect(s.months[2]).toMatchObject({ month: '2026-03', activities: 0 });
  });
});

// ---------------------------------------------------------------------------------------------
// Output shape

describe('§4/§5 output shape', () => {
  const stats = computeStats(
    model({
      partners: [partner({ partnerId: 'Pz', name: 'z' }), partner({ partnerId: 'Pa', name: 'a' })],
      measures: [
        measure({ measureId: '4.30', category: 'other' }),
        measure({ measureId: '4.3', category: 'partyBuilding' }),
        measure({ measureId: '1', category: 'civility' }),
      ],
    }),
    '2026-06-30',
  );

  it('asOf and year', () => {
    expect(stats.asOf).toBe('2026-06-30');
    expect(stats.year).toBe(2026);
  });

  it('plan keys in the order of §5', () => {
    expect(Object.keys(stats.plan)).toEqual([
      'measures',
      'done',
      'overdue',
      'behind',
      'onTrack',
      'notStarted',
      'cancelled',
      'completionRate',
      'averageProgress',
      'activities',
      'participants',
      'beneficiaries',
      'hours',
      'funds',
      'withEvidence',
      'evidenceCoverage',
    ]);
  });

  it('evidence coverage: done activities with evidence over done activities, per plan and category (issue 20)', () => {
    const m = model({
      measures: [
        measure({ measureId: 'A', category: 'civility' }),
        measure({ measureId: 'B', category: 'organization' }),
      ],
      activities: [
        activity({ measureId: 'A', evidence: 'https://example.cn/1' }),
        activity({ measureId: 'A', evidence: '佐证材料/R0000000001/' }),
        activity({ measureId: 'A' }),
        activity({ measureId: 'B' }),
        // Not done: in no coverage.
        activity({ measureId: 'B', status: 'planned', evidence: 'https://example.cn/2' }),
      ],
    });
    const s = computeStats(m, '2026-12-31');
    expect(s.plan).toMatchObject({ activities: 4, withEvidence: 2, evidenceCoverage: 0.5 });
    expect(s.categories.map((c) => [c.category, c.withEvidence, c.evidenceCoverage])).toEqual([
      ['civility', 2, 2 / 3],
      ['organization', 0, 0],
    ]);
  });

  it('measures and partners in input order (IDs are text: 4.30 ≠ 4.3)', () => {
    expect(stats.measures.map((m) => m.measureId)).toEqual(['4.30', '4.3', '1']);
    expect(stats.measures.map((m) => m.category)).toEqual(['other', 'partyBuilding', 'civility']);
    expect(stats.partners.map((p) => p.partnerId)).toEqual(['Pz', 'Pa']);
  });

  it('field sets of measure, partner, month and category entries', () => {
    expect(Object.keys(stats.measures[0] ?? {}).sort()).toEqual(
      [
        'measureId',
        'category',
        'status',
        'activities',
        'achieved',
        'target',
        'progress',
        'expectedProgress',
        'missedPeriods',
      ].sort(),
    );
    expect(Object.keys(stats.partners[0] ?? {}).sort()).toEqual(
      [
        'partnerId',
        'activities',
        'participants',
        'beneficiaries',
        'hours',
        'funds',
        'lastActivity',
        'daysSinceLastActivity',
        'stale',
        'measures',
        'measuresDone',
      ].sort(),
    );
    expect(Object.keys(stats.months[0] ?? {}).sort()).toEqual(
      ['month', 'activities', 'participants', 'beneficiaries', 'hours', 'funds'].sort(),
    );
    expect(Object.keys(stats.categories[0] ?? {}).sort()).toEqual(
      ['category', 'label', ...Object.keys(stats.plan)].sort(),
    );
  });

  it('the result is plain JSON (round-trips unchanged)', () => {
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });

  it('does not mutate the model', () => {
    const input = model({
      partners: [partner()],
      measures: [measure({ partners: ['P1'], recurrence: 'monthly' })],
      activities: on(['2026-02-01', '2026-01-01'], { partners: ['P1'] }),
    });
    const before = JSON.stringify(input);
    computeStats(input, '2026-06-30');
    expect(JSON.stringify(input)).toBe(before);
  });
});
