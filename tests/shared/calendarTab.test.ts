/**
 * The calendar the office can extend (SPEC §3 节假日, §7), end to end through the domain: a
 * workbook's 节假日 tab, validated, changes the days reminders and overdue notices go out on.
 * Overdue notices follow working days as reminders do, and a reminder window made of days off
 * only goes out on the working day before it.
 *
 * 2027 is not in chinese-days 1.5.7. The days below are test data, not the State Council's
 * arrangement (unknown when this was written): a week off 8–12 February 2027 (Monday–Friday) and a
 * make-up Saturday on 20 February. 2027-02-05 is a Friday.
 */
import { describe, expect, it } from 'vitest';
import { dayOf, isoOf } from '../../shared/dates';
import { type PlannedEmails, plannedEmails } from '../../shared/emails/plan';
import type { PlanModel } from '../../shared/model';
import { computeStats } from '../../shared/stats';
import { validateWorkbook } from '../../shared/validate';
import type { RawWorkbook } from '../../shared/workbook';
import { calendarOf, isWorkday } from '../../shared/workdays';

const TAB_2027: [string, string, string][] = [
  ['2027-02-08', '休', '春节'],
  ['2027-02-09', '休', '春节'],
  ['2027-02-10', '休', '春节'],
  ['2027-02-11', '休', '春节'],
  ['2027-02-12', '休', '春节'],
  ['2027-02-20', '班', '春节调休'],
];

/** Measures owned by someone with an email, each due on the given day. */
const MEASURES: [id: string, due: string][] = [
  ['R1', '2027-02-11'], // reminder window (3 days) 8–11 Feb: days off only under the tab
  ['R2', '2027-02-23'], // 3 days before is the make-up Saturday
  ['O1', '2027-02-05'], // overdue from Saturday 6 February
];

function workbook(holidays: [string, string, string][] | undefined, reminderDays: number): RawWorkbook {
  const tabs: RawWorkbook['tabs'] = [
    {
      name: '设置',
      header: ['项目', '值'],
      rows: [
        { row: 2, cells: ['社区名称', '幸福社区'] },
        { row: 3, cells: ['计划年度', 2027] },
        { row: 4, cells: ['提醒天数', reminderDays] },
      ],
    },
    {
      name: '计划',
      header: ['编号', '类别', '事项', '责任人', '责任人邮箱', '截止日期'],
      rows: MEASURES.map(([id, due], i) => ({
        row: i + 2,
        cells: [id, '实事共办', `${due} 到期`, '王芳', 'wang@example.cn', due],
      })),
    },
  ];
  if (holidays) {
    tabs.push({
      name: '节假日',
      header: ['日期', '类型', '名称'],
      rows: holidays.map((cells, i) => ({ row: i + 2, cells })),
    });
  }
  return { tabs };
}

function modelOf(holidays: [string, string, string][] | undefined, reminderDays = 3): PlanModel {
  const { model, issues } = validateWorkbook(workbook(holidays, reminderDays), { asOf: '2027-01-04' });
  expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  return model;
}

function run(model: PlanModel, date: string): PlannedEmails {
  return plannedEmails({ planId: 'p', model, stats: computeStats(model, date), date });
}

/** The days from `from` to `to` on which a run plans the email of the given kind and measure. */
function daysSent(
  model: PlanModel,
  kind: 'dueSoon' | 'overdue',
  measureId: string,
  from: string,
  to: string,
): string[] {
  const days: string[] = [];
  for (let day = dayOf(from); day <= dayOf(to); day += 1) {
    const date = isoOf(day);
    if (run(model, date).emails.some((e) => e.kind === kind && e.measureId === measureId)) days.push(date);
  }
  return days;
}

describe('the 节假日 tab moves reminders and overdue notices', () => {
  const withTab = modelOf(TAB_2027);
  const withoutTab = modelOf(undefined);

  it('the tab reaches the plan calendar: 8–12 February are days off, Saturday 20 February is worked', () => {
    const calendar = calendarOf(withTab.settings);
    for (const date of ['2027-02-08', '2027-02-12']) expect(isWorkday(date, calendar), date).toBe(false);
    expect(isWorkday('2027-02-20', calendar)).toBe(true);
    expect(isWorkday('2027-02-05', calendar)).toBe(true);
    // Without the tab: the estimate (Monday–Friday) for a year the package does not know.
    const estimate = calendarOf(withoutTab.settings);
    expect(isWorkday('2027-02-08', estimate)).toBe(true);
    expect(isWorkday('2027-02-20', estimate)).toBe(false);
  });

  it('a reminder window wholly on days off goes out on the working day before it', () => {
    // Without the tab the window 8–11 February holds working days (estimated): first on the 8th.
    expect(daysSent(withoutTab, 'dueSoon', 'R1', '2027-02-01', '2027-02-11')[0]).toBe('2027-02-08');
    // With it, 8–11 February are all days off: Friday 5 February, and no reminder in the holiday.
    expect(daysSent(withTab, 'dueSoon', 'R1', '2027-02-01', '2027-02-11')).toEqual(['2027-02-05']);
  });

  it('a make-up Saturday from the tab is a reminder day', () => {
    const due = (model: PlanModel) => daysSent(model, 'dueSoon', 'R2', '2027-02-15', '2027-02-23');
    // Without the tab, 3 days before (a Saturday) moves back to Friday the 19th.
    expect(due(withoutTab)).toEqual(['2027-02-19', '2027-02-22', '2027-02-23']);
    expect(due(withTab)).toEqual(['2027-02-20', '2027-02-22', '2027-02-23']);
    // The days left are counted on the tab's calendar too: Monday 22 and Tuesday 23.
    const saturday = run(withTab, '2027-02-20').emails.find((e) => e.measureId === 'R2');
    expect(saturday?.subject).toContain('（还有 2 个工作日）');
  });

  it('an overdue notice waits for the first working day: Monday 8 February, or the 15th after the tab’s week off', () => {
    expect(daysSent(withoutTab, 'overdue', 'O1', '2027-02-05', '2027-02-08')).toEqual(['2027-02-08']);
    const withHoliday = daysSent(withTab, 'overdue', 'O1', '2027-02-05', '2027-02-15');
    expect(withHoliday).toEqual(['2027-02-15']);
    // The key names the due date, not the day it went out: one email however late it goes.
    const notice = run(withTab, '2027-02-15').emails.find((e) => e.measureId === 'O1');
    expect(notice?.key).toBe('overdue:p:O1:2027-02-05');
  });

  it('a run reading only years the tab covers reports no estimated year; without it, 2027', () => {
    expect(run(withTab, '2027-02-05').unknownCalendarYears).toEqual([]);
    expect(run(withoutTab, '2027-02-05').unknownCalendarYears).toEqual([2027]);
  });
});

describe('overdue notices on the statutory calendar (2026, known to the package)', () => {
  it('a measure falling overdue in National Day week is told on Thursday 8 October, not before', () => {
    const { model } = validateWorkbook(
      {
        tabs: [
          { name: '设置', header: ['项目', '值'], rows: [{ row: 2, cells: ['计划年度', 2026] }] },
          {
            name: '计划',
            header: ['编号', '类别', '事项', '责任人邮箱', '截止日期'],
            rows: [{ row: 2, cells: ['N1', '实事共办', '国庆前完成', 'wang@example.cn', '2026-09-30'] }],
          },
        ],
      },
      { asOf: '2026-09-01' },
    );
    expect(daysSent(model, 'overdue', 'N1', '2026-09-30', '2026-10-08')).toEqual(['2026-10-08']);
  });
});
