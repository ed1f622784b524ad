/**
 * The generated tabs of §6. A small workbook goes through validateWorkbook and computeStats, and
 * concrete cells of every table are checked against values worked out by hand (as of 2026-06-30;
 * 2026 is not a leap year, 30 Jun is day 181).
 */
import { describe, expect, it } from 'vitest';
import { ATTENTION_LABELS, type AttentionKind, SEVERITY_LABELS, YES_NO_LABELS } from '../../shared/i18n';
import type { Severity } from '../../shared/issues';
import { computeStats } from '../../shared/stats';
import {
  ALL_VALID,
  attentionItems,
  type CellStatus,
  NOTHING_NEEDS_ATTENTION,
  OVERVIEW_PERCENT_ROWS,
  PERCENT_COLUMNS,
  percentCells,
  SUMMARY_HEADERS,
  summaryStatuses,
  summaryTables,
} from '../../shared/summary';
import { validateWorkbook } from '../../shared/validate';
import type { CellValue, RawTab, RawWorkbook, Table } from '../../shared/workbook';

const AS_OF = '2026-06-30';

function tab(name: string, header: CellValue[], rows: CellValue[][]): RawTab {
  return { name, header, rows: rows.map((cells, i) => ({ row: i + 2, cells })) };
}

const SETTINGS = tab(
  '设置',
  ['项目', '值'],
  [
    ['社区名称', '幸福社区'],
    ['计划年度', 2026],
    ['提醒天数', 7],
    ['失联天数', 30],
    // These rows carry no evidence; the tabs, not 佐证要求, are under test here.
    ['佐证要求', '无'],
  ],
);

const PARTNERS = tab(
  '共建单位',
  ['单位编号', '单位名称', '单位类型', '邮箱', '状态'],
  [
    ['P01', '区教育局', '机关', 'a@example.cn', '在册'],
    ['P02', '星光企业', '企业', 'b@example.cn', '在册'],
    ['P03', '实验小学', '学校', 'c@example.cn', '在册'],
    ['P04', '老村委', '村社', 'd@example.cn', '退出'],
  ],
);

const PLAN = tab(
  '计划',
  [
    '编号',
    '类别',
    '事项',
    '责任人',
    '共建单位',
    '计量方式',
    '目标值',
    '周期',
    '开始日期',
    '截止日期',
    '状态',
  ],
  [
    // row 2: done by hand
    ['1.1', '组织保障', '成立领导小组', '张三', 'P01', '里程碑', null, null, null, null, '已完成'],
    // row 3: 1 of 5 by 31 May → overdue by 30 days, 20.0%
    ['2.1', '实事共办', '更换办公电脑', '李四', 'P02', '次数', 5, null, null, '2026-05-31', null],
    // row 4: quarterly, nothing in Q1 → behind with missed period 2026-Q1; due 31 Dec by default
    ['3.1', '党建共商', '季度联席会议', '王五', 'P01、P02', '次数', 1, '每季度', null, null, null],
    // row 5: nothing done, due 7 Jul (7 days: due soon) and 181/188 of the time gone → behind
    ['4.1', '文明共创', '文明礼仪培训', '赵六', null, '次数', 10, null, null, '2026-07-07', null],
    // row 6: due 8 Jul, one day past the reminder window → behind but not due soon
    ['4.2', '文明共创', '文明家庭评选', '赵六', null, '里程碑', null, null, null, '2026-07-08', null],
    // row 7: 1 of 2, 2 of 5 days gone → on track, due in 3 days
    ['4.3', '活动共搞', '暑期活动筹备', '钱七', null, '次数', 2, null, '2026-06-29', '2026-07-03', null],
    // row 8: cancelled, due tomorrow: never due soon
    ['5.1', '其他', '已取消事项', null, null, null, null, null, null, '2026-07-01', '已取消'],
    // row 9: invalid category → rejected
    ['9.9', '乱写', '无效类别', null, null, null, null, null, null, null, null],
  ],
);

const ACTIVITIES = tab(
  '活动',
  [
    '记录编号',
    '日期',
    '关联事项',
    '共建单位',
    '活动名称',
    '参与人数',
    '受益人数',
    '服务时长（小时）',
    '投入资金',
  ],
  [
    ['A1', '2026-06-20', '3.1', 'P01', '第二季度联席会议', 20, 0, 2, 0], // row 2
    ['A2', '2026-05-01', '2.1', 'P02', '电脑采购', 0, 0, 0, 12000], // row 3
    ['A3', '2026-13-01', '3.1', null, '日期写错', 1, 0, 0, 0], // row 4: invalid date (B4)
    ['A4', '2026-06-30', '4.3', null, '筹备会', 5, 0, 0, 0], // row 5
    ['A5', '2026-06-01', '4.3', null, '时长为负', 1, 0, -1, 0], // row 6: negative hours (H6)
    ['A6', '2026-01-15', '1.1', null, '领导小组成立会', 10, 3, 0, 500], // row 7
    ['A7', '2025-12-20', '1.1', null, '筹备启动', 4, 0, 1, 0], // row 8: outside the plan year
  ],
);

function tablesOf(workbook: RawWorkbook): Record<string, Table> {
  const result = validateWorkbook(workbook, { asOf: AS_OF });
  return summaryTables(result, computeStats(result.model, AS_OF));
}

const tables = tablesOf({ tabs: [SETTINGS, PARTNERS, PLAN, ACTIVITIES] });

/** The value cell of an overview key. */
function overview(key: string): unknown {
  const row = tables.overview?.find((r) => r[0] === key);
  if (!row) throw new Error(`no overview row ${key}`);
  return row[1];
}

/** The row of a table whose column `column` holds `value`. */
function rowWhere(table: Table | undefined, column: number, value: unknown): (string | number | null)[] {
  const row = table?.find((r) => r[column] === value);
  if (!row) throw new Error(`no row with ${String(value)}`);
  return row;
}

describe('汇总 overview', () => {
  it('is a key/value table of the plan', () => {
    expect(tables.overview?.[0]).toEqual(['指标', '数值']);
    expect(overview('社区名称')).toBe('幸福社区');
    expect(overview('计划年度')).toBe(2026);
    expect(overview('统计日期')).toBe('2026-06-30');
    expect(overview('事项总数')).toBe(7);
    expect(overview('已完成')).toBe(1);
    expect(overview('已逾期')).toBe(1);
    expect(overview('进度滞后')).toBe(3);
    expect(overview('正常推进')).toBe(1);
    expect(overview('未开始')).toBe(0);
    expect(overview('已取消')).toBe(1);
    // done 1 of 6 non-cancelled measures
    expect(overview('完成率')).toBeCloseTo(1 / 6, 12);
    // 1.1 done 1, 2.1 0.2, 3.1 (Q2 met of 4 quarters) 0.25, 4.1 0, 4.2 0, 4.3 0.5
    expect(overview('平均进度')).toBeCloseTo(1.95 / 6, 12);
    // every counted activity, the 2025 one included
    expect(overview('活动次数')).toBe(5);
    expect(overview('参与人数')).toBe(39);
    expect(overview('投入资金（元）')).toBe(12500);
    expect(overview('共建单位数')).toBe(4);
    expect(overview('失联单位数')).toBe(2);
    expect(overview('校验错误')).toBe(3);
    expect(overview('校验警告')).toBe(1);
  });

  it('marks its fraction rows for percent formatting', () => {
    expect(PERCENT_COLUMNS.overview).toEqual([]);
    const rows = OVERVIEW_PERCENT_ROWS.map((row) => tables.overview?.[row]?.[0]);
    expect(rows).toEqual(['完成率', '平均进度']);
    expect(percentCells('overview', tables.overview ?? [])).toEqual(
      OVERVIEW_PERCENT_ROWS.map((row) => [row, 1]),
    );
  });
});

describe('按类别 byCategory', () => {
  it('has one row per category with its status counts', () => {
    const header = tables.byCategory?.[0] ?? [];
    expect(header).toEqual(SUMMARY_HEADERS.byCategory);
    expect(tables.byCategory?.map((row) => row[0])).toEqual([
      '类别',
      '党建共商',
      '实事共办',
      '文明共创',
      '活动共搞',
      '组织保障',
      '其他',
    ]);
    const civility = rowWhere(tables.byCategory, 0, '文明共创');
    expect(civility[header.indexOf('事项数')]).toBe(2);
    expect(civility[header.indexOf('进度滞后')]).toBe(2);
    expect(civility[header.indexOf('已完成')]).toBe(0);
    const practical = rowWhere(tables.byCategory, 0, '实事共办');
    expect(practical[header.indexOf('已逾期')]).toBe(1);
    expect(practical[header.indexOf('投入资金')]).toBe(12000);
    const organization = rowWhere(tables.byCategory, 0, '组织保障');
    expect(organization[header.indexOf('完成率')]).toBe(1);
    expect(organization[header.indexOf('活动次数')]).toBe(2);
    expect(PERCENT_COLUMNS.byCategory.map((i) => header[i])).toEqual(['完成率', '平均进度', '佐证覆盖率']);
  });

  it("shows each category's evidence coverage: done activities with a 佐证链接 over done activities", () => {
    // The same activities with a 佐证链接 on A1 (党建共商) and A6 (组织保障, whose A7 has none).
    const links: Record<string, string> = { A1: 'https://example.cn/a1', A6: '佐证材料/A6/' };
    const withEvidence = tab(
      '活动',
      [...ACTIVITIES.header, '佐证链接'],
      ACTIVITIES.rows.map((row) => [...row.cells, links[String(row.cells[0])] ?? null]),
    );
    const evidenced = tablesOf({ tabs: [SETTINGS, PARTNERS, PLAN, withEvidence] });
    const header = evidenced.byCategory?.[0] ?? [];
    const coverage = (label: string) =>
      rowWhere(evidenced.byCategory, 0, label)[header.indexOf('佐证覆盖率')];
    expect(coverage('党建共商')).toBe(1);
    expect(coverage('组织保障')).toBe(0.5);
    expect(coverage('实事共办')).toBe(0);
    // No done activity at all: 0, not a division by zero.
    expect(coverage('文明共创')).toBe(0);
    // Shown as a percentage like the other rates.
    const column = header.indexOf('佐证覆盖率');
    expect(percentCells('byCategory', evidenced.byCategory ?? [])).toContainEqual([
      (evidenced.byCategory ?? []).findIndex((row) => row[0] === '组织保障'),
      column,
    ]);
  });
});

describe('按单位 byPartner', () => {
  const header = SUMMARY_HEADERS.byPartner;
  it('joins partner statistics with the partner rows', () => {
    expect(tables.byPartner?.[0]).toEqual(header);
    const p01 = rowWhere(tables.byPartner, 0, 'P01');
    expect(p01[header.indexOf('单位名称')]).toBe('区教育局');
    expect(p01[header.indexOf('类型')]).toBe('机关');
    expect(p01[header.indexOf('状态')]).toBe('在册');
    expect(p01[header.indexOf('活动次数')]).toBe(1);
    expect(p01[header.indexOf('参与人数')]).toBe(20);
    expect(p01[header.indexOf('最近活动')]).toBe('2026-06-20');
    expect(p01[header.indexOf('距今天数')]).toBe(10);
    expect(p01[header.indexOf('失联')]).toBe('否');
    expect(p01[header.indexOf('共建事项')]).toBe(2);
    expect(p01[header.indexOf('已完成事项')]).toBe(1);
  });

  it('flags stale partners and leaves the flag empty for inactive ones', () => {
    const p02 = rowWhere(tables.byPartner, 0, 'P02');
    expect(p02[header.indexOf('失联')]).toBe('是');
    expect(p02[header.indexOf('距今天数')]).toBe(60);
    const p03 = rowWhere(tables.byPartner, 0, 'P03');
    expect(p03[header.indexOf('最近活动')]).toBeNull();
    expect(p03[header.indexOf('距今天数')]).toBeNull();
    expect(p03[header.indexOf('失联')]).toBe('是');
    const p04 = rowWhere(tables.byPartner, 0, 'P04');
    expect(p04[header.indexOf('状态')]).toBe('退出');
    expect(p04[header.indexOf('失联')]).toBeNull();
  });
});

describe('按月 byMonth', () => {
  it('has twelve months and a total row summing them', () => {
    const table = tables.byMonth ?? [];
    expect(table).toHaveLength(14);
    expect(table[0]).toEqual(['月份', '活动次数', '参与人数', '受益人数', '服务时长', '投入资金']);
    expect(table[1]).toEqual(['2026-01', 1, 10, 3, 0, 500]);
    expect(table[6]).toEqual(['2026-06', 2, 25, 0, 2, 0]);
    expect(table[12]?.[0]).toBe('2026-12');
    const months = table.slice(1, 13);
    const total = table[13] ?? [];
    expect(total[0]).toBe('合计');
    for (let column = 1; column <= 5; column++) {
      expect(total[column]).toBe(months.reduce((sum, row) => sum + Number(row[column]), 0));
    }
    // the 2025 activity counts for the plan but not in the months table
    expect(total[1]).toBe(4);
    expect(total.slice(1)).toEqual([4, 35, 3, 2, 12500]);
  });
});

describe('关注事项 attention', () => {
  const table = tables.attention ?? [];
  const kinds = table.slice(1).map((row) => `${row[0]} ${row[1]}`);

  it('lists overdue, behind, due-soon measures and stale partners, in that order', () => {
    expect(table[0]).toEqual(['类型', '编号', '名称', '责任人', '截止日期', '进度', '说明']);
    expect(kinds).toEqual([
      '已逾期 2.1',
      '进度滞后 4.1',
      '进度滞后 4.2',
      '进度滞后 3.1',
      '即将到期 4.3',
      '即将到期 4.1',
      '失联单位 P03',
      '失联单位 P02',
    ]);
  });

  it('explains an overdue measure', () => {
    expect(table[1]).toEqual([
      '已逾期',
      '2.1',
      '更换办公电脑',
      '李四',
      '2026-05-31',
      0.2,
      '逾期 30 天，实际完成 20.0%',
    ]);
  });

  it('explains behind measures: expected against actual, or the missed periods', () => {
    // 4.1: 181 of 188 days gone → 96.3%
    expect(rowWhere(table, 1, '4.1')[6]).toBe('应完成 96.3%，实际 0.0%');
    const quarterly = rowWhere(table, 1, '3.1');
    expect(quarterly[4]).toBe('2026-12-31');
    expect(quarterly[6]).toBe('未达标周期：2026-Q1');
  });

  it('reminds within the reminder days, inclusive, and not one day beyond', () => {
    const dueSoon = table.filter((row) => row[0] === '即将到期');
    expect(dueSoon.map((row) => [row[1], row[4], row[6]])).toEqual([
      // As of Tuesday 30 June: Wed–Fri, then Mon–Tue of the next week.
      ['4.3', '2026-07-03', '还有 3 个工作日'],
      ['4.1', '2026-07-07', '还有 5 个工作日'],
    ]);
    expect(dueSoon.find((row) => row[1] === '4.2')).toBeUndefined(); // 8 days
    expect(dueSoon.find((row) => row[1] === '5.1')).toBeUndefined(); // cancelled
    expect(dueSoon[0]?.[5]).toBe(0.5);
  });

  it('lists stale partners, never-active first', () => {
    expect(rowWhere(table, 1, 'P03').slice(2)).toEqual(['实验小学', null, null, null, '尚无活动记录']);
    expect(rowWhere(table, 1, 'P02')[6]).toBe('已 60 天无活动');
    expect(PERCENT_COLUMNS.attention.map((i) => table[0]?.[i])).toEqual(['进度']);
  });
});

describe('校验 validation', () => {
  const table = tables.validation ?? [];
  it('lists every issue with its A1 reference', () => {
    expect(table[0]).toEqual(['工作表', '行', '列', '级别', '代码', '说明', '单元格']);
    expect(table).toHaveLength(5);
    const badDate = rowWhere(table, 4, 'invalid_date');
    expect(badDate).toEqual([
      '活动',
      4,
      '日期',
      '错误',
      'invalid_date',
      '日期无法识别：2026-13-01',
      '活动!B4',
    ]);
    expect(rowWhere(table, 4, 'negative_number')[6]).toBe('活动!H6');
    expect(rowWhere(table, 4, 'invalid_enum')[6]).toBe('计划!B9');
    const outside = rowWhere(table, 4, 'outside_plan_year');
    expect(outside[3]).toBe('警告');
    expect(outside[6]).toBe('活动!B8');
    // sorted by tab in the spec's order
    expect(table.slice(1).map((row) => row[0])).toEqual(['计划', '活动', '活动', '活动']);
  });

  it('uses the tab name as written, quoted when needed, and no cell for a missing column or tab', () => {
    const english = tablesOf({
      tabs: [
        tab('Plan', ['ID', 'Category', 'Title'], [['1', 'civility', 'Training']]),
        tab('Activities', ['Notes', 'Date', 'Measure'], [['note', '2026-02-30', '1']]),
      ],
    });
    const validation = english.validation ?? [];
    const missingTab = rowWhere(validation, 4, 'missing_tab');
    expect(missingTab[2]).toBeNull();
    expect(missingTab[6]).toBeNull();
    const missingColumn = validation.filter((row) => row[4] === 'missing_column');
    expect(missingColumn.length).toBeGreaterThan(0);
    for (const row of missingColumn) expect(row[6]).toBeNull();

    const renamed = tablesOf({
      tabs: [
        tab('Plan', ['ID', 'Category', 'Title'], [['1', 'civility', 'Training']]),
        tab('活动(2026)', ['Notes', 'Date', 'Measure', 'Title'], [['note', '2026-02-30', '1', 'x']]),
      ],
    });
    expect(rowWhere(renamed.validation, 4, 'invalid_date')[6]).toBe("'活动(2026)'!B2");
  });
});

describe('statuses: what the tables show, as data the adapters fill by kind', () => {
  const result = validateWorkbook({ tabs: [SETTINGS, PARTNERS, PLAN, ACTIVITIES] }, { asOf: AS_OF });
  const stats = computeStats(result.model, AS_OF);
  const statuses = summaryStatuses(result, stats);

  it('gives the attention items typed kinds, in the tab order', () => {
    expect(attentionItems(result, stats).map((item) => `${item.kind} ${item.id}`)).toEqual([
      'overdue 2.1',
      'behind 4.1',
      'behind 4.2',
      'behind 3.1',
      'dueSoon 4.3',
      'dueSoon 4.1',
      'stalePartner P03',
      'stalePartner P02',
    ]);
  });

  it('names exactly the cells that show a status, and each shows its kind’s label', () => {
    const shown: Record<string, (status: CellStatus) => string> = {
      attention: (status) => ATTENTION_LABELS[status as AttentionKind],
      byPartner: () => YES_NO_LABELS.yes,
      validation: (status) => SEVERITY_LABELS[status as Severity],
    };
    const columns = { attention: '类型', byPartner: '失联', validation: '级别' } as const;
    for (const [tab, header] of Object.entries(columns) as [keyof typeof columns, string][]) {
      const table = tables[tab] ?? [];
      const cells = statuses[tab] ?? [];
      expect(cells.length, tab).toBeGreaterThan(0);
      for (const { row, column, status } of cells) {
        expect(table[0]?.[column], tab).toBe(header);
        expect(table[row]?.[column], `${tab} ${row}`).toBe(shown[tab]?.(status));
      }
      // No row shows a status the data does not name.
      const column = table[0]?.indexOf(header) ?? -1;
      const labelled = table.flatMap((row, r) =>
        r > 0 && row[column] !== '否' && row[column] !== null ? [r] : [],
      );
      expect(
        cells.map((cell) => cell.row),
        tab,
      ).toEqual(labelled);
    }
    expect(statuses.overview).toBeUndefined();
  });
});

describe('a clean workbook', () => {
  const clean = tablesOf({
    tabs: [
      SETTINGS,
      tab('共建单位', ['单位编号', '单位名称', '邮箱'], [['P01', '区教育局', 'a@example.cn']]),
      tab('计划', ['编号', '类别', '事项', '共建单位'], [['1', '组织保障', '成立领导小组', 'P01']]),
      tab('活动', ['日期', '关联事项', '共建单位', '活动名称'], [['2026-06-25', '1', 'P01', '成立会']]),
    ],
  });

  it('says nothing needs attention and everything passed', () => {
    expect(clean.attention?.[1]).toEqual([NOTHING_NEEDS_ATTENTION, null, null, null, null, null, null]);
    expect(clean.validation?.[1]?.[0]).toBe(ALL_VALID);
    expect(clean.attention).toHaveLength(2);
    expect(clean.validation).toHaveLength(2);
    expect(percentCells('attention', clean.attention ?? [])).toEqual([]);
  });
});
