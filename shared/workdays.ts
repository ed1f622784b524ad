/**
 * Working days in the mainland calendar (§7): Monday–Friday, minus the statutory holidays, plus
 * the make-up working days (调休) on weekends, as the State Council announces them each year.
 *
 * The data is the maintained `chinese-days` package, read as its JSON (dates → names) rather than
 * through its functions: those parse `YYYY-MM-DD` as UTC midnight and then read the local
 * weekday, so west of Greenwich they answer for the day before (2026-10-08 came out a holiday
 * under TZ=America/New_York). Looking the ISO text up in the tables has no such trap, and our own
 * day numbers (dates.ts) give the weekday.
 *
 * A year the package does not know yet (the State Council publishes next year's arrangement in
 * November or December; a new package release follows) is answered by the rule every year shares:
 * Monday–Friday minus the statutory holidays fixed on solar dates by 《全国年节及纪念日放假办法》
 * (New Year's Day 1 Jan, Labour Day 1–2 May, National Day 1–3 Oct). The lunar holidays and the
 * make-up days are unknown then, so every answer that touched such a year says `estimated`, for
 * callers to show ("约") or log.
 *
 * The office can give the arrangement itself (§3 节假日 / Holidays tab: 日期, 休/班, 名称): a
 * `WorkCalendar` is the package's data with those days on top. A day the tab names is what the tab
 * says, whatever the package or the weekday rule say (the office's word is newer than any
 * release); a year the tab names at all counts as known, so its answers are no longer estimates —
 * its other days follow the rule above. Every function takes the plan's calendar (calendarOf) and
 * defaults to the package alone, so a caller without a plan (no tab) answers as before.
 */
import calendar from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { dayOf, isoOf, partsOf } from './dates';
import type { CalendarDay, IsoDate, Settings } from './model';

/** The package's tables by ISO date: statutory holidays (with the weekdays given off in exchange) and make-up working days (调休). */
type CalendarTables = Readonly<Record<'holidays' | 'workdays', Readonly<Record<string, string | undefined>>>>;
// Read inside the functions, never at the top level: a bundle that does not call them (the add-on
// imports summary.ts for its headers) then leaves the 40 KB of data out.
const tables = (): CalendarTables => calendar;

/** Statutory holidays on fixed solar dates (month-day), the fallback for an unknown year. */
const FIXED_HOLIDAYS = new Set(['01-01', '05-01', '05-02', '10-01', '10-02', '10-03']);

/** Whether the package has the State Council's arrangement for a year (every year lists its 1 January). */
function packageKnows(year: number): boolean {
  return tables().holidays[`${String(year).padStart(4, '0')}-01-01`] !== undefined;
}

/** The package's calendar with a plan's own days (the 节假日 tab) on top. */
export interface WorkCalendar {
  /** Days the tab names, by ISO date: true for a make-up working day (班), false for a day off (休). */
  readonly days: ReadonlyMap<IsoDate, boolean>;
  /** The years the tab names at least one day of. */
  readonly years: ReadonlySet<number>;
}

/** A calendar of the package's data with the given days on top. */
export function workCalendar(days: readonly CalendarDay[] = []): WorkCalendar {
  const map = new Map<IsoDate, boolean>();
  const years = new Set<number>();
  for (const day of days) {
    map.set(day.date, day.kind === 'work');
    years.add(Number(day.date.slice(0, 4)));
  }
  return { days: map, years };
}

/** The package's data alone: what every function answers when given no plan calendar. */
export const STATUTORY_CALENDAR: WorkCalendar = workCalendar();

/** A plan's calendar: the package's data with the days of its 节假日 tab (settings.holidays). */
export function calendarOf(settings: Pick<Settings, 'holidays'>): WorkCalendar {
  return settings.holidays === undefined || settings.holidays.length === 0
    ? STATUTORY_CALENDAR
    : workCalendar(settings.holidays);
}

/** Whether a year's days off are known: the package has its arrangement, or the plan's tab gives days of it. */
export function calendarKnows(year: number, calendar: WorkCalendar = STATUTORY_CALENDAR): boolean {
  return calendar.years.has(year) || packageKnows(year);
}

/** Monday = 1 … Sunday = 7 of a day number (day 0, 1970-01-01, was a Thursday). */
function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

// The loops below end: only the tab's finitely many days, holidays and weekends are days off.
function isWorkdayNumber(day: number, calendar: WorkCalendar): boolean {
  const iso = isoOf(day);
  const given = calendar.days.get(iso);
  if (given !== undefined) return given;
  if (!packageKnows(partsOf(day).year)) return isoWeekday(day) <= 5 && !FIXED_HOLIDAYS.has(iso.slice(5));
  if (tables().workdays[iso] !== undefined) return true;
  return isoWeekday(day) <= 5 && tables().holidays[iso] === undefined;
}

/** Whether a date is a working day in the mainland calendar (a make-up Saturday is one). */
export function isWorkday(date: IsoDate, calendar: WorkCalendar = STATUTORY_CALENDAR): boolean {
  return isWorkdayNumber(dayOf(date), calendar);
}

/** The date itself when it is a working day, else the last working day before it. */
export function workdayOnOrBefore(date: IsoDate, calendar: WorkCalendar = STATUTORY_CALENDAR): IsoDate {
  let day = dayOf(date);
  while (!isWorkdayNumber(day, calendar)) day -= 1;
  return isoOf(day);
}

/** The date itself when it is a working day, else the first working day after it. */
export function workdayOnOrAfter(date: IsoDate, calendar: WorkCalendar = STATUTORY_CALENDAR): IsoDate {
  let day = dayOf(date);
  while (!isWorkdayNumber(day, calendar)) day += 1;
  return isoOf(day);
}

/** A count of working days, and whether a year the package does not know went into it. */
export interface WorkdayCount {
  days: number;
  estimated: boolean;
}

/** The working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workdaysBetween(
  from: IsoDate,
  to: IsoDate,
  calendar: WorkCalendar = STATUTORY_CALENDAR,
): WorkdayCount {
  const start = dayOf(from);
  const end = dayOf(to);
  let days = 0;
  for (let day = start + 1; day <= end; day += 1) if (isWorkdayNumber(day, calendar)) days += 1;
  const estimated = end > start && unknownYears(from, to, calendar).length > 0;
  return { days, estimated };
}

/** The years from `from` to `to` (inclusive, either order) neither the package nor the plan's tab knows. */
export function unknownYears(
  from: IsoDate,
  to: IsoDate,
  calendar: WorkCalendar = STATUTORY_CALENDAR,
): number[] {
  const a = partsOf(dayOf(from)).year;
  const b = partsOf(dayOf(to)).year;
  const years: number[] = [];
  for (let year = Math.min(a, b); year <= Math.max(a, b); year += 1) {
    if (!calendarKnows(year, calendar)) years.push(year);
  }
  return years;
}

/**
 * How far a due date is from today, in the words reminders use: `今天到期`, `还有 3 个工作日`
 * (`还有约 3 个工作日` when a year the package does not know is involved), `今天是最后一个工作日`
 * (none left after today), `已过期 2 天` (calendar days, as overdue notices count them).
 */
export function dueCountdown(
  due: IsoDate,
  today: IsoDate,
  calendar: WorkCalendar = STATUTORY_CALENDAR,
): string {
  const left = dayOf(due) - dayOf(today);
  if (left < 0) return `已过期 ${-left} 天`;
  if (left === 0) return '今天到期';
  const { days, estimated } = workdaysBetween(today, due, calendar);
  if (days === 0) return isWorkday(today, calendar) ? '今天是最后一个工作日' : '到期前已没有工作日';
  return `还有${estimated ? '约' : ''} ${days} 个工作日`;
}

/** A due date for a person: `12月4日（还有 3 个工作日）`, with the year when it is not today's. */
export function describeDue(
  due: IsoDate,
  today: IsoDate,
  calendar: WorkCalendar = STATUTORY_CALENDAR,
): string {
  const { year, month, day } = partsOf(dayOf(due));
  const yearText = year === partsOf(dayOf(today)).year ? '' : `${year}年`;
  return `${yearText}${month}月${day}日（${dueCountdown(due, today, calendar)}）`;
}
