/**
 * Independent tests of SPEC §3 "The workbook": tabs, header matching, normalisation as seen
 * through validation, and every code of the validation issues table. Each code has at least one
 * case that triggers it (tab, row, column as written, field, code, severity, message) and one
 * near-miss that must not; the last test checks that both lists cover ISSUE_SEVERITY.
 * Expected values are written from the spec, never read back from the code.
 */
import { describe, expect, it } from 'vitest';
import { UnusableInputError } from '../../shared/errors';
import { ISSUE_SEVERITY, type Issue, type IssueCode } from '../../shared/issues';
import { type PlanModel, requestLinkDays } from '../../shared/model';
import {
  type ValidateOptions,
  type ValidationResult,
  validateAsOfToday,
  validateWorkbook,
} from '../../shared/validate';
import type { CellValue, RawTab, RawWorkbook } from '../../shared/workbook';
import { ACTIVITY_HEADER, HOLIDAY_HEADER, PARTNER_HEADER, PLAN_HEADER } from '../support/headers';
import { activity as modelActivity, measure as modelMeasure } from '../support/model';

// ---------------------------------------------------------------------------------------------
// The issues table of §3 (plus `missing_year` of the project's twin), copied by hand.

const SPEC_SEVERITY: Record<IssueCode, 'error' | 'warning'> = {
  missing_tab: 'warning',
  missing_year: 'warning',
  unknown_calendar: 'warning',
  missing_column: 'error',
  required: 'error',
  invalid_number: 'error',
  not_integer: 'error',
  negative_number: 'error',
  unsafe_integer: 'error',
  invalid_date: 'error',
  invalid_enum: 'error',
  invalid_email: 'error',
  too_long: 'error',
  duplicate_id: 'error',
  duplicate_name: 'error',
  duplicate_date: 'error',
  invalid_id: 'error',
  unknown_partner: 'error',
  unknown_measure: 'error',
  date_range: 'error',
  invalid_recurrence: 'error',
  no_email: 'warning',
  invalid_phone: 'warning',
  invalid_url: 'warning',
  future_done: 'warning',
  outside_plan_year: 'warning',
  duplicate_activity: 'warning',
  implausible_hours: 'warning',
  implausible_value: 'warning',
  formula_like: 'warning',
  missing_evidence: 'warning',
};

// ---------------------------------------------------------------------------------------------
// Builders: rows are written as {header: value}; the tab's header decides the column order.

type Cells = Record<string, CellValue>;
type RecordTab = 'partners' | 'plan' | 'activities';

interface TabSpec {
  name?: string;
  header: CellValue[];
  rows: Cells[];
  /** Sheet row numbers of the rows; default 2, 3, 4, … */
  rowNumbers?: number[];
}

function rawTab(defaultName: string, spec: TabSpec): RawTab {
  const keys = spec.header.map((h) => String(h));
  return {
    name: spec.name ?? defaultName,
    header: spec.header,
    rows: spec.rows.map((cells, i) => {
      for (const key of Object.keys(cells)) {
        // The activity builder's default evidence goes where the tab has the column.
        if (!keys.includes(key) && key !== '佐证链接')
          throw new Error(`test bug: no column ${key} in ${keys.join('|')}`);
      }
      return { row: spec.rowNumbers?.[i] ?? i + 2, cells: keys.map((key) => cells[key] ?? null) };
    }),
  };
}

const partner = (cells: Cells = {}): Cells => ({
  单位编号: 'P01',
  单位名称: '区住建局',
  单位类型: '机关',
  邮箱: 'zhu@example.cn',
  ...cells,
});
const measure = (cells: Cells = {}): Cells => ({
  编号: 'M1',
  类别: '活动共搞',
  事项: '召开共建联席会议',
  ...cells,
});
const activity = (cells: Cells = {}): Cells => ({
  日期: '2026-03-05',
  关联事项: 'M1',
  活动名称: '第一季度联席会议',
  // Evidence, so that 佐证要求's default (提醒) says nothing unless a test asks it to.
  佐证链接: 'https://example.cn/album/1',
  ...cells,
});

const BASE_PARTNERS: Cells[] = [
  partner(),
  partner({ 单位编号: 'P02', 单位名称: '第一中学', 单位类型: '学校', 邮箱: 'yz@example.cn' }),
];
const BASE_PLAN: Cells[] = [measure()];

interface Parts {
  /** Key/value pairs under the header 项目 | 值, or a full tab; null leaves the tab out. */
  settings?: CellValue[][] | TabSpec | null;
  partners?: Cells[] | TabSpec | null;
  plan?: Cells[] | TabSpec | null;
  activities?: Cells[] | TabSpec | null;
  /** The optional 节假日 tab: absent unless given. */
  holidays?: Cells[] | TabSpec | null;
}

function workbook(parts: Parts): RawWorkbook {
  const tabs: RawTab[] = [];
  const settings = parts.settings === undefined ? [['计划年度', 2026]] : parts.settings;
  if (settings !== null) {
    if (Array.isArray(settings)) {
      tabs.push({
        name: '设置',
        header: ['项目', '值'],
        rows: settings.map((cells, i) => ({ row: i + 2, cells })),
      });
    } else {
      tabs.push({
        name: settings.name ?? '设置',
        header: settings.header,
        rows: settings.rows.map((cells, i) => ({
          row: settings.rowNumbers?.[i] ?? i + 2,
          cells: settings.header.map((h) => cells[String(h)] ?? null),
        })),
      });
    }
  }
  const record = (
    name: string,
    header: string[],
    value: Cells[] | TabSpec | null | undefined,
    base: Cells[],
  ) => {
    const spec = value === undefined ? base : value;
    if (spec === null) return;
    tabs.push(rawTab(name, Array.isArray(spec) ? { header, rows: spec } : spec));
  };
  record('共建单位', PARTNER_HEADER, parts.partners, BASE_PARTNERS);
  record('计划', PLAN_HEADER, parts.plan, BASE_PLAN);
  record('活动', ACTIVITY_HEADER, parts.activities, []);
  record('节假日', HOLIDAY_HEADER, parts.holidays ?? null, []);
  return { tabs };
}

function run(parts: Parts, options: Partial<ValidateOptions> = {}): ValidationResult {
  return validateWorkbook(workbook(parts), { asOf: '2026-12-31', ...options });
}

function modelRows(model: PlanModel, tab: RecordTab): number[] {
  const records = tab === 'partners' ? model.partners : tab === 'plan' ? model.measures : model.activities;
  return records.map((record) => record.row);
}

function codesAt(result: ValidationResult, tab: Issue['tab'], row: number): IssueCode[] {
  return result.issues
    .filter((i) => i.tab === tab && i.row === row)
    .map((i) => i.code)
    .sort();
}

const triggered = new Set<IssueCode>();
const nearMissed = new Set<IssueCode>();

interface Expected {
  tab: Issue['tab'];
  row: number;
  code: IssueCode;
  column: string;
  field: string;
  /** Text the Chinese message must contain (the bad value where there is one). */
  mentions?: string[];
}

/** Exactly one issue of the code at the tab and row, with the given column and field. */
function expectIssue(result: ValidationResult, want: Expected): Issue {
  triggered.add(want.code);
  const found = result.issues.filter((i) => i.tab === want.tab && i.row === want.row && i.code === want.code);
  expect(found, JSON.stringify(result.issues, null, 1)).toHaveLength(1);
  const issue = found[0] as Issue;
  expect(issue).toMatchObject({
    tab: want.tab,
    row: want.row,
    column: want.column,
    field: want.field,
    code: want.code,
    severity: SPEC_SEVERITY[want.code],
  });
  expect(issue.message).toMatch(/[\u4e00-\u9fff]/);
  expect(issue.messageEn.length).toBeGreaterThan(0);
  for (const text of want.mentions ?? []) expect(issue.message).toContain(text);
  if (want.tab !== 'settings' && want.tab !== 'holidays' && want.row >= 2) {
    // An error rejects the row; a warning alone keeps it.
    const tab = want.tab as RecordTab;
    const rowErrors = result.issues.some(
      (i) => i.tab === tab && i.row === want.row && i.severity === 'error',
    );
    expect(modelRows(result.model, tab).includes(want.row)).toBe(!rowErrors);
    if (SPEC_SEVERITY[want.code] === 'error') expect(modelRows(result.model, tab)).not.toContain(want.row);
  }
  return issue;
}

/** No issue of the code at all (optionally only in one tab). */
function expectNone(result: ValidationResult, code: IssueCode, tab?: Issue['tab']): void {
  nearMissed.add(code);
  const found = result.issues.filter((i) => i.code === code && (tab === undefined || i.tab === tab));
  expect(found, JSON.stringify(found, null, 1)).toEqual([]);
}

function expectCounts(result: ValidationResult, tab: RecordTab, rows: number, accepted: number): void {
  expect(result.tabs[tab]).toEqual({ rows, accepted, rejected: rows - accepted });
}

// ---------------------------------------------------------------------------------------------

describe('tabs', () => {
  it('missing_tab: an absent tab is read as empty with a row-1 warning', () => {
    const result = run({ partners: null, activities: null });
    expectIssue(result, {
      tab: 'partners',
      row: 1,
      code: 'missing_tab',
      column: '',
      field: '',
      mentions: ['共建单位'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 1,
      code: 'missing_tab',
      column: '',
      field: '',
      mentions: ['活动'],
    });
    expect(result.issues.filter((i) => i.code === 'missing_tab')).toHaveLength(2);
    expectCounts(result, 'partners', 0, 0);
    expectCounts(result, 'activities', 0, 0);
    expect(result.model.partners).toEqual([]);
    expect(result.model.activities).toEqual([]);
    // The plan still validates.
    expect(result.model.measures.map((m) => m.measureId)).toEqual(['M1']);
  });

  it('missing_tab near-miss: all four tabs present, under English names in any case', () => {
    const result = run({});
    expectNone(result, 'missing_tab');
    const english = workbook({});
    const renamed = english.tabs.map((t, i) => ({
      ...t,
      name: [' SETTINGS', 'partners', 'Plan ', 'ACTIVITIES'][i] ?? t.name,
    }));
    const again = validateWorkbook({ tabs: renamed }, { asOf: '2026-12-31' });
    expectNone(again, 'missing_tab');
    expect(again.model.partners.map((p) => p.partnerId)).toEqual(['P01', 'P02']);
  });

  it('no recognised tab makes the input unusable (no_tabs)', () => {
    const attempt = (tabs: RawTab[]) => () => validateWorkbook({ tabs }, { asOf: '2026-12-31' });
    expect(attempt([])).toThrow(UnusableInputError);
    const junk = [
      { name: 'Sheet1', header: ['编号', '类别', '事项'], rows: [{ row: 2, cells: ['M1', '其他', 'x'] }] },
      { name: '汇总', header: [], rows: [] },
    ];
    expect(attempt(junk)).toThrow(UnusableInputError);
    try {
      attempt(junk)();
    } catch (error) {
      expect(error).toBeInstanceOf(UnusableInputError);
      expect((error as UnusableInputError).code).toBe('no_tabs');
    }
  });

  it('计划 and Plan both present make the input unusable (duplicate_tab)', () => {
    const tabs = workbook({}).tabs;
    const plan = tabs.find((t) => t.name === '计划') as RawTab;
    const twice = { tabs: [...tabs, { ...plan, name: 'Plan' }] };
    let caught: unknown;
    try {
      validateWorkbook(twice, { asOf: '2026-12-31' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnusableInputError);
    expect((caught as UnusableInputError).code).toBe('duplicate_tab');
    expect((caught as UnusableInputError).messageZh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('a single recognised tab is enough to be usable', () => {
    const result = run({ settings: null, partners: null, activities: null });
    expect(result.issues.filter((i) => i.code === 'missing_tab').map((i) => i.tab)).toEqual([
      'settings',
      'partners',
      'activities',
    ]);
    expect(result.model.measures).toHaveLength(1);
  });
});

describe('missing_column', () => {
  it('a required column is absent: row-1 issue and every data row rejected with an issue', () => {
    const result = run({
      plan: {
        header: ['编号', '事项', '备注'],
        rows: [
          { 编号: 'M1', 事项: '召开联席会议' },
          { 编号: 'M2', 事项: '文明礼仪培训' },
          {}, // an empty row is skipped, not counted
          { 备注: '只填了备注（备注是计划表的列，此行计入）' },
        ],
      },
    });
    expectIssue(result, {
      tab: 'plan',
      row: 1,
      code: 'missing_column',
      column: '类别',
      field: 'category',
      mentions: ['类别'],
    });
    expect(result.issues.filter((i) => i.tab === 'plan' && i.row === 1)).toHaveLength(1);
    for (const row of [2, 3, 5]) {
      const rowIssues = result.issues.filter((i) => i.tab === 'plan' && i.row === row);
      expect(rowIssues.map((i) => i.code)).toContain('missing_column');
      expect(rowIssues.some((i) => i.severity === 'error')).toBe(true);
    }
    expect(codesAt(result, 'plan', 4)).toEqual([]);
    expectCounts(result, 'plan', 3, 0);
    expect(result.model.measures).toEqual([]);
  });

  it('each absent required column is reported (activities without 日期 and 关联事项)', () => {
    const result = run({
      activities: { header: ['活动名称', '参与人数'], rows: [{ 活动名称: '联席会议', 参与人数: 10 }] },
    });
    const rowOne = result.issues.filter((i) => i.tab === 'activities' && i.row === 1);
    expect(rowOne.map((i) => [i.code, i.field]).sort()).toEqual([
      ['missing_column', 'date'],
      ['missing_column', 'measureId'],
    ]);
    expectCounts(result, 'activities', 1, 0);
  });

  it('a partner row rejected for a missing column gets no false no_email warning', () => {
    const result = run({
      partners: { header: ['单位编号', '邮箱'], rows: [{ 单位编号: 'P01', 邮箱: 'zhu@example.cn' }] },
    });
    expectIssue(result, {
      tab: 'partners',
      row: 1,
      code: 'missing_column',
      column: '单位名称',
      field: 'name',
    });
    // The partner has an email: "partner without email" does not apply.
    expect(result.issues.filter((i) => i.tab === 'partners' && i.code === 'no_email')).toEqual([]);
    expectCounts(result, 'partners', 1, 0);
  });

  it('near-miss: every required column present (in English, any order)', () => {
    const result = run({
      plan: {
        header: ['Title', 'category', 'ID'],
        rows: [{ Title: '召开联席会议', category: '其他', ID: 'M1' }],
      },
    });
    expectNone(result, 'missing_column');
    expectCounts(result, 'plan', 1, 1);
  });
});

describe('the 节假日 / Holidays tab', () => {
  const CNY_2027 = [
    { 日期: '2027-02-08', 类型: '休', 名称: '春节' },
    { 日期: '2027/2/9', 类型: '休', 名称: '春节' },
    { 日期: '2027年2月20日', 类型: '班', 名称: '春节调休' },
  ];

  it("its rows reach the settings as the plan's own calendar days; no missing_tab without it", () => {
    const result = run({ settings: [['计划年度', 2027]], holidays: CNY_2027 }, { asOf: '2027-01-10' });
    expect(result.model.settings.holidays).toEqual([
      { date: '2027-02-08', kind: 'off', name: '春节' },
      { date: '2027-02-09', kind: 'off', name: '春节' },
      { date: '2027-02-20', kind: 'work', name: '春节调休' },
    ]);
    expect(result.issues).toEqual([]);
    expect(result.sources.holidays?.name).toBe('节假日');
    // English name and headers, English kinds and short forms.
    const english = run(
      {
        settings: [['计划年度', 2027]],
        holidays: {
          name: 'Holidays',
          header: ['Date', 'Type', 'Name'],
          rows: [
            { Date: '2027-10-08', Type: 'off' },
            { Date: '2027-10-09', Type: '补班' },
          ],
        },
      },
      { asOf: '2027-01-10' },
    );
    expect(english.model.settings.holidays).toEqual([
      { date: '2027-10-08', kind: 'off' },
      { date: '2027-10-09', kind: 'work' },
    ]);
    const without = run({});
    expectNone(without, 'missing_tab');
    expect(without.model.settings.holidays).toBeUndefined();
  });

  it('bad rows: an unreadable date, a type other than 休/班, a date given twice, an empty type', () => {
    const result = run({
      holidays: [
        { 日期: '2026-02-30', 类型: '休' },
        { 日期: '2026-10-09', 类型: '放半天' },
        { 日期: '2026-10-10', 类型: '休', 名称: '国庆' },
        { 日期: '2026/10/10', 类型: '班' },
        { 日期: '2026-10-11' },
      ],
    });
    expectIssue(result, {
      tab: 'holidays',
      row: 2,
      code: 'invalid_date',
      column: '日期',
      field: 'date',
      mentions: ['2026-02-30'],
    });
    expectIssue(result, {
      tab: 'holidays',
      row: 3,
      code: 'invalid_enum',
      column: '类型',
      field: 'kind',
      mentions: ['放半天', '休', '班'],
    });
    expectIssue(result, {
      tab: 'holidays',
      row: 5,
      code: 'duplicate_date',
      column: '日期',
      field: 'date',
      mentions: ['2026-10-10', '第4行'],
    });
    expectIssue(result, { tab: 'holidays', row: 6, code: 'required', column: '类型', field: 'kind' });
    // Only the one good row amends the calendar.
    expect(result.model.settings.holidays).toEqual([{ date: '2026-10-10', kind: 'off', name: '国庆' }]);
  });

  it('near-miss duplicate_date: one date per row, the same day of different years', () => {
    const result = run({
      holidays: [
        { 日期: '2026-10-10', 类型: '休' },
        { 日期: '2027-10-10', 类型: '休' },
      ],
    });
    expectNone(result, 'duplicate_date');
    expect(result.model.settings.holidays).toHaveLength(2);
  });

  it('missing_column: a 节假日 tab without 类型 rejects its rows', () => {
    const result = run({ holidays: { header: ['日期', '名称'], rows: [{ 日期: '2026-10-10', 名称: 'x' }] } });
    expect(result.issues.filter((i) => i.tab === 'holidays').map((i) => [i.row, i.code])).toEqual([
      [1, 'missing_column'],
      [2, 'missing_column'],
    ]);
    expect(result.model.settings.holidays).toBeUndefined();
  });

  it('a workbook of only a 节假日 tab has no data tab (no_tabs)', () => {
    const only = workbook({
      settings: null,
      partners: null,
      plan: null,
      activities: null,
      holidays: CNY_2027,
    });
    expect(only.tabs.map((t) => t.name)).toEqual(['节假日']);
    let caught: unknown;
    try {
      validateWorkbook(only, { asOf: '2026-12-31' });
    } catch (error) {
      caught = error;
    }
    expect((caught as UnusableInputError).code).toBe('no_tabs');
  });

  it('unknown_calendar: a plan year neither the built-in calendar nor the tab knows, once, on 计划年度', () => {
    const result = run(
      {
        settings: [
          ['社区名称', 'xx社区'],
          ['计划年度', 2027],
        ],
        // Days of other years do not cover 2027.
        holidays: [{ 日期: '2026-10-10', 类型: '休' }],
        activities: [activity({ 日期: '2027-03-05' })],
      },
      { asOf: '2027-01-10' },
    );
    const issue = expectIssue(result, {
      tab: 'settings',
      row: 3,
      code: 'unknown_calendar',
      column: '值',
      field: 'year',
      mentions: ['2027', '「节假日」'],
    });
    expect(issue.messageEn).toContain('Holidays');
    expect(result.issues.filter((i) => i.code === 'unknown_calendar')).toHaveLength(1);
    // Without a settings tab (the CLI falls back to the as-of year), still one, at row 1.
    const fallback = run({ settings: null }, { asOf: '2028-05-01' });
    expect(fallback.issues.filter((i) => i.code === 'unknown_calendar')).toMatchObject([
      { tab: 'settings', row: 1, field: 'year' },
    ]);
  });

  it('near-miss: 2026 is in the built-in calendar; 2027 with one 2027 row in the tab is covered', () => {
    expectNone(run({}), 'unknown_calendar');
    const covered = run({ settings: [['计划年度', 2027]], holidays: CNY_2027 }, { asOf: '2027-01-10' });
    expectNone(covered, 'unknown_calendar');
  });
});

describe('plan year', () => {
  it('missing_year: no year in the settings, CLI mode falls back to the as-of year', () => {
    const result = run({ settings: [['社区名称', 'xx社区']] }, { asOf: '2027-03-01' });
    expectIssue(result, {
      tab: 'settings',
      row: 1,
      code: 'missing_year',
      column: result.issues.find((i) => i.code === 'missing_year')?.column ?? '',
      field: 'year',
      mentions: ['2027'],
    });
    expectNone(result, 'required', 'settings');
    expect(result.model.settings.year).toBe(2027);
  });

  it('missing_year also when the settings tab is absent', () => {
    const result = run({ settings: null }, { asOf: '2026-05-01' });
    expect(result.issues.filter((i) => i.code === 'missing_year')).toHaveLength(1);
    expect(result.model.settings.year).toBe(2026);
  });

  it('required instead of missing_year where the year is required (requireYear)', () => {
    const result = run({ settings: [['社区名称', 'xx社区']] }, { requireYear: true });
    const issue = result.issues.find((i) => i.tab === 'settings' && i.code === 'required');
    expect(issue).toMatchObject({ tab: 'settings', field: 'year', code: 'required', severity: 'error' });
    expectNone(result, 'missing_year');
  });

  it('near-miss: a year given, with or without requireYear', () => {
    for (const requireYear of [false, true]) {
      const result = run({ settings: [['计划年度', '2025']] }, { requireYear, asOf: '2026-06-30' });
      expectNone(result, 'missing_year');
      expectNone(result, 'required', 'settings');
      expect(result.model.settings.year).toBe(2025);
    }
  });
});

describe('required', () => {
  it('a required cell is empty (plan title, blank after normalisation)', () => {
    const result = run({ plan: [measure({ 事项: ' \u3000 ' })] });
    expectIssue(result, { tab: 'plan', row: 2, code: 'required', column: '事项', field: 'title' });
    expect(codesAt(result, 'plan', 2)).toEqual(['required']);
  });

  it('activity date and measure, partner name', () => {
    const result = run({
      partners: [partner({ 单位名称: null })],
      activities: [activity({ 日期: null }), activity({ 关联事项: '' })],
    });
    expectIssue(result, { tab: 'partners', row: 2, code: 'required', column: '单位名称', field: 'name' });
    expectIssue(result, { tab: 'activities', row: 2, code: 'required', column: '日期', field: 'date' });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'required',
      column: '关联事项',
      field: 'measureId',
    });
    // An empty measure is required, not unknown.
    expect(codesAt(result, 'activities', 3)).toEqual(['required']);
    expectCounts(result, 'activities', 2, 0);
  });

  it('near-miss: optional cells empty, and a numeric 0 is not empty', () => {
    const result = run({
      partners: [partner({ 单位名称: 0 })],
      activities: [activity({ 记录编号: null, 共建单位: null, 参与人数: null })],
    });
    expectNone(result, 'required');
    expect(result.model.partners[0]?.name).toBe('0');
    expectCounts(result, 'activities', 1, 1);
  });
});

describe('numbers', () => {
  it('invalid_number: unreadable funds', () => {
    const result = run({
      activities: [activity({ 投入资金: '12a' }), activity({ 活动名称: 'b', 投入资金: '1,20' })],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'invalid_number',
      column: '投入资金',
      field: 'funds',
      mentions: ['12a'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'invalid_number',
      column: '投入资金',
      field: 'funds',
      mentions: ['1,20'],
    });
  });

  it('invalid_number: a target of 0 or -1 (not negative_number)', () => {
    const result = run({ plan: [measure({ 目标值: 0 }), measure({ 编号: 'M2', 目标值: '-1' })] });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'invalid_number',
      column: '目标值',
      field: 'target',
      mentions: ['0'],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 3,
      code: 'invalid_number',
      column: '目标值',
      field: 'target',
      mentions: ['-1'],
    });
    expectNone(result, 'negative_number');
    expectCounts(result, 'plan', 2, 0);
  });

  it("near-miss: a milestone's invalid target is ignored (target 1); numbers with grouping", () => {
    const result = run({
      plan: [
        measure({ 计量方式: '里程碑', 目标值: 'abc' }),
        measure({ 编号: 'M2', 计量方式: '里程碑', 目标值: 0 }),
        measure({ 编号: 'M3', 计量方式: '投入资金', 目标值: '30,000' }),
        measure({ 编号: 'M4', 目标值: '2.5' }),
      ],
      activities: [activity({ 投入资金: '1,200.5', 服务时长: '１２' })],
    });
    expectNone(result, 'invalid_number');
    expect(result.model.measures.map((m) => [m.measureId, m.metric, m.target])).toEqual([
      ['M1', 'milestone', 1],
      ['M2', 'milestone', 1],
      ['M3', 'funds', 30000],
      ['M4', 'count', 2.5],
    ]);
    expect(result.model.activities[0]).toMatchObject({ funds: 1200.5, hours: 12 });
  });

  it('not_integer: participants 12.5, beneficiaries 3.5 as a numeric cell', () => {
    const result = run({
      activities: [activity({ 参与人数: '12.5' }), activity({ 活动名称: 'b', 受益人数: 3.5 })],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'not_integer',
      column: '参与人数',
      field: 'participants',
      mentions: ['12.5'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'not_integer',
      column: '受益人数',
      field: 'beneficiaries',
      mentions: ['3.5'],
    });
  });

  it('near-miss: 12.0 is an integer; hours and funds may be fractional', () => {
    const result = run({ activities: [activity({ 参与人数: '12.0', 服务时长: 1.5, 投入资金: '99.9' })] });
    expectNone(result, 'not_integer');
    expect(result.model.activities[0]).toMatchObject({ participants: 12, hours: 1.5, funds: 99.9 });
  });

  it('negative_number: participants -3, funds -100', () => {
    const result = run({
      activities: [activity({ 参与人数: '-3' }), activity({ 活动名称: 'b', 投入资金: -100 })],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'negative_number',
      column: '参与人数',
      field: 'participants',
      mentions: ['-3'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'negative_number',
      column: '投入资金',
      field: 'funds',
      mentions: ['-100'],
    });
  });

  it('near-miss: zero is allowed for counts, hours and funds', () => {
    const result = run({
      activities: [activity({ 参与人数: 0, 受益人数: '0', 服务时长: 0, 投入资金: '0' })],
    });
    expectNone(result, 'negative_number');
    expect(result.model.activities[0]).toMatchObject({
      participants: 0,
      beneficiaries: 0,
      hours: 0,
      funds: 0,
    });
  });
});

describe('plausible bounds (people ≤ 100,000, hours ≤ 100,000, funds ≤ 100,000,000 元)', () => {
  it('implausible_value: one above each bound keeps the row, and the value stays out of the record', () => {
    const result = run({
      activities: [
        activity({ 活动名称: 'a', 参与人数: '1,000,000' }),
        activity({ 活动名称: 'b', 受益人数: 100_001 }),
        activity({ 活动名称: 'c', 服务时长: '100000.5' }),
        activity({ 活动名称: 'd', 投入资金: 1e20 }),
        activity({ 活动名称: 'e', 投入资金: '100,000,000.01', 参与人数: 3 }),
      ],
    });
    const expected: [number, string, string, string][] = [
      [2, '参与人数', 'participants', '1,000,000'],
      [3, '受益人数', 'beneficiaries', '100001'],
      [4, '服务时长', 'hours', '100000.5'],
      [5, '投入资金', 'funds', '100000000000000000000'],
      [6, '投入资金', 'funds', '100,000,000.01'],
    ];
    for (const [row, column, field, typed] of expected) {
      const issue = expectIssue(result, {
        tab: 'activities',
        row,
        code: 'implausible_value',
        column,
        field,
        mentions: [typed],
      });
      expect(issue.severity).toBe('warning');
    }
    expectCounts(result, 'activities', 5, 5);
    // The statistics read the model: none of the implausible figures reaches it.
    const byTitle = new Map(result.model.activities.map((a) => [a.title, a]));
    expect(byTitle.get('a')?.participants).toBeUndefined();
    expect(byTitle.get('b')?.beneficiaries).toBeUndefined();
    expect(byTitle.get('c')?.hours).toBeUndefined();
    expect(byTitle.get('d')?.funds).toBeUndefined();
    expect(byTitle.get('e')).toMatchObject({ funds: undefined, participants: 3 });
    // 100000.5 hours with no participants is not also implausible_hours of a figure left out…
    // …but a believable figure beside an implausible one still is checked as usual.
    expectNone(run({ activities: [activity({ 参与人数: 2_000_000, 服务时长: 30 })] }), 'implausible_hours');
  });

  it('near-miss: exactly at each bound is accepted and counted', () => {
    const result = run({
      activities: [
        activity({ 参与人数: '100,000', 受益人数: 100_000, 服务时长: 100_000, 投入资金: '100000000' }),
      ],
    });
    expectNone(result, 'implausible_value');
    expect(result.model.activities[0]).toMatchObject({
      participants: 100_000,
      beneficiaries: 100_000,
      hours: 100_000,
      funds: 100_000_000,
    });
  });

  it('unsafe_integer: 2^53+1 beneficiaries and 1e20 participants are refused, not rounded', () => {
    const result = run({
      activities: [
        activity({ 活动名称: 'a', 受益人数: '9007199254740993' }),
        activity({ 活动名称: 'b', 参与人数: 1e20 }),
      ],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'unsafe_integer',
      column: '受益人数',
      field: 'beneficiaries',
      mentions: ['9007199254740993'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'unsafe_integer',
      column: '参与人数',
      field: 'participants',
    });
    expectCounts(result, 'activities', 2, 0);
    expectNone(result, 'implausible_value');
  });

  it('near-miss: 2^53−1 is a safe integer (implausible, not unsafe)', () => {
    const result = run({ activities: [activity({ 受益人数: '9007199254740991' })] });
    expectNone(result, 'unsafe_integer');
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'implausible_value',
      column: '受益人数',
      field: 'beneficiaries',
      mentions: ['9007199254740991'],
    });
  });
});

describe('dates', () => {
  it('invalid_date: 2026-13-01 and 2026-02-30', () => {
    const result = run({
      activities: [activity({ 日期: '2026-13-01' }), activity({ 活动名称: 'b', 日期: '2026-02-30' })],
      plan: [measure({ 开始日期: 'tomorrow' }), measure({ 编号: 'M2' })],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'invalid_date',
      column: '日期',
      field: 'date',
      mentions: ['2026-13-01'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'invalid_date',
      column: '日期',
      field: 'date',
      mentions: ['2026-02-30'],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'invalid_date',
      column: '开始日期',
      field: 'start',
      mentions: ['tomorrow'],
    });
  });

  it('near-miss: every accepted spelling of a date', () => {
    const spellings: CellValue[] = [
      '2026-03-05',
      '2026/3/5',
      '2026.3.5',
      '2026年3月5日',
      '2026年3月5',
      '２０２６－０３－０５',
      46086,
      '46086',
      new Date(Date.UTC(2026, 2, 5)),
    ];
    const result = run({
      plan: [
        measure({ 编号: 'M1' }),
        measure({ 编号: 'M2', 开始日期: '2026-02-28', 截止日期: '2026年12月1日' }),
      ],
      activities: spellings.map((日期, i) => activity({ 日期, 活动名称: `活动${i}` })),
    });
    expectNone(result, 'invalid_date');
    expect(result.model.activities.map((a) => a.date)).toEqual(spellings.map(() => '2026-03-05'));
    expect(result.model.measures[1]).toMatchObject({ start: '2026-02-28', due: '2026-12-01' });
  });

  it('date_range: due before start', () => {
    const result = run({ plan: [measure({ 开始日期: '2026-06-01', 截止日期: '2026-05-31' })] });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'date_range',
      column: '截止日期',
      field: 'due',
      mentions: ['2026-05-31', '2026-06-01'],
    });
  });

  it('date_range: a start after 31 Dec of the plan year with no due (defaults applied)', () => {
    const result = run({ plan: [measure({ 开始日期: '2027-01-05' })] });
    const issue = result.issues.find((i) => i.code === 'date_range');
    expect(issue).toMatchObject({ tab: 'plan', row: 2, severity: 'error' });
    expect(issue?.message).toContain('2027-01-05');
    expect(issue?.message).toContain('2026-12-31');
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'date_range',
      column: issue?.column ?? '',
      field: issue?.field ?? '',
    });
    expect(['start', 'due']).toContain(issue?.field);
    expect(result.model.measures).toEqual([]);
  });

  it('date_range: a due before 1 Jan of the plan year with no start', () => {
    const result = run({ plan: [measure({ 截止日期: '2025-12-31' })] });
    expect(result.issues.filter((i) => i.code === 'date_range').map((i) => i.row)).toEqual([2]);
  });

  it('near-miss: start = due, and defaults that stay in order', () => {
    const result = run({
      plan: [
        measure({ 开始日期: '2026-05-01', 截止日期: '2026-05-01' }),
        measure({ 编号: 'M2', 截止日期: '2026-01-01' }),
        measure({ 编号: 'M3', 开始日期: '2026-12-31' }),
      ],
    });
    expectNone(result, 'date_range');
    expectCounts(result, 'plan', 3, 3);
  });
});

describe('enumerations', () => {
  it('invalid_enum: category, partner type, activity status', () => {
    const result = run({
      partners: [partner({ 单位类型: '医院' })],
      plan: [measure({ 类别: '党建' })],
      activities: [activity({ 关联事项: 'M9', 状态: '已结束' })],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'invalid_enum',
      column: '类别',
      field: 'category',
      mentions: ['党建'],
    });
    expectIssue(result, {
      tab: 'partners',
      row: 2,
      code: 'invalid_enum',
      column: '单位类型',
      field: 'type',
      mentions: ['医院'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'invalid_enum',
      column: '状态',
      field: 'status',
      mentions: ['已结束'],
    });
  });

  it('near-miss: labels, English keys in any case, short forms', () => {
    const result = run({
      partners: [
        partner({ 单位编号: 'P01', 单位名称: 'a', 单位类型: '机关单位' }),
        partner({ 单位编号: 'P02', 单位名称: 'b', 单位类型: '公司' }),
        partner({ 单位编号: 'P03', 单位名称: 'c', 单位类型: '村' }),
        partner({ 单位编号: 'P04', 单位名称: 'd', 单位类型: 'SCHOOL' }),
        partner({ 单位编号: 'P05', 单位名称: 'e', 单位类型: '社会组织', 状态: 'Inactive' }),
        partner({ 单位编号: 'P06', 单位名称: 'f', 单位类型: 'socialorg', 状态: '退出' }),
        partner({ 单位编号: 'P07', 单位名称: 'g', 单位类型: '事业单位', 状态: '在册' }),
      ],
      plan: [
        measure({ 编号: 'M1', 类别: '党建共商', 周期: '每季', 计量方式: '人数' }),
        measure({ 编号: 'M2', 类别: 'PRACTICALMATTERS', 周期: '季度', 计量方式: '资金' }),
        measure({ 编号: 'M3', 类别: 'civility', 周期: '半年', 计量方式: 'Hours', 状态: '完成' }),
        measure({ 编号: 'M4', 类别: '其它', 周期: 'Monthly', 计量方式: '受益人数', 状态: 'cancelled' }),
        measure({ 编号: 'M5', 类别: '组织保障', 周期: '每年', 计量方式: 'milestone', 状态: '取消' }),
        measure({ 编号: 'M6', 类别: 'jointActivities', 周期: '一次性', 计量方式: '时长', 状态: '进行中' }),
      ],
      activities: [
        activity({ 活动名称: 'a', 状态: '完成' }),
        activity({ 活动名称: 'b', 状态: '计划中' }),
        activity({ 活动名称: 'c', 状态: 'PLANNED' }),
        activity({ 活动名称: 'd', 状态: '取消' }),
        activity({ 活动名称: 'e', 状态: '计划' }),
      ],
    });
    expectNone(result, 'invalid_enum');
    // M5 is a milestone with 每年: its recurrence error is expected, nothing else.
    expect(result.issues.filter((i) => i.severity === 'error').map((i) => [i.row, i.code])).toEqual([
      [6, 'invalid_recurrence'],
    ]);
    expect(result.model.partners.map((p) => [p.type, p.active])).toEqual([
      ['agency', true],
      ['enterprise', true],
      ['village', true],
      ['school', true],
      ['socialOrg', false],
      ['socialOrg', false],
      ['agency', true],
    ]);
    expect(result.model.measures.map((m) => [m.category, m.recurrence, m.metric, m.state])).toEqual([
      ['partyBuilding', 'quarterly', 'participants', 'auto'],
      ['practicalMatters', 'quarterly', 'funds', 'auto'],
      ['civility', 'halfYearly', 'hours', 'done'],
      ['other', 'monthly', 'beneficiaries', 'cancelled'],
      ['jointActivities', 'none', 'hours', 'auto'],
    ]);
    expect(result.model.activities.map((a) => a.status)).toEqual([
      'done',
      'planned',
      'planned',
      'cancelled',
      'planned',
    ]);
  });

  it('invalid_recurrence: a recurring milestone', () => {
    const result = run({ plan: [measure({ 计量方式: '里程碑', 周期: '每季度' })] });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'invalid_recurrence',
      column: '周期',
      field: 'recurrence',
      mentions: ['每季度'],
    });
  });

  it('near-miss: a milestone with 无 or no recurrence; a recurring count', () => {
    const result = run({
      plan: [
        measure({ 计量方式: '里程碑', 周期: '无' }),
        measure({ 编号: 'M2', 计量方式: '里程碑' }),
        measure({ 编号: 'M3', 计量方式: '次数', 周期: '每季度' }),
      ],
    });
    expectNone(result, 'invalid_recurrence');
    expectCounts(result, 'plan', 3, 3);
  });
});

describe('emails, phones, URLs', () => {
  it('invalid_email: one bad address in a partner list; a bad owner email', () => {
    const result = run({
      partners: [partner({ 邮箱: 'a@example.cn、bad-address、c@example.com' })],
      plan: [measure({ 责任人邮箱: 'owner@' })],
    });
    expectIssue(result, {
      tab: 'partners',
      row: 2,
      code: 'invalid_email',
      column: '邮箱',
      field: 'emails',
      mentions: ['bad-address'],
    });
    expect(codesAt(result, 'partners', 2)).toEqual(['invalid_email']);
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'invalid_email',
      column: '责任人邮箱',
      field: 'ownerEmail',
      mentions: ['owner@'],
    });
  });

  it('near-miss: lists of good addresses with every separator', () => {
    const result = run({
      partners: [
        partner({ 单位编号: 'P01', 单位名称: 'a', 邮箱: 'a@example.cn；b@example.cn\nc@example.cn' }),
        partner({ 单位编号: 'P02', 单位名称: 'b', 邮箱: 'd@example.cn, e@example.cn' }),
        partner({ 单位编号: 'P03', 单位名称: 'c', 邮箱: 'f@example.cn ， g@example.cn;' }),
      ],
      plan: [measure({ 责任人邮箱: ' owner@example.cn ' })],
    });
    expectNone(result, 'invalid_email');
    expect(result.model.partners.map((p) => p.emails)).toEqual([
      ['a@example.cn', 'b@example.cn', 'c@example.cn'],
      ['d@example.cn', 'e@example.cn'],
      ['f@example.cn', 'g@example.cn'],
    ]);
    expect(result.model.measures[0]?.ownerEmail).toBe('owner@example.cn');
  });

  it('no_email: a partner without email is kept with a warning', () => {
    const result = run({ partners: [partner({ 邮箱: null, 单位名称: 'xx村' })] });
    expectIssue(result, {
      tab: 'partners',
      row: 2,
      code: 'no_email',
      column: '邮箱',
      field: 'emails',
      mentions: ['xx村'],
    });
    expect(result.model.partners[0]?.emails).toEqual([]);
  });

  it('near-miss: a partner with one email', () => {
    expectNone(run({ partners: [partner()] }), 'no_email');
  });

  it('invalid_phone: a letter O typed for a zero', () => {
    const result = run({ partners: [partner({ 联系电话: '0571-86O91235' })] });
    expectIssue(result, {
      tab: 'partners',
      row: 2,
      code: 'invalid_phone',
      column: '联系电话',
      field: 'phone',
      mentions: ['0571-86O91235'],
    });
  });

  it('near-miss: phones with digits, spaces, -, + and parentheses', () => {
    const phones = ['(0571) 8600-9012', '+86 138 0000 1234', '13800001234', 13800001234];
    const result = run({
      partners: phones.map((联系电话, i) => partner({ 单位编号: `P${i}`, 单位名称: `单位${i}`, 联系电话 })),
    });
    expectNone(result, 'invalid_phone');
    expect(result.model.partners.map((p) => p.phone)).toEqual([
      '(0571) 8600-9012',
      '+86 138 0000 1234',
      '13800001234',
      '13800001234',
    ]);
    // A phone starting with + is not a formula in a text cell: no formula_like either.
    expectNone(result, 'formula_like');
  });

  it('invalid_url: evidence that is not an http(s) URL', () => {
    const result = run({
      activities: [
        activity({ 佐证链接: 'example.cn/album' }),
        activity({ 活动名称: 'b', 佐证链接: 'ftp://example.cn/a' }),
      ],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'invalid_url',
      column: '佐证链接',
      field: 'evidence',
      mentions: ['example.cn/album'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'invalid_url',
      column: '佐证链接',
      field: 'evidence',
      mentions: ['ftp://example.cn/a'],
    });
  });

  it('near-miss: http and https URLs', () => {
    const result = run({
      activities: [
        activity({ 佐证链接: 'https://example.cn/album/a?b=1#c' }),
        activity({ 活动名称: 'b', 佐证链接: 'HTTP://EXAMPLE.CN' }),
      ],
    });
    expectNone(result, 'invalid_url');
  });
});

describe('lengths and formulas', () => {
  it('too_long: a title of 201 characters', () => {
    const result = run({
      plan: [measure({ 事项: '字'.repeat(201) })],
      activities: [activity({ 活动名称: 'a'.repeat(201) })],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'too_long',
      column: '事项',
      field: 'title',
      mentions: ['200'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'too_long',
      column: '活动名称',
      field: 'title',
      mentions: ['200'],
    });
  });

  it('too_long: any cell over 5,000 characters', () => {
    const result = run({
      plan: [measure({ 备注: '备'.repeat(5001) })],
      partners: [partner({ 联系人: 'x'.repeat(5001) })],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'too_long',
      column: '备注',
      field: 'notes',
      mentions: ['5000'],
    });
    expectIssue(result, {
      tab: 'partners',
      row: 2,
      code: 'too_long',
      column: '联系人',
      field: 'contact',
      mentions: ['5000'],
    });
  });

  it('near-miss: a title of exactly 200 characters, notes of exactly 5,000', () => {
    const result = run({ plan: [measure({ 事项: '字'.repeat(200), 备注: '备'.repeat(5000) })] });
    expectNone(result, 'too_long');
    expect(result.model.measures[0]?.title).toHaveLength(200);
  });

  it.each(['=SUM(A1:A3)', '+86 热线宣传', '-文明出行', '@社区 通知'])('formula_like: title %s', (title) => {
    const result = run({ activities: [activity({ 活动名称: title })] });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'formula_like',
      column: '活动名称',
      field: 'title',
    });
    expect(result.model.activities.map((a) => a.title)).toEqual([title]);
  });

  it('near-miss: = inside a title', () => {
    const result = run({ activities: [activity({ 活动名称: '文明=礼仪 @社区' })] });
    expectNone(result, 'formula_like');
  });
});

describe('IDs and names', () => {
  it('duplicate_id: the second and third rows with a used ID', () => {
    const result = run({
      plan: [measure({ 事项: 'a' }), measure({ 事项: 'b' }), measure({ 事项: 'c' })],
    });
    for (const row of [3, 4]) {
      expectIssue(result, {
        tab: 'plan',
        row,
        code: 'duplicate_id',
        column: '编号',
        field: 'measureId',
        mentions: ['M1', '第2行'],
      });
    }
    expect(result.model.measures.map((m) => m.title)).toEqual(['a']);
    expectCounts(result, 'plan', 3, 1);
  });

  it('duplicate_id: also when the first row was rejected', () => {
    const result = run({ plan: [measure({ 类别: '无此类别' }), measure()] });
    expectIssue(result, {
      tab: 'plan',
      row: 3,
      code: 'duplicate_id',
      column: '编号',
      field: 'measureId',
      mentions: ['M1'],
    });
    expect(result.model.measures).toEqual([]);
  });

  it('duplicate_id: partners and activity IDs; a numeric 4.3 equals the text 4.3', () => {
    const result = run({
      partners: [partner(), partner({ 单位名称: '另一个单位' })],
      plan: [measure({ 编号: 4.3 }), measure({ 编号: '4.3' })],
      activities: [
        activity({ 记录编号: 'A0001', 关联事项: '4.3' }),
        activity({ 记录编号: 'Ａ０００１', 关联事项: '4.3', 活动名称: 'b' }),
      ],
    });
    expectIssue(result, {
      tab: 'partners',
      row: 3,
      code: 'duplicate_id',
      column: '单位编号',
      field: 'partnerId',
    });
    expectIssue(result, { tab: 'plan', row: 3, code: 'duplicate_id', column: '编号', field: 'measureId' });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'duplicate_id',
      column: '记录编号',
      field: 'activityId',
      mentions: ['A0001'],
    });
  });

  it("near-miss: IDs '4.3' and '4.30' are different; empty activity IDs are optional", () => {
    const result = run({
      plan: [measure({ 编号: '4.3' }), measure({ 编号: '4.30' })],
      activities: [
        activity({ 关联事项: '4.30' }),
        activity({ 关联事项: 4.3, 活动名称: 'b' }),
        activity({ 关联事项: '4.3', 活动名称: 'c', 记录编号: '' }),
      ],
    });
    expectNone(result, 'duplicate_id');
    expect(result.model.measures.map((m) => m.measureId)).toEqual(['4.3', '4.30']);
    expect(result.model.activities.map((a) => a.measureId)).toEqual(['4.30', '4.3', '4.3']);
    for (const a of result.model.activities) expect(a.activityId).toBeUndefined();
    expectNone(result, 'required', 'activities');
  });

  it('duplicate_name: a partner name already used (after normalisation)', () => {
    const result = run({
      partners: [
        partner({ 单位编号: 'P01', 单位名称: 'ABC公司' }),
        partner({ 单位编号: 'P02', 单位名称: 'ＡＢＣ公司' }),
        partner({ 单位编号: 'P03', 单位名称: ' ABC公司 ' }),
      ],
    });
    // Compared after NFKC, quoted as typed.
    for (const [row, typed] of [
      [3, 'ＡＢＣ公司'],
      [4, 'ABC公司'],
    ] as const) {
      expectIssue(result, {
        tab: 'partners',
        row,
        code: 'duplicate_name',
        column: '单位名称',
        field: 'name',
        mentions: [typed, '第2行'],
      });
    }
    expect(result.model.partners.map((p) => p.partnerId)).toEqual(['P01']);
  });

  it('near-miss: similar but different names', () => {
    const result = run({
      partners: [
        partner({ 单位编号: 'P01', 单位名称: '区住建局' }),
        partner({ 单位编号: 'P02', 单位名称: '区住建局二' }),
      ],
    });
    expectNone(result, 'duplicate_name');
  });

  it('invalid_id: 33 characters; a list separator inside', () => {
    const long = `P${'0'.repeat(32)}`;
    expect(long).toHaveLength(33);
    const result = run({
      partners: [partner({ 单位编号: long }), partner({ 单位编号: 'P01、P02', 单位名称: '第二个' })],
      plan: [measure({ 编号: 'M1;M2' })],
      activities: [activity({ 记录编号: 'A1,A2', 关联事项: 'M9' })],
    });
    expectIssue(result, {
      tab: 'partners',
      row: 2,
      code: 'invalid_id',
      column: '单位编号',
      field: 'partnerId',
      mentions: [long],
    });
    expectIssue(result, {
      tab: 'partners',
      row: 3,
      code: 'invalid_id',
      column: '单位编号',
      field: 'partnerId',
      mentions: ['P01、P02'],
    });
    expectIssue(result, { tab: 'plan', row: 2, code: 'invalid_id', column: '编号', field: 'measureId' });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'invalid_id',
      column: '记录编号',
      field: 'activityId',
    });
    expectCounts(result, 'partners', 2, 0);
  });

  it('near-miss: an ID of exactly 32 characters, with dots and dashes', () => {
    const id = `P-1.${'0'.repeat(28)}`;
    expect(id).toHaveLength(32);
    const result = run({ partners: [partner({ 单位编号: id })] });
    expectNone(result, 'invalid_id');
    expect(result.model.partners.map((p) => p.partnerId)).toEqual([id]);
  });
});

describe('references', () => {
  it('unknown_partner: an unregistered unit, and a rejected partner', () => {
    const result = run({
      partners: [
        partner(),
        partner({ 单位编号: 'P02', 单位名称: '第一中学', 邮箱: 'yz@example.cn' }),
        partner({ 单位编号: 'P03', 单位名称: '被拒单位', 邮箱: 'not-an-email' }),
      ],
      plan: [measure({ 共建单位: 'P01、区城管局' }), measure({ 编号: 'M2', 共建单位: 'P03' })],
      activities: [activity({ 共建单位: '被拒单位' })],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 2,
      code: 'unknown_partner',
      column: '共建单位',
      field: 'partners',
      mentions: ['区城管局'],
    });
    expectIssue(result, {
      tab: 'plan',
      row: 3,
      code: 'unknown_partner',
      column: '共建单位',
      field: 'partners',
      mentions: ['P03'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'unknown_partner',
      column: '共建单位',
      field: 'partners',
      mentions: ['被拒单位'],
    });
  });

  it('near-miss: references by ID or exact name resolve to IDs; inactive partners may be referenced', () => {
    const result = run({
      partners: [
        ...BASE_PARTNERS,
        partner({ 单位编号: 'P03', 单位名称: '老物流公司', 邮箱: 'x@example.cn', 状态: '退出' }),
      ],
      plan: [
        measure({ 共建单位: '第一中学、P01、区住建局' }),
        measure({ 编号: 'M2', 共建单位: '老物流公司' }),
      ],
      activities: [activity({ 共建单位: '第一中学\nP03' }), activity({ 活动名称: 'b', 共建单位: null })],
    });
    expectNone(result, 'unknown_partner');
    expect(result.model.measures.map((m) => m.partners)).toEqual([['P02', 'P01'], ['P03']]);
    expect(result.model.activities.map((a) => a.partners)).toEqual([['P02', 'P03'], []]);
  });

  it('a partner list typed with a comma and a space resolves every item', () => {
    const result = run({
      plan: [measure({ 共建单位: 'P01, P02' })],
      activities: [activity({ 共建单位: '区住建局; 第一中学' })],
    });
    expectNone(result, 'unknown_partner');
    expect(result.model.measures.map((m) => m.partners)).toEqual([['P01', 'P02']]);
    expect(result.model.activities.map((a) => a.partners)).toEqual([['P01', 'P02']]);
  });

  it('unknown_measure: no such measure, and a rejected measure', () => {
    const result = run({
      plan: [measure(), measure({ 编号: 'M2', 类别: '错误类别' })],
      activities: [activity({ 关联事项: 'M9' }), activity({ 活动名称: 'b', 关联事项: 'M2' })],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'unknown_measure',
      column: '关联事项',
      field: 'measureId',
      mentions: ['M9'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'unknown_measure',
      column: '关联事项',
      field: 'measureId',
      mentions: ['M2'],
    });
    expectCounts(result, 'activities', 2, 0);
  });

  it('near-miss: a measure referenced by its normalised ID', () => {
    const result = run({ activities: [activity({ 关联事项: ' Ｍ1 ' })] });
    expectNone(result, 'unknown_measure');
    expect(result.model.activities.map((a) => a.measureId)).toEqual(['M1']);
  });
});

describe('activity checks', () => {
  it('future_done: a done activity after the as-of date', () => {
    const result = run({ activities: [activity({ 日期: '2026-07-01' })] }, { asOf: '2026-06-30' });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'future_done',
      column: '日期',
      field: 'date',
      mentions: ['2026-07-01', '2026-06-30'],
    });
    expect(result.model.activities).toHaveLength(1);
  });

  it('near-miss: on the as-of date, or planned / cancelled later', () => {
    const result = run(
      {
        activities: [
          activity({ 日期: '2026-06-30' }),
          activity({ 活动名称: 'b', 日期: '2026-07-01', 状态: '计划中' }),
          activity({ 活动名称: 'c', 日期: '2026-07-01', 状态: '已取消' }),
        ],
      },
      { asOf: '2026-06-30' },
    );
    expectNone(result, 'future_done');
  });

  it('outside_plan_year: an activity dated in another year is kept', () => {
    const result = run({
      activities: [
        activity({ 日期: '2025-12-31' }),
        activity({ 活动名称: 'b', 日期: '2027-01-01', 状态: '计划中' }),
      ],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'outside_plan_year',
      column: '日期',
      field: 'date',
      mentions: ['2025-12-31', '2026'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'outside_plan_year',
      column: '日期',
      field: 'date',
    });
    expectCounts(result, 'activities', 2, 2);
  });

  it('near-miss: first and last day of the plan year', () => {
    const result = run({
      activities: [activity({ 日期: '2026-01-01' }), activity({ 活动名称: 'b', 日期: '2026-12-31' })],
    });
    expectNone(result, 'outside_plan_year');
  });

  it('duplicate_activity: same date, measure and title as an earlier row', () => {
    const result = run({
      activities: [
        activity(),
        activity({ 日期: new Date(Date.UTC(2026, 2, 5)), 参与人数: 3 }),
        activity({ 日期: '2026/3/5', 活动名称: ' 第一季度联席会议 ' }),
      ],
    });
    for (const row of [3, 4]) {
      expectIssue(result, {
        tab: 'activities',
        row,
        code: 'duplicate_activity',
        column: '活动名称',
        field: 'title',
        mentions: ['第2行'],
      });
    }
    expectCounts(result, 'activities', 3, 3);
  });

  it('near-miss: a different date, measure or title', () => {
    const result = run({
      plan: [measure(), measure({ 编号: 'M2' })],
      activities: [
        activity(),
        activity({ 日期: '2026-03-06' }),
        activity({ 关联事项: 'M2' }),
        activity({ 活动名称: '第二季度联席会议' }),
      ],
    });
    expectNone(result, 'duplicate_activity');
  });

  it('implausible_hours: 25 h with one participant, 25 h with none, 49 h with two', () => {
    const result = run({
      activities: [
        activity({ 活动名称: 'a', 服务时长: 25, 参与人数: 1 }),
        activity({ 活动名称: 'b', 服务时长: '25' }),
        activity({ 活动名称: 'c', 服务时长: 49, 参与人数: 2 }),
      ],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'implausible_hours',
      column: '服务时长',
      field: 'hours',
      mentions: ['25'],
    });
    expectIssue(result, {
      tab: 'activities',
      row: 3,
      code: 'implausible_hours',
      column: '服务时长',
      field: 'hours',
    });
    expectIssue(result, {
      tab: 'activities',
      row: 4,
      code: 'implausible_hours',
      column: '服务时长',
      field: 'hours',
      mentions: ['49'],
    });
    expectCounts(result, 'activities', 3, 3);
  });

  it('near-miss: 24 h with one participant, 48 h with two, 24 h with zero', () => {
    const result = run({
      activities: [
        activity({ 活动名称: 'a', 服务时长: 24, 参与人数: 1 }),
        activity({ 活动名称: 'b', 服务时长: 48, 参与人数: 2 }),
        activity({ 活动名称: 'c', 服务时长: 24, 参与人数: 0 }),
      ],
    });
    expectNone(result, 'implausible_hours');
  });
});

describe('header matching and rows', () => {
  it('English headers in shuffled order, full-width letters, extra columns ignored', () => {
    const header = [
      'Email',
      'Ｔｙｐｅ',
      ' name ',
      'Internal notes',
      'ＩＤ',
      'STATUS',
      'Phone',
      'Contact',
      'paired on',
    ];
    const result = run({
      partners: {
        header,
        rows: [
          {
            Email: 'a@example.cn',
            Ｔｙｐｅ: 'enterprise',
            ' name ': 'xx供电公司',
            'Internal notes': '=whatever',
            ＩＤ: 'P04',
            STATUS: 'active',
            Phone: '138 0000 1234',
            Contact: '冯涛',
            'paired on': '2025-04-20',
          },
          { ＩＤ: 'P05', ' name ': 'xx银行', Email: 'broken@' },
          { 'Internal notes': 'only an unknown column filled' },
        ],
      },
    });
    expect(result.model.partners).toEqual([
      {
        partnerId: 'P04',
        name: 'xx供电公司',
        type: 'enterprise',
        contact: '冯涛',
        phone: '138 0000 1234',
        emails: ['a@example.cn'],
        pairedOn: '2025-04-20',
        active: true,
        row: 2,
      },
    ]);
    // The column is the header as written.
    expectIssue(result, { tab: 'partners', row: 3, code: 'invalid_email', column: 'Email', field: 'emails' });
    expectNone(result, 'formula_like');
    expectCounts(result, 'partners', 2, 1);
    expect(result.sources.partners?.header).toHaveLength(header.length);
  });

  it.each([
    '服务时长（小时）',
    '服务时长(小时)',
    '服务时长 (小时)',
    '服务时长',
    'HOURS',
    'Hours (h)',
    'ｈｏｕｒｓ',
  ])('the hours column answers to %s', (hoursHeader) => {
    const result = run({
      activities: {
        header: ['日期', '关联事项', '活动名称', hoursHeader],
        rows: [activity({ [hoursHeader]: '6' }), activity({ 活动名称: 'b', [hoursHeader]: 'x' })],
      },
    });
    expect(result.model.activities.map((a) => a.hours)).toEqual([6]);
    const issue = result.issues.find((i) => i.code === 'invalid_number');
    expect(issue).toMatchObject({ tab: 'activities', row: 3, field: 'hours' });
    expect(issue?.column).toBe(hoursHeader); // the header as written (§3), not normalised
  });

  it('a row whose recognised cells are all empty is skipped and not counted', () => {
    const result = run({
      activities: {
        header: [...ACTIVITY_HEADER, '内部备注'],
        rows: [
          activity(),
          {},
          { 日期: '   ', 活动名称: '\u3000', 参与人数: '', 内部备注: '作废' },
          { 内部备注: '只填了未知列' },
          activity({ 活动名称: 'b' }),
        ],
      },
    });
    expectCounts(result, 'activities', 2, 2);
    expect(result.model.activities.map((a) => a.row)).toEqual([2, 6]);
    for (const row of [3, 4, 5]) expect(codesAt(result, 'activities', row)).toEqual([]);
  });

  it('row numbers are the sheet rows given; accepted + rejected = rows', () => {
    const result = run({
      activities: {
        header: ACTIVITY_HEADER,
        rows: [
          activity({ 活动名称: 'a' }),
          activity({ 活动名称: 'b', 日期: 'bad' }),
          activity({ 活动名称: 'c' }),
        ],
        rowNumbers: [5, 9, 12],
      },
    });
    expectIssue(result, {
      tab: 'activities',
      row: 9,
      code: 'invalid_date',
      column: '日期',
      field: 'date',
      mentions: ['bad'],
    });
    expect(result.model.activities.map((a) => [a.row, a.title])).toEqual([
      [5, 'a'],
      [12, 'c'],
    ]);
    expectCounts(result, 'activities', 3, 2);
    for (const tab of ['partners', 'plan', 'activities'] as const) {
      const counts = result.tabs[tab];
      expect(counts.accepted + counts.rejected).toBe(counts.rows);
    }
  });
});

describe('佐证要求 and missing_evidence (issue 20)', () => {
  const bare = { 日期: '2026-03-05', 关联事项: 'M1', 活动名称: '没有佐证的活动' };
  const withRule = (rule?: string) => ({
    settings: [['计划年度', 2026], ...(rule === undefined ? [] : [['佐证要求', rule]])],
    activities: [bare, activity({ 活动名称: '有佐证' }), { ...bare, 活动名称: '计划中', 状态: '计划中' }],
  });

  it('a done activity without evidence is a warning by default (提醒), and the row counts', () => {
    const result = run(withRule());
    expectIssue(result, {
      tab: 'activities',
      row: 2,
      code: 'missing_evidence',
      column: '佐证链接',
      field: 'evidence',
    });
    expect(codesAt(result, 'activities', 3)).toEqual([]);
    expect(codesAt(result, 'activities', 4)).toEqual([]);
    expect(result.model.settings.evidenceRule).toBeUndefined();
  });

  it('an error under 必须 (the row is not counted), nothing under 无', () => {
    const required = run(withRule('必须'));
    expect(required.model.settings.evidenceRule).toBe('require');
    const issue = required.issues.find((i) => i.code === 'missing_evidence');
    expect(issue).toMatchObject({ row: 2, severity: 'error' });
    expect(modelRows(required.model, 'activities')).toEqual([3, 4]);
    const none = run(withRule('无'));
    expectNone(none, 'missing_evidence');
    expect(modelRows(none.model, 'activities')).toEqual([2, 3, 4]);
    expect(codesAt(run(withRule('多多益善')), 'settings', 3)).toEqual(['invalid_enum']);
  });
});

describe('defaults and the model', () => {
  it('partner type other, active true, metric count, target 1, recurrence none, status done, state auto', () => {
    const result = run({
      partners: [{ 单位编号: 'P01', 单位名称: '区住建局', 邮箱: 'a@example.cn' }],
      plan: [{ 编号: 'M1', 类别: '其他', 事项: '事项' }],
      activities: [{ 日期: 46086, 关联事项: 'M1', 活动名称: '活动' }],
      // 佐证要求 无: this row has no evidence, and the defaults are what is looked at here.
      settings: [
        ['计划年度', 2026],
        ['佐证要求', '无'],
      ],
    });
    expect(result.issues).toEqual([]);
    expect(result.model.partners).toEqual([
      { partnerId: 'P01', name: '区住建局', type: 'other', emails: ['a@example.cn'], active: true, row: 2 },
    ]);
    expect(result.model.measures).toEqual([modelMeasure({ category: 'other' })]);
    expect(result.model.activities).toEqual([modelActivity({ date: '2026-03-05' })]);
  });

  it('free text keeps its punctuation as typed; IDs, numbers, dates and enumerations get NFKC', () => {
    const result = run({
      settings: [
        ['社区名称', 'xx社区（东区）'],
        ['计划年度', '２０２６'],
      ],
      partners: [partner({ 单位编号: 'Ｐ０１', 单位名称: '区住建局（城建科）', 联系人: '王：主任' })],
      plan: [
        measure({
          编号: 'Ｍ１',
          类别: '活动共搞',
          事项: '召开联席会议，通报进展；（每季度）',
          共建单位: '区住建局(城建科)',
          责任人: '陈建国（主任）',
          备注: '注意：会前通知；',
        }),
      ],
      activities: [
        activity({
          关联事项: 'M1',
          活动名称: '联席会议（一）',
          地点: '会议室：三楼',
          日期: '２０２６－０３－０５',
        }),
        activity({ 关联事项: 'M1', 活动名称: '联席会议(一)', 日期: '2026/3/5' }),
      ],
    });
    expect(result.model.settings).toMatchObject({ community: 'xx社区（东区）', year: 2026 });
    expect(result.model.partners[0]).toMatchObject({
      partnerId: 'P01',
      name: '区住建局（城建科）',
      contact: '王：主任',
    });
    // A partner referenced by name: both sides compared after NFKC.
    expect(result.model.measures[0]).toMatchObject({
      measureId: 'M1',
      title: '召开联席会议，通报进展；（每季度）',
      owner: '陈建国（主任）',
      notes: '注意：会前通知；',
      partners: ['P01'],
    });
    expect(result.model.activities.map((a) => [a.date, a.title, a.location])).toEqual([
      ['2026-03-05', '联席会议（一）', '会议室：三楼'],
      ['2026-03-05', '联席会议(一)', undefined],
    ]);
    // Duplicate titles compared after NFKC: the second row is the same activity.
    expect(codesAt(result, 'activities', 3)).toEqual(['duplicate_activity']);
    expect(codesAt(result, 'activities', 2)).toEqual([]);
  });

  it('cells are normalised into the model (NFKC, collapsed whitespace)', () => {
    const result = run({
      plan: [measure({ 事项: '  老年活动室　　加层\n改造 ', 责任人: ' 陈  建国 ', 目标值: '１２' })],
    });
    expect(result.model.measures[0]).toMatchObject({
      title: '老年活动室 加层 改造',
      owner: '陈 建国',
      target: 12,
    });
  });
});

describe('settings', () => {
  it('Chinese keys', () => {
    const result = run({
      settings: [
        ['社区名称', 'xx社区'],
        ['计划年度', 2026],
        ['时区', 'Asia/Shanghai'],
        ['领导邮箱', 'a@example.cn、b@example.cn'],
        ['编辑人员', 'c@example.cn'],
        ['发件人', 'xx社区居委会'],
        ['摘要频率', '每周'],
        ['失联天数', '45'],
        ['提醒天数', 3],
      ],
    });
    expect(result.issues.filter((i) => i.tab === 'settings')).toEqual([]);
    expect(result.model.settings).toEqual({
      community: 'xx社区',
      year: 2026,
      timezone: 'Asia/Shanghai',
      leaderEmails: ['a@example.cn', 'b@example.cn'],
      editors: ['c@example.cn'],
      senderName: 'xx社区居委会',
      digestFrequency: 'weekly',
      staleDays: 45,
      reminderDays: 3,
    });
  });

  it('English keys under Key | Value, defaults for what is not given', () => {
    const result = run({
      settings: {
        header: ['Key', 'Value'],
        rows: [
          { Key: 'Community', Value: 'xx社区' },
          { Key: 'year', Value: '2027' },
          { Key: 'Timezone', Value: 'Europe/Berlin' },
          { Key: 'Digest frequency', Value: 'Weekly' },
          { Key: 'STALE DAYS', Value: 60 },
        ],
      },
    });
    // 2027 is not in the built-in calendar (and there is no 节假日 tab): that warning only.
    expect(result.issues.filter((i) => i.tab === 'settings').map((i) => i.code)).toEqual([
      'unknown_calendar',
    ]);
    expect(result.model.settings).toEqual({
      community: 'xx社区',
      year: 2027,
      timezone: 'Europe/Berlin',
      leaderEmails: [],
      editors: [],
      senderName: 'xx社区',
      digestFrequency: 'weekly',
      staleDays: 60,
      reminderDays: 7,
    });
  });

  it('defaults: Asia/Shanghai, monthly, 30 stale days, 7 reminder days', () => {
    const result = run({ settings: [['计划年度', 2026]] });
    expect(result.model.settings).toEqual({
      year: 2026,
      timezone: 'Asia/Shanghai',
      leaderEmails: [],
      editors: [],
      digestFrequency: 'monthly',
      staleDays: 30,
      reminderDays: 7,
    });
  });

  it('an invalid time zone is invalid_enum and falls back to the default', () => {
    const result = run({
      settings: [
        ['计划年度', 2026],
        ['时区', 'Mars/Olympus'],
      ],
    });
    expectIssue(result, {
      tab: 'settings',
      row: 3,
      code: 'invalid_enum',
      column: '值',
      field: 'timezone',
      mentions: ['Mars/Olympus'],
    });
    expect(result.model.settings.timezone).toBe('Asia/Shanghai');
  });

  it('总结抄送领导 is a yes or no, in Chinese or English; anything else is reported and taken as no', () => {
    const settingsWith = (value: string) =>
      run({
        settings: [
          ['计划年度', 2026],
          ['总结抄送领导', value],
        ],
      });
    for (const yes of ['是', 'Yes', 'ＹＥＳ', 'true', '1']) {
      expect(settingsWith(yes).model.settings.reportToLeaders, yes).toBe(true);
    }
    for (const no of ['否', 'no', 'FALSE', '0']) {
      expect(settingsWith(no).model.settings.reportToLeaders, no).toBe(false);
    }
    const unclear = settingsWith('也许');
    expectIssue(unclear, {
      tab: 'settings',
      row: 3,
      code: 'invalid_enum',
      column: '值',
      field: 'reportToLeaders',
      mentions: ['也许'],
    });
    expect(unclear.model.settings.reportToLeaders).toBeUndefined();
    expect(run({ settings: [['计划年度', 2026]] }).model.settings.reportToLeaders).toBeUndefined();
  });

  it('填报需审核 (Review reports) is a yes or no, absent meaning no; 填报链接有效天数 a whole number of days ≥ 1', () => {
    const withRows = (rows: [string, string | number][]) => run({ settings: [['计划年度', 2026], ...rows] });
    expect(withRows([['填报需审核', '是']]).model.settings.reviewReports).toBe(true);
    expect(withRows([['Review reports', 'no']]).model.settings.reviewReports).toBe(false);
    expect(withRows([]).model.settings.reviewReports).toBeUndefined();
    expect(requestLinkDays(withRows([]).model.settings)).toBe(30);
    expect(requestLinkDays(withRows([['填报链接有效天数', 14]]).model.settings)).toBe(14);
    expect(requestLinkDays(withRows([['Request link days', '７']]).model.settings)).toBe(7);
    const zero = withRows([['填报链接有效天数', 0]]);
    expectIssue(zero, {
      tab: 'settings',
      row: 3,
      code: 'invalid_number',
      column: '值',
      field: 'requestLinkDays',
    });
    expect(requestLinkDays(zero.model.settings)).toBe(30);
  });

  it('bad numbers, frequency and emails in the settings are reported and replaced by defaults', () => {
    const result = run({
      settings: [
        ['计划年度', 2026],
        ['失联天数', 'abc'],
        ['提醒天数', '2.5'],
        ['摘要频率', '每天'],
        ['领导邮箱', 'a@example.cn、leader-at-example'],
      ],
    });
    expectIssue(result, {
      tab: 'settings',
      row: 3,
      code: 'invalid_number',
      column: '值',
      field: 'staleDays',
      mentions: ['abc'],
    });
    expectIssue(result, {
      tab: 'settings',
      row: 4,
      code: 'not_integer',
      column: '值',
      field: 'reminderDays',
      mentions: ['2.5'],
    });
    expectIssue(result, {
      tab: 'settings',
      row: 5,
      code: 'invalid_enum',
      column: '值',
      field: 'digestFrequency',
      mentions: ['每天'],
    });
    expectIssue(result, {
      tab: 'settings',
      row: 6,
      code: 'invalid_email',
      column: '值',
      field: 'leaderEmails',
      mentions: ['leader-at-example'],
    });
    expect(result.model.settings).toMatchObject({
      staleDays: 30,
      reminderDays: 7,
      digestFrequency: 'monthly',
      leaderEmails: ['a@example.cn'],
    });
  });

  it('a negative stale days is negative_number', () => {
    const result = run({
      settings: [
        ['计划年度', 2026],
        ['失联天数', -5],
      ],
    });
    expectIssue(result, {
      tab: 'settings',
      row: 3,
      code: 'negative_number',
      column: '值',
      field: 'staleDays',
      mentions: ['-5'],
    });
    expect(result.model.settings.staleDays).toBe(30);
  });
});

describe('coverage of the issues table', () => {
  it('the code knows exactly the codes of the spec, with their severities', () => {
    expect(ISSUE_SEVERITY).toEqual(SPEC_SEVERITY);
  });

  it('every code was triggered and near-missed above', () => {
    const all = Object.keys(SPEC_SEVERITY).sort();
    expect([...triggered].sort()).toEqual(all);
    expect([...nearMissed].sort()).toEqual(all);
  });

  it('an all-valid workbook has no issue at all', () => {
    const clean = run({ partners: [partner()], plan: [measure()], activities: [activity()] });
    expect(clean.issues).toEqual([]);
    expectCounts(clean, 'activities', 1, 1);
  });
});

describe('validateAsOfToday: "today" in the plan\'s own time zone', () => {
  // 2026-06-30 20:00 UTC is already 1 July in Shanghai, still 30 June in Los Angeles.
  const dayIn: Record<string, string> = {
    'Asia/Shanghai': '2026-07-01',
    'America/Los_Angeles': '2026-06-30',
  };
  const asked: string[] = [];
  const today = (zone: string) => {
    asked.push(zone);
    return dayIn[zone] ?? 'unknown zone';
  };
  const doneOnFirstJuly = { activities: [activity({ 日期: '2026-07-01' })] };

  it('takes the date in the zone of 设置 → 时区, asking the clock once', () => {
    asked.length = 0;
    const { result, asOf } = validateAsOfToday(
      workbook({
        ...doneOnFirstJuly,
        settings: [
          ['计划年度', 2026],
          ['时区', 'America/Los_Angeles'],
        ],
      }),
      today,
    );
    expect(asOf).toBe('2026-06-30');
    expect(asked).toEqual(['America/Los_Angeles']);
    expectIssue(result, { tab: 'activities', row: 2, code: 'future_done', column: '日期', field: 'date' });
  });

  it('falls back to Asia/Shanghai without a valid zone, and passes the options on', () => {
    for (const settings of [[['计划年度', 2026]], [['时区', 'Mars/Olympus']]] as CellValue[][][]) {
      asked.length = 0;
      const { result, asOf } = validateAsOfToday(workbook({ ...doneOnFirstJuly, settings }), today, {
        requireYear: true,
      });
      expect(asOf).toBe('2026-07-01');
      expect(asked).toEqual(['Asia/Shanghai']);
      expectNone(result, 'future_done');
    }
    const noYear = validateAsOfToday(workbook({ settings: [['时区', 'Asia/Shanghai']] }), today, {
      requireYear: true,
    });
    expect(codesAt(noYear.result, 'settings', 1)).toContain('required');
  });
});
