/** The leader summary (§7): the plan's completion, by category, what needs attention and the period's work. */
import { CHARTS, categoryBars, chartData } from '../charts';
import { percent as pct } from '../format';
import {
  ATTENTION_LABELS,
  type AttentionKind,
  CATEGORY_LABELS,
  type MeasureStatus,
  STATUS_LABELS,
} from '../i18n';
import { attentionItems } from '../summary';
import { monthBarsBlock, statusBarsBlock } from './chartBars';
import { composeEmail, type EmailContext, emailKey, FOOTER, type RenderedEmail } from './email';
import { type Block, cleanAddresses } from './layout';
import { communityOf, num, sumActivities } from './parts';
import { type DigestPeriod, inPeriod, reportName } from './periods';

/** What `renderLeaderSummary` needs besides the context. */
export interface LeaderSummaryInput extends EmailContext {
  period: DigestPeriod;
}

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
        // Statistics stored before coverage existed have none: said so, not shown as 0%.
        [
          '佐证覆盖率',
          plan.evidenceCoverage === undefined
            ? '—'
            : `${pct(plan.evidenceCoverage)}（${plan.withEvidence}/${plan.activities} 项已完成活动有佐证）`,
        ],
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
    statusBarsBlock(categoryBars(stats), CHARTS.categories.domain, '计划中还没有事项。'),
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
    monthBarsBlock(chartData(stats)),
  ];

  return composeEmail(
    'leaderSummary',
    emailKey('leaderSummary', planId, period.id),
    cleanAddresses(model.settings.leaderEmails),
    [],
    `【${community}】${period.label}共建工作${report}（领导摘要）`,
    { title: `${community}${period.label}共建工作${report}（领导摘要）`, blocks, footer: FOOTER },
    {},
  );
}
