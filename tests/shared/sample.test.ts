/**
 * The sample workbook of SPEC §8: it validates to exactly its documented mistakes, and it has the
 * content the spec promises (about 10 partners of every type, the four practical projects, a
 * quarterly joint meeting, a year of activities).
 */
import { describe, expect, it } from 'vitest';
import type { Issue } from '../../shared/issues';
import { SAMPLE_MISTAKES, sampleWorkbook } from '../../shared/sample';
import { validateWorkbook } from '../../shared/validate';

type Key = [tab: string, row: number, code: string];
const byKey = (a: Key, b: Key) => a[0].localeCompare(b[0]) || a[1] - b[1] || a[2].localeCompare(b[2]);
const keysOf = (items: readonly { tab: string; row: number; code: string }[]): Key[] =>
  items.map((i): Key => [i.tab, i.row, i.code]).sort(byKey);

describe('the sample workbook', () => {
  const result = validateWorkbook(sampleWorkbook(2026), { asOf: '2026-12-31' });

  it('documents a few deliberate mistakes, each on a distinct row', () => {
    expect(SAMPLE_MISTAKES.length).toBeGreaterThanOrEqual(3);
    const rows = new Set(SAMPLE_MISTAKES.map((m) => `${m.tab}:${m.row}`));
    expect(rows.size).toBe(SAMPLE_MISTAKES.length);
    for (const m of SAMPLE_MISTAKES) expect(m.row).toBeGreaterThanOrEqual(2);
  });

  it('validated as of 31 Dec yields exactly the issues of SAMPLE_MISTAKES', () => {
    expect(keysOf(result.issues)).toEqual(keysOf(SAMPLE_MISTAKES));
  });

  it('the same for another plan year, as of its 31 Dec', () => {
    const other = validateWorkbook(sampleWorkbook(2027), { asOf: '2027-12-31' });
    // 2027 is not in the shipped calendar: one more warning, on 计划年度, naming the 节假日 tab.
    const calendar = other.issues.filter((i) => i.code === 'unknown_calendar');
    expect(calendar).toMatchObject([{ tab: 'settings', row: 3, field: 'year', severity: 'warning' }]);
    expect(calendar[0]?.message).toContain('「节假日」');
    expect(keysOf(other.issues.filter((i) => i.code !== 'unknown_calendar'))).toEqual(
      keysOf(SAMPLE_MISTAKES),
    );
    expect(other.model.settings.year).toBe(2027);
  });

  it('a 节假日 tab, header only, for a year the shipped calendar lacks; none for 2026', () => {
    const holidays = sampleWorkbook(2027).tabs.find((tab) => tab.name === '节假日');
    expect(holidays).toEqual({ name: '节假日', header: ['日期', '类型', '名称'], rows: [] });
    expect(sampleWorkbook(2026).tabs.map((tab) => tab.name)).toEqual(['设置', '共建单位', '计划', '活动']);
  });

  it('every tab accounts for its rows; rejected rows are the rows with an error mistake', () => {
    for (const tab of ['partners', 'plan', 'activities'] as const) {
      const counts = result.tabs[tab];
      expect(counts.accepted + counts.rejected).toBe(counts.rows);
      const errorRows = new Set(
        result.issues.filter((i: Issue) => i.tab === tab && i.severity === 'error').map((i) => i.row),
      );
      expect(counts.rejected).toBe(errorRows.size);
    }
  });

  it('written on 30 Jun and validated that day: later activities are planned, no future_done', () => {
    const midYear = validateWorkbook(sampleWorkbook(2026, '2026-06-30'), { asOf: '2026-06-30' });
    expect(midYear.issues.filter((i) => i.code === 'future_done')).toEqual([]);
    // Nothing beyond the documented mistakes.
    const documented = new Set(keysOf(SAMPLE_MISTAKES).map((k) => k.join(':')));
    for (const key of keysOf(midYear.issues)) expect(documented).toContain(key.join(':'));
    const later = midYear.model.activities.filter((a) => a.date > '2026-06-30');
    expect(later.length).toBeGreaterThan(0);
    for (const a of later) expect(a.status).not.toBe('done');
  });

  it('validated mid-year without a writing date, done activities dated later are future_done', () => {
    const early = validateWorkbook(sampleWorkbook(2026), { asOf: '2026-06-30' });
    const future = early.issues.filter((i) => i.code === 'future_done');
    expect(future.length).toBeGreaterThan(0);
    for (const issue of future) expect(issue).toMatchObject({ tab: 'activities', severity: 'warning' });
  });

  it('has the settings of "xx社区 <year>年共建计划"', () => {
    expect(result.model.settings).toMatchObject({ year: 2026, timezone: 'Asia/Shanghai' });
    expect(result.model.settings.community).toContain('社区');
  });

  it('has at least 10 partners covering agency, enterprise, school and village', () => {
    expect(result.model.partners.length).toBeGreaterThanOrEqual(10);
    const types = new Set(result.model.partners.map((p) => p.type));
    for (const type of ['agency', 'enterprise', 'school', 'village']) expect(types).toContain(type);
  });

  it('has the four practical projects and a quarterly recurring measure', () => {
    const practical = result.model.measures.filter((m) => m.category === 'practicalMatters');
    const titles = practical.map((m) => m.title).join('|');
    for (const word of ['电脑', '布局', '加层', '安防']) expect(titles).toContain(word);
    const quarterly = result.model.measures.filter((m) => m.recurrence === 'quarterly');
    expect(quarterly.length).toBeGreaterThanOrEqual(1);
    expect(quarterly.some((m) => m.title.includes('联席会议'))).toBe(true);
  });

  it('has activities in all 12 months of the plan year', () => {
    const months = new Set(
      result.model.activities.filter((a) => a.date.startsWith('2026-')).map((a) => a.date.slice(5, 7)),
    );
    expect([...months].sort()).toEqual([
      '01',
      '02',
      '03',
      '04',
      '05',
      '06',
      '07',
      '08',
      '09',
      '10',
      '11',
      '12',
    ]);
  });
});
