/**
 * The mainland working-day calendar (shared/workdays.ts) against the State Council's 2026
 * arrangement (国办发明电〔2025〕7号): 元旦 1–3 Jan (Sunday 4 Jan worked), 春节 15–23 Feb (Saturdays
 * 14 and 28 Feb worked), 劳动节 1–5 May (Saturday 9 May worked), 国庆节 1–7 Oct (Sunday 20 Sep and
 * Saturday 10 Oct worked) — and what it answers for a year the package does not know yet.
 */
import { describe, expect, it } from 'vitest';
import {
  calendarKnows,
  calendarOf,
  describeDue,
  dueCountdown,
  isWorkday,
  STATUTORY_CALENDAR,
  unknownYears,
  workCalendar,
  workdayOnOrAfter,
  workdayOnOrBefore,
  workdaysBetween,
} from '../../shared/workdays';

describe('isWorkday (2026, known to the package)', () => {
  it('statutory holidays on weekdays are days off', () => {
    for (const date of ['2026-01-01', '2026-01-02', '2026-02-16', '2026-02-23', '2026-05-05', '2026-10-01']) {
      expect(isWorkday(date), date).toBe(false);
    }
  });

  it('make-up days (调休) on Saturdays and Sundays are working days', () => {
    for (const date of ['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']) {
      expect(isWorkday(date), date).toBe(true);
    }
  });

  it('ordinary weekdays work and ordinary weekends do not', () => {
    expect(isWorkday('2026-10-09')).toBe(true); // Friday
    expect(isWorkday('2026-10-17')).toBe(false); // Saturday
    expect(isWorkday('2026-10-18')).toBe(false); // Sunday
    expect(isWorkday('2026-12-31')).toBe(true); // Thursday
  });

  it('a year has the mainland number of working days', () => {
    // 365 days − 104 weekend days − 19 holidays on weekdays (元旦 2, 春节 6, 清明 1, 劳动节 3,
    // 端午 1, 中秋 1, 国庆 5) + 6 make-up days.
    expect(workdaysBetween('2025-12-31', '2026-12-31')).toEqual({ days: 248, estimated: false });
  });
});

describe('moving to a working day', () => {
  it('a working day stays where it is', () => {
    expect(workdayOnOrBefore('2026-09-30')).toBe('2026-09-30');
    expect(workdayOnOrAfter('2026-09-30')).toBe('2026-09-30');
  });

  it('back over a holiday and its weekend, forward over all of it', () => {
    expect(workdayOnOrBefore('2026-10-05')).toBe('2026-09-30');
    expect(workdayOnOrAfter('2026-10-01')).toBe('2026-10-08');
    expect(workdayOnOrAfter('2026-02-15')).toBe('2026-02-24');
  });

  it('stops on a make-up day', () => {
    expect(workdayOnOrBefore('2026-10-11')).toBe('2026-10-10'); // Sunday → the make-up Saturday
    expect(workdayOnOrAfter('2026-02-27')).toBe('2026-02-27'); // Friday
    expect(workdayOnOrBefore('2026-03-01')).toBe('2026-02-28'); // Sunday → the make-up Saturday
  });
});

describe('workdaysBetween', () => {
  it('counts the working days after the first date up to and including the second', () => {
    expect(workdaysBetween('2026-09-30', '2026-10-10')).toEqual({ days: 3, estimated: false });
    expect(workdaysBetween('2026-12-01', '2026-12-04')).toEqual({ days: 3, estimated: false });
  });

  it('is zero for the same day or a day before', () => {
    expect(workdaysBetween('2026-12-04', '2026-12-04').days).toBe(0);
    expect(workdaysBetween('2026-12-04', '2026-12-01').days).toBe(0);
  });
});

describe('a year the package does not know', () => {
  it('knows 2004 to 2026 (chinese-days 1.5.7), not 2027 or later', () => {
    // When an upgrade adds 2027, this fails: update the README's sentence on unknown years too.
    for (let year = 2004; year <= 2026; year += 1) expect(calendarKnows(year), String(year)).toBe(true);
    expect(calendarKnows(2027)).toBe(false);
    expect(calendarKnows(2028)).toBe(false);
    expect(unknownYears('2026-12-30', '2028-01-02')).toEqual([2027, 2028]);
    expect(unknownYears('2026-01-01', '2026-12-31')).toEqual([]);
  });

  it('is Monday–Friday without the fixed-date statutory holidays', () => {
    expect(isWorkday('2028-01-03')).toBe(true); // Monday
    expect(isWorkday('2028-01-08')).toBe(false); // Saturday
    // 元旦, 劳动节 and 国庆节 have fixed solar dates in 《全国年节及纪念日放假办法》.
    for (const date of ['2027-01-01', '2028-05-01', '2028-05-02', '2028-10-02', '2028-10-03']) {
      expect(isWorkday(date), date).toBe(false);
    }
    // The lunar holidays and the make-up days are not known: 2028's Spring Festival (26 January,
    // a Wednesday) is taken for a working day.
    expect(isWorkday('2028-01-26')).toBe(true);
    expect(workdayOnOrAfter('2027-01-01')).toBe('2027-01-04');
  });

  it('counts across it are flagged as estimated', () => {
    // 31 Dec 2026; then 4–8 Jan 2027 (1 Jan a holiday, 2–3 Jan a weekend).
    expect(workdaysBetween('2026-12-30', '2027-01-08')).toEqual({ days: 6, estimated: true });
  });
});

describe('dueCountdown and describeDue', () => {
  it('say how many working days are left', () => {
    expect(describeDue('2026-12-04', '2026-12-01')).toBe('12月4日（还有 3 个工作日）');
    // The make-up Saturday counts: Friday 9 Oct → Sunday 11 Oct leaves Saturday the 10th.
    expect(dueCountdown('2026-10-11', '2026-10-09')).toBe('还有 1 个工作日');
    // Over National Day: 30 Sep → 8 Oct is one working day, though eight calendar days.
    expect(describeDue('2026-10-08', '2026-09-30')).toBe('10月8日（还有 1 个工作日）');
  });

  it('name the year of another year and say "约" when the calendar is estimated', () => {
    expect(describeDue('2027-01-08', '2026-12-30')).toBe('2027年1月8日（还有约 6 个工作日）');
  });

  it('say when it is today, when today is the last working day, and when it has passed', () => {
    expect(dueCountdown('2026-12-04', '2026-12-04')).toBe('今天到期');
    expect(dueCountdown('2026-10-18', '2026-10-16')).toBe('今天是最后一个工作日'); // Friday → Sunday
    expect(dueCountdown('2026-10-18', '2026-10-17')).toBe('到期前已没有工作日'); // Saturday → Sunday
    expect(dueCountdown('2026-10-05', '2026-09-30')).toBe('今天是最后一个工作日');
    expect(describeDue('2026-11-30', '2026-12-02')).toBe('11月30日（已过期 2 天）');
  });
});

describe('a plan calendar: the 节假日 tab over the package (§3)', () => {
  const calendar = workCalendar([
    { date: '2026-10-09', kind: 'off', name: '加休一天' },
    { date: '2026-10-01', kind: 'work' },
    { date: '2027-02-08', kind: 'off', name: '春节' },
    { date: '2027-02-20', kind: 'work', name: '春节调休' },
  ]);

  it("the tab's word wins over the package's data, both ways", () => {
    expect(isWorkday('2026-10-09')).toBe(true);
    expect(isWorkday('2026-10-09', calendar)).toBe(false);
    expect(isWorkday('2026-10-01', calendar)).toBe(true);
    // Days the tab does not name keep the package's answer.
    expect(isWorkday('2026-10-02', calendar)).toBe(false);
    expect(workdayOnOrBefore('2026-10-11', calendar)).toBe('2026-10-10'); // the package's make-up Saturday
    expect(workdayOnOrAfter('2026-10-09', calendar)).toBe('2026-10-10');
  });

  it('a year the tab names is known: its other days follow Monday–Friday and the fixed-date holidays', () => {
    expect(calendarKnows(2027)).toBe(false);
    expect(calendarKnows(2027, calendar)).toBe(true);
    expect(calendarKnows(2028, calendar)).toBe(false);
    expect(unknownYears('2026-12-30', '2028-01-02', calendar)).toEqual([2028]);
    expect(isWorkday('2027-02-08', calendar)).toBe(false);
    expect(isWorkday('2027-02-20', calendar)).toBe(true); // a Saturday
    expect(isWorkday('2027-10-01', calendar)).toBe(false); // National Day, by the rule
    expect(isWorkday('2027-02-09', calendar)).toBe(true); // not named: a Tuesday
    // No longer an estimate: 2027-02-05 (Fri) → 02-09: the 9th only, the 8th being off.
    expect(workdaysBetween('2027-02-05', '2027-02-09', calendar)).toEqual({ days: 1, estimated: false });
    expect(dueCountdown('2027-02-09', '2027-02-05', calendar)).toBe('还有 1 个工作日');
    expect(describeDue('2027-02-22', '2027-02-19', calendar)).toBe('2月22日（还有 2 个工作日）');
  });

  it('calendarOf: settings without holidays are the package alone', () => {
    expect(calendarOf({})).toBe(STATUTORY_CALENDAR);
    expect(calendarOf({ holidays: [] })).toBe(STATUTORY_CALENDAR);
    expect(isWorkday('2027-02-08', calendarOf({ holidays: [{ date: '2027-02-08', kind: 'off' }] }))).toBe(
      false,
    );
  });
});
