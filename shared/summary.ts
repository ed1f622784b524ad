/**
 * The generated tabs of §6 (汇总, 按类别, 按单位, 按月, 关注事项, 校验) as plain tables that any
 * workbook adapter can write. Pure: the as-of date comes from the statistics. Cells hold
 * strings, numbers or null; percentages are unrounded fractions (the adapter formats the cells
 * `percentCells` names), dates `YYYY-MM-DD` text. User text goes in as-is, never as a formula.
 */
import { headerKey, TAB_KEYS } from './columns';
import { dayOf } from './dates';
import {
  type GeneratedTab,
  MEASURE_STATUSES,
  PARTNER_STATE_LABELS,
  PARTNER_TYPE_LABELS,
  SEVERITY_LABELS,
  STATUS_LABELS,
  TAB_LABELS,
} from './i18n';
import type { Issue } from './issues';
import type { IsoDate, Measure, Partner } from './model';
import type { MeasureStats, PartnerStats, Stats, Totals } from './stats-types';
import type { ValidationResult } from './validate';
import type { Table } from './workbook';
import { dueCountdown } from './workdays';

type Cell = string | number | null;

const TOTAL_HEADERS = ['活动次数', '参与人数', '受益人数', '服务时长', '投入资金'] as const;
const STATUS_HEADERS = MEASURE_STATUSES.map((status) => STATUS_LABELS[status]);

/** The header row of each generated tab. */
export const SUMMARY_HEADERS: Record<GeneratedTab, readonly string[]> = {
  overview: ['指标', '数值'],
  byCategory: ['类别', '事项数', ...STATUS_HEADERS, '完成率', '平均进度', ...TOTAL_HEADERS],
  byPartner: [
    '单位编号',
    '单位名称',
    '类型',
    '状态',
    ...TOTAL_HEADERS,
    '最近活动',
    '距今天数',
    '失联',
    '共建事项',
    '已完成事项',
  ],
  byMonth: ['月份', ...TOTAL_HEADERS],
  attention: ['类型', '编号', '名称', '责任人', '截止日期', '进度', '说明'],
  validation: ['工作表', '行', '列', '级别', '代码', '说明', '单元格'],
};

/**
 * Column indexes whose data cells (every row but the header) hold fractions to show as
 * percentages. The overview mixes kinds in its value column, so its fractions are listed by row
 * in OVERVIEW_PERCENT_ROWS instead; `percentCells` combines both.
 */
export const PERCENT_COLUMNS: Record<GeneratedTab, number[]> = {
  overview: [],
  byCategory: [8, 9],
  byPartner: [],
  byMonth: [],
  attention: [5],
  validation: [],
};

/** The overview's keys in table order; `OVERVIEW_PERCENT_ROWS` points into this list. */
const OVERVIEW_KEYS = [
  '社区名称',
  '计划年度',
  '统计日期',
  '事项总数',
  ...STATUS_HEADERS,
  '完成率',
  '平均进度',
  '活动次数',
  '参与人数',
  '受益人数',
  '服务时长（小时）',
  '投入资金（元）',
  '共建单位数',
  '失联单位数',
  '校验错误',
  '校验警告',
] as const;

/** Table row indexes (header = 0) of the overview rows whose 数值 cell is a fraction. */
export const OVERVIEW_PERCENT_ROWS: number[] = ['完成率', '平均进度'].map(
  (key) => OVERVIEW_KEYS.indexOf(key as (typeof OVERVIEW_KEYS)[number]) + 1,
);

/** What the attention tab says when nothing needs attention. */
export const NOTHING_NEEDS_ATTENTION = '暂无需要关注的事项';
/** What the validation tab says when there is no issue. */
export const ALL_VALID = '全部通过校验';

/** Computes the six generated tabs of §6 from a validation result and its statistics. */
export function summaryTables(result: ValidationResult, stats: Stats): Record<GeneratedTab, Table> {
  return {
    overview: overviewTable(result, stats),
    byCategory: byCategoryTable(stats),
    byPartner: byPartnerTable(result.model.partners, stats.partners),
    byMonth: byMonthTable(stats),
    attention: attentionTable(result, stats),
    validation: validationTable(result),
  };
}

/** The `[row, column]` indexes (header row = 0) of a generated table's cells holding fractions. */
export function percentCells(tab: GeneratedTab, table: Table): [row: number, column: number][] {
  const cells: [number, number][] = [];
  if (tab === 'overview') {
    for (const row of OVERVIEW_PERCENT_ROWS) if (typeof table[row]?.[1] === 'number') cells.push([row, 1]);
    return cells;
  }
  for (let row = 1; row < table.length; row++) {
    for (const column of PERCENT_COLUMNS[tab]) {
      if (typeof table[row]?.[column] === 'number') cells.push([row, column]);
    }
  }
  return cells;
}

/** The spreadsheet column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index0: number): string {
  if (!Number.isInteger(index0) || index0 < 0) throw new RangeError(`Invalid column index: ${index0}`);
  let letters = '';
  for (let n = index0 + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** A sheet name as a formula reference writes it: quoted (`'By category'`) unless it is a plain word. */
export function quoteTabName(tabName: string): string {
  const plain =
    /^[\p{L}_][\p{L}\p{N}_]*$/u.test(tabName) &&
    // Names that read as a cell reference (A1, R1C1, R, C) must be quoted too.
    !/^[a-z]{1,3}\d+$/i.test(tabName) &&
    !/^(r\d*c?\d*|c\d*)$/i.test(tabName);
  return plain ? tabName : `'${tabName.replace(/'/g, "''")}'`;
}

/** The A1 reference of a cell: `活动!C7`, `'By category'!A1` (row is the sheet row, column 0-based). */
export function cellReference(tabName: string, row: number, index0: number): string {
  return `${quoteTabName(tabName)}!${columnLetter(index0)}${row}`;
}

/** Where an issue points in the workbook as written, or null when it names no cell. */
export function issueCellReference(result: ValidationResult, issue: Issue): string | null {
  if (issue.code === 'missing_tab' || issue.code === 'missing_column' || issue.column === '') return null;
  const source = result.sources[issue.tab];
  if (!source) return null;
  let index = source.header.indexOf(issue.column);
  if (index < 0) {
    const key = headerKey(issue.column);
    index = source.header.findIndex((header) => headerKey(header) === key);
  }
  return index < 0 ? null : cellReference(source.name, issue.row, index);
}

function totals(t: Totals): Cell[] {
  return [t.activities, t.participants, t.beneficiaries, t.hours, t.funds];
}

function overviewTable(result: ValidationResult, stats: Stats): Table {
  const { plan } = stats;
  const settings = result.model.settings;
  const errors = result.issues.filter((issue) => issue.severity === 'error').length;
  const values: Record<(typeof OVERVIEW_KEYS)[number], Cell> = {
    社区名称: settings.community ?? null,
    计划年度: stats.year,
    统计日期: stats.asOf,
    事项总数: plan.measures,
    已完成: plan.done,
    已逾期: plan.overdue,
    进度滞后: plan.behind,
    正常推进: plan.onTrack,
    未开始: plan.notStarted,
    已取消: plan.cancelled,
    完成率: plan.completionRate,
    平均进度: plan.averageProgress,
    活动次数: plan.activities,
    参与人数: plan.participants,
    受益人数: plan.beneficiaries,
    '服务时长（小时）': plan.hours,
    '投入资金（元）': plan.funds,
    共建单位数: stats.partners.length,
    失联单位数: stats.partners.filter((partner) => partner.stale).length,
    校验错误: errors,
    校验警告: result.issues.length - errors,
  };
  return [[...SUMMARY_HEADERS.overview], ...OVERVIEW_KEYS.map((key) => [key, values[key]])];
}

function byCategoryTable(stats: Stats): Table {
  return [
    [...SUMMARY_HEADERS.byCategory],
    ...stats.categories.map((category) => [
      category.label,
      category.measures,
      ...MEASURE_STATUSES.map((status) => category[status]),
      category.completionRate,
      category.averageProgress,
      ...totals(category),
    ]),
  ];
}

function byPartnerTable(partners: Partner[], partnerStats: PartnerStats[]): Table {
  const byId = new Map(partners.map((partner) => [partner.partnerId, partner]));
  return [
    [...SUMMARY_HEADERS.byPartner],
    ...partnerStats.map((stats) => {
      const partner = byId.get(stats.partnerId);
      return [
        stats.partnerId,
        partner?.name ?? null,
        partner ? PARTNER_TYPE_LABELS[partner.type] : null,
        partner ? PARTNER_STATE_LABELS[partner.active ? 'active' : 'inactive'] : null,
        ...totals(stats),
        stats.lastActivity,
        stats.daysSinceLastActivity,
        // Inactive partners are never stale: the question does not apply to them.
        partner?.active === false ? null : stats.stale ? '是' : '否',
        stats.measures,
        stats.measuresDone,
      ];
    }),
  ];
}

function byMonthTable(stats: Stats): Table {
  const sum: Totals = { activities: 0, participants: 0, beneficiaries: 0, hours: 0, funds: 0 };
  for (const month of stats.months) {
    sum.activities += month.activities;
    sum.participants += month.participants;
    sum.beneficiaries += month.beneficiaries;
    sum.hours += month.hours;
    sum.funds += month.funds;
  }
  return [
    [...SUMMARY_HEADERS.byMonth],
    ...stats.months.map((month) => [month.month, ...totals(month)]),
    ['合计', ...totals(sum)],
  ];
}

type AttentionKind = 'overdue' | 'behind' | 'dueSoon' | 'stale';

/** The 类型 cell of each kind of row in the attention tab. */
export const ATTENTION_LABELS: Record<AttentionKind, string> = {
  overdue: STATUS_LABELS.overdue,
  behind: STATUS_LABELS.behind,
  dueSoon: '即将到期',
  stale: '失联单位',
};
const ATTENTION_ORDER: AttentionKind[] = ['overdue', 'behind', 'dueSoon', 'stale'];

interface AttentionItem {
  kind: AttentionKind;
  /** Within a kind: measures by due day, soonest first; partners longest silent first. */
  sortKey: number;
  cells: Cell[];
}

/** A fraction as the explanations show it: 0.4958… → `49.6%`. */
function percentText(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** The 关注事项 tab: overdue, behind and due-soon measures, then stale partners (emails reuse it). */
export function attentionTable(result: Pick<ValidationResult, 'model'>, stats: Stats): Table {
  const { settings } = result.model;
  const today = dayOf(stats.asOf);
  const statsById = new Map<string, MeasureStats>(stats.measures.map((m) => [m.measureId, m]));
  const items: AttentionItem[] = [];

  const measureRow = (kind: AttentionKind, measure: Measure, m: MeasureStats, due: IsoDate, note: string) =>
    items.push({
      kind,
      sortKey: dayOf(due),
      cells: [
        ATTENTION_LABELS[kind],
        measure.measureId,
        measure.title,
        measure.owner ?? null,
        due,
        m.progress,
        note,
      ],
    });

  for (const measure of result.model.measures) {
    const m = statsById.get(measure.measureId);
    if (!m) continue;
    const due = measure.due ?? `${stats.year}-12-31`;
    const dueDay = dayOf(due);
    const missed = m.missedPeriods.length > 0 ? `未达标周期：${m.missedPeriods.join('、')}` : undefined;
    if (m.status === 'overdue') {
      const late = `逾期 ${today - dueDay} 天，实际完成 ${percentText(m.progress)}`;
      measureRow('overdue', measure, m, due, missed ? `${late}；${missed}` : late);
    } else if (m.status === 'behind') {
      const note = missed ?? `应完成 ${percentText(m.expectedProgress)}，实际 ${percentText(m.progress)}`;
      measureRow('behind', measure, m, due, note);
    }
    // A behind measure can also be due soon: both facts are worth a row.
    if (m.status !== 'done' && m.status !== 'cancelled' && dueDay >= today) {
      const left = dueDay - today;
      if (left <= settings.reminderDays) {
        measureRow('dueSoon', measure, m, due, dueCountdown(due, stats.asOf));
      }
    }
  }

  const partnersById = new Map(result.model.partners.map((p) => [p.partnerId, p]));
  for (const p of stats.partners) {
    if (!p.stale) continue;
    const partner = partnersById.get(p.partnerId);
    const days = p.daysSinceLastActivity;
    items.push({
      kind: 'stale',
      sortKey: days === null ? Number.MIN_SAFE_INTEGER : -days,
      cells: [
        ATTENTION_LABELS.stale,
        p.partnerId,
        partner?.name ?? null,
        partner?.contact ?? null,
        null,
        null,
        days === null ? '尚无活动记录' : `已 ${days} 天无活动`,
      ],
    });
  }

  const header = [...SUMMARY_HEADERS.attention];
  if (items.length === 0) return [header, padRow(NOTHING_NEEDS_ATTENTION, header.length)];
  items.sort(
    (a, b) => ATTENTION_ORDER.indexOf(a.kind) - ATTENTION_ORDER.indexOf(b.kind) || a.sortKey - b.sortKey,
  );
  return [header, ...items.map((item) => item.cells)];
}

function validationTable(result: ValidationResult): Table {
  const header = [...SUMMARY_HEADERS.validation];
  if (result.issues.length === 0) return [header, padRow(ALL_VALID, header.length)];
  const issues = result.issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        TAB_KEYS.indexOf(a.issue.tab) - TAB_KEYS.indexOf(b.issue.tab) ||
        a.issue.row - b.issue.row ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
  return [
    header,
    ...issues.map((issue) => [
      TAB_LABELS[issue.tab].zh,
      issue.row,
      issue.column === '' ? null : issue.column,
      SEVERITY_LABELS[issue.severity],
      issue.code,
      issue.message,
      issueCellReference(result, issue),
    ]),
  ];
}

/** A message row as wide as its table, the message in the first cell. */
function padRow(message: string, width: number): Cell[] {
  return [message, ...Array.from({ length: width - 1 }, () => null)];
}
