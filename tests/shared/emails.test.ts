/**
 * The emails of §7 (shared/emails/): digest periods, the four renderers on a small hand-built
 * model and on the sample workbook, header safety and HTML escaping, idempotency keys, and what a
 * run on a given day plans. 2026-01-01 is a Thursday; 2026-07-01 a Wednesday, 2026-07-06 a Monday.
 */
import { describe, expect, it } from 'vitest';
import { dayOf, isoOf } from '../../shared/dates';
import { renderDueSoon } from '../../shared/emails/dueSoon';
import { emailKey, type RenderedEmail } from '../../shared/emails/email';
import { cleanAddresses, oneLine } from '../../shared/emails/layout';
import { renderLeaderSummary } from '../../shared/emails/leaderSummary';
import { renderOverdue } from '../../shared/emails/overdue';
import { renderPartnerDigest } from '../../shared/emails/partnerDigest';
import { type DigestPeriod, digestPeriodFor } from '../../shared/emails/periods';
import { plannedEmails } from '../../shared/emails/plan';
import { escapeHtml } from '../../shared/markup';
import type { Activity, Measure, Partner, PlanModel, Settings } from '../../shared/model';
import { sampleWorkbook } from '../../shared/sample';
import { computeStats } from '../../shared/stats';
import { validateWorkbook } from '../../shared/validate';
import { isWorkday } from '../../shared/workdays';
import {
  activity as baseActivity,
  measure as baseMeasure,
  partner as basePartner,
  settings as baseSettings,
} from '../support/model';

// ---------------------------------------------------------------------------------------------
// A small model

const SCRIPT = '<script>alert(1)</script>';
const INJECTION = 'Evil\r\nBcc: x@evil.cn';

function settings(overrides: Partial<Settings> = {}): Settings {
  return baseSettings({
    community: '幸福社区',
    leaderEmails: ['lead1@example.cn', 'lead2@example.cn'],
    senderName: '幸福社区居委会',
    ...overrides,
  });
}

function partner(partnerId: string, name: string, emails: string[], active = true): Partner {
  return basePartner({ partnerId, name, emails, active });
}

function measure(overrides: Partial<Measure> & { measureId: string }): Measure {
  return baseMeasure({ category: 'civility', ...overrides });
}

function activity(
  date: string,
  measureId: string,
  partners: string[],
  title: string,
  more: Partial<Activity> = {},
) {
  return baseActivity({ date, measureId, partners, title, ...more });
}

function smallModel(overrides: Partial<Settings> = {}): PlanModel {
  return {
    settings: settings(overrides),
    partners: [
      partner('P01', '第一中学', ['a@example.cn']),
      partner('P02', `星光${SCRIPT}企业`, ['b@example.cn']),
      partner('P03', '老村委', ['c@example.cn'], false),
      partner('P04', '无邮箱单位', []),
      partner('P05', INJECTION, ['e@example.cn', 'f@example.cn\r\nBcc: y@evil.cn']),
    ],
    measures: [
      // Due 5 Jul, 3 of 4 by 1 Jul: behind, due soon.
      measure({
        measureId: 'M1',
        title: '文明礼仪进校园',
        owner: '刘洋',
        ownerEmail: 'liu@example.cn',
        partners: ['P01', 'P02'],
        target: 4,
        due: '2026-07-05',
      }),
      // Due 20 Jun, 10,000 of 30,000 yuan: overdue from 21 Jun.
      measure({
        measureId: 'M2',
        category: 'practicalMatters',
        title: '购置办公电脑',
        owner: '李明',
        ownerEmail: 'li@example.cn',
        partners: ['P01'],
        metric: 'funds',
        target: 30_000,
        start: '2026-03-01',
        due: '2026-06-20',
      }),
      measure({ measureId: 'M3', title: '已取消的事项', partners: ['P01'], state: 'cancelled' }),
      measure({
        measureId: 'M4',
        category: 'organization',
        title: '成立领导小组',
        partners: ['P02', 'P05'],
        metric: 'milestone',
        state: 'done',
      }),
      // Due 3 Jul, no owner email.
      measure({ measureId: 'M5', title: '无邮箱的事项', owner: '赵敏', due: '2026-07-03' }),
    ],
    activities: [
      activity('2026-05-20', 'M1', ['P01'], '五月文明课'),
      activity('2026-06-03', 'M1', ['P01', 'P02'], `六月${SCRIPT}文明课`, { participants: 20, hours: 40 }),
      activity('2026-06-15', 'M1', ['P01'], '取消的活动', { status: 'cancelled' }),
      activity('2026-06-30', 'M2', ['P01'], '购置电脑首批', { funds: 10_000, beneficiaries: 5 }),
      activity('2026-07-01', 'M1', ['P01'], '七月文明课'),
      activity('2026-07-10', 'M1', ['P01'], '暑期计划活动', { status: 'planned', location: '社区广场' }),
    ],
  };
}

const JUNE = digestPeriodFor('monthly', '2026-07-01') as DigestPeriod;

function context(asOf = '2026-07-01', overrides: Partial<Settings> = {}) {
  const model = smallModel(overrides);
  return { planId: 'plan-1', model, stats: computeStats(model, asOf) };
}

/** Neither CR nor LF nor any other control character. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be absent
const HEADER_SAFE = /^[^\u0000-\u001f\u007f\u2028\u2029]*$/;

function expectHeaderSafe(email: RenderedEmail): void {
  expect(email.subject).toMatch(HEADER_SAFE);
  for (const address of [...email.to, ...email.cc]) {
    expect(address).toMatch(HEADER_SAFE);
    expect(address).not.toMatch(/\s/);
  }
}

function expectDocument(email: RenderedEmail): void {
  expect(email.html.startsWith('<!doctype html>')).toBe(true);
  expect(email.html).toContain('<meta charset="utf-8">');
  expect(email.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  expect(email.html).toContain('max-width:640px');
  expect(email.html).not.toMatch(/<style|<link|<script|class=/i);
  expect(email.text).not.toMatch(/<(!doctype|html|body|table|tr|td|th|p|h2|br|meta)\b|&lt;|&amp;|&quot;/i);
}

// ---------------------------------------------------------------------------------------------

describe('digestPeriodFor', () => {
  it('monthly: the 1st covers the previous calendar month', () => {
    expect(digestPeriodFor('monthly', '2026-07-01')).toEqual({
      kind: 'monthly',
      start: '2026-06-01',
      end: '2026-06-30',
      label: '2026年6月',
      id: '2026-06',
    });
    expect(digestPeriodFor('monthly', '2024-03-01')).toMatchObject({
      start: '2024-02-01',
      end: '2024-02-29',
    });
  });

  it('monthly: 1 January covers December of the year before', () => {
    expect(digestPeriodFor('monthly', '2026-01-01')).toEqual({
      kind: 'monthly',
      start: '2025-12-01',
      end: '2025-12-31',
      label: '2025年12月',
      id: '2025-12',
    });
  });

  it('weekly: a Monday covers the previous Monday–Sunday, with its ISO week', () => {
    expect(digestPeriodFor('weekly', '2026-06-15')).toEqual({
      kind: 'weekly',
      start: '2026-06-08',
      end: '2026-06-14',
      label: '2026年6月8日—14日',
      id: '2026-W24',
    });
    // Across a month end.
    expect(digestPeriodFor('weekly', '2026-07-06')).toMatchObject({
      start: '2026-06-29',
      end: '2026-07-05',
      label: '2026年6月29日—7月5日',
      id: '2026-W27',
    });
  });

  it('weekly: year boundaries take the ISO week-numbering year', () => {
    // Mon 29 Dec 2025 – Sun 4 Jan 2026: its Thursday is 1 Jan 2026, so week 1 of 2026.
    expect(digestPeriodFor('weekly', '2026-01-05')).toEqual({
      kind: 'weekly',
      start: '2025-12-29',
      end: '2026-01-04',
      label: '2025年12月29日—2026年1月4日',
      id: '2026-W01',
    });
    // 2026 starts on a Thursday: it has 53 ISO weeks, the last ending Sun 3 Jan 2027.
    expect(digestPeriodFor('weekly', '2027-01-04')).toMatchObject({
      start: '2026-12-28',
      end: '2027-01-03',
      id: '2026-W53',
    });
    // Mon 28 Dec 2020 – Sun 3 Jan 2021: week 53 of 2020.
    expect(digestPeriodFor('weekly', '2021-01-04')?.id).toBe('2020-W53');
    // Mon 30 Dec 2024 – Sun 5 Jan 2025: Thursday 2 Jan 2025, week 1 of 2025.
    expect(digestPeriodFor('weekly', '2025-01-06')?.id).toBe('2025-W01');
    expect(digestPeriodFor('weekly', '2024-12-30')?.id).toBe('2024-W52');
  });

  it('other days have no digest', () => {
    expect(digestPeriodFor('monthly', '2026-06-15')).toBeUndefined();
    expect(digestPeriodFor('monthly', '2026-06-30')).toBeUndefined();
    expect(digestPeriodFor('monthly', '2026-06-02')).toBeUndefined();
    // A Monday is no monthly digest day, and the 1st no weekly one (1 Jul 2026 is a Wednesday).
    expect(digestPeriodFor('monthly', '2026-07-06')).toBeUndefined();
    expect(digestPeriodFor('weekly', '2026-07-01')).toBeUndefined();
    for (const date of ['2026-06-16', '2026-06-17', '2026-06-18', '2026-06-19', '2026-06-20', '2026-06-21']) {
      expect(digestPeriodFor('weekly', date)).toBeUndefined();
    }
  });
});

describe('keys, escaping, header safety', () => {
  it('escapeHtml escapes & < > " \'', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('keys encode their components so they stay unambiguous', () => {
    expect(emailKey('partnerDigest', 'plan-1', 'P01', '2026-06')).toBe('partnerDigest:plan-1:P01:2026-06');
    expect(emailKey('dueSoon', 'a:b', 'c')).not.toBe(emailKey('dueSoon', 'a', 'b:c'));
    expect(emailKey('overdue', 'p/1', 'x:y', '2026-01-01')).toBe('overdue:p%2F1:x%3Ay:2026-01-01');
    expect(emailKey('overdue', 'p/1', 'x:y', '2026-01-01')).not.toContain('/');
  });

  it('oneLine and cleanAddresses keep headers to one line of bare addresses', () => {
    expect(oneLine(' a\r\nBcc:\tx\u2028y\u0000 ')).toBe('a Bcc: x y');
    expect(
      cleanAddresses(['a@x.cn', 'A@X.cn', ' b@x.cn\n', 'c@x.cn\r\nBcc: d@evil.cn', 'e@x.cn'], ['e@x.cn']),
    ).toEqual(['a@x.cn', 'b@x.cn']);
  });
});

describe('renderPartnerDigest (small model)', () => {
  const { planId, model, stats } = context();
  const digest = renderPartnerDigest({ planId, model, stats, partnerId: 'P01', period: JUNE });

  it('names the community, the period and the partner; goes to its emails', () => {
    expect(digest.kind).toBe('partnerDigest');
    expect(digest.subject).toBe('【幸福社区】2026年6月共建工作月报 · 第一中学');
    expect(digest.to).toEqual(['a@example.cn']);
    expect(digest.cc).toEqual([]);
    expect(digest.key).toBe('partnerDigest:plan-1:P01:2026-06');
    expect(digest.partnerId).toBe('P01');
    expectDocument(digest);
  });

  it('lists the done activities with the partner dated in the period, and no others', () => {
    for (const part of [digest.text, digest.html]) {
      expect(part).toContain('2026-06-03');
      expect(part).toContain('购置电脑首批');
      expect(part).not.toContain('五月文明课');
      expect(part).not.toContain('七月文明课');
      expect(part).not.toContain('取消的活动');
    }
    expect(digest.text).toContain(`六月${SCRIPT}文明课`);
    expect(digest.text).toMatch(/2026-06-03 +六月<script>alert\(1\)<\/script>文明课 +20 +40/);
    expect(digest.text).toContain('本期共建活动（2 次）');
  });

  it('lists the shared non-cancelled measures with progress and status labels', () => {
    expect(digest.text).toMatch(/M1 +文明礼仪进校园 +3 \/ 4 次 +75% +进度滞后/);
    expect(digest.text).toMatch(/M2 +购置办公电脑 +10,000 \/ 30,000 元 +33\.3% +已逾期/);
    expect(digest.text).not.toContain('已取消的事项');
    expect(digest.html).toContain('进度滞后');
    expect(digest.html).toContain('已逾期');
  });

  it('lists what falls due in the 30 days after the period, and planned activities', () => {
    expect(digest.text).toContain('近期到期事项（2026-07-01 至 2026-07-30）');
    expect(digest.text).toMatch(/M1 +文明礼仪进校园 +2026-07-05 +75% +刘洋/);
    expect(digest.text).toMatch(/2026-07-10 +暑期计划活动 +社区广场/);
  });

  it('escapes sheet values in the HTML and keeps them as text in the plain part', () => {
    const p02 = renderPartnerDigest({ planId, model, stats, partnerId: 'P02', period: JUNE });
    expect(p02.subject).toBe(`【幸福社区】2026年6月共建工作月报 · 星光${SCRIPT}企业`);
    expect(p02.html).not.toContain('<script');
    expect(p02.html).toContain('星光&lt;script&gt;alert(1)&lt;/script&gt;企业');
    expect(p02.html).toContain('六月&lt;script&gt;alert(1)&lt;/script&gt;文明课');
    expect(p02.text).toContain(`星光${SCRIPT}企业：您好！`);
    expect(p02.text).toContain(`六月${SCRIPT}文明课`);
    // The milestone done is listed, M2 (not shared) is not.
    expect(p02.text).toMatch(/M4 +成立领导小组 +已完成 +100% +已完成/);
    expect(p02.text).not.toContain('购置办公电脑');
  });

  it('never lets CR/LF from a name or an address reach the subject or recipients', () => {
    const p05 = renderPartnerDigest({ planId, model, stats, partnerId: 'P05', period: JUNE });
    expectHeaderSafe(p05);
    expect(p05.subject).toBe('【幸福社区】2026年6月共建工作月报 · Evil Bcc: x@evil.cn');
    expect(p05.to).toEqual(['e@example.cn']);
    expect(p05.text).toContain('本期暂无与贵单位共同开展的活动记录。');
  });

  it('weekly digests are 周报 with the week in the subject and key', () => {
    const week = digestPeriodFor('weekly', '2026-06-08') as DigestPeriod;
    const weekly = renderPartnerDigest({ planId, model, stats, partnerId: 'P01', period: week });
    expect(weekly.subject).toBe('【幸福社区】2026年6月1日—7日共建工作周报 · 第一中学');
    expect(weekly.key).toBe('partnerDigest:plan-1:P01:2026-W23');
    expect(weekly.text).toContain('2026-06-03');
    expect(weekly.text).not.toContain('购置电脑首批');
  });

  it('keys are stable and distinct per partner and period', () => {
    const again = renderPartnerDigest({ planId, model, stats, partnerId: 'P01', period: JUNE });
    expect(again).toEqual(digest);
    const may = digestPeriodFor('monthly', '2026-06-01') as DigestPeriod;
    const keys = new Set([
      digest.key,
      renderPartnerDigest({ planId, model, stats, partnerId: 'P02', period: JUNE }).key,
      renderPartnerDigest({ planId, model, stats, partnerId: 'P01', period: may }).key,
      renderPartnerDigest({ planId: 'plan-2', model, stats, partnerId: 'P01', period: JUNE }).key,
    ]);
    expect(keys.size).toBe(4);
  });

  it('an unknown partner is an error', () => {
    expect(() => renderPartnerDigest({ planId, model, stats, partnerId: 'P99', period: JUNE })).toThrow(
      RangeError,
    );
  });
});

describe('renderLeaderSummary (small model)', () => {
  const { planId, model, stats } = context();
  const summary = renderLeaderSummary({ planId, model, stats, period: JUNE });

  it('names the community and period; goes to the leaders', () => {
    expect(summary.kind).toBe('leaderSummary');
    expect(summary.subject).toBe('【幸福社区】2026年6月共建工作月报（领导摘要）');
    expect(summary.to).toEqual(['lead1@example.cn', 'lead2@example.cn']);
    expect(summary.cc).toEqual([]);
    expect(summary.key).toBe('leaderSummary:plan-1:2026-06');
    expect(summary.partnerId).toBeUndefined();
    expectDocument(summary);
  });

  it('gives plan completion: rate, average progress, status counts', () => {
    // M1 behind, M2 overdue, M3 cancelled, M4 done, M5 behind: 1 of 4 done.
    expect(summary.text).toMatch(/事项总数： +5 项/);
    expect(summary.text).toMatch(/完成率： +25%/);
    // Mean of 0.75, 1/3, 1, 0 over the four non-cancelled measures.
    expect(summary.text).toMatch(/平均进度： +52\.1%/);
    expect(summary.text).toContain('已完成 1、已逾期 1、进度滞后 2、正常推进 0、未开始 0、已取消 1');
  });

  it('has the by-category table with a total row', () => {
    // 文明共创: M1 behind (75%), M3 cancelled, M5 behind (0%).
    expect(summary.text).toMatch(/文明共创 +3 +0 +0 +2 +0% +37\.5%/);
    expect(summary.text).toMatch(/实事共办 +1 +0 +1 +0 +0% +33\.3%/);
    expect(summary.text).toMatch(/组织保障 +1 +1 +0 +0 +100% +100%/);
    expect(summary.text).toMatch(/合计 +5 +1 +1 +2 +25% +52\.1%/);
  });

  it('lists overdue, behind and stale partners as the attention tab does, without due-soon rows', () => {
    expect(summary.text).toMatch(/已逾期 +M2 +购置办公电脑 +李明 +2026-06-20 +逾期 11 天/);
    expect(summary.text).toMatch(/进度滞后 +M5 +无邮箱的事项 +赵敏 +2026-07-03/);
    expect(summary.text).toMatch(/进度滞后 +M1 +文明礼仪进校园/);
    expect(summary.text).not.toContain('即将到期');
    // P04 and P05 have no activity at all; P03 is inactive, never stale.
    expect(summary.text).toMatch(/失联单位 +P04 +无邮箱单位/);
    expect(summary.text).not.toMatch(/失联单位 +P03/);
    expect(summary.html).toContain('失联单位');
    expect(summary.html).not.toContain('<script');
  });

  it("gives the period's totals beside the year's", () => {
    // June: 6-03 (20 people, 40 h) and 6-30 (5 beneficiaries, 10,000 yuan); year to 1 Jul: 4 done.
    expect(summary.text).toMatch(/活动次数 +2 +4/);
    expect(summary.text).toMatch(/参与人数 +20 +20/);
    expect(summary.text).toMatch(/受益人数 +5 +5/);
    expect(summary.text).toMatch(/服务时长（小时） +40 +40/);
    expect(summary.text).toMatch(/投入资金（元） +10,000 +10,000/);
  });

  it('falls back to the sender name, then 社区, without a community name', () => {
    const { model: m } = context();
    const noCommunity = { ...m, settings: { ...m.settings, community: undefined } } as unknown as PlanModel;
    expect(renderLeaderSummary({ planId, model: noCommunity, stats, period: JUNE }).subject).toBe(
      '【幸福社区居委会】2026年6月共建工作月报（领导摘要）',
    );
  });

  it('shows the evidence coverage (issue 20), a dash for statistics stored before it existed', () => {
    const { withEvidence, evidenceCoverage, activities } = stats.plan;
    expect(summary.text).toContain(`佐证覆盖率`);
    expect(summary.text).toContain(`（${withEvidence}/${activities} 项已完成活动有佐证）`);
    expect(evidenceCoverage).toBe(activities === 0 ? 0 : withEvidence / activities);
    const { withEvidence: _w, evidenceCoverage: _c, ...older } = stats.plan;
    const old = renderLeaderSummary({
      planId,
      model,
      stats: { ...stats, plan: older as typeof stats.plan },
      period: JUNE,
    });
    expect(old.text).toMatch(/佐证覆盖率：\s*—/);
  });

  it('keeps an injected community name to one line', () => {
    const evil = { ...model, settings: { ...model.settings, community: `幸福\r\nBcc: x@evil.cn${SCRIPT}` } };
    const email = renderLeaderSummary({ planId, model: evil, stats, period: JUNE });
    expectHeaderSafe(email);
    expect(email.html).not.toContain('<script');
    expect(email.html).toContain('&lt;script&gt;');
  });
});

describe('renderDueSoon and renderOverdue (small model)', () => {
  const { planId, model, stats } = context();

  it('a due-soon reminder goes to the owner and says what is due when', () => {
    const email = renderDueSoon({ planId, model, stats, measureId: 'M1', asOf: '2026-07-01' });
    expect(email.kind).toBe('dueSoon');
    expect(email.key).toBe('dueSoon:plan-1:M1:2026-07-05');
    expect(email.measureId).toBe('M1');
    expect(email.to).toEqual(['liu@example.cn']);
    expect(email.cc).toEqual([]);
    // Due Sunday 5 July: Thursday and Friday are the working days left after Wednesday the 1st.
    expect(email.subject).toBe('【幸福社区】共建事项到期提醒 · M1 文明礼仪进校园（还有 2 个工作日）');
    expectDocument(email);
    expect(email.text).toMatch(/事项编号： +M1/);
    expect(email.text).toMatch(/责任人： +刘洋/);
    expect(email.text).toMatch(/截止日期： +2026-07-05/);
    expect(email.text).toMatch(/剩余时间： +2 个工作日（4 天）/);
    expect(email.text).toMatch(/完成情况： +3 \/ 4 次/);
    expect(email.text).toMatch(/进度： +75%/);
    expect(email.text).toMatch(/共建单位： +第一中学、星光<script>alert\(1\)<\/script>企业/);
    expect(email.html).toContain('星光&lt;script&gt;');
    expect(email.html).not.toContain('<script');
  });

  it('a measure without a due date is due on 31 December of the plan year', () => {
    const email = renderDueSoon({ planId, model, stats, measureId: 'M4', asOf: '2026-12-30' });
    expect(email.key).toBe('dueSoon:plan-1:M4:2026-12-31');
    expect(email.text).toMatch(/剩余时间： +1 个工作日（1 天）/);
    expect(email.to).toEqual([]);
  });

  it('an overdue notice goes to the owner with the leaders in cc', () => {
    const email = renderOverdue({ planId, model, stats, measureId: 'M2', asOf: '2026-07-01' });
    expect(email.kind).toBe('overdue');
    expect(email.key).toBe('overdue:plan-1:M2:2026-06-20');
    expect(email.to).toEqual(['li@example.cn']);
    expect(email.cc).toEqual(['lead1@example.cn', 'lead2@example.cn']);
    expect(email.subject).toBe('【幸福社区】共建事项逾期通知 · M2 购置办公电脑（已逾期 11 天）');
    expect(email.text).toMatch(/逾期天数： +11 天/);
    expect(email.text).toMatch(/完成情况： +10,000 \/ 30,000 元/);
    expect(email.text).toMatch(/进度： +33\.3%/);
    expect(email.text).toMatch(/当前状态： +已逾期/);
    expect(email.text).toMatch(/共建单位： +第一中学/);
    expectDocument(email);
  });

  it('an owner who is also a leader is not copied twice', () => {
    const { model: m, stats: s } = context('2026-07-01', {
      leaderEmails: ['LI@example.cn', 'lead2@example.cn'],
    });
    expect(renderOverdue({ planId, model: m, stats: s, measureId: 'M2', asOf: '2026-07-01' }).cc).toEqual([
      'lead2@example.cn',
    ]);
  });

  it('CR/LF in a measure title or owner email never reaches the headers', () => {
    const evil: PlanModel = {
      ...model,
      measures: model.measures.map((m) =>
        m.measureId === 'M2'
          ? { ...m, title: `电脑\r\nBcc: x@evil.cn`, ownerEmail: 'li@example.cn\nBcc: x@evil.cn' }
          : m,
      ),
    };
    const email = renderOverdue({ planId, model: evil, stats, measureId: 'M2', asOf: '2026-07-01' });
    expectHeaderSafe(email);
    expect(email.to).toEqual([]);
    expect(email.subject).toContain('电脑 Bcc: x@evil.cn');
  });

  it('keys are distinct per measure and due date, and IDs with : or / stay unambiguous', () => {
    const odd: PlanModel = {
      ...model,
      measures: [...model.measures, measure({ measureId: 'M2:2026-06-20', due: '2026-07-01' })],
    };
    const s = computeStats(odd, '2026-07-01');
    const a = renderOverdue({ planId: 'p', model: odd, stats: s, measureId: 'M2', asOf: '2026-07-01' });
    const b = renderDueSoon({
      planId: 'p',
      model: odd,
      stats: s,
      measureId: 'M2:2026-06-20',
      asOf: '2026-07-01',
    });
    expect(b.key).toBe('dueSoon:p:M2%3A2026-06-20:2026-07-01');
    expect(b.key.split(':')).toHaveLength(4);
    expect(a.key).not.toBe(b.key.replace('dueSoon', 'overdue'));
    const later: PlanModel = {
      ...model,
      measures: model.measures.map((m) => (m.measureId === 'M2' ? { ...m, due: '2026-08-31' } : m)),
    };
    expect(renderDueSoon({ planId, model: later, stats, measureId: 'M2', asOf: '2026-08-30' }).key).toBe(
      'dueSoon:plan-1:M2:2026-08-31',
    );
  });
});

describe('plannedEmails (small model)', () => {
  it('on the 1st: digests for active partners with email, the leader summary and reminders', () => {
    const { planId, model, stats } = context('2026-07-01');
    const { emails, skipped } = plannedEmails({ planId, model, stats, date: '2026-07-01' });
    expect(emails.map((e) => e.key)).toEqual([
      'partnerDigest:plan-1:P01:2026-06',
      'partnerDigest:plan-1:P02:2026-06',
      'partnerDigest:plan-1:P05:2026-06',
      'leaderSummary:plan-1:2026-06',
      'dueSoon:plan-1:M1:2026-07-05',
      'overdue:plan-1:M2:2026-06-20',
    ]);
    // P03 inactive, P04 without email; M5 due soon but its owner has no email.
    expect(skipped).toEqual({ inactivePartners: 1, partnersWithoutEmail: 1, measuresWithoutOwnerEmail: 1 });
    for (const email of emails) expectHeaderSafe(email);
    expect(new Set(emails.map((e) => e.key)).size).toBe(emails.length);
  });

  it('on another day: reminders only, nothing skipped for digests', () => {
    const { planId, model, stats } = context('2026-07-02');
    const { emails, skipped } = plannedEmails({ planId, model, stats, date: '2026-07-02' });
    expect(emails.map((e) => e.key)).toEqual([
      'dueSoon:plan-1:M1:2026-07-05',
      'overdue:plan-1:M2:2026-06-20',
    ]);
    expect(skipped).toEqual({ inactivePartners: 0, partnersWithoutEmail: 0, measuresWithoutOwnerEmail: 1 });
  });

  it('on a Monday with weekly digests: the previous week; monthly plans send none', () => {
    const weekly = context('2026-07-06', { digestFrequency: 'weekly' });
    const run = plannedEmails({ ...weekly, date: '2026-07-06' });
    expect(run.emails.filter((e) => e.kind === 'partnerDigest').map((e) => e.key)).toEqual([
      'partnerDigest:plan-1:P01:2026-W27',
      'partnerDigest:plan-1:P02:2026-W27',
      'partnerDigest:plan-1:P05:2026-W27',
    ]);
    const leader = run.emails.find((e) => e.kind === 'leaderSummary');
    expect(leader?.subject).toBe('【幸福社区】2026年6月29日—7月5日共建工作周报（领导摘要）');
    expect(leader?.key).toBe('leaderSummary:plan-1:2026-W27');
    expect(run.skipped.inactivePartners).toBe(1);
    expect(run.skipped.partnersWithoutEmail).toBe(1);
    // M1 (due 5 Jul) is now overdue too.
    expect(run.emails.filter((e) => e.kind === 'overdue').map((e) => e.measureId)).toEqual(['M1', 'M2']);

    const monthly = context('2026-07-06');
    const none = plannedEmails({ ...monthly, date: '2026-07-06' });
    expect(none.emails.some((e) => e.kind === 'partnerDigest' || e.kind === 'leaderSummary')).toBe(false);
  });

  it('no leader summary without leader emails; no digests of a month outside the plan year', () => {
    const noLeaders = context('2026-07-01', { leaderEmails: [] });
    expect(
      plannedEmails({ ...noLeaders, date: '2026-07-01' }).emails.some((e) => e.kind === 'leaderSummary'),
    ).toBe(false);
    const january = context('2026-01-01');
    const run = plannedEmails({ ...january, date: '2026-01-01' });
    expect(run.emails.some((e) => e.kind === 'partnerDigest' || e.kind === 'leaderSummary')).toBe(false);
    expect(run.skipped.inactivePartners).toBe(0);
    // 2027 is not in the calendar package yet: New Year's Day is still a day off (a fixed
    // statutory holiday), so December's digests go out on Monday 4 January, flagged as estimated.
    const newYear = plannedEmails({ ...context('2027-01-01'), date: '2027-01-01' });
    expect(newYear.emails.some((e) => e.kind === 'leaderSummary')).toBe(false);
    expect(newYear.unknownCalendarYears).toEqual([2027]);
    const nextYear = plannedEmails({ ...context('2027-01-04'), date: '2027-01-04' });
    expect(nextYear.emails.map((e) => e.key)).toContain('leaderSummary:plan-1:2026-12');
    expect(nextYear.unknownCalendarYears).toEqual([2027]);
  });

  it('done and cancelled measures get no reminder', () => {
    const { planId, model, stats } = context('2026-12-28');
    const keys = plannedEmails({ planId, model, stats, date: '2026-12-28' }).emails.map((e) => e.key);
    // M3 (cancelled) and M4 (done) are due 31 Dec, within 7 days: neither is reminded.
    expect(keys.some((key) => key.includes(':M3:') || key.includes(':M4:'))).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The mainland calendar (§7): reminders before a holiday, digests after it, keys unchanged

describe('plannedEmails on the mainland calendar', () => {
  /**
   * The small model, reminding 3 days ahead, plus measures due around National Day 2026 (1–7 Oct;
   * Saturday 10 Oct worked).
   */
  function holidayModel(overrides: Partial<Settings> = {}): PlanModel {
    const base = smallModel({ reminderDays: 3, ...overrides });
    const owned = (measureId: string, due: string) =>
      measure({ measureId, title: `${due} 到期`, owner: '王芳', ownerEmail: 'wang@example.cn', due });
    return {
      ...base,
      measures: [
        ...base.measures,
        owned('H1', '2026-10-05'), // due on a holiday, 3 days before is one too
        owned('H2', '2026-10-08'), // due the first working day after it
        owned('H3', '2026-10-13'), // 3 days before is the make-up Saturday
      ],
    };
  }

  function run(date: string, overrides: Partial<Settings> = {}) {
    const model = holidayModel(overrides);
    return plannedEmails({ planId: 'plan-1', model, stats: computeStats(model, date), date });
  }

  const remindedOn = (date: string) =>
    run(date)
      .emails.filter((e) => e.kind === 'dueSoon')
      .map((e) => e.key);

  it('a reminder whose day falls in a holiday goes out on the working day before it', () => {
    expect(remindedOn('2026-09-29')).toEqual([]);
    expect(remindedOn('2026-09-30')).toEqual([
      'dueSoon:plan-1:H1:2026-10-05',
      'dueSoon:plan-1:H2:2026-10-08',
    ]);
    for (const day of ['01', '02', '03', '04', '05', '06', '07']) {
      expect(remindedOn(`2026-10-${day}`), day).toEqual([]);
    }
    // The same key on the following working day: a second run of the window queues nothing new.
    expect(remindedOn('2026-10-08')).toEqual(['dueSoon:plan-1:H2:2026-10-08']);
  });

  it('a make-up Saturday is a working day: the reminder goes out on it, not the day before', () => {
    expect(remindedOn('2026-10-09')).not.toContain('dueSoon:plan-1:H3:2026-10-13');
    const saturday = run('2026-10-10').emails.find((e) => e.measureId === 'H3') as RenderedEmail;
    expect(saturday.key).toBe('dueSoon:plan-1:H3:2026-10-13');
    // Monday 12 and Tuesday 13 October are left after the Saturday.
    expect(saturday.subject).toContain('（还有 2 个工作日）');
    expect(saturday.text).toMatch(/剩余时间： +2 个工作日（3 天）/);
  });

  it('a monthly digest on National Day goes out on the next working day, with the same key', () => {
    for (const day of ['01', '02', '03', '04', '05', '06', '07']) {
      expect(
        run(`2026-10-${day}`).emails.filter((e) => e.kind !== 'overdue'),
        day,
      ).toEqual([]);
    }
    const digests = run('2026-10-08').emails.filter(
      (e) => e.kind === 'partnerDigest' || e.kind === 'leaderSummary',
    );
    expect(digests.map((e) => e.key)).toEqual([
      'partnerDigest:plan-1:P01:2026-09',
      'partnerDigest:plan-1:P02:2026-09',
      'partnerDigest:plan-1:P05:2026-09',
      'leaderSummary:plan-1:2026-09',
    ]);
    expect(digests[0]?.subject).toBe('【幸福社区】2026年9月共建工作月报 · 第一中学');
    expect(run('2026-10-09').emails.some((e) => e.kind === 'partnerDigest')).toBe(false);
  });

  it('after the Spring Festival a weekly plan sends the digests of both Mondays it covered', () => {
    // 15–23 February 2026 are days off, Mondays 16 and 23 among them.
    expect(run('2026-02-23', { digestFrequency: 'weekly' }).emails).toEqual([]);
    const keys = run('2026-02-24', { digestFrequency: 'weekly' })
      .emails.filter((e) => e.kind === 'leaderSummary')
      .map((e) => e.key);
    expect(keys).toEqual(['leaderSummary:plan-1:2026-W07', 'leaderSummary:plan-1:2026-W08']);
  });

  it('over the weeks around the holiday, each digest is planned on one day and no reminder on a day off', () => {
    const days = new Map<string, string[]>();
    for (let day = dayOf('2026-09-21'); day <= dayOf('2026-10-20'); day += 1) {
      const date = isoOf(day);
      for (const email of run(date).emails) {
        if (email.kind === 'dueSoon') expect(isWorkday(date), `${email.key} on ${date}`).toBe(true);
        days.set(email.key, [...(days.get(email.key) ?? []), date]);
      }
    }
    expect(days.get('partnerDigest:plan-1:P01:2026-09')).toEqual(['2026-10-08']);
    expect(days.get('leaderSummary:plan-1:2026-09')).toEqual(['2026-10-08']);
    expect(days.get('dueSoon:plan-1:H1:2026-10-05')).toEqual(['2026-09-30']);
  });
});

// ---------------------------------------------------------------------------------------------
// The sample workbook

describe('the sample workbook', () => {
  function sample(asOf: string) {
    const { model } = validateWorkbook(sampleWorkbook(2026, asOf), { asOf });
    return { planId: 'sample', model, stats: computeStats(model, asOf) };
  }

  it('on 1 July: a June digest for every active partner with email and the leader summary', () => {
    const ctx = sample('2026-07-01');
    const { emails, skipped } = plannedEmails({ ...ctx, date: '2026-07-01' });
    const digests = emails.filter((e) => e.kind === 'partnerDigest');
    // P08 has no email, P11 has left.
    expect(digests.map((e) => e.partnerId)).toEqual([
      'P01',
      'P02',
      'P03',
      'P04',
      'P05',
      'P06',
      'P07',
      'P09',
      'P10',
    ]);
    expect(skipped.inactivePartners).toBe(1);
    expect(skipped.partnersWithoutEmail).toBe(1);

    const p06 = digests.find((e) => e.partnerId === 'P06') as RenderedEmail;
    expect(p06.subject).toBe('【xx社区】2026年6月共建工作月报 · 第一中学');
    expect(p06.to).toEqual(['yizhong@example.cn']);
    expect(p06.text).toContain('第二季度共建联席会议');
    expect(p06.text).not.toContain('第一中学学生陪伴空巢老人'); // 24 April
    expect(p06.text).toMatch(/2\.1 +开展文明礼仪进社区、进校园教育 .*进度滞后/);
    expect(p06.text).toMatch(/3\.3 +召开共建联席会议.* 2 \/ 4 个周期达标（每季度） +50% +正常推进/);
    expect(p06.text).not.toContain('3.5'); // cancelled
    expectDocument(p06);

    const p04 = digests.find((e) => e.partnerId === 'P04') as RenderedEmail;
    expect(p04.to).toEqual(['fengtao@example.com', 'dangban@example.com']);

    const leader = emails.find((e) => e.kind === 'leaderSummary') as RenderedEmail;
    expect(leader.subject).toBe('【xx社区】2026年6月共建工作月报（领导摘要）');
    expect(leader.to).toEqual(['zhanglihua@example.cn', 'liming@example.com']);
    expect(leader.text).toMatch(/失联单位 +P08 +xx村/);
    expect(leader.text).toContain('组织保障');
    expectDocument(leader);
  });

  it('on 2 November: the milestone due 31 October is overdue, the owner told and the leaders copied', () => {
    // 1 November 2026 is a Sunday: October's digests go out on Monday the 2nd.
    const ctx = sample('2026-11-02');
    const { emails } = plannedEmails({ ...ctx, date: '2026-11-02' });
    const overdue = emails.find((e) => e.kind === 'overdue' && e.measureId === '4.3') as RenderedEmail;
    expect(overdue.key).toBe('overdue:sample:4.3:2026-10-31');
    expect(overdue.to).toEqual(['chenjianguo@example.cn']);
    expect(overdue.cc).toEqual(['zhanglihua@example.cn', 'liming@example.com']);
    expect(overdue.subject).toBe('【xx社区】共建事项逾期通知 · 4.3 老年活动室加层改造（已逾期 2 天）');
    expect(overdue.text).toMatch(/完成情况： +未完成/);
    expect(overdue.text).toMatch(/共建单位： +区住建局、xx街道办事处/);

    const leader = emails.find((e) => e.kind === 'leaderSummary') as RenderedEmail;
    expect(leader.text).toMatch(/已逾期 +4\.3 +老年活动室加层改造/);
    expect(leader.key).toBe('leaderSummary:sample:2026-10');
  });

  it('on 28 December: reminders for the measures still open at the year end, none for done ones', () => {
    const ctx = sample('2026-12-28');
    const { emails } = plannedEmails({ ...ctx, date: '2026-12-28' });
    const dueSoon = emails.filter((e) => e.kind === 'dueSoon');
    // Due 31 Dec by default: 3.3 (the Q4 meeting is only planned) and 4.4 are open; the rest done.
    expect(dueSoon.map((e) => e.key)).toEqual([
      'dueSoon:sample:3.3:2026-12-31',
      'dueSoon:sample:4.4:2026-12-31',
    ]);
    const meeting = dueSoon[0] as RenderedEmail;
    expect(meeting.to).toEqual(['zhanglihua@example.cn']);
    expect(meeting.cc).toEqual([]);
    expect(meeting.subject).toMatch(
      /^【xx社区】共建事项到期提醒 · 3\.3 召开共建联席会议.*（还有 3 个工作日）$/,
    );
    expect(meeting.text).toMatch(/完成情况： +\d \/ 4 个周期达标（每季度）/);
    expect(meeting.text).toMatch(/未达标周期： +2026-Q3/);
    // The same run twice plans the same emails.
    expect(plannedEmails({ ...ctx, date: '2026-12-28' })).toEqual(
      plannedEmails({ ...ctx, date: '2026-12-28' }),
    );
  });

  it('every planned email of a year is header-safe, complete, and keyed once per run', () => {
    const seen = new Map<string, RenderedEmail>();
    for (const date of ['2026-02-01', '2026-05-01', '2026-09-01', '2026-11-01', '2026-12-01', '2026-12-28']) {
      const { emails } = plannedEmails({ ...sample(date), date });
      expect(new Set(emails.map((e) => e.key)).size).toBe(emails.length);
      for (const email of emails) {
        expectHeaderSafe(email);
        expectDocument(email);
        expect(email.to.length).toBeGreaterThan(0);
        // A key seen on an earlier day can only be a notice about the same measure and due date,
        // planned again while it stays overdue: the queue keeps the first one.
        const earlier = seen.get(email.key);
        if (earlier) {
          expect(email.kind).toBe('overdue');
          expect(earlier.measureId).toBe(email.measureId);
        }
        seen.set(email.key, email);
      }
    }
    expect(seen.size).toBeGreaterThan(20);
  });
});
