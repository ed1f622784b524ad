/**
 * The generated tabs of §6 (汇总, 按类别, 按单位, 按月, 关注事项, 校验) as plain tables that any
 * workbook adapter can write. Pure: the as-of date comes from the statistics. Cells hold
 * strings, numbers or null; percentages are unrounded fractions (the adapter formats the cells
 * `percentCells` names), dates `YYYY-MM-DD` text. User text goes in as-is, never as a formula.
 */
import { cellReference } from './a1';
import { issueColumn, TAB_KEYS } from './columns';
import { dayOf } from './dates';
import { type PendingDeletion, pendingDeletionNote, pendingDeletionSentence } from './deletionGuard';
import { HISTORY_HEADERS } from './history';
import {
  ATTENTION_KINDS,
  ATTENTION_LABELS,
  type AttentionKind,
  type GeneratedTab,
  MEASURE_STATUSES,
  PARTNER_STATE_LABELS,
  PARTNER_TYPE_LABELS,
  SEVERITY_LABELS,
  STATUS_LABELS,
  TAB_LABELS,
  YES_NO_LABELS,
} from './i18n';
import type { Issue, Severity } from './issues';
import type { IsoDate, Measure, Partner } from './model';
import type { MeasureStats, PartnerStats, RollUp, Stats, Totals } from './stats-types';
import type { ValidationResult } from './validate';
import type { Table } from './workbook';
import { calendarOf, dueCountdown } from './workdays';

type Cell = string | number | null;

/** The headers of the five activity figures, in every table that shows them (the roll-up's too). */
export const TOTAL_HEADERS = ['活动次数', '参与人数', '受益人数', '服务时长', '投入资金'] as const;
/** The headers of the six measure statuses, in the tables' order. */
export const STATUS_HEADERS = MEASURE_STATUSES.map((status) => STATUS_LABELS[status]);
/**
 * The rates a category row shows, all fractions: completion, average progress and the evidence
 * coverage of SPEC §11 (done activities with evidence over done activities). One list for the
 * plan's 按类别 and the roll-up's, so both show the same rates as percentages.
 */
export const CATEGORY_RATE_HEADERS = ['完成率', '平均进度', '佐证覆盖率'] as const;

/** The header row of each generated tab. */
export const SUMMARY_HEADERS: Record<GeneratedTab, readonly string[]> = {
  overview: ['指标', '数值'],
  byCategory: ['类别', '事项数', ...STATUS_HEADERS, ...CATEGORY_RATE_HEADERS, ...TOTAL_HEADERS],
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
  history: HISTORY_HEADERS,
};

/**
 * Column indexes whose data cells (every row but the header) hold fractions to show as
 * percentages. The overview mixes kinds in its value column, so its fractions are listed by row
 * in OVERVIEW_PERCENT_ROWS instead; `percentCells` combines both.
 */
export const PERCENT_COLUMNS: Record<GeneratedTab, number[]> = {
  overview: [],
  byCategory: CATEGORY_RATE_HEADERS.map((header) => SUMMARY_HEADERS.byCategory.indexOf(header)),
  byPartner: [],
  byMonth: [],
  attention: [5],
  validation: [],
  history: [],
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

/** The overview's key of a deletion the last sync held back (one row per tab, after the figures). */
export const PENDING_DELETION_KEY = '待确认删除';
/** The validation tab's code of a held deletion (a sync's finding, not a cell's issue). */
export const PENDING_DELETION_CODE = 'deletion_pending';

/**
 * Computes the six generated tabs of §6 from a validation result and its statistics, and the
 * deletions the last sync held back (said in 汇总 and 校验: the figures still include those rows).
 * 变更记录 is not among them: only a writer holding the change log has it (shared/history.ts
 * historyTable).
 */
export function summaryTables(
  result: ValidationResult,
  stats: Stats,
  pendingDeletions: readonly PendingDeletion[] = [],
): Record<Exclude<GeneratedTab, 'history'>, Table> {
  return {
    overview: overviewTable(result, stats, pendingDeletions),
    byCategory: byCategoryTable(stats),
    byPartner: byPartnerTable(result.model.partners, stats.partners),
    byMonth: byMonthTable(stats),
    attention: attentionTable(result, stats),
    validation: validationTable(result, pendingDeletions),
  };
}

/** How a generated table's number shows: as a percentage, plainly (a year, a row), or as a quantity. */
export type NumberShape = 'percent' | 'plain' | 'quantity';

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

/** Where an issue points in the workbook as written, or null when it names no cell. */
export function issueCellReference(result: ValidationResult, issue: Issue): string | null {
  if (issue.code === 'missing_tab' || issue.code === 'missing_column' || issue.column === '') return null;
  const source = result.sources[issue.tab];
  if (!source) return null;
  const index = issueColumn(source.header, issue.column);
  return index < 0 ? null : cellReference(source.name, issue.row, index);
}

/** The five activity figures in TOTAL_HEADERS' order. */
export function totals(t: Totals): Cell[] {
  return [t.activities, t.participants, t.beneficiaries, t.hours, t.funds];
}

function overviewTable(
  result: ValidationResult,
  stats: Stats,
  pendingDeletions: readonly PendingDeletion[],
): Table {
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
  return [
    [...SUMMARY_HEADERS.overview],
    ...OVERVIEW_KEYS.map((key) => [key, values[key]]),
    ...pendingDeletions.map((pending) => [PENDING_DELETION_KEY, pendingDeletionNote(pending)]),
  ];
}

function byCategoryTable(stats: Stats): Table {
  return [
    [...SUMMARY_HEADERS.byCategory],
    ...stats.categories.map((category) => [category.label, ...rollUpFigures(category)]),
  ];
}

/** A roll-up's figures after its label, in the 分类统计 columns' order (the district's too). */
export function rollUpFigures(r: RollUp): Cell[] {
  return [
    r.measures,
    ...MEASURE_STATUSES.map((status) => r[status]),
    r.completionRate,
    r.averageProgress,
    r.evidenceCoverage,
    ...totals(r),
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
        yesNo(staleShown(partner, stats)),
        stats.measures,
        stats.measuresDone,
      ];
    }),
  ];
}

/** Whether the 失联 cell says a partner is stale; null for inactive ones, to whom it does not apply. */
function staleShown(partner: Partner | undefined, stats: PartnerStats): boolean | null {
  return partner?.active === false ? null : stats.stale;
}

function yesNo(value: boolean | null): Cell {
  return value === null ? null : YES_NO_LABELS[value ? 'yes' : 'no'];
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

/** One row of the 关注事项 tab as data: what needs attention, and the facts its cells show. */
export interface AttentionItem {
  kind: AttentionKind;
  /** The measure's or the partner's ID. */
  id: string;
  name: string | null;
  /** The measure's owner, or the partner's contact. */
  owner: string | null;
  /** Measures only: the due day (the plan year's last day when the plan names none). */
  due: IsoDate | null;
  /** Measures only: the progress as a fraction. */
  progress: number | null;
  /** Why, in a sentence (the 说明 cell). */
  note: string;
}

/** A fraction as the explanations show it: 0.4958… → `49.6%`. */
function percentText(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/**
 * What needs attention as of the statistics' date, in the 关注事项 tab's order: overdue, behind and
 * due-soon measures (soonest due first), then stale partners (longest silent first).
 */
export function attentionItems(result: Pick<ValidationResult, 'model'>, stats: Stats): AttentionItem[] {
  const { settings } = result.model;
  const calendar = calendarOf(settings);
  const today = dayOf(stats.asOf);
  const statsById = new Map<string, MeasureStats>(stats.measures.map((m) => [m.measureId, m]));
  /** Within a kind: measures by due day, soonest first; partners longest silent first. */
  const items: { item: AttentionItem; sortKey: number }[] = [];

  const measureItem = (kind: AttentionKind, measure: Measure, m: MeasureStats, due: IsoDate, note: string) =>
    items.push({
      sortKey: dayOf(due),
      item: {
        kind,
        id: measure.measureId,
        name: measure.title,
        owner: measure.owner ?? null,
        due,
        progress: m.progress,
        note,
      },
    });

  for (const measure of result.model.measures) {
    const m = statsById.get(measure.measureId);
    if (!m) continue;
    const due = measure.due ?? `${stats.year}-12-31`;
    const dueDay = dayOf(due);
    const missed = m.missedPeriods.length > 0 ? `未达标周期：${m.missedPeriods.join('、')}` : undefined;
    if (m.status === 'overdue') {
      const late = `逾期 ${today - dueDay} 天，实际完成 ${percentText(m.progress)}`;
      measureItem('overdue', measure, m, due, missed ? `${late}；${missed}` : late);
    } else if (m.status === 'behind') {
      const note = missed ?? `应完成 ${percentText(m.expectedProgress)}，实际 ${percentText(m.progress)}`;
      measureItem('behind', measure, m, due, note);
    }
    // A behind measure can also be due soon: both facts are worth a row.
    if (m.status !== 'done' && m.status !== 'cancelled' && dueDay >= today) {
      const left = dueDay - today;
      if (left <= settings.reminderDays) {
        measureItem('dueSoon', measure, m, due, dueCountdown(due, stats.asOf, calendar));
      }
    }
  }

  const partnersById = new Map(result.model.partners.map((p) => [p.partnerId, p]));
  for (const p of stats.partners) {
    if (!p.stale) continue;
    const partner = partnersById.get(p.partnerId);
    const days = p.daysSinceLastActivity;
    items.push({
      sortKey: days === null ? Number.MIN_SAFE_INTEGER : -days,
      item: {
        kind: 'stalePartner',
        id: p.partnerId,
        name: partner?.name ?? null,
        owner: partner?.contact ?? null,
        due: null,
        progress: null,
        note: days === null ? '尚无活动记录' : `已 ${days} 天无活动`,
      },
    });
  }

  items.sort(
    (a, b) =>
      ATTENTION_KINDS.indexOf(a.item.kind) - ATTENTION_KINDS.indexOf(b.item.kind) || a.sortKey - b.sortKey,
  );
  return items.map(({ item }) => item);
}

/** The 关注事项 tab: one row per attention item, or a row saying there is none. */
function attentionTable(result: Pick<ValidationResult, 'model'>, stats: Stats): Table {
  const header = [...SUMMARY_HEADERS.attention];
  const items = attentionItems(result, stats);
  if (items.length === 0) return [header, padRow(NOTHING_NEEDS_ATTENTION, header.length)];
  return [
    header,
    ...items.map((item) => [
      ATTENTION_LABELS[item.kind],
      item.id,
      item.name,
      item.owner,
      item.due,
      item.progress,
      item.note,
    ]),
  ];
}

/** What a generated cell shows that the adapters fill: an attention kind or an issue severity. */
export type CellStatus = AttentionKind | Severity;

/** A cell of a generated table (header row = 0, column 0-based) and the status it shows. */
export interface StatusCell {
  row: number;
  column: number;
  status: CellStatus;
}

/**
 * The cells of the generated tabs that show a status, as data for the adapters' fills: each
 * attention row's 类型, a stale partner's 失联, each issue's 级别. Rows match summaryTables'.
 */
export function summaryStatuses(
  result: Pick<ValidationResult, 'model' | 'issues'>,
  stats: Stats,
  pendingDeletions: readonly PendingDeletion[] = [],
): Partial<Record<GeneratedTab, StatusCell[]>> {
  const column = (tab: GeneratedTab, header: string) => SUMMARY_HEADERS[tab].indexOf(header);
  const partnersById = new Map(result.model.partners.map((p) => [p.partnerId, p]));
  const staleColumn = column('byPartner', '失联');
  const severityColumn = column('validation', '级别');
  return {
    attention: attentionItems(result, stats).map((item, i) => ({ row: i + 1, column: 0, status: item.kind })),
    byPartner: stats.partners.flatMap((p, i): StatusCell[] =>
      staleShown(partnersById.get(p.partnerId), p) === true
        ? [{ row: i + 1, column: staleColumn, status: 'stalePartner' }]
        : [],
    ),
    validation: [
      ...pendingDeletions.map(
        (_, i): StatusCell => ({ row: i + 1, column: severityColumn, status: 'warning' }),
      ),
      ...sortedIssues(result.issues).map((issue, i) => ({
        row: pendingDeletions.length + i + 1,
        column: severityColumn,
        status: issue.severity,
      })),
    ],
  };
}

/** Issues in the validation tab's order: by tab, then row, then as found. */
function sortedIssues(issues: readonly Issue[]): Issue[] {
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        TAB_KEYS.indexOf(a.issue.tab) - TAB_KEYS.indexOf(b.issue.tab) ||
        a.issue.row - b.issue.row ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
}

function validationTable(result: ValidationResult, pendingDeletions: readonly PendingDeletion[]): Table {
  const header = [...SUMMARY_HEADERS.validation];
  // Held deletions come first: they are about the whole tab, and until confirmed every figure counts them.
  const held = pendingDeletions.map((pending) => [
    TAB_LABELS[pending.tab].zh,
    null,
    null,
    SEVERITY_LABELS.warning,
    PENDING_DELETION_CODE,
    `${pendingDeletionSentence(pending)[0]}${pendingDeletionNote(pending)}`,
    null,
  ]);
  if (result.issues.length === 0 && held.length === 0) return [header, padRow(ALL_VALID, header.length)];
  return [
    header,
    ...held,
    ...sortedIssues(result.issues).map((issue) => [
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
export function padRow(message: string, width: number): Cell[] {
  return [message, ...Array.from({ length: width - 1 }, () => null)];
}
