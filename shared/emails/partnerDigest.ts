/** The partner digest (§7): what a partner unit did with the community in a period, and what falls due next. */
import { dayOf, isoOf } from '../dates';
import { percent as pct } from '../format';
import {
  composeEmail,
  type EmailContext,
  emailKey,
  FOOTER,
  partnerRecipient,
  type RenderedEmail,
  updateButton,
} from './email';
import { type Block, cleanAddresses, oneLine } from './layout';
import { achievedText, communityOf, dueOf, lookup, num, optional, statusCell, sumActivities } from './parts';
import { type DigestPeriod, inPeriod, reportName } from './periods';

/** What `renderPartnerDigest` needs besides the context. */
export interface PartnerDigestInput extends EmailContext {
  partnerId: string;
  period: DigestPeriod;
  /** The partner's update link (§9); absent, the digest has no button (`gongjian digest`). */
  updateLink?: string;
}

/** How many days after a digest period its "due next" list looks ahead. */
export const DUE_NEXT_DAYS = 30;

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
  return composeEmail(
    'partnerDigest',
    emailKey('partnerDigest', planId, partnerId, period.id),
    cleanAddresses(partner.emails),
    [],
    `【${community}】${period.label}共建工作${report} · ${name}`,
    { title, blocks, footer: FOOTER },
    { partnerId, recipient: partnerRecipient(partner) },
  );
}
