/**
 * The district roll-up (§13, 街道共建汇总): each plan boiled down to a small summary of its §4
 * statistics, and the roll-up's four generated tabs (社区总览, 按类别, 关注事项, 按月) over any
 * number of summaries, as plain tables like summary.ts's. Pure.
 *
 * What it guarantees:
 * - **The figures are each plan's statistics, exactly.** A summary holds the objects computeStats
 *   returned (`plan`, `categories`, `months`), not figures recounted from records: a community's
 *   row shows what `gongjian stats --json` prints for its workbook. Only the district's own figures
 *   (totals, pooled rates) are computed here, from the summaries.
 * - **No contacts, no household names.** Besides figures a summary carries the community's name,
 *   and for each overdue or behind measure its title and owner's name (an owner cell that is an
 *   email address or a phone number is left out). No partner's name, contact, phone or email and
 *   no activity text enters a summary, so none can reach a tab, a chart or the JSON.
 * - **Small.** A summary is a few dozen numbers plus one entry per measure needing attention, so a
 *   roll-up over hundreds of plans holds hundreds of summaries, never a plan's rows.
 * - **Deterministic.** Sums over communities run in the order the summaries are given; the ranking
 *   breaks no tie arbitrarily (equal completion and pace share a rank).
 *
 * 排名 is by completion rate, then by pace, both higher first. **Pace** (进度差) is how far a
 * plan's measures are ahead of the calendar: the mean over its non-cancelled measures of the
 * progress the statistics show (done counts as 1, progress is capped at 1: averageProgress's rule)
 * minus the progress expected by the as-of date (§4 expectedProgress). Positive is ahead, negative
 * behind; two plans equally complete are told apart by which is nearer its schedule.
 */
import { type CategoryBar, type ChartData, type MonthBar, type RollupChartData, rankLabel } from './charts';
import { dayOf } from './dates';
import {
  ATTENTION_KINDS,
  ATTENTION_LABELS,
  CATEGORIES,
  CATEGORY_LABELS,
  type Category,
  MEASURE_STATUSES,
  type MeasureStatus,
  type RollupTab,
  STATUS_LABELS,
} from './i18n';
import type { IsoDate, PlanModel } from './model';
import { isEmail, isPhone } from './normalize';
import type { CategoryStats, MonthStats, RollUp, Stats, Totals } from './stats-types';
import {
  attentionItems,
  CATEGORY_RATE_HEADERS,
  NOTHING_NEEDS_ATTENTION,
  type NumberShape,
  padRow,
  rollUpFigures,
  STATUS_HEADERS,
  type StatusCell,
  TOTAL_HEADERS,
  totals,
} from './summary';
import type { Table } from './workbook';

/** Where a plan was read from: its file (or folder) name, and the path as the person gave it. */
export interface PlanSource {
  name: string;
  path: string;
}

/** A measure the 街道 should look at: overdue or behind, with the figures that say so. */
export interface AttentionMeasure {
  kind: 'overdue' | 'behind';
  measureId: string;
  title: string;
  /** The owner's name (责任人); null when none, or when the cell holds a contact instead of a name. */
  owner: string | null;
  category: Category;
  /** The due day (the plan year's last day when the plan names none). */
  due: IsoDate;
  /** Overdue: days since the due day. Behind: null (not late yet, only slow). */
  daysLate: number | null;
  progress: number;
  /** Why, in a sentence: the plan's own 关注事项 explanation. */
  note: string;
}

/** One plan as the roll-up sees it: its statistics' figures and what needs attention. */
export interface PlanSummary {
  /** 设置 → 社区名称; null when the plan names none. */
  community: string | null;
  source: PlanSource;
  year: number;
  asOf: IsoDate;
  /** stats.plan, as computed. */
  plan: RollUp;
  /** See the module header: mean (progress shown − progress expected) over non-cancelled measures. */
  pace: number;
  /**
   * Partner units: silent = §4 stale (the plan's 失联单位数); active = the other 在册 units, which
   * each have an activity within 失联天数 days. Withdrawn (退出) units are neither.
   */
  partners: { active: number; silent: number };
  /** stats.categories, as computed (categories with measures, in §3's order). */
  categories: CategoryStats[];
  /** stats.months, as computed (the plan year's twelve months). */
  months: MonthStats[];
  /** Overdue then behind measures, in the plan's 关注事项 order. */
  attention: AttentionMeasure[];
}

/** A community's row of the roll-up: its summary, the name shown for it and its 排名. */
export interface CommunityRollup extends PlanSummary {
  /** The community's name, with its file's name when another plan has the same name. */
  name: string;
  rank: number;
}

/** The district's figures over all communities: counts and sums added, rates pooled. */
export interface DistrictTotals extends RollUp {
  pace: number;
  partners: { active: number; silent: number };
}

/** A category across communities: its pooled figures and how many communities have measures in it. */
export interface DistrictCategory extends CategoryStats {
  communities: number;
}

/** The roll-up over N plans: what `gongjian rollup --json` prints and the tabs are built from. */
export interface DistrictRollup {
  /** In the order the plans were given. */
  communities: CommunityRollup[];
  total: DistrictTotals;
  categories: DistrictCategory[];
  /** Every month of the plans' years (`YYYY-MM`), in order: the 按月 columns. */
  months: string[];
}

// ---------------------------------------------------------------------------------------------
// One plan.

/** Whether an owner cell holds a contact (an email address, a phone number) rather than a name. */
function isContact(text: string): boolean {
  return isEmail(text) || isPhone(text) || /\S+@\S+\.\S+/.test(text);
}

/** Mean over non-cancelled measures of (progress shown − progress expected); 0 when there are none. */
function paceOf(stats: Stats): number {
  let sum = 0;
  let live = 0;
  for (const m of stats.measures) {
    if (m.status === 'cancelled') continue;
    const shown = m.status === 'done' ? 1 : Math.min(m.progress, 1);
    sum += shown - m.expectedProgress;
    live += 1;
  }
  return live === 0 ? 0 : sum / live;
}

/**
 * A plan's summary from its statistics. The model supplies names only — the community's, the
 * titles and owners of measures needing attention — and which partners are 在册; every figure
 * comes from `stats`.
 */
export function summarisePlan(model: PlanModel, stats: Stats, source: PlanSource): PlanSummary {
  const registered = new Set(model.partners.filter((p) => p.active).map((p) => p.partnerId));
  let active = 0;
  let silent = 0;
  for (const p of stats.partners) {
    if (p.stale) silent += 1;
    else if (registered.has(p.partnerId)) active += 1;
  }
  const categoryOf = new Map(stats.measures.map((m) => [m.measureId, m.category]));
  const today = dayOf(stats.asOf);
  const attention: AttentionMeasure[] = [];
  for (const item of attentionItems({ model }, stats)) {
    if ((item.kind !== 'overdue' && item.kind !== 'behind') || item.due === null) continue;
    const owner = item.owner === null || isContact(item.owner) ? null : item.owner;
    attention.push({
      kind: item.kind,
      measureId: item.id,
      title: item.name ?? '',
      owner,
      category: categoryOf.get(item.id) ?? 'other',
      due: item.due,
      daysLate: item.kind === 'overdue' ? today - dayOf(item.due) : null,
      progress: item.progress ?? 0,
      note: item.note,
    });
  }
  return {
    community: model.settings.community ?? null,
    source,
    year: stats.year,
    asOf: stats.asOf,
    plan: stats.plan,
    pace: paceOf(stats),
    partners: { active, silent },
    categories: stats.categories,
    months: stats.months,
    attention,
  };
}

// ---------------------------------------------------------------------------------------------
// Over N plans.

const ZERO_TOTALS: Totals = { activities: 0, participants: 0, beneficiaries: 0, hours: 0, funds: 0 };

/** Measures that count for the rates: all but the cancelled ones. */
const live = (r: RollUp) => r.measures - r.cancelled;

/** Figures added over parts, rates pooled: completion over all live measures, progress weighted by them. */
function pooled(parts: readonly RollUp[]): RollUp {
  const byStatus = Object.fromEntries(MEASURE_STATUSES.map((s) => [s, 0])) as Record<MeasureStatus, number>;
  const sums: Totals = { ...ZERO_TOTALS };
  let measures = 0;
  let progress = 0;
  let withEvidence = 0;
  for (const part of parts) {
    measures += part.measures;
    for (const status of MEASURE_STATUSES) byStatus[status] += part[status];
    progress += part.averageProgress * live(part);
    for (const key of Object.keys(sums) as (keyof Totals)[]) sums[key] += part[key];
    // A summary stored before coverage existed counts as none evidenced.
    withEvidence += (part.withEvidence as number | undefined) ?? 0;
  }
  const liveMeasures = measures - byStatus.cancelled;
  return {
    measures,
    ...byStatus,
    completionRate: liveMeasures === 0 ? 0 : byStatus.done / liveMeasures,
    averageProgress: liveMeasures === 0 ? 0 : progress / liveMeasures,
    ...sums,
    // Pooled like the rates: evidenced activities over all activities.
    withEvidence,
    evidenceCoverage: sums.activities === 0 ? 0 : withEvidence / sums.activities,
  };
}

/**
 * The names shown: the community's; where two plans share it, each with its file's name, and where
 * those repeat too (plan.xlsx in two folders), with its path; an unnamed plan by its file's name.
 */
function shownNames(summaries: readonly PlanSummary[]): string[] {
  const tally = (names: readonly string[]) => {
    const counts = new Map<string, number>();
    for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
    return (name: string) => counts.get(name) ?? 0;
  };
  const base = summaries.map((s) => s.community ?? `（未命名）${s.source.name}`);
  const baseCount = tally(base);
  const byFile = summaries.map((s, i) => {
    const name = base[i] as string;
    return baseCount(name) > 1 && s.community !== null ? `${name}（${s.source.name}）` : name;
  });
  const fileCount = tally(byFile);
  const byPath = summaries.map((s, i) => {
    const name = byFile[i] as string;
    return fileCount(name) > 1 ? `${base[i] as string}（${s.source.path}）` : name;
  });
  // The same path given twice: number the repeats, so every row still has a name of its own.
  const seen = new Map<string, number>();
  return byPath.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name} #${n}`;
  });
}

/** Ranks by completion, then pace, higher first; equal on both, equal rank (1, 2, 2, 4). */
function ranks(summaries: readonly PlanSummary[]): number[] {
  const order = rankOrder(summaries);
  const rank = new Array<number>(summaries.length).fill(0);
  order.forEach((index, position) => {
    const previous = order[position - 1];
    const s = summaries[index] as PlanSummary;
    const p = previous === undefined ? undefined : (summaries[previous] as PlanSummary);
    const tied = p !== undefined && p.plan.completionRate === s.plan.completionRate && p.pace === s.pace;
    rank[index] = tied && previous !== undefined ? (rank[previous] as number) : position + 1;
  });
  return rank;
}

/** Indexes of the summaries in 排名 order (a tie keeps the order given). */
function rankOrder(summaries: readonly { plan: RollUp; pace: number }[]): number[] {
  return summaries
    .map((_, i) => i)
    .sort((a, b) => {
      const x = summaries[a] as { plan: RollUp; pace: number };
      const y = summaries[b] as { plan: RollUp; pace: number };
      return y.plan.completionRate - x.plan.completionRate || y.pace - x.pace || a - b;
    });
}

/** Rolls up the plans' summaries, in the order given. */
export function rollUpDistrict(summaries: readonly PlanSummary[]): DistrictRollup {
  const names = shownNames(summaries);
  const rank = ranks(summaries);
  const communities = summaries.map((s, i) => ({ ...s, name: names[i] ?? '', rank: rank[i] ?? 0 }));

  const plan = pooled(summaries.map((s) => s.plan));
  const liveTotal = live(plan);
  let pace = 0;
  for (const s of summaries) pace += s.pace * live(s.plan);
  const total: DistrictTotals = {
    ...plan,
    pace: liveTotal === 0 ? 0 : pace / liveTotal,
    partners: {
      active: summaries.reduce((sum, s) => sum + s.partners.active, 0),
      silent: summaries.reduce((sum, s) => sum + s.partners.silent, 0),
    },
  };

  const categories: DistrictCategory[] = [];
  for (const category of CATEGORIES) {
    const parts = summaries.flatMap((s) => s.categories.filter((c) => c.category === category));
    if (parts.length === 0) continue;
    categories.push({
      category,
      label: CATEGORY_LABELS[category],
      communities: parts.length,
      ...pooled(parts),
    });
  }

  const months = [...new Set(summaries.flatMap((s) => s.months.map((m) => m.month)))].sort();
  return { communities, total, categories, months };
}

// ---------------------------------------------------------------------------------------------
// The tabs.

/** The header of a community's completion rate in one category (社区总览's last columns). */
export function categoryRateHeader(category: Category): string {
  return `${CATEGORY_LABELS[category]}完成率`;
}

const RATE_HEADERS = ['完成率', '平均进度', '进度差'] as const;
const PARTNER_HEADERS = ['活跃单位', '失联单位'] as const;
/** A community's evidence coverage (SPEC §11): its done activities with evidence, pooled in the total. */
const EVIDENCE_HEADER = '佐证覆盖率';

/** The fixed columns of each roll-up tab (社区总览 adds a rate per category, 按月 a column per month). */
export const ROLLUP_HEADERS: Record<RollupTab, readonly string[]> = {
  communities: [
    '排名',
    '社区',
    '文件',
    '计划年度',
    '统计日期',
    '事项数',
    ...STATUS_HEADERS,
    ...RATE_HEADERS,
    EVIDENCE_HEADER,
    ...TOTAL_HEADERS,
    ...PARTNER_HEADERS,
  ],
  byCategory: ['类别', '社区数', '事项数', ...STATUS_HEADERS, ...CATEGORY_RATE_HEADERS, ...TOTAL_HEADERS],
  attention: ['社区', '类型', '编号', '事项', '责任人', '截止日期', '逾期天数', '进度', '说明'],
  byMonth: ['社区'],
};

/** The row that closes 社区总览 and 按月 with the district's figures. */
export const DISTRICT_TOTAL = '街道合计';
/** 按月's last column: a community's activities over every month shown. */
const MONTHS_TOTAL = '合计';

/** Headers whose numbers are fractions, shown as percentages (as the plan's 按类别 shows its rates). */
const PERCENT_HEADERS = new Set<string>([
  ...RATE_HEADERS,
  EVIDENCE_HEADER,
  ...CATEGORY_RATE_HEADERS,
  '进度',
  ...CATEGORIES.map(categoryRateHeader),
]);
/** Headers whose numbers are shown as they are: a year or a rank is no quantity to group by thousands. */
const PLAIN_HEADERS = new Set<string>(['排名', '计划年度']);

/** The shape of each column of a roll-up table, by its header (the header row is 0). */
export function rollupColumnShapes(table: Table): NumberShape[] {
  return (table[0] ?? []).map((header) =>
    typeof header !== 'string'
      ? 'quantity'
      : PERCENT_HEADERS.has(header)
        ? 'percent'
        : PLAIN_HEADERS.has(header)
          ? 'plain'
          : 'quantity',
  );
}

/** Communities in 排名 order (a tie keeps the order given): the order of 社区总览, 按月 and the chart. */
export function rankedCommunities(rollup: DistrictRollup): CommunityRollup[] {
  return rankOrder(rollup.communities).map((i) => rollup.communities[i] as CommunityRollup);
}

const rateOf = (categories: readonly CategoryStats[], category: Category) =>
  categories.find((c) => c.category === category)?.completionRate ?? null;

function communitiesTable(rollup: DistrictRollup): Table {
  const shown = rollup.categories.map((c) => c.category);
  const row = (
    head: (string | number | null)[],
    r: RollUp,
    pace: number,
    partners: { active: number; silent: number },
    categories: readonly CategoryStats[],
  ) => [
    ...head,
    r.measures,
    ...MEASURE_STATUSES.map((status) => r[status]),
    r.completionRate,
    r.averageProgress,
    pace,
    // A summary stored before coverage existed has none to show: a blank, not a 0 %.
    (r.withEvidence as number | undefined) === undefined ? null : r.evidenceCoverage,
    ...totals(r),
    partners.active,
    partners.silent,
    ...shown.map((category) => rateOf(categories, category)),
  ];
  return [
    [...ROLLUP_HEADERS.communities, ...shown.map(categoryRateHeader)],
    ...rankedCommunities(rollup).map((c) =>
      row([c.rank, c.name, c.source.name, c.year, c.asOf], c.plan, c.pace, c.partners, c.categories),
    ),
    row(
      [null, DISTRICT_TOTAL, null, null, null],
      rollup.total,
      rollup.total.pace,
      rollup.total.partners,
      rollup.categories,
    ),
  ];
}

function byCategoryTable(rollup: DistrictRollup): Table {
  return [
    [...ROLLUP_HEADERS.byCategory],
    ...rollup.categories.map((c) => [c.label, c.communities, ...rollUpFigures(c)]),
  ];
}

/** Every overdue and behind measure of every community, in the 关注事项 order. */
function attentionRows(rollup: DistrictRollup): { community: CommunityRollup; item: AttentionMeasure }[] {
  const order = new Map(rankedCommunities(rollup).map((c, i) => [c, i]));
  return rollup.communities
    .flatMap((community) => community.attention.map((item) => ({ community, item })))
    .sort(
      (a, b) =>
        ATTENTION_KINDS.indexOf(a.item.kind) - ATTENTION_KINDS.indexOf(b.item.kind) ||
        // Longest overdue first; behind measures (not late) by due day, soonest first.
        (b.item.daysLate ?? 0) - (a.item.daysLate ?? 0) ||
        dayOf(a.item.due) - dayOf(b.item.due) ||
        (order.get(a.community) ?? 0) - (order.get(b.community) ?? 0),
    );
}

function attentionTable(rollup: DistrictRollup): Table {
  const header = [...ROLLUP_HEADERS.attention];
  const rows = attentionRows(rollup);
  if (rows.length === 0) return [header, padRow(NOTHING_NEEDS_ATTENTION, header.length)];
  return [
    header,
    ...rows.map(({ community, item }) => [
      community.name,
      ATTENTION_LABELS[item.kind],
      item.measureId,
      item.title,
      item.owner,
      item.due,
      item.daysLate,
      item.progress,
      item.note,
    ]),
  ];
}

function byMonthTable(rollup: DistrictRollup): Table {
  const activitiesIn = (months: readonly MonthStats[]) => {
    const byMonth = new Map(months.map((m) => [m.month, m.activities]));
    const cells = rollup.months.map((month) => byMonth.get(month) ?? null);
    return [...cells, cells.reduce<number>((sum, n) => sum + (n ?? 0), 0)];
  };
  const district = districtMonths(rollup);
  return [
    [...ROLLUP_HEADERS.byMonth, ...rollup.months, MONTHS_TOTAL],
    ...rankedCommunities(rollup).map((c) => [c.name, ...activitiesIn(c.months)]),
    [DISTRICT_TOTAL, ...activitiesIn(district)],
  ];
}

/** The district's activities and their sums in each month, added over communities in the order given. */
function districtMonths(rollup: DistrictRollup): MonthStats[] {
  const sums = new Map(rollup.months.map((month) => [month, { month, ...ZERO_TOTALS }]));
  for (const community of rollup.communities) {
    for (const m of community.months) {
      const sum = sums.get(m.month);
      if (sum === undefined) continue;
      for (const key of Object.keys(ZERO_TOTALS) as (keyof Totals)[]) sum[key] += m[key];
    }
  }
  return [...sums.values()];
}

/** The roll-up's four generated tabs (社区总览, 按类别, 关注事项, 按月) as tables. */
export function rollupTables(rollup: DistrictRollup): Record<RollupTab, Table> {
  return {
    communities: communitiesTable(rollup),
    byCategory: byCategoryTable(rollup),
    attention: attentionTable(rollup),
    byMonth: byMonthTable(rollup),
  };
}

/** The cells whose fill shows a status: each 关注事项 row's 类型, as in the plan's 关注事项. */
export function rollupStatuses(rollup: DistrictRollup): Partial<Record<RollupTab, StatusCell[]>> {
  const column = ROLLUP_HEADERS.attention.indexOf('类型');
  return {
    attention: attentionRows(rollup).map(({ item }, i) => ({ row: i + 1, column, status: item.kind })),
  };
}

// ---------------------------------------------------------------------------------------------
// The charts.

function statusBar(label: string, r: RollUp): CategoryBar {
  return {
    label,
    measures: r.measures,
    segments: MEASURE_STATUSES.map((status) => ({
      status,
      label: STATUS_LABELS[status],
      count: r[status],
      colour: status,
    })),
  };
}

/** Month labels: `3月` when every plan is of one year, else `2026-03` (`1月` of two years is ambiguous). */
function districtMonthBars(rollup: DistrictRollup): MonthBar[] {
  const years = new Set(rollup.months.map((month) => month.slice(0, 4)));
  return districtMonths(rollup).map((m) => ({
    label: years.size <= 1 ? `${Number(m.month.slice(5, 7))}月` : m.month,
    activities: m.activities,
    hours: m.hours,
  }));
}

/**
 * What the roll-up's pictures show: completion per community in 社区总览's order (labelled by 排名),
 * the district's measure statuses by category, and its activities and hours by month. Tied
 * communities' bars are told apart by their place among the tied rows (charts.ts `rankLabel`).
 */
export function rollupChartData(rollup: DistrictRollup): RollupChartData {
  const plain: ChartData = {
    categories: rollup.categories.map((c) => statusBar(c.label, c)),
    months: districtMonthBars(rollup),
  };
  const order = rankedCommunities(rollup);
  const sharing = new Map<number, number>();
  for (const c of order) sharing.set(c.rank, (sharing.get(c.rank) ?? 0) + 1);
  const placed = new Map<number, number>();
  const communities = order.map((c) => {
    const place = (placed.get(c.rank) ?? 0) + 1;
    placed.set(c.rank, place);
    return statusBar(rankLabel(c.rank, (sharing.get(c.rank) ?? 0) > 1 ? place : undefined), c.plan);
  });
  return { ...plain, communities };
}
