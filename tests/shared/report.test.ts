import { describe, expect, it } from 'vitest';
import type { ReportBlock } from '../../shared/document';
import { renderReportEmail } from '../../shared/emails/report';
import type { PlanModel } from '../../shared/model';
import { buildYearReport, previousYearFigures, reportFileName, type YearReport } from '../../shared/report';
import { computeStats } from '../../shared/stats';
import { activity, measure, partner, settings } from '../support/model';

function plan(overrides: Partial<PlanModel> = {}): PlanModel {
  return {
    settings: settings({ community: '和平社区' }),
    partners: [],
    measures: [],
    activities: [],
    ...overrides,
  };
}

const report = (model: PlanModel, asOf = '2026-12-31') => buildYearReport(model, computeStats(model, asOf));

/** Every text of the document, block by block. */
function texts(r: YearReport): string[] {
  return r.blocks.map((b: ReportBlock): string => {
    switch (b.type) {
      case 'heading':
        return b.text;
      case 'paragraph':
        return b.runs.map((run) => run.text).join('');
      case 'table':
        return [b.caption, b.header.join('|'), ...b.rows.map((row) => row.join('|'))].join('\n');
      case 'chart':
        return b.caption;
      default:
        return '';
    }
  });
}

/** The blocks between one level-1 heading and the next. */
function section(r: YearReport, heading: string): string {
  const all = texts(r);
  const start = all.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = r.blocks.findIndex((b, i) => i > start && b.type === 'heading' && b.level === 1);
  return all.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('the year-end summary model', () => {
  const partners = [
    partner({ partnerId: 'P1', name: '第一中学', type: 'school' }),
    partner({ partnerId: 'P2', name: '供电公司', type: 'enterprise', row: 3 }),
    partner({ partnerId: 'P3', name: '老单位', active: false, row: 4 }),
  ];
  const measures = [
    measure({ measureId: 'M1', title: '文明礼仪进校园', category: 'civility', target: 4, partners: ['P1'] }),
    measure({
      measureId: 'M2',
      title: '加层改造',
      metric: 'milestone',
      due: '2026-06-30',
      row: 3,
      owner: '陈建国',
    }),
  ];

  it('titles the document after the community and the year, and leaves no unknown community', () => {
    const r = report(plan({ partners, measures }));
    expect(r.title.map((run) => run.text).join('')).toBe('和平社区2026年共建工作总结');
    const unnamed = report(plan({ settings: settings(), measures }));
    expect(unnamed.title[0]).toEqual({ text: '【社区名称】', placeholder: true });
  });

  it('states the previous year’s figures only when the workbook has activities dated in it', () => {
    const thisYear = [
      activity({ measureId: 'M1', date: '2026-03-01', participants: 30, hours: 6, partners: ['P1'] }),
      activity({ measureId: 'M1', date: '2026-04-01', participants: 20, row: 3 }),
    ];
    const without = report(plan({ partners, measures, activities: thisYear }));
    expect(without.previous).toBeUndefined();
    expect(section(without, '一、基本情况')).not.toContain('2025年');

    const lastYear = [
      activity({
        measureId: 'M1',
        date: '2025-11-02',
        participants: 12,
        funds: 500,
        partners: ['P1', 'P2'],
        row: 4,
      }),
      activity({ measureId: 'M1', date: '2025-12-20', participants: 8, row: 5 }),
      // Not done: counts nowhere.
      activity({ measureId: 'M1', date: '2025-12-21', participants: 99, status: 'planned', row: 6 }),
    ];
    const model = plan({ partners, measures, activities: [...thisYear, ...lastYear] });
    expect(previousYearFigures(model, '2026-12-31')).toEqual({
      year: 2025,
      activities: 2,
      participants: 20,
      beneficiaries: 0,
      hours: 0,
      funds: 500,
      partners: 2,
    });
    const basic = section(report(model), '一、基本情况');
    expect(basic).toContain(
      '2025年台账中记录的活动：开展活动2次，参与20人次，受益0人次，志愿服务0小时，投入资金500元，涉及共建单位2家。',
    );
    expect(basic).toContain('指标|2026年|2025年|增减');
    // The statistics count last year's activities for their measure too (§4): 4 in all, +2.
    expect(basic).toContain('活动次数（次）|4|2|+2');
    expect(basic).toContain('以上活动中有2次日期不在2026年内');
  });

  it('describes each category from its figures and its notable activities', () => {
    const activities = [
      activity({
        measureId: 'M1',
        date: '2026-03-05',
        title: '礼仪课',
        location: '第一中学',
        participants: 280,
        partners: ['P1'],
      }),
      activity({
        measureId: 'M1',
        date: '2026-04-03',
        title: '联合宣讲',
        participants: 10,
        partners: ['P1', 'P2'],
        row: 3,
      }),
    ];
    const work = section(report(plan({ partners, measures, activities })), '二、主要工作及成效');
    expect(work).toContain('（一）实事共办');
    expect(work).toContain('（二）文明共创');
    expect(work).toContain(
      '“文明礼仪进校园”（编号M1）：共建单位：第一中学；开展相关活动2次；目标4次，已完成2次（50%）',
    );
    expect(work).toContain(
      '参与人数较多的活动有：3月5日在第一中学开展的“礼仪课”（参与280人，第一中学共同参与）',
    );
    expect(work).toContain('“加层改造”（编号M2，责任人陈建国）：尚无相关活动记录；尚未完成；状态：已逾期。');
  });

  it('names the units without activity, and lists overdue measures and stale units with their figures', () => {
    const activities = [activity({ measureId: 'M1', date: '2026-03-05', partners: ['P1'] })];
    const r = report(plan({ partners, measures, activities }));
    const units = section(r, '三、共建单位参与情况');
    expect(units).toContain('全年共有共建单位3家（在册2家，已退出1家）');
    // The unit that left is not a unit "without activity": only active ones are named.
    expect(units).toContain('全年未开展共建活动的单位（1家）：供电公司。');
    expect(units).toContain('第一中学|学校|1|0|0|0/1');

    const problems = section(r, '四、存在的问题');
    expect(problems).toContain('（一）逾期未完成的事项（1项）');
    expect(problems).toContain(
      '“加层改造”（编号M2，责任人陈建国）：截止2026年6月30日，已逾期184天，尚未完成。',
    );
    expect(problems).toContain('（二）进度滞后的事项（1项）');
    expect(problems).toContain('“文明礼仪进校园”（编号M1）：按时间应完成100%，目标4次，已完成1次（25%）。');
    expect(problems).toContain('（三）联系不够紧密的共建单位（2家）');
    expect(problems).toContain('第一中学最近一次活动在2026年3月5日，已301天未开展活动');
    expect(problems).toContain('供电公司全年没有共建活动记录');
  });

  it('says when nothing fell behind, and leaves 五、下一步打算 to staff as placeholders', () => {
    const done = [measure({ measureId: 'M1', state: 'done' })];
    const r = report(plan({ measures: done }));
    expect(section(r, '四、存在的问题')).toContain('没有逾期或进度滞后的事项');
    const start = r.blocks.findIndex((b) => b.type === 'heading' && b.text === '五、下一步打算');
    const next = r.blocks.slice(start + 1, start + 4);
    for (const block of next) {
      expect(block.type === 'paragraph' && block.runs.every((run) => run.placeholder)).toBe(true);
    }
  });

  it('lists every measure in the appendix, in sheet order', () => {
    const r = report(plan({ partners, measures }));
    const table = r.blocks.findLast((b) => b.type === 'table');
    expect(table?.type === 'table' && table.rows.map((row) => row[0])).toEqual(['M1', 'M2']);
  });
});

describe('the summary’s email and file name', () => {
  it('escape the community name in HTML and keep it out of path separators and headers', () => {
    const model = plan({ settings: settings({ community: '<b>和平/社区</b>\r\nBcc: x@y.cn' }) });
    const stats = computeStats(model, '2026-12-31');
    const r = buildYearReport(model, stats);
    expect(reportFileName(r)).toBe('b和平社区bBcc x@y.cn2026年共建工作总结.docx');
    const email = renderReportEmail({
      planId: 'p',
      model,
      stats,
      report: r,
      to: ['a@b.cn'],
      requestId: 'r-123456',
    });
    expect(email.html).not.toContain('<b>和平');
    expect(email.html).toContain('&lt;b&gt;和平/社区&lt;/b&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.key).toBe('report:p:2026:r-123456');
  });
});
