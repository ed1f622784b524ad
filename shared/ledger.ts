/**
 * The activity ledger (活动台账, §11) as a document model: a cover (community, period, counts), a
 * contents table, then one 活动记录表 per done activity of the period followed by its photos, two to
 * a row. Every line is a field of the 活动 row or a figure counted from the rows; a field the row
 * leaves empty stays an empty cell for staff to fill by hand, never a guess. The .docx adapter lays
 * it out in the summary's page setup; this module decides what it says. Pure.
 */
import { fullDate, type PhotoIndex, type PhotoRef, type ReportBlock, type ReportDocument } from './document';
import { figure } from './format';
import type { Activity, IsoDate, PlanModel } from './model';

/** Which activities the ledger holds: done ones dated from `from` to `to`, of one unit if given. */
export interface LedgerScope {
  from: IsoDate;
  to: IsoDate;
  /** A partner unit's ID: only activities it took part in. */
  partnerId?: string | undefined;
}

/** The ledger and what it counted, for the command's closing line. */
export interface Ledger extends ReportDocument {
  activities: number;
  photos: number;
}

/**
 * The default period: the plan year from 1 January up to today, or the whole year once it is over
 * (a ledger of a year not yet begun is empty, from 1 January to 1 January).
 */
export function defaultLedgerScope(year: number, today: IsoDate): { from: IsoDate; to: IsoDate } {
  const from = `${year}-01-01`;
  const end = `${year}-12-31`;
  return { from, to: today < from ? from : today > end ? end : today };
}

/** What a ledger request names — `gongjian ledger`'s options, the API's body —, each optional. */
export interface LedgerOptions {
  from?: IsoDate | undefined;
  to?: IsoDate | undefined;
  /** A partner unit's ID or exact name. */
  partner?: string | undefined;
}

/** The scope a request names, or why it names none (the caller words the refusal). */
export type ResolvedLedgerScope =
  | { ok: true; scope: LedgerScope }
  | { ok: false; problem: 'from_after_to'; from: IsoDate; to: IsoDate }
  | { ok: false; problem: 'unknown_partner'; partner: string };

/**
 * The scope of a request over the plan year so far: the one rule the CLI and the API share, so the
 * same options give the same ledger wherever it is built.
 */
export function resolveLedgerScope(
  model: PlanModel,
  options: LedgerOptions,
  today: IsoDate,
): ResolvedLedgerScope {
  const period = defaultLedgerScope(model.settings.year, today);
  const from = options.from ?? period.from;
  const to = options.to ?? period.to;
  if (from > to) return { ok: false, problem: 'from_after_to', from, to };
  if (options.partner === undefined) return { ok: true, scope: { from, to } };
  const wanted = options.partner.trim();
  const partner = model.partners.find((p) => p.partnerId === wanted || p.name === wanted);
  if (!partner) return { ok: false, problem: 'unknown_partner', partner: wanted };
  return { ok: true, scope: { from, to, partnerId: partner.partnerId } };
}

/** The activities of the ledger in date order (sheet order within a day). */
export function ledgerActivities(model: PlanModel, scope: LedgerScope): Activity[] {
  return model.activities
    .filter(
      (a) =>
        a.status === 'done' &&
        a.date >= scope.from &&
        a.date <= scope.to &&
        (scope.partnerId === undefined || a.partners.includes(scope.partnerId)),
    )
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.row - b.row));
}

/** A figure with its unit, or an empty cell when the row has none (blank is not zero). */
const amount = (value: number | undefined, unit: string) =>
  value === undefined ? '' : `${figure(value)}${unit}`;

/** The caption under an activity's `n`-th photo (1-based) of `count`. */
function photoCaption(a: Activity, n: number, count: number): string {
  return count > 1 ? `${a.title}（${n}/${count}）` : a.title;
}

/** Builds the ledger of a plan's accepted rows for a period, with the photos there are. */
export function buildLedger(model: PlanModel, scope: LedgerScope, photos: PhotoIndex): Ledger {
  const partnerNames = new Map(model.partners.map((p) => [p.partnerId, p.name]));
  const measures = new Map(model.measures.map((m) => [m.measureId, m]));
  const names = (ids: readonly string[]) => ids.map((id) => partnerNames.get(id) ?? id).join('、');
  const measureText = (id: string) => {
    const m = measures.get(id);
    return m ? `${id} ${m.title}` : id;
  };
  const activities = ledgerActivities(model, scope);
  const photosOf = (a: Activity) => (a.activityId === undefined ? [] : (photos.get(a.activityId) ?? []));
  const photoCount = activities.reduce((sum, a) => sum + photosOf(a).length, 0);
  const sum = (pick: (a: Activity) => number | undefined) =>
    activities.reduce((total, a) => total + (pick(a) ?? 0), 0);
  const community = model.settings.community;
  const unit =
    scope.partnerId === undefined ? undefined : (partnerNames.get(scope.partnerId) ?? scope.partnerId);
  const centered = (text: string): ReportBlock => ({ type: 'paragraph', align: 'center', runs: [{ text }] });

  const cover: ReportBlock[] = [
    ...(unit ? [centered(`共建单位：${unit}`)] : []),
    centered(`${fullDate(scope.from)}至${fullDate(scope.to)}`),
    centered(
      `已完成活动${activities.length}次，照片${photoCount}张；参与${figure(sum((a) => a.participants))}人次，` +
        `受益${figure(sum((a) => a.beneficiaries))}人次，志愿服务${figure(sum((a) => a.hours))}小时，` +
        `投入资金${figure(sum((a) => a.funds))}元`,
    ),
    { type: 'pageBreak' },
  ];

  const contents: ReportBlock = {
    type: 'table',
    caption: '目录',
    header: ['序号', '日期', '活动名称', '关联事项', '共建单位', '参与人数'],
    numeric: [0, 5],
    widths: [1.6, 3.6, 6, 4.4, 4.4, 2.4],
    rows:
      activities.length > 0
        ? activities.map((a, i) => [
            String(i + 1),
            a.date,
            a.title,
            measureText(a.measureId),
            names(a.partners),
            a.participants === undefined ? '' : figure(a.participants),
          ])
        : [['', '', '（本期间没有已完成的活动）', '', '', '']],
  };

  const records = activities.flatMap((a, i): ReportBlock[] => {
    const files = photosOf(a);
    const photoRefs: PhotoRef[] = files.map((file, k) => ({
      activityId: a.activityId ?? '',
      file,
      caption: photoCaption(a, k + 1, files.length),
    }));
    return [
      { type: 'pageBreak' },
      {
        type: 'record',
        caption: `活动记录表（${i + 1}）`,
        fields: [
          { label: '活动名称', value: a.title },
          // The 活动 tab has a date and no time of day: the cell says the date.
          { label: '时间', value: fullDate(a.date), half: true },
          { label: '地点', value: a.location ?? '', half: true },
          { label: '关联事项', value: measureText(a.measureId) },
          { label: '组织/参与单位', value: names(a.partners) },
          { label: '参与人数', value: amount(a.participants, '人'), half: true },
          { label: '受益人数', value: amount(a.beneficiaries, '人'), half: true },
          { label: '服务时长', value: amount(a.hours, '小时'), half: true },
          { label: '投入资金', value: amount(a.funds, '元'), half: true },
          { label: '记录人', value: a.recorder ?? '', half: true },
          { label: '记录编号', value: a.activityId ?? '', half: true },
          { label: '活动内容/备注', value: a.notes ?? '', tall: true },
        ],
      },
      ...(photoRefs.length > 0 ? [{ type: 'photos' as const, columns: 2 as const, photos: photoRefs }] : []),
    ];
  });

  return {
    title: [{ text: community ? community : '【社区名称】', placeholder: !community }, { text: '活动台账' }],
    blocks: [...cover, contents, ...records],
    activities: activities.length,
    photos: photoCount,
  };
}
