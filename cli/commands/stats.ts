/** `gongjian stats PATH --as-of DATE [--json]`: the statistics of the accepted rows. */

import { amount, capped, percent, renderTable } from '../../adapters/terminal/table';
import { CATEGORY_LABELS, STATUS_LABELS } from '../../shared/i18n';
import type { IsoDate } from '../../shared/model';
import { computeStats } from '../../shared/stats';
import type { Stats } from '../../shared/stats-types';
import type { ValidationResult } from '../../shared/validate';
import type { CliContext } from '../context';
import { type LoadedPlan, loadPlan } from '../load';

export interface StatsArgs {
  path: string;
  asOf: string | undefined;
  json: boolean;
}

/** Runs the command and returns its exit code (rejected rows are left out, not an error here). */
export async function statsCommand(args: StatsArgs, ctx: CliContext): Promise<number> {
  const { result, stats } = await planStatistics(args.path, args.asOf, ctx);
  ctx.out(args.json ? JSON.stringify(stats, null, 2) : statsReport(result, stats));
  return 0;
}

/**
 * What `gongjian stats` computes for a PATH — read, validated as of the date (or today in the
 * plan's zone) and counted — and the one way any command gets a plan's statistics from a path
 * (`gongjian rollup` summarises each plan from exactly this).
 */
export async function planStatistics(
  path: string,
  asOf: IsoDate | undefined,
  ctx: CliContext,
): Promise<LoadedPlan & { stats: Stats }> {
  const loaded = await loadPlan(path, asOf, ctx);
  return { ...loaded, stats: computeStats(loaded.result.model, loaded.asOf) };
}

/** The human report: overview, then tables by category, measure, partner and month. */
export function statsReport(result: ValidationResult, stats: Stats): string {
  const { model } = result;
  const { plan } = stats;
  const community = model.settings.community ?? '';
  const rejected =
    result.tabs.partners.rejected + result.tabs.plan.rejected + result.tabs.activities.rejected;
  const lines = [`${community} ${stats.year}年共建计划 · 统计日期 ${stats.asOf}`.trim(), ''];
  lines.push(
    `事项 ${plan.measures} 项：${Object.entries(STATUS_LABELS)
      .map(([status, label]) => `${label} ${plan[status as keyof typeof STATUS_LABELS]}`)
      .join(' · ')}`,
    `完成率 ${percent(plan.completionRate)} · 平均进度 ${percent(plan.averageProgress)}`,
    `活动 ${plan.activities} 次 · 参与 ${amount(plan.participants)} 人次 · 受益 ${amount(plan.beneficiaries)} 人次 · ` +
      `服务 ${amount(plan.hours)} 小时 · 投入 ${amount(plan.funds)} 元`,
  );
  if (rejected > 0)
    lines.push(`另有 ${rejected} 行未通过校验，未计入统计（运行 gongjian validate 查看原因）`);

  lines.push('', '【按类别】');
  lines.push(
    renderTable(
      [
        '类别',
        '事项',
        '已完成',
        '已逾期',
        '滞后',
        '完成率',
        '平均进度',
        '活动',
        '参与人次',
        '服务时长',
        '投入资金',
      ],
      stats.categories.map((c) => [
        c.label,
        c.measures,
        c.done,
        c.overdue,
        c.behind,
        percent(c.completionRate),
        percent(c.averageProgress),
        c.activities,
        amount(c.participants),
        amount(c.hours),
        amount(c.funds),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );

  const titles = new Map(model.measures.map((m) => [m.measureId, m.title]));
  const more = { zh: '用 --json 可列出全部', en: '--json lists them all' };
  const measures = capped(stats.measures, more);
  lines.push('', '【事项进度】');
  lines.push(
    renderTable(
      ['编号', '事项', '类别', '状态', '活动', '达成/目标', '进度', '应达', '未达标周期'],
      measures.shown.map((m) => [
        m.measureId,
        shorten(titles.get(m.measureId) ?? '', 18),
        CATEGORY_LABELS[m.category],
        STATUS_LABELS[m.status],
        m.activities,
        `${amount(m.achieved)}/${amount(m.target)}`,
        percent(m.progress),
        percent(m.expectedProgress),
        m.missedPeriods.join('、'),
      ]),
      ['left', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'left'],
    ),
  );

  if (measures.note !== undefined) lines.push(measures.note);

  const names = new Map(model.partners.map((p) => [p.partnerId, p.name]));
  const partners = capped(stats.partners, more);
  lines.push('', '【共建单位】');
  lines.push(
    renderTable(
      [
        '编号',
        '单位',
        '活动',
        '参与人次',
        '服务时长',
        '投入资金',
        '最近活动',
        '距今',
        '失联',
        '共建事项',
        '已完成',
      ],
      partners.shown.map((p) => [
        p.partnerId,
        shorten(names.get(p.partnerId) ?? '', 14),
        p.activities,
        amount(p.participants),
        amount(p.hours),
        amount(p.funds),
        p.lastActivity ?? '—',
        p.daysSinceLastActivity === null ? '—' : `${p.daysSinceLastActivity}天`,
        p.stale ? '是' : '',
        p.measures,
        p.measuresDone,
      ]),
      ['left', 'left', 'right', 'right', 'right', 'right', 'left', 'right', 'left', 'right', 'right'],
    ),
  );

  if (partners.note !== undefined) lines.push(partners.note);

  lines.push('', '【按月】');
  lines.push(
    renderTable(
      ['月份', '活动', '参与人次', '受益人次', '服务时长', '投入资金'],
      stats.months.map((m) => [
        m.month,
        m.activities,
        amount(m.participants),
        amount(m.beneficiaries),
        amount(m.hours),
        amount(m.funds),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  return lines.join('\n');
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
