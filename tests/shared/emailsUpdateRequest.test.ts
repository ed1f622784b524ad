/**
 * Update links in emails (§7, §9): the updateRequest email (recipients, key, escaping, the staff's
 * message, the due date, the measures in scope) and the 「填报活动 / 更新进展」 button in partner
 * digests, due-soon reminders and overdue notices; what a run plans before any link is minted.
 * 2026-07-01 is the 1st (a digest day) with M1 due soon and M2 overdue.
 */
import { describe, expect, it } from 'vitest';
import {
  type LinkRecipient,
  ownerRecipient,
  partnerRecipient,
  type RenderedEmail,
  UPDATE_BUTTON_LABEL,
} from '../../shared/emails/email';
import { safeLinkUrl } from '../../shared/emails/layout';
import { planEmails, plannedEmails } from '../../shared/emails/plan';
import { renderUpdateRequest, updateRequestKey } from '../../shared/emails/updateRequest';
import type { PlanModel } from '../../shared/model';
import { computeStats } from '../../shared/stats';
import { activity, measure, partner, settings } from '../support/model';

const SCRIPT = '<script>alert(1)</script>';
const LINK = 'https://form.example.cn/r/AbC_123-xyz';

function model(): PlanModel {
  return {
    settings: settings({ community: '幸福社区', leaderEmails: ['lead@example.cn'] }),
    partners: [
      partner({
        partnerId: 'P01',
        name: '第一中学',
        contact: '王老师',
        emails: ['a@example.cn', 'a2@example.cn'],
      }),
      partner({ partnerId: 'P02', name: `星光${SCRIPT}企业`, emails: ['b@example.cn'] }),
      partner({ partnerId: 'P03', name: '无邮箱单位', emails: [] }),
    ],
    measures: [
      measure({
        measureId: 'M1',
        title: `文明礼仪${SCRIPT}进校园`,
        owner: '刘洋',
        ownerEmail: 'Liu@example.cn',
        partners: ['P01', 'P02'],
        target: 4,
        due: '2026-07-05',
      }),
      measure({
        measureId: 'M2',
        title: '购置办公电脑',
        owner: '李明',
        ownerEmail: 'li@example.cn',
        partners: ['P01'],
        due: '2026-06-20',
      }),
      measure({ measureId: 'M3', title: '刘洋的第二件事', ownerEmail: 'liu@example.cn', due: '2026-11-30' }),
      measure({ measureId: 'M4', title: '已取消', ownerEmail: 'liu@example.cn', state: 'cancelled' }),
    ],
    activities: [activity({ date: '2026-06-03', measureId: 'M1', partners: ['P01'], title: '六月文明课' })],
  };
}

function context() {
  const m = model();
  return { planId: 'plan-1', model: m, stats: computeStats(m, '2026-07-01') };
}

const owner: LinkRecipient = { kind: 'owner', email: 'liu@example.cn', name: '刘洋' };
const school: LinkRecipient = { kind: 'partner', partnerId: 'P01', email: 'a@example.cn', name: '王老师' };

/** The button's href and the address written out under it, both present and escaped once. */
function expectButton(email: RenderedEmail, link: string): void {
  expect(email.html).toContain(`<a href="${link}" target="_blank"`);
  expect(email.html).toContain(`>${UPDATE_BUTTON_LABEL}</a>`);
  expect(email.text).toContain(`${UPDATE_BUTTON_LABEL}：\n${link}`);
}

describe('renderUpdateRequest', () => {
  it('to an owner: their address, the measures they own (not cancelled), the button, the message and due date', () => {
    const email = renderUpdateRequest({
      ...context(),
      recipient: owner,
      requestId: 'req-0001',
      updateLink: LINK,
      validDays: 30,
      message: '请补填六月的活动',
      due: { date: '2026-07-10' },
    });
    expect(email.kind).toBe('updateRequest');
    expect(email.to).toEqual(['liu@example.cn']);
    expect(email.cc).toEqual([]);
    expect(email.key).toBe('updateRequest:plan-1:owner%2Fliu%40example.cn:req-0001');
    expect(email.subject).toBe('【幸福社区】请填报共建活动和事项进展（7月10日前）');
    expectButton(email, LINK);
    expect(email.text).toContain('刘洋：您好！');
    expect(email.text).toContain('请补填六月的活动');
    expect(email.text).toContain('请于 2026-07-10 前完成填报。');
    expect(email.text).toContain('链接 30 天内有效');
    // M1 (its owner's address in other case) and M3; M2 is another owner's, M4 cancelled.
    expect(email.text).toContain('可填报的共建事项（2 项）');
    expect(email.text).toContain('M3');
    expect(email.text).not.toContain('购置办公电脑');
    expect(email.text).not.toContain('已取消');
    expect(email.recipient).toEqual(owner);
  });

  it('to a partner: every address of the unit, its shared measures, its name in the subject', () => {
    const email = renderUpdateRequest({
      ...context(),
      recipient: school,
      requestId: 'r1',
      updateLink: LINK,
      validDays: 7,
    });
    expect(email.to).toEqual(['a@example.cn', 'a2@example.cn']);
    expect(email.key).toBe('updateRequest:plan-1:partner%2FP01:r1');
    expect(email.subject).toBe('【幸福社区】请填报共建活动和事项进展 · 第一中学');
    expect(email.partnerId).toBe('P01');
    expect(email.text).toContain('第一中学：您好！');
    expect(email.text).toContain('可填报的共建事项（2 项）');
    expect(email.text).not.toContain('请于');
    expectButton(email, LINK);
  });

  it('a working-day label replaces the plain date', () => {
    const email = renderUpdateRequest({
      ...context(),
      recipient: school,
      requestId: 'r1',
      updateLink: LINK,
      validDays: 30,
      due: { date: '2026-12-04', label: '12月4日（还有 3 个工作日）' },
    });
    expect(email.text).toContain('请于 12月4日（还有 3 个工作日） 前完成填报。');
  });

  it('escapes every value: the message, partner names and measure titles never become markup', () => {
    const evil: LinkRecipient = { kind: 'partner', partnerId: 'P02', email: 'b@example.cn', name: SCRIPT };
    const email = renderUpdateRequest({
      ...context(),
      recipient: evil,
      requestId: 'r1',
      updateLink: LINK,
      validDays: 30,
      message: `${SCRIPT}\r\nBcc: x@evil.cn <a href="javascript:alert(1)">点我</a>`,
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('href="javascript');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.subject).not.toMatch(/[\r\n]/);
    // The message is one line in both parts.
    expect(email.text).toContain(`${SCRIPT} Bcc: x@evil.cn`);
  });

  it('the same request to the same person is one key; another request or person is another', () => {
    expect(updateRequestKey('p', owner, 'a')).toBe(
      updateRequestKey('p', { ...owner, email: 'LIU@example.cn' }, 'a'),
    );
    const keys = new Set([
      updateRequestKey('p', owner, 'a'),
      updateRequestKey('p', owner, 'b'),
      updateRequestKey('p', school, 'a'),
      updateRequestKey('q', owner, 'a'),
      updateRequestKey('p', { ...school, partnerId: 'P01:a' }, ''),
    ]);
    expect(keys.size).toBe(5);
  });

  it('a link that is not http(s) draws no button at all', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      'https://x.cn/"onclick="x',
      '/r/abc',
      'https://a b',
    ]) {
      expect(safeLinkUrl(bad)).toBeUndefined();
      const email = renderUpdateRequest({
        ...context(),
        recipient: owner,
        requestId: 'r',
        updateLink: bad,
        validDays: 1,
      });
      expect(email.html).not.toContain('<a href');
      expect(email.text).not.toContain(UPDATE_BUTTON_LABEL);
    }
    expect(safeLinkUrl(LINK)).toBe(LINK);
  });
});

describe('the update link in digests and reminders', () => {
  const { emails } = planEmails({ ...context(), date: '2026-07-01' });
  const byKey = new Map(emails.map((e) => [e.key, e]));

  it('a run plans each email with its key and the person its link is for, before rendering', () => {
    expect(emails.map((e) => [e.key, e.recipient?.email])).toEqual([
      ['partnerDigest:plan-1:P01:2026-06', 'a@example.cn'],
      ['partnerDigest:plan-1:P02:2026-06', 'b@example.cn'],
      ['leaderSummary:plan-1:2026-06', undefined],
      ['dueSoon:plan-1:M1:2026-07-05', 'Liu@example.cn'],
      ['overdue:plan-1:M2:2026-06-20', 'li@example.cn'],
    ]);
    expect(byKey.get('partnerDigest:plan-1:P01:2026-06')?.recipient).toEqual({
      kind: 'partner',
      partnerId: 'P01',
      email: 'a@example.cn',
      name: '王老师',
    });
    expect(byKey.get('overdue:plan-1:M2:2026-06-20')?.recipient).toEqual({
      kind: 'owner',
      email: 'li@example.cn',
      name: '李明',
    });
  });

  it.each([
    'partnerDigest:plan-1:P01:2026-06',
    'dueSoon:plan-1:M1:2026-07-05',
    'overdue:plan-1:M2:2026-06-20',
  ])('%s carries the button when rendered with a link, and is otherwise unchanged', (key) => {
    const planned = byKey.get(key);
    if (!planned) throw new Error(`not planned: ${key}`);
    const withLink = planned.render(LINK);
    const without = planned.render();
    expectButton(withLink, LINK);
    expect(without.html).not.toContain('<a href');
    expect(without.text).not.toContain(UPDATE_BUTTON_LABEL);
    expect(withLink.key).toBe(key);
    expect(withLink.subject).toBe(without.subject);
    expect(withLink.to).toEqual(without.to);
  });

  it('plannedEmails renders the same run without links (what `gongjian digest` shows)', () => {
    const rendered = plannedEmails({ ...context(), date: '2026-07-01' }).emails;
    expect(rendered.map((e) => e.key)).toEqual(emails.map((e) => e.key));
    expect(rendered.every((e) => !e.html.includes('<a href'))).toBe(true);
  });

  it('recipients: a partner by its first clean address, an owner by theirs; none without one', () => {
    const [school, , noEmail] = model().partners;
    const [m1] = model().measures;
    if (!school || !noEmail || !m1) throw new Error('model changed');
    expect(partnerRecipient(noEmail)).toBeUndefined();
    expect(partnerRecipient({ ...school, emails: ['bad address', 'ok@example.cn'] })?.email).toBe(
      'ok@example.cn',
    );
    const { ownerEmail: _, ...withoutEmail } = m1;
    expect(ownerRecipient(withoutEmail)).toBeUndefined();
  });
});
