/**
 * The year-end summary (年度共建工作总结) of §10 as a document model: headings, paragraphs of
 * sentences generated from the statistics, tables, chart slots and highlighted placeholders for
 * what only staff can write. Every fact in it is a figure or a record of the plan; nothing is
 * invented. Writers (the .docx adapter) lay it out; this module decides what it says. Pure.
 */
import { dayOf } from './dates';
import {
  dateText,
  fullDate,
  type PhotoIndex,
  type ReportBlock,
  type ReportDocument,
  type ReportRun,
} from './document';
import { figure, percent } from './format';
import {
  CATEGORY_LABELS,
  MEASURE_STATUSES,
  type MeasureStatus,
  PARTNER_TYPE_LABELS,
  type PartnerType,
  RECURRENCE_LABELS,
  STATUS_LABELS,
} from './i18n';
import type { Activity, IsoDate, Measure, Partner, PlanModel } from './model';
import type { MeasureStats, Stats, Totals } from './stats-types';

/** The whole summary: a title, the blocks, and the figures it was built from. */
export interface YearReport extends ReportDocument {
  year: number;
  asOf: IsoDate;
  /** The previous year's activity figures, when the workbook has activities dated in it. */
  previous: PreviousYear | undefined;
}

/** Activity figures of the year before the plan year (activities done and dated in it). */
export interface PreviousYear extends Totals {
  year: number;
  /** Partner units named by at least one of those activities. */
  partners: number;
}

/** Highlighted stand-ins for what the data cannot say. */
const PLACEHOLDER = {
  community: '【社区名称】',
  causes: '【请在此补充上述问题的原因分析。】',
  plans: [
    '（一）【请填写下一年度共建工作的总体思路和目标。】',
    '（二）【请填写针对上述问题的改进措施、责任人和完成时限。】',
    '（三）【请填写拟新增或调整的共建项目和共建单位。】',
  ],
  date: '【成文日期】',
};

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

/** `（一）` … `（十）`, then `（11）` onwards (a plan has at most seven categories). */
function subheadingNumber(index: number): string {
  return `（${CHINESE_NUMERALS[index] ?? String(index + 1)}）`;
}

const text = (value: string): ReportRun => ({ text: value });
const paragraph = (...runs: (string | ReportRun)[]): ReportBlock => ({
  type: 'paragraph',
  runs: runs.map((run) => (typeof run === 'string' ? text(run) : run)),
});

const UNITS: Record<Measure['metric'], string> = {
  count: '次',
  participants: '人次',
  beneficiaries: '人次',
  hours: '小时',
  funds: '元',
  milestone: '',
};

/** Status counts other than zero, in the tables' order: `已完成 5 项、已逾期 2 项`. */
function statusCounts(counts: Record<MeasureStatus, number>, skip: MeasureStatus[] = []): string {
  return MEASURE_STATUSES.filter((s) => !skip.includes(s) && counts[s] > 0)
    .map((s) => `${STATUS_LABELS[s]}${counts[s]}项`)
    .join('，');
}

/** The work of activities in a sentence's words; `brief` leaves out the sums that are zero. */
function totalsText(t: Totals, brief = false): string {
  const parts: [number, string, string][] = [
    [t.participants, '参与', '人次'],
    [t.beneficiaries, '受益', '人次'],
    [t.hours, '志愿服务', '小时'],
    [t.funds, '投入资金', '元'],
  ];
  return [
    `开展活动${figure(t.activities)}次`,
    ...parts
      .filter(([value]) => !brief || value !== 0)
      .map(([value, verb, unit]) => `${verb}${figure(value)}${unit}`),
  ].join('，');
}

interface Index {
  partners: Map<string, Partner>;
  stats: Map<string, MeasureStats>;
  measures: Map<string, Measure>;
}

function names(ids: readonly string[], index: Index): string {
  return ids.map((id) => index.partners.get(id)?.name ?? id).join('、');
}

/** The activities the statistics count (A_D): done and dated on or before the as-of date. */
function countedActivities(model: PlanModel, asOf: IsoDate): Activity[] {
  return model.activities.filter((a) => a.status === 'done' && a.date <= asOf);
}

/** Figures of the previous year from activities dated in it; undefined when there are none. */
export function previousYearFigures(model: PlanModel, asOf: IsoDate): PreviousYear | undefined {
  const year = model.settings.year - 1;
  const prefix = `${year}-`;
  const activities = countedActivities(model, asOf).filter((a) => a.date.startsWith(prefix));
  if (activities.length === 0) return undefined;
  const partners = new Set<string>();
  const figures: PreviousYear = {
    year,
    activities: activities.length,
    participants: 0,
    beneficiaries: 0,
    hours: 0,
    funds: 0,
    partners: 0,
  };
  for (const a of activities) {
    figures.participants += a.participants ?? 0;
    figures.beneficiaries += a.beneficiaries ?? 0;
    figures.hours += a.hours ?? 0;
    figures.funds += a.funds ?? 0;
    for (const p of a.partners) partners.add(p);
  }
  figures.partners = partners.size;
  return figures;
}

/**
 * Builds the year-end summary of a plan from its accepted rows and their statistics; with the
 * plan's evidence photos, each category's part shows one of them.
 */
export function buildYearReport(model: PlanModel, stats: Stats, photos: PhotoIndex = new Map()): YearReport {
  const community = model.settings.community;
  const index: Index = {
    partners: new Map(model.partners.map((p) => [p.partnerId, p])),
    stats: new Map(stats.measures.map((m) => [m.measureId, m])),
    measures: new Map(model.measures.map((m) => [m.measureId, m])),
  };
  const previous = previousYearFigures(model, stats.asOf);
  const counted = countedActivities(model, stats.asOf);
  const blocks: ReportBlock[] = [
    { type: 'paragraph', align: 'center', runs: [text(`（统计截至${fullDate(stats.asOf)}）`)] },
    ...basicSection(model, stats, previous),
    ...workSection(model, stats, counted, index, photos),
    ...partnerSection(model, stats),
    ...problemSection(model, stats, index),
    { type: 'heading', level: 1, text: '五、下一步打算' },
    ...PLACEHOLDER.plans.map((p) => paragraph({ text: p, placeholder: true })),
    { type: 'paragraph', align: 'right', runs: [community ? text(community) : placeholderRun('community')] },
    { type: 'paragraph', align: 'right', runs: [{ text: PLACEHOLDER.date, placeholder: true }] },
    ...appendix(model, stats, index),
  ];
  return {
    title: [community ? text(community) : placeholderRun('community'), text(`${stats.year}年共建工作总结`)],
    blocks,
    year: stats.year,
    asOf: stats.asOf,
    previous,
  };
}

function placeholderRun(key: 'community'): ReportRun {
  return { text: PLACEHOLDER[key], placeholder: true };
}

/** The title as one line of text: `xx社区2026年共建工作总结`. */
export function reportTitle(report: ReportDocument): string {
  return report.title.map((run) => run.text).join('');
}

/** The title as a file name: characters no file system allows are left out. */
export function reportFileName(report: ReportDocument): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  return `${reportTitle(report).replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, '')}.docx`;
}

// ---------------------------------------------------------------------------------------------
// 一、基本情况

/** `共建单位11家（在册10家，已退出1家）`: every unit the statistics count, and how many remain. */
function partnerCountText(model: PlanModel): string {
  const active = model.partners.filter((p) => p.active).length;
  const left = model.partners.length - active;
  return `全年共有共建单位${model.partners.length}家${left > 0 ? `（在册${active}家，已退出${left}家）` : ''}`;
}

function basicSection(model: PlanModel, stats: Stats, previous: PreviousYear | undefined): ReportBlock[] {
  const { plan, year } = stats;
  const involved = stats.partners.filter((p) => p.activities > 0).length;
  const categories = stats.categories.map((c) => c.label).join('、');
  const blocks: ReportBlock[] = [{ type: 'heading', level: 1, text: '一、基本情况' }];

  const others = statusCounts(plan, ['done']);
  blocks.push(
    paragraph(
      `${year}年共建计划共列入事项${plan.measures}项` +
        (categories ? `，涉及${categories}${stats.categories.length}个类别` : '') +
        `。截至${fullDate(stats.asOf)}，已完成${plan.done}项，完成率${percent(plan.completionRate)}，` +
        `各事项平均进度${percent(plan.averageProgress)}` +
        (others ? `；${others}` : '') +
        '。',
    ),
    paragraph(`${partnerCountText(model)}，其中${involved}家参与了共建活动。全年共${totalsText(plan)}。`),
  );
  const outside = plan.activities - stats.months.reduce((sum, m) => sum + m.activities, 0);
  if (outside > 0) {
    blocks.push(paragraph(`以上活动中有${outside}次日期不在${year}年内，计入所属事项，未计入分月统计。`));
  }
  if (previous) {
    blocks.push(
      paragraph(
        `${previous.year}年台账中记录的活动：${totalsText(previous)}，涉及共建单位${previous.partners}家。`,
      ),
    );
  }

  const rows: [string, number | undefined, number | undefined][] = [
    ['计划事项（项）', plan.measures, undefined],
    ['已完成事项（项）', plan.done, undefined],
    ['活动次数（次）', plan.activities, previous?.activities],
    ['参与人次', plan.participants, previous?.participants],
    ['受益人次', plan.beneficiaries, previous?.beneficiaries],
    ['志愿服务时长（小时）', plan.hours, previous?.hours],
    ['投入资金（元）', plan.funds, previous?.funds],
    ['参与共建单位（家）', involved, previous?.partners],
  ];
  const header = previous ? ['指标', `${year}年`, `${previous.year}年`, '增减'] : ['指标', `${year}年`];
  blocks.push({
    type: 'table',
    caption: `表1 ${year}年共建工作主要指标`,
    header,
    numeric: previous ? [1, 2, 3] : [1],
    widths: previous ? [4, 2, 2, 2] : [4, 2],
    rows: [
      ...rows.map(([label, now, before]) => {
        if (!previous) return [label, figure(now ?? 0)];
        return [
          label,
          figure(now ?? 0),
          before === undefined ? '—' : figure(before),
          before === undefined ? '—' : signed((now ?? 0) - before),
        ];
      }),
      previous
        ? ['完成率', percent(plan.completionRate), '—', '—']
        : ['完成率', percent(plan.completionRate)],
    ],
  });
  blocks.push({ type: 'chart', chart: 'months', caption: `图1 ${year}年各月活动次数与志愿服务时长` });
  return blocks;
}

function signed(delta: number): string {
  return delta > 0 ? `+${figure(delta)}` : figure(delta);
}

// ---------------------------------------------------------------------------------------------
// 二、主要工作及成效

/** What a measure achieved, in words: target and achievement in its own terms. */
function achievementText(measure: Measure, m: MeasureStats): string {
  if (measure.metric === 'milestone') return m.achieved >= 1 ? '已完成' : '尚未完成';
  if (measure.recurrence !== 'none') {
    const missed = m.missedPeriods.length > 0 ? `，未达标周期：${m.missedPeriods.join('、')}` : '';
    return `按${RECURRENCE_LABELS[measure.recurrence]}计，${m.target}个周期中${m.achieved}个已达标${missed}`;
  }
  const unit = UNITS[measure.metric];
  return `目标${figure(m.target)}${unit}，已完成${figure(m.achieved)}${unit}（${percent(m.progress)}）`;
}

/** A notable activity in one clause: date, place, title, people and partners. */
function activityText(a: Activity, year: number, index: Index): string {
  const details = [
    a.participants ? `参与${figure(a.participants)}人` : '',
    a.beneficiaries ? `受益${figure(a.beneficiaries)}人` : '',
    a.partners.length > 0 ? `${names(a.partners, index)}共同参与` : '',
  ].filter(Boolean);
  const where = a.location ? `在${a.location}` : '';
  return `${dateText(a.date, year)}${where}开展的“${a.title}”${details.length ? `（${details.join('，')}）` : ''}`;
}

/** The category's notable activities: the most people first, then the most partners involved. */
function notableActivities(activities: Activity[]): {
  byPeople: Activity[];
  byPartners: Activity | undefined;
} {
  const byPeople = activities
    .filter((a) => (a.participants ?? 0) > 0)
    .sort((a, b) => (b.participants ?? 0) - (a.participants ?? 0) || a.row - b.row)
    .slice(0, 3);
  const byPartners = activities
    .filter((a) => a.partners.length >= 2 && !byPeople.includes(a))
    .sort((a, b) => b.partners.length - a.partners.length || a.row - b.row)[0];
  return { byPeople, byPartners };
}

/**
 * The photo a category's part shows: the first photo of its activity with the most people that has
 * any (participants, then beneficiaries; equal ones in sheet order) — the event a reader of the
 * summary most likely remembers, and the one most worth proving.
 */
function categoryPhoto(activities: Activity[], photos: PhotoIndex, year: number): ReportBlock | undefined {
  const people = (a: Activity) => (a.participants ?? 0) + (a.beneficiaries ?? 0);
  const shown = activities
    .filter((a) => a.activityId !== undefined && (photos.get(a.activityId)?.length ?? 0) > 0)
    .sort(
      (a, b) => (b.participants ?? 0) - (a.participants ?? 0) || people(b) - people(a) || a.row - b.row,
    )[0];
  const file = shown?.activityId === undefined ? undefined : photos.get(shown.activityId)?.[0];
  if (shown?.activityId === undefined || file === undefined) return undefined;
  const caption = `${dateText(shown.date, year)}“${shown.title}”现场照片`;
  return { type: 'photos', columns: 1, photos: [{ activityId: shown.activityId, file, caption }] };
}

function workSection(
  model: PlanModel,
  stats: Stats,
  counted: Activity[],
  index: Index,
  photos: PhotoIndex,
): ReportBlock[] {
  const blocks: ReportBlock[] = [{ type: 'heading', level: 1, text: '二、主要工作及成效' }];
  if (stats.categories.length === 0) {
    blocks.push(paragraph('本年度计划中没有事项。'));
    return blocks;
  }
  blocks.push({ type: 'chart', chart: 'categories', caption: `图2 ${stats.year}年各类别事项完成情况` });
  stats.categories.forEach((c, i) => {
    blocks.push({ type: 'heading', level: 2, text: `${subheadingNumber(i)}${c.label}` });
    const others = statusCounts(c, ['done']);
    blocks.push(
      paragraph(
        `本类共有事项${c.measures}项，已完成${c.done}项，完成率${percent(c.completionRate)}` +
          (others ? `；${others}` : '') +
          `。全年${totalsText(c, true)}。`,
      ),
    );
    const measures = model.measures.filter((m) => m.category === c.category);
    measures.forEach((measure, k) => {
      const m = index.stats.get(measure.measureId);
      if (!m) return;
      const owner = measure.owner ? `，责任人${measure.owner}` : '';
      const partners = measure.partners.length > 0 ? `共建单位：${names(measure.partners, index)}；` : '';
      const activities = m.activities > 0 ? `开展相关活动${m.activities}次；` : '尚无相关活动记录；';
      blocks.push(
        paragraph(
          `${k + 1}. “${measure.title}”（编号${measure.measureId}${owner}）：${partners}${activities}` +
            `${achievementText(measure, m)}；状态：${STATUS_LABELS[m.status]}。`,
        ),
      );
    });
    const own = new Set(measures.map((m) => m.measureId));
    const ownActivities = counted.filter((a) => own.has(a.measureId));
    const { byPeople, byPartners } = notableActivities(ownActivities);
    if (byPeople.length > 0) {
      blocks.push(
        paragraph(
          `参与人数较多的活动有：${byPeople.map((a) => activityText(a, stats.year, index)).join('；')}。`,
        ),
      );
    }
    if (byPartners) {
      blocks.push(
        paragraph(
          `联合共建单位最多的活动是${activityText(byPartners, stats.year, index)}，共${byPartners.partners.length}家单位参与。`,
        ),
      );
    }
    const photo = categoryPhoto(ownActivities, photos, stats.year);
    if (photo) blocks.push(photo);
  });
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// 三、共建单位参与情况

function partnerSection(model: PlanModel, stats: Stats): ReportBlock[] {
  const blocks: ReportBlock[] = [{ type: 'heading', level: 1, text: '三、共建单位参与情况' }];
  const byId = new Map(model.partners.map((p) => [p.partnerId, p]));
  const types = (Object.keys(PARTNER_TYPE_LABELS) as PartnerType[])
    .map((type) => [PARTNER_TYPE_LABELS[type], model.partners.filter((p) => p.type === type).length] as const)
    .filter(([, n]) => n > 0)
    .map(([label, n]) => `${label}${n}家`)
    .join('、');
  const withActivity = stats.partners.filter((p) => p.activities > 0);
  const without = stats.partners.filter((p) => p.activities === 0 && byId.get(p.partnerId)?.active);
  blocks.push(
    paragraph(
      `${partnerCountText(model)}${types ? `，按类型分为${types}` : ''}；` +
        `其中${withActivity.length}家参与了共建活动，各单位参与情况见表2。`,
    ),
  );
  if (without.length > 0) {
    blocks.push(
      paragraph(
        `全年未开展共建活动的单位（${without.length}家）：${without
          .map((p) => byId.get(p.partnerId)?.name ?? p.partnerId)
          .join('、')}。`,
      ),
    );
  }
  // Most active first; equal ones keep sheet order (sort is stable).
  const rows = [...stats.partners]
    .sort((a, b) => b.activities - a.activities)
    .map((p) => {
      const partner = byId.get(p.partnerId);
      return [
        partner?.name ?? p.partnerId,
        partner ? PARTNER_TYPE_LABELS[partner.type] : '',
        figure(p.activities),
        figure(p.hours),
        figure(p.funds),
        `${p.measuresDone}/${p.measures}`,
      ];
    });
  blocks.push({
    type: 'table',
    caption: `表2 ${stats.year}年共建单位参与情况`,
    header: ['单位名称', '类型', '活动次数', '服务时长（小时）', '投入资金（元）', '共建事项（完成/总数）'],
    numeric: [2, 3, 4, 5],
    widths: [5, 2, 2, 2, 2, 2],
    rows: rows.length > 0 ? rows : [['（无共建单位）', '', '', '', '', '']],
  });
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// 四、存在的问题

function problemSection(model: PlanModel, stats: Stats, index: Index): ReportBlock[] {
  const blocks: ReportBlock[] = [{ type: 'heading', level: 1, text: '四、存在的问题' }];
  const today = dayOf(stats.asOf);
  const measureLine = (m: MeasureStats, lead: string): string => {
    const measure = index.measures.get(m.measureId);
    if (!measure) return '';
    const owner = measure.owner ? `，责任人${measure.owner}` : '';
    return `“${measure.title}”（编号${measure.measureId}${owner}）：${lead}，${achievementText(measure, m)}`;
  };
  const overdue = stats.measures.filter((m) => m.status === 'overdue');
  const behind = stats.measures.filter((m) => m.status === 'behind');
  const stale = stats.partners.filter((p) => p.stale);

  let n = 0;
  if (overdue.length > 0) {
    blocks.push({
      type: 'heading',
      level: 2,
      text: `${subheadingNumber(n++)}逾期未完成的事项（${overdue.length}项）`,
    });
    for (const m of overdue) {
      const due = index.measures.get(m.measureId)?.due ?? `${stats.year}-12-31`;
      blocks.push(paragraph(`${measureLine(m, `截止${fullDate(due)}，已逾期${today - dayOf(due)}天`)}。`));
    }
  }
  if (behind.length > 0) {
    blocks.push({
      type: 'heading',
      level: 2,
      text: `${subheadingNumber(n++)}进度滞后的事项（${behind.length}项）`,
    });
    for (const m of behind) {
      blocks.push(paragraph(`${measureLine(m, `按时间应完成${percent(m.expectedProgress)}`)}。`));
    }
  }
  if (stale.length > 0) {
    blocks.push({
      type: 'heading',
      level: 2,
      text: `${subheadingNumber(n++)}联系不够紧密的共建单位（${stale.length}家）`,
    });
    const byId = new Map(model.partners.map((p) => [p.partnerId, p]));
    const lines = stale.map((p) => {
      const name = byId.get(p.partnerId)?.name ?? p.partnerId;
      return p.lastActivity === null
        ? `${name}全年没有共建活动记录`
        : `${name}最近一次活动在${fullDate(p.lastActivity)}，已${p.daysSinceLastActivity}天未开展活动`;
    });
    blocks.push(paragraph(`超过${model.settings.staleDays}天没有共建活动的单位：${lines.join('；')}。`));
  }
  if (n === 0) {
    blocks.push(paragraph('截至统计日，没有逾期或进度滞后的事项，各共建单位均保持联系。'));
  }
  blocks.push(paragraph({ text: PLACEHOLDER.causes, placeholder: true }));
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// 附件

function appendix(model: PlanModel, stats: Stats, index: Index): ReportBlock[] {
  const rows = model.measures.flatMap((measure) => {
    const m = index.stats.get(measure.measureId);
    if (!m) return [];
    return [
      [
        measure.measureId,
        CATEGORY_LABELS[measure.category],
        measure.title,
        measure.owner ?? '',
        measure.due ?? `${stats.year}-12-31`,
        `${figure(m.achieved)}/${figure(m.target)}`,
        percent(m.progress),
        STATUS_LABELS[m.status],
      ],
    ];
  });
  return [
    { type: 'pageBreak' },
    paragraph('附件'),
    {
      type: 'table',
      caption: `${stats.year}年共建计划事项完成情况一览表`,
      header: ['编号', '类别', '事项', '责任人', '截止日期', '达成/目标', '进度', '状态'],
      numeric: [5, 6],
      // 五号 on the 156 mm type area: four-character categories and statuses, dates, 123.7% unbroken.
      widths: [2, 3.3, 5.4, 2.6, 3.8, 4.1, 2.6, 3.3],
      rows: rows.length > 0 ? rows : [['（无）', '', '', '', '', '', '', '']],
    },
  ];
}
