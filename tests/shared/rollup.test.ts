/**
 * The district roll-up (§13) in the pure layer: each community's row is its plan's statistics,
 * exactly (a property over generated plans), the district's figures are those rows pooled, the
 * ranking follows completion then pace, and no contact from any workbook reaches the output.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateWorkbook } from '../../bench/generate';
import { CATEGORIES, MEASURE_STATUSES, STATUS_LABELS } from '../../shared/i18n';
import type { PlanModel } from '../../shared/model';
import {
  categoryRateHeader,
  DISTRICT_TOTAL,
  type PlanSummary,
  ROLLUP_HEADERS,
  rollUpDistrict,
  rollupChartData,
  rollupColumnShapes,
  rollupStatuses,
  rollupTables,
  summarisePlan,
} from '../../shared/rollup';
import { sampleWorkbook } from '../../shared/sample';
import { computeStats } from '../../shared/stats';
import type { RollUp, Stats } from '../../shared/stats-types';
import { NOTHING_NEEDS_ATTENTION } from '../../shared/summary';
import { validateWorkbook } from '../../shared/validate';
import type { RawWorkbook, Table } from '../../shared/workbook';

/** A generated workbook with its 社区名称 replaced (absent when null). */
function withCommunity(workbook: RawWorkbook, community: string | null): RawWorkbook {
  return {
    tabs: workbook.tabs.map((tab) =>
      tab.name !== '设置'
        ? tab
        : {
            ...tab,
            rows: tab.rows
              .filter((row) => community !== null || row.cells[0] !== '社区名称')
              .map((row) => (row.cells[0] === '社区名称' ? { ...row, cells: ['社区名称', community] } : row)),
          },
    ),
  };
}

interface Plan {
  model: PlanModel;
  stats: Stats;
  summary: PlanSummary;
}

function plan(workbook: RawWorkbook, asOf: string, file: string): Plan {
  const { model } = validateWorkbook(workbook, { asOf });
  const stats = computeStats(model, asOf);
  return { model, stats, summary: summarisePlan(model, stats, { name: file, path: `街道/${file}` }) };
}

/** The cells of a table's row under each header. */
function byHeader(table: Table, row: number): Map<string, unknown> {
  const header = table[0] ?? [];
  return new Map(header.map((h, c) => [String(h), table[row]?.[c]]));
}

/** What 社区总览 shows of a plan's RollUp, by header. */
function rollUpCells(r: RollUp): [string, number][] {
  return [
    ['事项数', r.measures],
    ...MEASURE_STATUSES.map((s): [string, number] => [STATUS_LABELS[s], r[s]]),
    ['完成率', r.completionRate],
    ['平均进度', r.averageProgress],
    ['佐证覆盖率', r.evidenceCoverage],
    ['活动次数', r.activities],
    ['参与人数', r.participants],
    ['受益人数', r.beneficiaries],
    ['服务时长', r.hours],
    ['投入资金', r.funds],
  ];
}

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

const plans = fc.array(
  fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    measures: fc.integer({ min: 1, max: 30 }),
    partners: fc.integer({ min: 0, max: 12 }),
    activities: fc.integer({ min: 0, max: 300 }),
    year: fc.integer({ min: 2024, max: 2027 }),
    // Few names, so that some plans share one; null: a plan that names no community.
    community: fc.constantFrom('幸福里社区', '和平社区', '东湖社区', null),
  }),
  { minLength: 1, maxLength: 6 },
);
const asOfs = fc.constantFrom('2025-03-31', '2026-06-30', '2026-10-15', '2027-12-31');

describe('each community’s row is its plan’s statistics (property over generated plans)', () => {
  it('社区总览, its category rates and 按月 show each plan’s figures; the totals pool them', () => {
    fc.assert(
      fc.property(plans, asOfs, (specs, asOf) => {
        const built = specs.map((spec, i) =>
          plan(withCommunity(generateWorkbook(spec), spec.community), asOf, `plan-${i}.xlsx`),
        );
        const rollup = rollUpDistrict(built.map((p) => p.summary));
        const tables = rollupTables(rollup);

        // The summaries carry the statistics themselves: what `stats --json` prints.
        rollup.communities.forEach((c, i) => {
          const stats = built[i]?.stats as Stats;
          expect(c.plan).toEqual(stats.plan);
          expect(c.categories).toEqual(stats.categories);
          expect(c.months).toEqual(stats.months);
          expect([c.year, c.asOf]).toEqual([stats.year, stats.asOf]);
          expect(c.partners.silent).toBe(stats.partners.filter((p) => p.stale).length);
        });

        // 社区总览: one row per community (in 排名 order), then the district's.
        const overview = tables.communities;
        expect(overview).toHaveLength(built.length + 2);
        const names = new Set<string>();
        for (let row = 1; row <= built.length; row++) {
          const cells = byHeader(overview, row);
          const community = rollup.communities.find((c) => c.name === cells.get('社区'));
          expect(community).toBeDefined();
          names.add(String(cells.get('社区')));
          const stats = built[rollup.communities.indexOf(community as never)]?.stats as Stats;
          for (const [header, value] of rollUpCells(stats.plan)) expect(cells.get(header)).toBe(value);
          expect(cells.get('排名')).toBe(community?.rank);
          for (const category of CATEGORIES) {
            if (!rollup.categories.some((c) => c.category === category)) {
              expect(cells.has(categoryRateHeader(category))).toBe(false);
              continue;
            }
            const own = stats.categories.find((c) => c.category === category);
            expect(cells.get(categoryRateHeader(category))).toBe(own ? own.completionRate : null);
          }
        }
        // Names repeat across plans, rows never do.
        expect(names.size).toBe(built.length);

        // Rows in 排名 order: completion first, then pace.
        const ranked = overview.slice(1, -1).map((row) => {
          const c = rollup.communities.find((x) => x.name === row[1]);
          return [c?.plan.completionRate ?? 0, c?.pace ?? 0, c?.rank ?? 0] as const;
        });
        for (let i = 1; i < ranked.length; i++) {
          const [rate, pace, rank] = ranked[i] as readonly [number, number, number];
          const [prevRate, prevPace, prevRank] = ranked[i - 1] as readonly [number, number, number];
          expect(rate < prevRate || (rate === prevRate && pace <= prevPace)).toBe(true);
          expect(rank).toBe(rate === prevRate && pace === prevPace ? prevRank : i + 1);
        }

        // The district's row pools the communities'.
        const total = byHeader(overview, built.length + 1);
        expect(total.get('社区')).toBe(DISTRICT_TOTAL);
        const sum = (f: (s: Stats) => number) => built.reduce((n, p) => n + f(p.stats), 0);
        expect(total.get('事项数')).toBe(sum((s) => s.plan.measures));
        expect(total.get('活动次数')).toBe(sum((s) => s.plan.activities));
        const activities = sum((s) => s.plan.activities);
        expect(total.get('佐证覆盖率')).toBe(
          activities === 0 ? 0 : sum((s) => s.plan.withEvidence) / activities,
        );
        const live = sum((s) => s.plan.measures - s.plan.cancelled);
        expect(total.get('完成率')).toBe(live === 0 ? 0 : sum((s) => s.plan.done) / live);
        expect(
          close(
            Number(total.get('服务时长')),
            sum((s) => s.plan.hours),
          ),
        ).toBe(true);
        // Progress weighted by each plan's live measures: the mean over all the district's measures.
        const progress = sum((s) => s.plan.averageProgress * (s.plan.measures - s.plan.cancelled));
        expect(close(Number(total.get('平均进度')), live === 0 ? 0 : progress / live)).toBe(true);

        // 按类别: each category's measures and statuses are the communities' added up.
        for (const row of tables.byCategory.slice(1)) {
          const category = rollup.categories.find((c) => c.label === row[0]);
          const parts = built.flatMap((p) => p.stats.categories.filter((c) => c.label === row[0]));
          expect(category?.communities).toBe(parts.length);
          expect(row[2]).toBe(parts.reduce((n, c) => n + c.measures, 0));
          expect(row[3]).toBe(parts.reduce((n, c) => n + c.done, 0));
          // Evidence coverage pooled: evidenced activities over all activities of the category.
          const activities = parts.reduce((n, c) => n + c.activities, 0);
          const evidenced = parts.reduce((n, c) => n + c.withEvidence, 0);
          const coverage = row[tables.byCategory[0]?.indexOf('佐证覆盖率') ?? -1];
          expect(coverage).toBe(activities === 0 ? 0 : evidenced / activities);
        }

        // 按月: each community's activities in each month of its year, and its year's total.
        const months = tables.byMonth;
        for (const row of months.slice(1, -1)) {
          const index = rollup.communities.findIndex((c) => c.name === row[0]);
          const stats = built[index]?.stats as Stats;
          const cells = byHeader(months, months.indexOf(row));
          for (const m of stats.months) expect(cells.get(m.month)).toBe(m.activities);
          expect(cells.get('合计')).toBe(stats.months.reduce((n, m) => n + m.activities, 0));
        }
        expect(months.at(-1)?.[0]).toBe(DISTRICT_TOTAL);

        // 关注事项: every overdue and behind measure of every community, once.
        const expected = built.flatMap((p) =>
          p.stats.measures
            .filter((m) => m.status === 'overdue' || m.status === 'behind')
            .map((m) => `${m.status}:${m.measureId}`),
        );
        const attention = tables.attention.slice(1).filter((row) => row[0] !== NOTHING_NEEDS_ATTENTION);
        expect(attention).toHaveLength(expected.length);
      }),
      { numRuns: 40 },
    );
  });
});

describe('pace and 排名', () => {
  const summary = (name: string, completionRate: number, pace: number): PlanSummary => {
    const { summary: s } = plan(
      withCommunity(generateWorkbook({ measures: 3, activities: 0, partners: 0 }), name),
      '2026-06-30',
      `${name}.xlsx`,
    );
    return { ...s, plan: { ...s.plan, completionRate }, pace };
  };

  it('ranks by completion, then by pace; equal on both share a rank', () => {
    const rollup = rollUpDistrict([
      summary('甲社区', 0.5, -0.1),
      summary('乙社区', 0.8, -0.3),
      summary('丙社区', 0.5, 0.2),
      summary('丁社区', 0.5, -0.1),
    ]);
    expect(rollup.communities.map((c) => [c.name, c.rank])).toEqual([
      ['甲社区', 3],
      ['乙社区', 1],
      ['丙社区', 2],
      ['丁社区', 3],
    ]);
    expect(
      rollupTables(rollup)
        .communities.slice(1, -1)
        .map((row) => row[1]),
    ).toEqual(['乙社区', '丙社区', '甲社区', '丁社区']);
    // The chart's bars follow 社区总览, labelled by 排名; the chart cannot draw names, so two bars
    // sharing 第3名 are told apart by their place among the tied rows (甲 first, 丁 second).
    expect(rollupChartData(rollup).communities.map((bar) => bar.label)).toEqual([
      '第1名',
      '第2名',
      '第3名-1',
      '第3名-2',
    ]);
    // Every bar's label is distinct, so each names one row of 社区总览.
    const labels = rollupChartData(rollup).communities.map((bar) => bar.label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('pace is progress shown minus progress expected, over the non-cancelled measures', () => {
    const { summary: s, stats } = plan(
      generateWorkbook({ measures: 12, activities: 200 }),
      '2026-06-30',
      'a.xlsx',
    );
    const live = stats.measures.filter((m) => m.status !== 'cancelled');
    const expected =
      live.reduce((n, m) => n + (m.status === 'done' ? 1 : Math.min(m.progress, 1)) - m.expectedProgress, 0) /
      live.length;
    expect(close(s.pace, expected)).toBe(true);
    // The same as averageProgress minus the mean expected progress.
    const meanExpected = live.reduce((n, m) => n + m.expectedProgress, 0) / live.length;
    expect(close(s.pace, stats.plan.averageProgress - meanExpected)).toBe(true);
  });

  it('keeps two plans of the same community as two rows, told apart by file name, then by path', () => {
    const small = (seed: number) => generateWorkbook({ seed, measures: 5, partners: 3, activities: 20 });
    const a = plan(small(1), '2026-06-30', 'a.xlsx').summary;
    const b = plan(small(2), '2026-06-30', 'b.xlsx').summary;
    const c = { ...plan(small(3), '2026-06-30', 'b.xlsx').summary };
    c.source = { name: 'b.xlsx', path: '东区/b.xlsx' };
    const unnamed = plan(withCommunity(small(4), null), '2026-06-30', 'x.xlsx').summary;
    expect(rollUpDistrict([a, b, c, unnamed]).communities.map((r) => r.name)).toEqual([
      '幸福里社区（a.xlsx）',
      '幸福里社区（街道/b.xlsx）',
      '幸福里社区（东区/b.xlsx）',
      '（未命名）x.xlsx',
    ]);
    expect(rollUpDistrict([a, a]).communities.map((r) => r.name)).toEqual([
      '幸福里社区（街道/a.xlsx）',
      '幸福里社区（街道/a.xlsx） #2',
    ]);
  });
});

describe('the tabs', () => {
  const sample = () => plan(sampleWorkbook(2026), '2026-12-31', '示例.xlsx');

  it('show rates as fractions in percentage columns, years and ranks plainly', () => {
    const tables = rollupTables(rollUpDistrict([sample().summary]));
    const shapes = rollupColumnShapes(tables.communities);
    const header = tables.communities[0] ?? [];
    const shapeOf = (name: string) => shapes[header.indexOf(name)];
    expect(shapeOf('完成率')).toBe('percent');
    expect(shapeOf('进度差')).toBe('percent');
    expect(shapeOf(categoryRateHeader('civility'))).toBe('percent');
    expect(shapeOf('计划年度')).toBe('plain');
    expect(shapeOf('排名')).toBe('plain');
    expect(shapeOf('投入资金')).toBe('quantity');
    const categoryShapes = rollupColumnShapes(tables.byCategory);
    expect(categoryShapes[ROLLUP_HEADERS.byCategory.indexOf('佐证覆盖率')]).toBe('percent');
    expect(rollupColumnShapes(tables.attention)[ROLLUP_HEADERS.attention.indexOf('进度')]).toBe('percent');
  });

  it('lists overdue and behind measures with community, owner’s name and days late; fills their 类型', () => {
    const { summary, stats, model } = sample();
    const rollup = rollUpDistrict([summary]);
    const table = rollupTables(rollup).attention;
    const overdue = stats.measures.filter((m) => m.status === 'overdue');
    expect(overdue.length).toBeGreaterThan(0);
    const first = byHeader(table, 1);
    expect(first.get('类型')).toBe('已逾期');
    expect(first.get('社区')).toBe('xx社区');
    const measure = model.measures.find((m) => m.measureId === first.get('编号'));
    expect(first.get('事项')).toBe(measure?.title);
    expect(first.get('责任人')).toBe(measure?.owner);
    expect(first.get('逾期天数')).toBeGreaterThan(0);
    expect(rollupStatuses(rollup).attention?.[0]).toEqual({ row: 1, column: 1, status: 'overdue' });
  });

  it('drops an owner cell that holds a contact instead of a name', () => {
    const { model, stats } = sample();
    const late = stats.measures.find((m) => m.status === 'overdue')?.measureId;
    const edited = {
      ...model,
      measures: model.measures.map((m) => (m.measureId === late ? { ...m, owner: 'zhang@example.org' } : m)),
    };
    const summary = summarisePlan(edited, stats, { name: 'a.xlsx', path: 'a.xlsx' });
    expect(summary.attention.find((a) => a.measureId === late)?.owner).toBeNull();
  });

  it('carry no email address, phone number or partner contact of any workbook', () => {
    const built = [
      sample(),
      plan(generateWorkbook({ partners: 30, activities: 500 }), '2026-12-31', 'g.xlsx'),
    ];
    const rollup = rollUpDistrict(built.map((p) => p.summary));
    const output = JSON.stringify([rollup, rollupTables(rollup), rollupChartData(rollup)]);
    const contacts = built.flatMap(({ model }) => [
      ...model.partners.flatMap((p) => [...p.emails, p.phone ?? '', p.name]),
      ...model.measures.map((m) => m.ownerEmail ?? ''),
      ...model.settings.leaderEmails,
      ...model.settings.editors,
    ]);
    const sampleContacts = built[0]?.model.partners.map((p) => p.contact ?? '') ?? [];
    const checked = [...contacts, ...sampleContacts].filter((text) => text.length >= 3);
    expect(checked.length).toBeGreaterThan(50);
    for (const text of checked) expect(output).not.toContain(text);
  });
});
