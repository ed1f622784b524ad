/**
 * The 街道月报 (§7, §13): the leader summary one level up, for a district's viewers — every
 * community's completion, pace, activities, evidence coverage and 关注事项 count, the district's
 * totals and the roll-up's charts as email bars. It reads the roll-up only (shared/rollup.ts, the
 * figures `gongjian rollup --json` prints), so like the roll-up it carries figures and community
 * names, never a record, a household or a partner's contact. Every name is user text and goes
 * through the layout's escaping like every other cell.
 */
import { CHARTS, ROLLUP_CHART_TITLES } from '../charts';
import { percent as pct } from '../format';
import type { IsoDate } from '../model';
import { type DistrictRollup, rankedCommunities, rollupChartData } from '../rollup';
import { monthBarsBlock, statusBarsBlock } from './chartBars';
import { composeEmail, emailKey, type RenderedEmail } from './email';
import { type Block, cleanAddresses, oneLine } from './layout';
import { num } from './parts';
import { type DigestPeriod, digestPeriodsOn } from './periods';

/** What `renderDistrictSummary` needs: the district, its roll-up now, and the month reported on. */
export interface DistrictSummaryInput {
  districtId: string;
  /** The district's name (user text). */
  name: string;
  /** The 街道 leaders who read the roll-up: the recipients. */
  viewers: readonly string[];
  rollup: DistrictRollup;
  /** Members with no statistics yet: said, so a short table is not read as the whole district. */
  pending: number;
  /** The calendar month the email reports on (a monthly digest period). */
  period: DigestPeriod;
}

/** The closing line: the figures are the communities' own, summed by the system, not the 街道's. */
const DISTRICT_FOOTER =
  '本邮件由共建助手根据各社区共建工作台账自动汇总生成，数据以各社区台账为准。如有疑问，请与相关社区居委会联系。';

/** Pace (进度差) as a signed percentage: ahead of the calendar is positive. */
function paceText(pace: number): string {
  return pace > 0 ? `+${pct(pace)}` : pct(pace);
}

/** The district's key: one email per district and month, whatever day it goes out on (§7). */
export function districtSummaryKey(districtId: string, period: DigestPeriod): string {
  return emailKey('districtSummary', districtId, period.id);
}

/**
 * The 街道月报 of a month: the district's completion (rate, average progress, pace, coverage,
 * attention count), each community in 排名 order, completion per community, by category and the
 * activities and hours by month — the charts of shared/charts.ts over the roll-up's figures.
 */
export function renderDistrictSummary(input: DistrictSummaryInput): RenderedEmail {
  const { districtId, rollup, period } = input;
  const name = oneLine(input.name) || districtId;
  const { total } = rollup;
  const communities = rankedCommunities(rollup);
  const attention = communities.reduce((n, c) => n + c.attention.length, 0);
  const asOf = [...new Set(communities.map((c) => c.asOf))].sort();
  const asOfText =
    asOf.length === 0
      ? ''
      : asOf.length === 1
        ? `截至 ${asOf[0]}`
        : `截至 ${asOf[0]} 至 ${asOf[asOf.length - 1]}`;
  const charts = rollupChartData(rollup);

  const blocks: Block[] = [
    { type: 'paragraph', text: '各位领导：' },
    {
      type: 'paragraph',
      text: `以下是${name}${period.label}（${period.start} 至 ${period.end}）各社区共建工作月报，共 ${communities.length} 个社区，各社区计划完成情况统计${asOfText || '暂无数据'}。`,
    },
    ...(input.pending > 0
      ? [{ type: 'paragraph' as const, text: `另有 ${input.pending} 个社区尚未同步台账，未计入本报。` }]
      : []),
    { type: 'heading', text: '一、街道总体完成情况' },
    {
      type: 'facts',
      rows: [
        ['社区数', `${communities.length} 个`],
        ['事项总数', `${num(total.measures)} 项`],
        ['完成率', pct(total.completionRate)],
        ['平均进度', pct(total.averageProgress)],
        ['进度差', paceText(total.pace)],
        [
          '佐证覆盖率',
          `${pct(total.evidenceCoverage)}（${num(total.withEvidence)}/${num(total.activities)} 项已完成活动有佐证）`,
        ],
        [
          '关注事项',
          attention > 0
            ? { text: `${attention} 项（逾期 ${total.overdue}，进度滞后 ${total.behind}）`, tone: 'danger' }
            : '0 项',
        ],
        ['活动次数', `${num(total.activities)} 次`],
        ['志愿服务时长', `${num(total.hours)} 小时`],
      ],
    },
    { type: 'heading', text: '二、各社区完成情况（按排名）' },
    {
      type: 'table',
      header: ['排名', '社区', '完成率', '进度差', '活动', '佐证覆盖率', '关注事项'],
      numeric: [0, 2, 3, 4, 5, 6],
      nowrap: [0],
      rows: communities.map((c) => [
        String(c.rank),
        c.name,
        pct(c.plan.completionRate),
        paceText(c.pace),
        num(c.plan.activities),
        // A summary stored before coverage existed has none: a dash, not 0%.
        c.plan.evidenceCoverage === undefined ? '—' : pct(c.plan.evidenceCoverage),
        c.attention.length > 0 ? { text: String(c.attention.length), tone: 'danger' } : '0',
      ]),
      footer: [
        '',
        '街道合计',
        pct(total.completionRate),
        paceText(total.pace),
        num(total.activities),
        pct(total.evidenceCoverage),
        String(attention),
      ],
      empty: '街道中还没有已同步台账的社区。',
    },
    { type: 'heading', text: `三、${ROLLUP_CHART_TITLES.communities}` },
    statusBarsBlock(charts.communities, '排名', '街道中还没有已同步台账的社区。'),
    { type: 'heading', text: `四、${ROLLUP_CHART_TITLES.categories}` },
    statusBarsBlock(charts.categories, CHARTS.categories.domain, '各社区计划中还没有事项。'),
    { type: 'heading', text: `五、${ROLLUP_CHART_TITLES.months}` },
    monthBarsBlock(charts),
  ];

  return composeEmail(
    'districtSummary',
    districtSummaryKey(districtId, period),
    cleanAddresses(input.viewers),
    [],
    `【${name}】${period.label}各社区共建工作月报（街道月报）`,
    { title: `${name}${period.label}各社区共建工作月报`, blocks, footer: DISTRICT_FOOTER },
    {},
  );
}

/**
 * The months whose 街道月报 goes out on `date` (the district's local day): on the 1st, the month
 * before; a 1st that is a day off moves to the next working day (§7, as monthly digests do), so
 * that day sends it — on the mainland calendar, as a district has no 节假日 tab of its own. Empty
 * on every other day. The key names the month, not the day, so a run repeated sends it once.
 */
export function districtSummaryPeriodsOn(date: IsoDate): DigestPeriod[] {
  return digestPeriodsOn('monthly', date);
}
