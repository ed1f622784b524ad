/**
 * The 街道月报 (§7, §13), pure: which days send it (the 1st; a 1st off work moves to the next
 * working day; one key per district and month, whatever the day), and what it says — the roll-up's
 * figures in 排名 order, the charts' bars, every name escaped.
 */
import { describe, expect, it } from 'vitest';
import { districtSummaryPeriodsOn, renderDistrictSummary } from '../../shared/emails/districtSummary';
import { EMAIL_KINDS } from '../../shared/emails/kinds';
import { percent } from '../../shared/format';
import { rollUpDistrict, summarisePlan } from '../../shared/rollup';
import { sampleWorkbook } from '../../shared/sample';
import { computeStats } from '../../shared/stats';
import { validateWorkbook } from '../../shared/validate';
import type { RawWorkbook } from '../../shared/workbook';
import { isWorkday, workdayOnOrAfter } from '../../shared/workdays';

const ASOF = '2026-06-30';

function withCommunity(community: string): RawWorkbook {
  const workbook = sampleWorkbook(2026);
  for (const tab of workbook.tabs)
    for (const row of tab.rows) if (row.cells[0] === '社区名称') row.cells[1] = community;
  return workbook;
}

function summaryOf(community: string, asOf = ASOF) {
  const { model } = validateWorkbook(withCommunity(community), { asOf });
  return summarisePlan(model, computeStats(model, asOf), {
    name: `${community}.xlsx`,
    path: `${community}.xlsx`,
  });
}

const [june] = districtSummaryPeriodsOn('2026-07-01');

describe('the days a 街道月报 goes out', () => {
  it('on the 1st, for the month before; on no other working day', () => {
    expect(isWorkday('2026-07-01')).toBe(true);
    expect(districtSummaryPeriodsOn('2026-07-01').map((p) => p.id)).toEqual(['2026-06']);
    expect(districtSummaryPeriodsOn('2026-07-02')).toEqual([]);
    expect(districtSummaryPeriodsOn('2026-06-30')).toEqual([]);
  });

  it('a 1st that is a holiday moves to the next working day, under the same month', () => {
    // 1 October is National Day, 1 November 2026 a Sunday.
    for (const first of ['2026-10-01', '2026-11-01']) {
      expect(isWorkday(first)).toBe(false);
      expect(districtSummaryPeriodsOn(first)).toEqual([]);
      const next = workdayOnOrAfter(first);
      expect(next > first).toBe(true);
      const month = `${first.slice(0, 4)}-${String(Number(first.slice(5, 7)) - 1).padStart(2, '0')}`;
      expect(districtSummaryPeriodsOn(next).map((p) => p.id)).toEqual([month]);
      // The working day after that sends nothing again.
      expect(
        districtSummaryPeriodsOn(
          workdayOnOrAfter(`${next.slice(0, 8)}${String(Number(next.slice(8)) + 1).padStart(2, '0')}`),
        ),
      ).toEqual([]);
    }
  });

  it('one key per district and month, whichever day it is rendered on', () => {
    const rollup = rollUpDistrict([summaryOf('东风社区')]);
    const input = { districtId: 'heping', name: '和平街道', viewers: ['a@example.cn'], rollup, pending: 0 };
    const [moved] = districtSummaryPeriodsOn(workdayOnOrAfter('2026-10-01'));
    const [onTime] = districtSummaryPeriodsOn('2026-07-01');
    if (!moved || !onTime) throw new Error('expected periods');
    expect(renderDistrictSummary({ ...input, period: moved }).key).toBe('districtSummary:heping:2026-09');
    expect(renderDistrictSummary({ ...input, period: onTime }).key).toBe('districtSummary:heping:2026-06');
    // A later rendering with other figures keeps the key: the queue keeps the first one.
    const later = rollUpDistrict([summaryOf('东风社区', '2026-07-02')]);
    expect(renderDistrictSummary({ ...input, rollup: later, period: onTime }).key).toBe(
      'districtSummary:heping:2026-06',
    );
  });
});

describe('what the 街道月报 says', () => {
  if (!june) throw new Error('expected June');
  const hostile = '<script>alert("x")</script>社区';
  const rollup = rollUpDistrict([
    summaryOf('东风社区'),
    summaryOf(hostile),
    summaryOf('西湖社区', '2026-06-29'),
  ]);
  const email = EMAIL_KINDS.districtSummary.render({
    districtId: 'heping',
    name: '和平<b>街道</b>',
    viewers: ['Leader@Jiedao.example.cn', 'not an address'],
    rollup,
    pending: 1,
    period: june,
  });

  // The plain-text table's rows as cells (columns are padded with two spaces or more).
  const tableRows = email.text.split('\n').map((line) => line.trim().split(/\s{2,}/));

  it('goes to the viewers, as the district summary of the month', () => {
    expect(email.kind).toBe('districtSummary');
    expect(email.to).toEqual(['Leader@Jiedao.example.cn']);
    expect(email.subject).toBe('【和平<b>街道</b>】2026年6月各社区共建工作月报（街道月报）');
  });

  it('each community in 排名 order with its completion, pace, activities, coverage and attention count', () => {
    for (const c of rollup.communities) {
      const pace = c.pace > 0 ? `+${percent(c.pace)}` : percent(c.pace);
      const row = [
        c.rank,
        c.name,
        percent(c.plan.completionRate),
        pace,
        c.plan.activities,
        percent(c.plan.evidenceCoverage),
        c.attention.length,
      ].map(String);
      expect(tableRows).toContainEqual(row);
    }
    // In 排名 order.
    const ranks = tableRows.filter((r) => /^\d+$/.test(r[0] ?? '')).map((r) => Number(r[0]));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(ranks).toHaveLength(3);
    const attention = rollup.communities.reduce((n, c) => n + c.attention.length, 0);
    expect(attention).toBeGreaterThan(0);
    expect(email.text).toMatch(new RegExp(`关注事项：\\s+${attention} 项`));
    expect(email.text).toMatch(
      new RegExp(`完成率：\\s+${percent(rollup.total.completionRate).replace('.', '\\.')}`),
    );
    expect(email.text).toContain('另有 1 个社区尚未同步台账');
    expect(email.text).toContain('截至 2026-06-29 至 2026-06-30');
  });

  it('draws the roll-up charts as bars: one per community, per category and per month', () => {
    const bars = email.html.match(/<td[^>]*bgcolor=/g) ?? [];
    expect(bars.length).toBeGreaterThan(0);
    expect(email.html).toContain('第1名');
    expect(email.html).toContain('各社区事项完成情况（按排名）');
    expect(email.html).toContain('各月活动次数与志愿服务时长');
  });

  it('escapes every name: a community called <script> is text, not markup', () => {
    expect(email.html).not.toMatch(/<script/i);
    expect(email.html).not.toContain('<b>街道</b>');
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;社区');
    expect(email.text).toContain(hostile);
  });
});
