/**
 * The emails of §7, rendered: partner digests, the leader summary, due-soon reminders, overdue
 * notices and update requests (§9), each with its idempotency key, recipients, a Chinese subject, an HTML part and a plain
 * text part; and `plannedEmails`, everything a scheduled run on a date would queue. Pure: dates
 * are arguments, sending is the functions' job. Every value from a sheet is escaped in HTML
 * (emails/layout.ts), and subjects and addresses are single lines.
 */
import { categoryBars, MONTH_SERIES, monthBars, STATUS_LEGEND } from './charts';
import { dayOf, isoOf, partsOf } from './dates';
import {
  type BarsBlock,
  type Block,
  type BlockCell,
  type ButtonBlock,
  cleanAddresses,
  type Layout,
  oneLine,
  renderHtml,
  renderText,
  type Tone,
} from './emails/layout';
import { percent as pct } from './format';
import {
  ATTENTION_LABELS,
  type AttentionKind,
  CATEGORY_LABELS,
  type DigestFrequency,
  type MeasureStatus,
  RECURRENCE_LABELS,
  STATUS_LABELS,
} from './i18n';
import type { Activity, IsoDate, Measure, Partner, PlanModel } from './model';
import { reportTitle, type YearReport } from './report';
import type { MeasureStats, Stats, Totals } from './stats-types';
import { attentionItems } from './summary';
import {
  calendarKnows,
  calendarOf,
  dueCountdown,
  isWorkday,
  STATUTORY_CALENDAR,
  type WorkCalendar,
  workdayOnOrBefore,
  workdaysBetween,
} from './workdays';

export { cleanAddresses, oneLine };

/** The kinds of email of §7. */
export type EmailKind =
  | 'partnerDigest'
  | 'leaderSummary'
  | 'dueSoon'
  | 'overdue'
  | 'updateRequest'
  | 'report';

/**
 * Who an email's update link (§9) is for: a measure owner (the measures they own) or a partner
 * unit's contact (the unit's measures and activities). `email` is the address the link is bound
 * to — for a partner, its first address, the one a digest names first.
 */
export type LinkRecipient =
  | { kind: 'owner'; email: string; name: string }
  | { kind: 'partner'; partnerId: string; email: string; name: string };

/** One email ready to queue: the key is its idempotency key (the mail document's ID). */
export interface RenderedEmail {
  kind: EmailKind;
  key: string;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  partnerId?: string;
  measureId?: string;
  /** Who the update link in it is for (digests, reminders, requests). */
  recipient?: LinkRecipient;
}

/** The days a digest covers: a calendar month or an ISO week (Monday–Sunday). */
export interface DigestPeriod {
  kind: DigestFrequency;
  start: IsoDate;
  end: IsoDate;
  /** As subjects say it: `2026年6月`, `2026年6月8日—14日`. */
  label: string;
  /** As keys say it: `2026-06`, `2026-W24` (ISO week). */
  id: string;
}

/** What every renderer reads: the plan's ID (for keys), its accepted rows and their statistics. */
export interface EmailContext {
  planId: string;
  model: PlanModel;
  stats: Stats;
}

/** What `renderPartnerDigest` needs besides the context. */
export interface PartnerDigestInput extends EmailContext {
  partnerId: string;
  period: DigestPeriod;
  /** The partner's update link (§9); absent, the digest has no button (`gongjian digest`). */
  updateLink?: string;
}

/** What `renderLeaderSummary` needs besides the context. */
export interface LeaderSummaryInput extends EmailContext {
  period: DigestPeriod;
}

/** What `renderDueSoon` and `renderOverdue` need besides the context. */
export interface ReminderInput extends EmailContext {
  measureId: string;
  /** The day the reminder is written (days left / overdue are counted from it). */
  asOf: IsoDate;
  /** The owner's update link (§9); absent, the reminder has no button. */
  updateLink?: string;
}

/** What `plannedEmails` needs besides the context. */
export interface PlannedEmailsInput extends EmailContext {
  /** The day of the run, in the plan's time zone; `stats` should be computed as of it. */
  date: IsoDate;
}

/** What a run left out, and why. */
export interface SkippedCounts {
  inactivePartners: number;
  partnersWithoutEmail: number;
  measuresWithoutOwnerEmail: number;
}

/** The emails of a run and what it skipped. */
export interface PlannedEmails {
  emails: RenderedEmail[];
  skipped: SkippedCounts;
  /**
   * Years whose holiday arrangement neither the calendar package nor the plan's 节假日 tab gives
   * and that this run's decisions read (the run's day, the due dates it reminded of): their
   * working days were estimated (workdays.ts), which the caller should log.
   */
  unknownCalendarYears: number[];
}

/**
 * One email a run would queue, known by its key and recipient before it is rendered: the queue
 * mints the recipient's update link only for a key it has not queued yet, then renders with it.
 */
export interface PlannedEmail {
  kind: EmailKind;
  key: string;
  /** Who the email's update link would be for; absent for the leader summary. */
  recipient?: LinkRecipient;
  /** The email, with the update-link button when a link is given. */
  render(updateLink?: string): RenderedEmail;
}

/** A run's emails before rendering, what it skipped, and the years its calendar had to estimate. */
export interface PlannedRun extends Omit<PlannedEmails, 'emails'> {
  emails: PlannedEmail[];
}

/** How many days after a digest period its "due next" list looks ahead. */
export const DUE_NEXT_DAYS = 30;

/** The caption of the update-link button in every email that carries one. */
export const UPDATE_BUTTON_LABEL = '填报活动 / 更新进展';

const FOOTER = '本邮件由共建助手根据社区共建工作台账自动生成，数据以台账为准。如有疑问，请与社区居委会联系。';

// ---------------------------------------------------------------------------------------------
// Periods and keys

/** Monday = 0 … Sunday = 6 (day 0, 1970-01-01, was a Thursday). */
function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/** The ISO week id of the week starting on a Monday: `2026-W24` (the year of its Thursday). */
function isoWeekId(monday: number): string {
  const thursday = monday + 3;
  const year = partsOf(thursday).year;
  const week = Math.floor((thursday - dayOf(`${String(year).padStart(4, '0')}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/**
 * The period a digest sent on `date` covers: monthly, the previous calendar month when `date` is
 * the 1st; weekly, the previous Monday–Sunday when `date` is a Monday; otherwise undefined.
 */
export function digestPeriodFor(frequency: DigestFrequency, date: IsoDate): DigestPeriod | undefined {
  const today = dayOf(date);
  if (frequency === 'monthly') {
    if (partsOf(today).day !== 1) return undefined;
    const end = today - 1;
    const { year, month } = partsOf(end);
    return {
      kind: 'monthly',
      start: isoOf(end - partsOf(end).day + 1),
      end: isoOf(end),
      label: `${year}年${month}月`,
      id: `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`,
    };
  }
  if (weekday(today) !== 0) return undefined;
  const start = today - 7;
  const end = today - 1;
  const from = partsOf(start);
  const to = partsOf(end);
  const toText =
    to.year !== from.year
      ? `${to.year}年${to.month}月${to.day}日`
      : to.month !== from.month
        ? `${to.month}月${to.day}日`
        : `${to.day}日`;
  return {
    kind: 'weekly',
    start: isoOf(start),
    end: isoOf(end),
    label: `${from.year}年${from.month}月${from.day}日—${toText}`,
    id: isoWeekId(start),
  };
}

/**
 * The periods whose digests go out on `date` (§7): a digest day (the 1st, or a Monday) that is
 * not a working day moves to the next working day, so a working day after a holiday sends the
 * digests of every digest day in the holiday before it — after the 2026 Spring Festival (15–23
 * February, two Mondays) a weekly plan sends two weeks' digests on the 24th. Empty on a day off.
 */
export function digestPeriodsOn(
  frequency: DigestFrequency,
  date: IsoDate,
  calendar: WorkCalendar = STATUTORY_CALENDAR,
): DigestPeriod[] {
  if (!isWorkday(date, calendar)) return [];
  const periods: DigestPeriod[] = [];
  const today = dayOf(date);
  for (let day = today; day === today || !isWorkday(isoOf(day), calendar); day -= 1) {
    const period = digestPeriodFor(frequency, isoOf(day));
    if (period) periods.unshift(period);
  }
  return periods;
}

/**
 * The first day a due-soon reminder may go out: `reminderDays` calendar days before the due date,
 * or the last working day before that when it is a day off (§7), so a measure due on the third
 * day of a holiday is reminded on the working day before the holiday, not during it — and a
 * window of days off only (reminder days 2, due on the last of a week off) starts on the working
 * day before it, rather than holding no day a reminder may go out on.
 */
function dueSoonFrom(due: IsoDate, reminderDays: number, calendar: WorkCalendar): IsoDate {
  return workdayOnOrBefore(isoOf(dayOf(due) - reminderDays), calendar);
}

/** An idempotency key: the kind and its components, each URI-encoded so ':' and '/' never appear in one. */
export function emailKey(kind: EmailKind, ...parts: string[]): string {
  return [kind, ...parts.map((part) => encodeURIComponent(part))].join(':');
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** A number as the emails show it: at most two decimals, thousands grouped (28,500). */
function num(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  const [whole = '0', fraction] = String(Math.abs(rounded)).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${rounded < 0 ? '-' : ''}${grouped}${fraction ? `.${fraction}` : ''}`;
}

/** An optional count: absent is a dash. */
function optional(value: number | undefined): string {
  return value === undefined ? '—' : num(value);
}

const METRIC_UNITS: Record<Measure['metric'], string> = {
  count: '次',
  participants: '人',
  beneficiaries: '人',
  hours: '小时',
  funds: '元',
  milestone: '',
};

const STATUS_TONES: Partial<Record<MeasureStatus, Tone>> = {
  done: 'ok',
  overdue: 'danger',
  behind: 'warn',
  notStarted: 'muted',
  cancelled: 'muted',
};

function statusCell(status: MeasureStatus): BlockCell {
  const tone = STATUS_TONES[status];
  return tone ? { text: STATUS_LABELS[status], tone } : STATUS_LABELS[status];
}

/** Achieved against target in the measure's own terms: `3 / 8 次`, `2 / 4 个周期达标（每季度）`, `未完成`. */
function achievedText(measure: Measure, m: MeasureStats): string {
  if (measure.metric === 'milestone') return m.achieved >= 1 ? '已完成' : '未完成';
  if (measure.recurrence !== 'none') {
    return `${m.achieved} / ${m.target} 个周期达标（${RECURRENCE_LABELS[measure.recurrence]}）`;
  }
  return `${num(m.achieved)} / ${num(m.target)} ${METRIC_UNITS[measure.metric]}`.trimEnd();
}

/** Which community the emails speak for. */
function communityOf(model: PlanModel): string {
  return oneLine(model.settings.community ?? model.settings.senderName ?? '') || '社区';
}

function dueOf(measure: Measure, year: number): IsoDate {
  return measure.due ?? `${year}-12-31`;
}

function reportName(period: DigestPeriod): string {
  return period.kind === 'weekly' ? '周报' : '月报';
}

/** A sheet value cut to `max` characters for a subject. */
function shorten(text: string, max: number): string {
  const chars = [...oneLine(text)];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
}

interface Lookup {
  partners: Map<string, Partner>;
  measures: Map<string, Measure>;
  stats: Map<string, MeasureStats>;
}

function lookup(model: PlanModel, stats: Stats): Lookup {
  return {
    partners: new Map(model.partners.map((p) => [p.partnerId, p])),
    measures: new Map(model.measures.map((m) => [m.measureId, m])),
    stats: new Map(stats.measures.map((m) => [m.measureId, m])),
  };
}

function partnerNames(ids: readonly string[], partners: Map<string, Partner>): string {
  return ids.length === 0 ? '—' : ids.map((id) => partners.get(id)?.name ?? id).join('、');
}

function inPeriod(date: IsoDate, period: { start: IsoDate; end: IsoDate }): boolean {
  return date >= period.start && date <= period.end;
}

function sumActivities(activities: readonly Activity[]): Totals {
  const totals: Totals = { activities: 0, participants: 0, beneficiaries: 0, hours: 0, funds: 0 };
  for (const a of activities) {
    totals.activities += 1;
    totals.participants += a.participants ?? 0;
    totals.beneficiaries += a.beneficiaries ?? 0;
    totals.hours += a.hours ?? 0;
    totals.funds += a.funds ?? 0;
  }
  return totals;
}

function email(
  kind: EmailKind,
  key: string,
  to: string[],
  cc: string[],
  subject: string,
  layout: Layout,
  ids: { partnerId?: string; measureId?: string; recipient?: LinkRecipient | undefined },
): RenderedEmail {
  const line = oneLine(subject);
  const rendered: RenderedEmail = {
    kind,
    key,
    to,
    cc,
    subject: line,
    text: renderText(layout),
    html: renderHtml(layout, line),
  };
  if (ids.partnerId !== undefined) rendered.partnerId = ids.partnerId;
  if (ids.measureId !== undefined) rendered.measureId = ids.measureId;
  if (ids.recipient !== undefined) rendered.recipient = ids.recipient;
  return rendered;
}

/** The update-link button, when there is a link. */
function updateButton(link: string | undefined, note?: string): Block[] {
  if (link === undefined) return [];
  const button: ButtonBlock = { type: 'button', label: UPDATE_BUTTON_LABEL, url: link };
  return [
    { ...button, note: note ?? '链接为您个人专用，无需登录，请勿转发；填报的活动会直接记入共建台账。' },
  ];
}

/** Who a partner's update link is for: its first clean address, named by its contact person. */
export function partnerRecipient(partner: Partner): LinkRecipient | undefined {
  const [email] = cleanAddresses(partner.emails);
  if (email === undefined) return undefined;
  return {
    kind: 'partner',
    partnerId: partner.partnerId,
    email,
    name: oneLine(partner.contact ?? partner.name),
  };
}

/** Who an owner's update link is for: the owner's clean address, named as the plan names them. */
export function ownerRecipient(measure: Measure): LinkRecipient | undefined {
  const [email] = cleanAddresses(measure.ownerEmail === undefined ? [] : [measure.ownerEmail]);
  if (email === undefined) return undefined;
  return { kind: 'owner', email, name: oneLine(measure.owner ?? '') || email };
}

// ---------------------------------------------------------------------------------------------
// Partner digest

/**
 * A partner's digest of a period: the done activities with it dated in the period, the
 * non-cancelled measures it shares with their progress and status, and its measures (and planned
 * activities) falling due in the 30 days after the period.
 */
export function renderPartnerDigest(input: PartnerDigestInput): RenderedEmail {
  const { planId, model, stats, partnerId, period } = input;
  const index = lookup(model, stats);
  const partner = index.partners.get(partnerId);
  if (!partner) throw new RangeError(`Unknown partner: ${partnerId}`);
  const community = communityOf(model);
  const name = oneLine(partner.name);
  const report = reportName(period);

  const activities = model.activities.filter(
    (a) => a.status === 'done' && a.partners.includes(partnerId) && inPeriod(a.date, period),
  );
  const totals = sumActivities(activities);
  const shared = model.measures.filter((m) => m.state !== 'cancelled' && m.partners.includes(partnerId));
  const nextFrom = isoOf(dayOf(period.end) + 1);
  const nextTo = isoOf(dayOf(period.end) + DUE_NEXT_DAYS);
  const next = { start: nextFrom, end: nextTo };
  const dueNext = shared
    .filter((m) => {
      const status = index.stats.get(m.measureId)?.status;
      return status !== 'done' && status !== 'cancelled' && inPeriod(dueOf(m, model.settings.year), next);
    })
    .sort((a, b) => dueOf(a, model.settings.year).localeCompare(dueOf(b, model.settings.year)));
  const planned = model.activities.filter(
    (a) => a.status === 'planned' && a.partners.includes(partnerId) && inPeriod(a.date, next),
  );

  const blocks: Block[] = [
    { type: 'paragraph', text: `${name}：您好！` },
    {
      type: 'paragraph',
      text: `感谢贵单位对${community}共建工作的支持。以下是${period.label}（${period.start} 至 ${period.end}）贵单位与${community}的共建情况，统计截至 ${stats.asOf}。`,
    },
    ...updateButton(input.updateLink),
    { type: 'heading', text: `一、本期共建活动（${activities.length} 次）` },
    {
      type: 'table',
      header: ['日期', '活动名称', '参与人数', '服务时长（小时）'],
      numeric: [2, 3],
      nowrap: [0],
      rows: activities.map((a) => [a.date, a.title, optional(a.participants), optional(a.hours)]),
      ...(activities.length > 1 ? { footer: ['合计', '', num(totals.participants), num(totals.hours)] } : {}),
      empty: '本期暂无与贵单位共同开展的活动记录。',
    },
    { type: 'heading', text: `二、共建事项进展（${shared.length} 项）` },
    {
      type: 'table',
      header: ['编号', '事项', '完成情况', '进度', '状态'],
      numeric: [3],
      nowrap: [0, 4],
      rows: shared.map((measure) => {
        const m = index.stats.get(measure.measureId);
        return m
          ? [
              measure.measureId,
              measure.title,
              achievedText(measure, m),
              pct(m.progress),
              statusCell(m.status),
            ]
          : [measure.measureId, measure.title, '—', '—', '—'];
      }),
      empty: '贵单位目前没有参与的共建事项。',
    },
    { type: 'heading', text: `三、近期到期事项（${nextFrom} 至 ${nextTo}）` },
    {
      type: 'table',
      header: ['编号', '事项', '截止日期', '进度', '责任人'],
      numeric: [3],
      nowrap: [0, 2],
      rows: dueNext.map((measure) => [
        measure.measureId,
        measure.title,
        dueOf(measure, model.settings.year),
        pct(index.stats.get(measure.measureId)?.progress ?? 0),
        measure.owner ?? '—',
      ]),
      empty: `未来 ${DUE_NEXT_DAYS} 天内没有到期的共建事项。`,
    },
  ];
  if (planned.length > 0) {
    blocks.push(
      { type: 'heading', text: '四、近期计划活动' },
      {
        type: 'table',
        header: ['日期', '活动名称', '地点'],
        nowrap: [0],
        rows: planned.map((a) => [a.date, a.title, a.location ?? '—']),
        empty: '',
      },
    );
  }

  const title = `${community}${period.label}共建工作${report}`;
  return email(
    'partnerDigest',
    emailKey('partnerDigest', planId, partnerId, period.id),
    cleanAddresses(partner.emails),
    [],
    `【${community}】${period.label}共建工作${report} · ${name}`,
    { title, blocks, footer: FOOTER },
    { partnerId, recipient: partnerRecipient(partner) },
  );
}

// ---------------------------------------------------------------------------------------------
// Leader summary

/** The attention rows the leader summary lists: overdue, behind, stale partners (as the 关注事项 tab). */
const LEADER_ATTENTION: ReadonlySet<AttentionKind> = new Set(['overdue', 'behind', 'stalePartner']);

/** An attention cell the item may leave empty: a dash, as the tables show a missing value. */
function orDash(value: string | null): string {
  return value ?? '—';
}

/**
 * The leader summary of a period: plan completion (rate, average progress, status counts), the
 * by-category table, the attention list (overdue, behind, stale partners) and the period's totals.
 */
export function renderLeaderSummary(input: LeaderSummaryInput): RenderedEmail {
  const { planId, model, stats, period } = input;
  const community = communityOf(model);
  const report = reportName(period);
  const { plan } = stats;

  const attention = attentionItems({ model }, stats).filter((item) => LEADER_ATTENTION.has(item.kind));
  const periodTotals = sumActivities(
    model.activities.filter((a) => a.status === 'done' && inPeriod(a.date, period)),
  );
  const statusCounts = (Object.keys(STATUS_LABELS) as MeasureStatus[])
    .map((status) => `${STATUS_LABELS[status]} ${plan[status]}`)
    .join('、');

  const blocks: Block[] = [
    { type: 'paragraph', text: '各位领导：' },
    {
      type: 'paragraph',
      text: `以下是${community}${stats.year}年共建计划的${period.label}（${period.start} 至 ${period.end}）工作${report}，计划完成情况统计截至 ${stats.asOf}。`,
    },
    { type: 'heading', text: '一、计划完成情况' },
    {
      type: 'facts',
      rows: [
        ['事项总数', `${plan.measures} 项`],
        ['完成率', pct(plan.completionRate)],
        ['平均进度', pct(plan.averageProgress)],
        ['状态分布', statusCounts],
      ],
    },
    { type: 'heading', text: '二、分类完成情况' },
    {
      type: 'table',
      header: [
        '类别',
        '事项',
        STATUS_LABELS.done,
        STATUS_LABELS.overdue,
        STATUS_LABELS.behind,
        '完成率',
        '平均进度',
      ],
      numeric: [1, 2, 3, 4, 5, 6],
      rows: stats.categories.map((c) => [
        CATEGORY_LABELS[c.category],
        String(c.measures),
        String(c.done),
        c.overdue > 0 ? { text: String(c.overdue), tone: 'danger' } : '0',
        c.behind > 0 ? { text: String(c.behind), tone: 'warn' } : '0',
        pct(c.completionRate),
        pct(c.averageProgress),
      ]),
      footer: [
        '合计',
        String(plan.measures),
        String(plan.done),
        String(plan.overdue),
        String(plan.behind),
        pct(plan.completionRate),
        pct(plan.averageProgress),
      ],
      empty: '计划中还没有事项。',
    },
    categoryBarsBlock(stats),
    { type: 'heading', text: `三、需要关注的事项（${attention.length} 项）` },
    {
      type: 'table',
      header: ['类型', '编号', '名称', '责任人/联系人', '截止日期', '说明'],
      nowrap: [0, 1, 4],
      rows: attention.map((item) => [
        { text: ATTENTION_LABELS[item.kind], tone: item.kind === 'overdue' ? 'danger' : 'warn' },
        item.id,
        orDash(item.name),
        orDash(item.owner),
        orDash(item.due),
        item.note,
      ]),
      empty: '暂无逾期、进度滞后的事项或失联单位。',
    },
    { type: 'heading', text: `四、本期工作量（${period.label}）` },
    {
      type: 'table',
      header: ['指标', '本期', '全年累计'],
      numeric: [1, 2],
      rows: [
        ['活动次数', num(periodTotals.activities), num(plan.activities)],
        ['参与人数', num(periodTotals.participants), num(plan.participants)],
        ['受益人数', num(periodTotals.beneficiaries), num(plan.beneficiaries)],
        ['服务时长（小时）', num(periodTotals.hours), num(plan.hours)],
        ['投入资金（元）', num(periodTotals.funds), num(plan.funds)],
      ],
      empty: '',
    },
    { type: 'heading', text: `五、${stats.year}年各月活动次数与志愿服务时长` },
    monthBarsBlock(stats),
  ];

  return email(
    'leaderSummary',
    emailKey('leaderSummary', planId, period.id),
    cleanAddresses(model.settings.leaderEmails),
    [],
    `【${community}】${period.label}共建工作${report}（领导摘要）`,
    { title: `${community}${period.label}共建工作${report}（领导摘要）`, blocks, footer: FOOTER },
    {},
  );
}

/** Completion by category as stacked bars: each status's share of the category's measures. */
function categoryBarsBlock(stats: Stats): BarsBlock {
  return {
    type: 'bars',
    header: ['类别', '事项完成情况'],
    legend: STATUS_LEGEND,
    rows: categoryBars(stats).map((bar) => ({
      label: bar.label,
      series: [
        {
          segments: bar.segments.map((s) => ({ share: s.count / bar.measures, colour: s.colour })),
          value: `${bar.segments.find((s) => s.status === 'done')?.count ?? 0}/${bar.measures}`,
        },
      ],
    })),
    empty: '计划中还没有事项。',
  };
}

/** Activities and volunteer hours by month, each scaled to its own busiest month. */
function monthBarsBlock(stats: Stats): BarsBlock {
  const months = monthBars(stats);
  const most = (key: 'activities' | 'hours') => Math.max(0, ...months.map((m) => m[key]));
  const series = (key: 'activities' | 'hours', value: number) => ({
    segments: [{ share: most(key) > 0 ? value / most(key) : 0, colour: MONTH_SERIES[key].colour }],
    value: `${num(value)}${MONTH_SERIES[key].unit}`,
  });
  return {
    type: 'bars',
    header: ['月份', MONTH_SERIES.activities.label, MONTH_SERIES.hours.label],
    legend: [MONTH_SERIES.activities, MONTH_SERIES.hours],
    rows: months.map((m) => ({
      label: m.label,
      series: [series('activities', m.activities), series('hours', m.hours)],
    })),
    empty: '',
  };
}

// ---------------------------------------------------------------------------------------------
// Reminders

type Fact = [label: string, value: BlockCell];

/** The facts of a reminder: the measure, its owner and due date, how far it is (`timing`), its progress. */
function reminderFacts(
  measure: Measure,
  m: MeasureStats | undefined,
  due: IsoDate,
  timing: Fact,
  index: Lookup,
) {
  const facts: Fact[] = [
    ['事项编号', measure.measureId],
    ['事项名称', measure.title],
    ['类别', CATEGORY_LABELS[measure.category]],
    ['责任人', measure.owner ?? '—'],
    ['截止日期', due],
    timing,
    ['完成情况', m ? achievedText(measure, m) : '—'],
    ['进度', m ? pct(m.progress) : '—'],
    ['当前状态', m ? statusCell(m.status) : '—'],
    ['共建单位', partnerNames(measure.partners, index.partners)],
  ];
  if (m && m.missedPeriods.length > 0) facts.push(['未达标周期', m.missedPeriods.join('、')]);
  return facts;
}

function reminder(kind: 'dueSoon' | 'overdue', input: ReminderInput): RenderedEmail {
  const { planId, model, stats, measureId, asOf } = input;
  const index = lookup(model, stats);
  const measure = index.measures.get(measureId);
  if (!measure) throw new RangeError(`Unknown measure: ${measureId}`);
  const m = index.stats.get(measureId);
  const community = communityOf(model);
  const due = dueOf(measure, model.settings.year);
  const days = dayOf(due) - dayOf(asOf);
  const progress = m ? pct(m.progress) : '0%';
  const owner = oneLine(measure.owner ?? '') || '责任人';

  let when: string;
  let intro: string;
  let headline: string;
  let timing: Fact;
  if (kind === 'dueSoon') {
    const calendar = calendarOf(model.settings);
    when = dueCountdown(due, asOf, calendar);
    const { days: workdays, estimated } = workdaysBetween(asOf, due, calendar);
    timing = ['剩余时间', days >= 0 ? `${estimated ? '约 ' : ''}${workdays} 个工作日（${days} 天）` : when];
    intro = `您负责的共建事项将于 ${due} 到期（${when}），目前完成 ${progress}。请抓紧推进，并及时在台账中登记相关活动。`;
    headline = '共建事项到期提醒';
  } else {
    const late = Math.max(-days, 0);
    when = `已逾期 ${late} 天`;
    timing = ['逾期天数', { text: `${late} 天`, tone: 'danger' }];
    intro = `您负责的共建事项已于 ${due} 到期，目前逾期 ${late} 天，完成 ${progress}。请尽快推进或说明情况；如已完成，请在台账中登记活动或标记完成。`;
    headline = '共建事项逾期通知';
  }

  const to = cleanAddresses(measure.ownerEmail === undefined ? [] : [measure.ownerEmail]);
  const cc = kind === 'overdue' ? cleanAddresses(model.settings.leaderEmails, to) : [];
  const blocks: Block[] = [
    { type: 'paragraph', text: `${owner}：您好！` },
    { type: 'paragraph', text: intro },
    ...updateButton(input.updateLink),
    { type: 'heading', text: '事项情况' },
    { type: 'facts', rows: reminderFacts(measure, m, due, timing, index) },
  ];
  return email(
    kind,
    emailKey(kind, planId, measureId, due),
    to,
    cc,
    `【${community}】${headline} · ${oneLine(measure.measureId)} ${shorten(measure.title, 30)}（${when}）`,
    { title: `${community}${headline}`, blocks, footer: FOOTER },
    { measureId, recipient: ownerRecipient(measure) },
  );
}

/** A reminder to a measure's owner that its due date (default 31 Dec) is near. */
export function renderDueSoon(input: ReminderInput): RenderedEmail {
  return reminder('dueSoon', input);
}

/** A notice to a measure's owner, leaders in cc, that it is overdue. */
export function renderOverdue(input: ReminderInput): RenderedEmail {
  return reminder('overdue', input);
}

// ---------------------------------------------------------------------------------------------
// Update requests (§9), sent by staff on demand

/** What `renderUpdateRequest` needs besides the context. */
export interface UpdateRequestInput extends EmailContext {
  recipient: LinkRecipient;
  /** The request's own ID: sending again is a new email, the same request retried is not. */
  requestId: string;
  /** The recipient's personal link to the form. */
  updateLink: string;
  /** How many days the link stays valid (设置 → 填报链接有效天数). */
  validDays: number;
  /** The staff's own words, shown as they typed them (escaped). */
  message?: string;
  /** The date to report by, and how to say it (a working-day count, say); absent, no date is asked. */
  due?: { date: IsoDate; label?: string };
}

/** A date as a subject says it: `12月4日`. */
function monthDay(date: IsoDate): string {
  const { month, day } = partsOf(dayOf(date));
  return `${month}月${day}日`;
}

/** The measures a recipient's link covers: an owner's own, or those a partner unit shares. */
export function measuresInScope(model: PlanModel, recipient: LinkRecipient): Measure[] {
  const email = recipient.email.toLowerCase();
  return model.measures.filter((m) =>
    recipient.kind === 'owner'
      ? oneLine(m.ownerEmail ?? '').toLowerCase() === email
      : m.partners.includes(recipient.partnerId),
  );
}

/** The idempotency key of an update request: plan · person · request (§7). */
export function updateRequestKey(planId: string, recipient: LinkRecipient, requestId: string): string {
  const person =
    recipient.kind === 'owner' ? `owner/${recipient.email.toLowerCase()}` : `partner/${recipient.partnerId}`;
  return emailKey('updateRequest', planId, person, requestId);
}

/**
 * A request to an owner (to their address) or a partner unit (to all its addresses) to report
 * activities and progress through their personal link: the staff's message, the date to report
 * by, the measures the link covers, the button.
 */
export function renderUpdateRequest(input: UpdateRequestInput): RenderedEmail {
  const { planId, model, stats, recipient } = input;
  const index = lookup(model, stats);
  const community = communityOf(model);
  const partner = recipient.kind === 'partner' ? index.partners.get(recipient.partnerId) : undefined;
  if (recipient.kind === 'partner' && !partner)
    throw new RangeError(`Unknown partner: ${recipient.partnerId}`);
  const to = partner ? cleanAddresses(partner.emails) : cleanAddresses([recipient.email]);
  const greeting = partner ? oneLine(partner.name) : oneLine(recipient.name) || '您';
  const measures = measuresInScope(model, recipient).filter((m) => m.state !== 'cancelled');
  const due = input.due;
  const dueText = due ? oneLine(due.label ?? due.date) : undefined;
  const message = input.message === undefined ? '' : oneLine(input.message);

  const blocks: Block[] = [
    { type: 'paragraph', text: `${greeting}：您好！` },
    {
      type: 'paragraph',
      text: `${community}邀请您填报近期开展的共建活动、更新负责事项的进展。点击下面的按钮即可在手机上填写，无需登录；提交的内容会直接记入共建台账。`,
    },
  ];
  if (message !== '') blocks.push({ type: 'facts', rows: [['工作人员留言', message]] });
  if (dueText !== undefined) blocks.push({ type: 'paragraph', text: `请于 ${dueText} 前完成填报。` });
  blocks.push(
    ...updateButton(
      input.updateLink,
      `链接 ${input.validDays} 天内有效，为您个人专用，请勿转发；如需停用，请联系社区工作人员。`,
    ),
    { type: 'heading', text: `可填报的共建事项（${measures.length} 项）` },
    {
      type: 'table',
      header: ['编号', '事项', '截止日期', '进度', '状态'],
      numeric: [3],
      nowrap: [0, 2, 4],
      rows: measures.map((measure) => {
        const m = index.stats.get(measure.measureId);
        return [
          measure.measureId,
          measure.title,
          dueOf(measure, model.settings.year),
          m ? pct(m.progress) : '—',
          m ? statusCell(m.status) : '—',
        ];
      }),
      empty: '目前没有由您负责或与贵单位共建的事项；仍可通过链接填报活动。',
    },
  );

  const whom = partner ? ` · ${oneLine(partner.name)}` : '';
  return email(
    'updateRequest',
    updateRequestKey(planId, recipient, input.requestId),
    to,
    [],
    `【${community}】请填报共建活动和事项进展${due ? `（${monthDay(due.date)}前）` : ''}${whom}`,
    { title: `${community}共建工作填报请求`, blocks, footer: FOOTER },
    { ...(partner && { partnerId: partner.partnerId }), recipient },
  );
}

// ---------------------------------------------------------------------------------------------
// The year-end summary, on request

/** What `renderReportEmail` needs besides the context. */
export interface ReportEmailInput extends EmailContext {
  report: YearReport;
  /** Who asked: the summary goes to them. */
  to: string[];
  /** Copied (设置 → 总结抄送领导: the leaders). */
  cc?: string[];
  /** The request's own ID: asking again is a new email, the same request retried is not. */
  requestId: string;
}

/** The email that carries the year-end summary (the .docx is attached by the caller). */
export function renderReportEmail(input: ReportEmailInput): RenderedEmail {
  const { planId, model, stats, report } = input;
  const community = communityOf(model);
  const title = reportTitle(report);
  const { plan } = stats;
  const blocks: Block[] = [
    { type: 'paragraph', text: '您好：' },
    {
      type: 'paragraph',
      text: `附件是共建助手根据台账生成的《${title}》（Word 文档，统计截至 ${stats.asOf}）。文中数字均来自台账；“五、下一步打算”、原因分析和成文日期等黄色底纹处需要工作人员填写，核对后即可按公文格式报送。`,
    },
    {
      type: 'facts',
      rows: [
        ['事项总数', `${plan.measures} 项`],
        ['已完成', `${plan.done} 项（完成率 ${pct(plan.completionRate)}）`],
        ['活动次数', `${num(plan.activities)} 次`],
        ['参与 / 受益', `${num(plan.participants)} / ${num(plan.beneficiaries)} 人次`],
        ['志愿服务', `${num(plan.hours)} 小时`],
        ['投入资金', `${num(plan.funds)} 元`],
      ],
    },
  ];
  return email(
    'report',
    emailKey('report', planId, String(report.year), input.requestId),
    cleanAddresses(input.to),
    cleanAddresses(input.cc ?? []),
    `【${community}】${report.year}年共建工作总结（附 Word 文档）`,
    { title, blocks, footer: FOOTER },
    {},
  );
}

// ---------------------------------------------------------------------------------------------
// A run

/** Whether a digest period overlaps the plan year (no digests of the year before or after it). */
function overlapsPlanYear(period: DigestPeriod, year: number): boolean {
  return period.end >= `${year}-01-01` && period.start <= `${year}-12-31`;
}

/**
 * Everything a scheduled run on `date` would queue, on the plan's calendar (the package's data and
 * its 节假日 tab): on a digest day (the 1st, or a Monday for weekly digests; a day off moves it to
 * the next working day) a digest for every active partner with an email and the leader summary
 * when there are leader emails; on working days, due-soon reminders for measures not done or
 * cancelled due within the reminder days (from the working day on or before the first of them),
 * and overdue notices for measures whose status is overdue — a measure falling overdue on a day
 * off is told on the first working day after — when the owner has an email. What is left out is
 * counted. The keys do not depend on the day a reminder, notice or digest goes out, so moving it
 * never sends it twice.
 */
export function plannedEmails(input: PlannedEmailsInput): PlannedEmails {
  const run = planEmails(input);
  return { ...run, emails: run.emails.map((email) => email.render()) };
}

/** What `plannedEmails` renders, each email still to render (with or without an update link). */
export function planEmails(input: PlannedEmailsInput): PlannedRun {
  const { planId, model, stats, date } = input;
  const { settings } = model;
  const emails: PlannedEmail[] = [];
  const skipped: SkippedCounts = {
    inactivePartners: 0,
    partnersWithoutEmail: 0,
    measuresWithoutOwnerEmail: 0,
  };

  const calendar = calendarOf(settings);
  const unknown = new Set<number>();
  const consult = (day: IsoDate) => {
    const year = partsOf(dayOf(day)).year;
    if (!calendarKnows(year, calendar)) unknown.add(year);
  };
  consult(date);

  for (const period of digestPeriodsOn(settings.digestFrequency, date, calendar)) {
    if (!overlapsPlanYear(period, settings.year)) continue;
    for (const partner of model.partners) {
      if (!partner.active) skipped.inactivePartners += 1;
      else if (cleanAddresses(partner.emails).length === 0) skipped.partnersWithoutEmail += 1;
      else {
        const digestInput = { planId, model, stats, partnerId: partner.partnerId, period };
        const recipient = partnerRecipient(partner);
        emails.push({
          kind: 'partnerDigest',
          key: emailKey('partnerDigest', planId, partner.partnerId, period.id),
          ...(recipient && { recipient }),
          render: (updateLink) =>
            renderPartnerDigest(updateLink === undefined ? digestInput : { ...digestInput, updateLink }),
        });
      }
    }
    if (cleanAddresses(settings.leaderEmails).length > 0) {
      emails.push({
        kind: 'leaderSummary',
        key: emailKey('leaderSummary', planId, period.id),
        render: () => renderLeaderSummary({ planId, model, stats, period }),
      });
    }
  }

  const today = dayOf(date);
  const workday = isWorkday(date, calendar);
  const statsById = new Map(stats.measures.map((m) => [m.measureId, m]));
  const reminders: PlannedEmail[] = [];
  const notices: PlannedEmail[] = [];
  for (const measure of model.measures) {
    const status = statsById.get(measure.measureId)?.status;
    if (status === undefined) continue;
    const due = dueOf(measure, settings.year);
    const dueSoon =
      workday &&
      status !== 'done' &&
      status !== 'cancelled' &&
      today <= dayOf(due) &&
      today >= dayOf(dueSoonFrom(due, settings.reminderDays, calendar));
    // Overdue notices follow working days as reminders do (§7): the status stays overdue, so the
    // first working day's run sends what a day off held back, under the same key.
    const overdue = workday && status === 'overdue';
    if (!dueSoon && !overdue) continue;
    const recipient = ownerRecipient(measure);
    if (recipient === undefined) {
      skipped.measuresWithoutOwnerEmail += 1;
      continue;
    }
    const reminderInput = { planId, model, stats, measureId: measure.measureId, asOf: date };
    const planned = (kind: 'dueSoon' | 'overdue'): PlannedEmail => ({
      kind,
      key: emailKey(kind, planId, measure.measureId, due),
      recipient,
      render: (updateLink) =>
        reminder(kind, updateLink === undefined ? reminderInput : { ...reminderInput, updateLink }),
    });
    if (dueSoon) {
      consult(due);
      reminders.push(planned('dueSoon'));
    }
    if (overdue) notices.push(planned('overdue'));
  }
  emails.push(...reminders, ...notices);
  return { emails, skipped, unknownCalendarYears: [...unknown].sort((a, b) => a - b) };
}
