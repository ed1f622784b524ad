/**
 * The periods a digest covers (a calendar month or an ISO week) and the days digests go out on
 * (§7), on the plan's working-day calendar: what the partner digest and the leader summary report
 * on and what the planning sends on a date.
 */
import { dayOf, isoOf, partsOf } from '../dates';
import type { DigestFrequency } from '../i18n';
import type { IsoDate } from '../model';
import { isWorkday, STATUTORY_CALENDAR, type WorkCalendar } from '../workdays';

/** The days a digest covers: a calendar month or an ISO week (Monday–Sunday). */
export interface DigestPeriod {
  kind: DigestFrequency;
  start: IsoDate;
  end: IsoDate;
  /** As subjects say it: `2026年6月`, `2026年6月8日—14日`. */
  label: string;
  /** As keys say it: `2026-06`, `2026-W24` (ISO week). */
  id: string;
}

/** Monday = 0 … Sunday = 6 (day 0, 1970-01-01, was a Thursday). */
function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** The ISO week id of the week starting on a Monday: `2026-W24` (the year of its Thursday). */
function isoWeekId(monday: number): string {
  const thursday = monday + 3;
  const year = partsOf(thursday).year;
  const week = Math.floor((thursday - dayOf(`${String(year).padStart(4, '0')}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The period a digest sent on `date` covers: monthly, the previous calendar month when `date` is
 * the 1st; weekly, the previous Monday–Sunday when `date` is a Monday; otherwise undefined.
 */
export function digestPeriodFor(frequency: DigestFrequency, date: IsoDate): DigestPeriod | undefined {
  const today = dayOf(date);
  if (frequency === 'monthly') {
    if (partsOf(today).day !== 1) return undefined;
    const end = today - 1;
    const { year, month } = partsOf(end);
    return {
      kind: 'monthly',
      start: isoOf(end - partsOf(end).day + 1),
      end: isoOf(end),
      label: `${year}年${month}月`,
      id: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    };
  }
  if (weekday(today) !== 0) return undefined;
  const start = today - 7;
  const end = today - 1;
  const from = partsOf(start);
  const to = partsOf(end);
  const toText =
    to.year !== from.year
      ? `${to.year}年${to.month}月${to.day}日`
      : to.month !== from.month
        ? `${to.month}月${to.day}日`
        : `${to.day}日`;
  return {
    kind: 'weekly',
    start: isoOf(start),
    end: isoOf(end),
    label: `${from.year}年${from.month}月${from.day}日—${toText}`,
    id: isoWeekId(start),
  };
}

/**
 * The periods whose digests go out on `date` (§7): a digest day (the 1st, or a Monday) that is
 * not a working day moves to the next working day, so a working day after a holiday sends the
 * digests of every digest day in the holiday before it — after the 2026 Spring Festival (15–23
 * February, two Mondays) a weekly plan sends two weeks' digests on the 24th. Empty on a day off.
 */
export function digestPeriodsOn(
  frequency: DigestFrequency,
  date: IsoDate,
  calendar: WorkCalendar = STATUTORY_CALENDAR,
): DigestPeriod[] {
  if (!isWorkday(date, calendar)) return [];
  const periods: DigestPeriod[] = [];
  const today = dayOf(date);
  for (let day = today; day === today || !isWorkday(isoOf(day), calendar); day -= 1) {
    const period = digestPeriodFor(frequency, isoOf(day));
    if (period) periods.unshift(period);
  }
  return periods;
}

/** What a digest of the period is called: 周报 or 月报. */
export function reportName(period: DigestPeriod): string {
  return period.kind === 'weekly' ? '周报' : '月报';
}

/** Whether a date lies within a period, both ends included. */
export function inPeriod(date: IsoDate, period: { start: IsoDate; end: IsoDate }): boolean {
  return date >= period.start && date <= period.end;
}
