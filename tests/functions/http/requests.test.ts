/**
 * Update links going out (§7, §9) against the Firestore emulator: `POST …/requests` queues one
 * updateRequest per person with a link that opens (verifyLink) in the person's scope, a retried
 * request queues and mints nothing, a request naming anyone unreachable sends nothing, only
 * editors may send or revoke, `POST …/requests/revoke` kills a person's links; and the scheduled
 * emails carry a link minted once per key — also when a concurrent run wins the create.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/src/clock';
import { parseConfig } from '../../../functions/src/config';
import { createApi } from '../../../functions/src/http/api';
import { AuthError, type Identity } from '../../../functions/src/http/auth';
import { mailDocId } from '../../../functions/src/mail/message';
import { queuePlannedEmails } from '../../../functions/src/mail/planned';
import { enqueueMail, type MailQueue } from '../../../functions/src/mail/queue';
import { verifyLink } from '../../../functions/src/requests/links';
import { enqueuePlanned } from '../../../functions/src/requests/send';
import { MAIL_COLLECTION } from '../../../functions/src/store/paths';
import { PlanStore } from '../../../functions/src/store/planStore';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { planEmails } from '../../../shared/emails/plan';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import { pinnedClock } from '../../support/clock';
import { useFirestoreEmulator } from '../../support/firestore';
import { type Answer, answerOf, apiRequest } from '../../support/http';

const handle = useFirestoreEmulator('requests', { reset: true });

const PLAN = 'xx-2026';
const EDITOR = 'liuyang@example.cn';
const STRANGER = 'stranger@example.cn';
const FORM = 'https://form.example.cn/f';
const NOW = new Date('2026-07-01T02:00:00Z');
const LINK = new RegExp(`${FORM.replace(/[./]/g, '\\$&')}/r/([A-Za-z0-9_-]{43})`);

async function verifyIdentity(header: string | undefined): Promise<Identity> {
  const email = /^Bearer (\S+@\S+)$/.exec(header ?? '')?.[1];
  if (!email) throw new AuthError('missing_token');
  return { email, viaDevToken: false };
}

/** The mail queue as the runtime builds it with GONGJIAN_FORM_URL set (or not). */
function queue(withForm = true): MailQueue {
  return {
    db: handle.firestore(),
    retentionMs: 86_400_000,
    ...(withForm && { links: { formUrl: FORM, now: () => NOW } }),
  };
}

async function post(
  path: string,
  body: unknown,
  caller: string,
  withForm = true,
  requestEmailsPerDay?: number,
): Promise<Answer> {
  const api = createApi({
    ...(requestEmailsPerDay !== undefined && { requestEmailsPerDay }),
    store: new PlanStore(handle.firestore()),
    verifyIdentity,
    admins: [],
    maxBodyBytes: 1 << 20,
    now: () => NOW,
    sleep: systemClock.sleep,
    mailQueue: queue(withForm),
  });
  return answerOf(api, apiRequest('POST', `/v1/plans/${PLAN}/${path}`, { body, caller }));
}

const mails = async () => (await handle.firestore().collection(MAIL_COLLECTION).get()).docs;
const links = async () => (await handle.firestore().collection('requestLinks').get()).docs;
const linkDeps = () => ({ db: handle.firestore(), now: () => NOW });

/** The token in a mail document's HTML and text (both must carry the same link). */
function tokenOf(data: FirebaseFirestore.DocumentData): string {
  const inHtml = LINK.exec(String(data.message.html))?.[1];
  const inText = LINK.exec(String(data.message.text))?.[1];
  expect(inHtml).toBeDefined();
  expect(inText).toBe(inHtml);
  return inHtml as string;
}

beforeEach(async () => {
  // The sample plan with 刘洋 among its editors (设置 → 编辑人员).
  const synced = await syncPlan(
    sampleWorkbook(2026, '2026-06-30'),
    { planId: PLAN, caller: EDITOR, now: NOW, existing: undefined, clock: pinnedClock(NOW) },
    new PlanStore(handle.firestore()),
  );
  expect(synced.applied).toBe(true);
});

describe('POST /v1/plans/{planId}/requests', () => {
  it('queues one updateRequest per person, each with its own link in the person’s scope', async () => {
    const answer = await post(
      'requests',
      {
        to: ['P04', 'chenjianguo@example.cn', 'P04'],
        message: '请补填六月活动',
        due: '2026-07-10',
        requestId: 'req-0001',
      },
      EDITOR,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body.requestId).toBe('req-0001');
    expect(answer.body.sent).toEqual([
      expect.objectContaining({
        kind: 'partner',
        partnerId: 'P04',
        to: ['fengtao@example.com', 'dangban@example.com'],
        duplicate: false,
      }),
      expect.objectContaining({
        kind: 'owner',
        email: 'chenjianguo@example.cn',
        to: ['chenjianguo@example.cn'],
        duplicate: false,
      }),
    ]);
    const docs = await mails();
    expect(docs).toHaveLength(2);
    expect((await links()).length).toBe(2);
    const byKind = new Map(docs.map((d) => [d.get('to')[0] as string, d.data()]));
    const partnerMail = byKind.get('fengtao@example.com');
    const ownerMail = byKind.get('chenjianguo@example.cn');
    if (!partnerMail || !ownerMail) throw new Error('mails missing');
    expect(partnerMail.gongjian.kind).toBe('updateRequest');
    expect(partnerMail.message.subject).toBe('【xx社区】请填报共建活动和事项进展（7月10日前） · xx供电公司');
    // Wednesday 1 July 2026 to Friday 10 July: the working days after today, in the body.
    expect(partnerMail.message.text).toContain('请于 7月10日（还有 7 个工作日） 前完成填报。');
    expect(partnerMail.message.text).toContain('请补填六月活动');

    const partnerLink = await verifyLink(linkDeps(), tokenOf(partnerMail));
    expect(partnerLink).toMatchObject({
      ok: true,
      link: { planId: PLAN, email: 'fengtao@example.com', scope: { kind: 'partner', partnerId: 'P04' } },
    });
    const ownerLink = await verifyLink(linkDeps(), tokenOf(ownerMail));
    expect(ownerLink).toMatchObject({
      ok: true,
      link: {
        email: 'chenjianguo@example.cn',
        name: '陈建国',
        scope: { kind: 'owner', ownerEmail: 'chenjianguo@example.cn' },
      },
    });
    // 30 days by default (设置 → 填报链接有效天数).
    if (!ownerLink.ok) throw new Error('owner link does not open');
    expect(ownerLink.link.expiresAt).toBe('2026-07-31T02:00:00.000Z');
  });

  it('the same request retried queues nothing and mints nothing; a new request does', async () => {
    const body = { to: ['P06'], requestId: 'req-0002' };
    expect((await post('requests', body, EDITOR)).status).toBe(202);
    const again = await post('requests', body, EDITOR);
    expect(again.status).toBe(202);
    expect(again.body.sent).toEqual([
      expect.objectContaining({ partnerId: 'P06', to: ['yizhong@example.cn'], duplicate: true }),
    ]);
    expect(await mails()).toHaveLength(1);
    expect(await links()).toHaveLength(1);
    expect((await post('requests', { to: ['P06'] }, EDITOR)).status).toBe(202);
    expect(await mails()).toHaveLength(2);
    expect(await links()).toHaveLength(2);
  });

  it('a request naming anyone unreachable sends nothing and says who, in Chinese', async () => {
    const answer = await post('requests', { to: ['P06', 'P08', 'P11', 'P99', 'nobody@example.cn'] }, EDITOR);
    expect(answer.status).toBe(422);
    const error = answer.body.error as { code: string; message: string };
    expect(error.code).toBe('unreachable_recipient');
    expect(error.message).toBe(
      '以下收件人无法发送，本次没有发出任何请求：P08（没有可用的邮箱）、P11（该共建单位已停用）、P99（计划中没有这个责任人邮箱或共建单位编号）、nobody@example.cn（计划中没有这个责任人邮箱或共建单位编号）',
    );
    expect(await mails()).toHaveLength(0);
    expect(await links()).toHaveLength(0);
  });

  it('refuses a malformed body, a non-editor and a server without the form, writing nothing', async () => {
    expect((await post('requests', { to: [] }, EDITOR)).status).toBe(400);
    expect((await post('requests', { to: ['P06'], due: '7月10日' }, EDITOR)).status).toBe(400);
    expect((await post('requests', { to: ['P06'] }, STRANGER)).status).toBe(403);
    expect((await post('requests/revoke', { email: EDITOR }, STRANGER)).status).toBe(403);
    const noForm = await post('requests', { to: ['P06'] }, EDITOR, false);
    expect(noForm.status).toBe(503);
    expect((noForm.body.error as { message: string }).message).toContain('GONGJIAN_FORM_URL');
    expect(await mails()).toHaveLength(0);
    expect(await links()).toHaveLength(0);
  });
  it.each([
    { due: '2026-02-30', says: '不是有效的日期' },
    { due: '0000-00-00', says: '不是有效的日期' },
    { due: '2026-13-01', says: '不是有效的日期' },
    { due: '2026-06-30', says: '已经过去（今天是 2026-07-01）' },
    { due: '2025-07-10', says: '已经过去' },
  ])('refuses due $due (400 invalid_due, in Chinese), queueing nothing', async ({ due, says }) => {
    const answer = await post('requests', { to: ['P06'], due }, EDITOR);
    expect(answer.status).toBe(400);
    const error = answer.body.error as { code: string; message: string };
    expect(error.code).toBe('invalid_due');
    expect(error.message).toContain(says);
    expect(await mails()).toHaveLength(0);
    expect(await links()).toHaveLength(0);
  });

  it('accepts today as the due date (in the plan’s time zone: 10:00 in Beijing is still 02:00 UTC)', async () => {
    expect((await post('requests', { to: ['P06'], due: '2026-07-01' }, EDITOR)).status).toBe(202);
  });
});

describe('the daily cap on update-request emails per editor', () => {
  it('refuses a request that would pass the cap (429, Retry-After, in Chinese) and queues none of it', async () => {
    expect(
      (await post('requests', { to: ['P04', 'P06'], requestId: 'cap-0001' }, EDITOR, true, 3)).status,
    ).toBe(202);
    const over = await post('requests', { to: ['chenjianguo@example.cn', 'P04'] }, EDITOR, true, 3);
    expect(over.status).toBe(429);
    const error = over.body.error as { code: string; message: string };
    expect(error.code).toBe('request_email_cap');
    expect(error.message).toContain('每天最多发送 3 封填报请求邮件');
    const retryAfter = Number(over.headers?.['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(await mails()).toHaveLength(2);
    // A retried request queues nothing new and costs nothing: one email is still left today.
    expect(
      (await post('requests', { to: ['P04', 'P06'], requestId: 'cap-0001' }, EDITOR, true, 3)).status,
    ).toBe(202);
    expect((await post('requests', { to: ['chenjianguo@example.cn'] }, EDITOR, true, 3)).status).toBe(202);
    expect((await post('requests', { to: ['P06'] }, EDITOR, true, 3)).status).toBe(429);
    expect(await mails()).toHaveLength(3);
  });

  it('is 200 a day by default (GONGJIAN_REQUEST_EMAILS_PER_DAY)', () => {
    expect(parseConfig({ GONGJIAN_ENV: 'development' }).requestEmailsPerDay).toBe(200);
    expect(
      parseConfig({ GONGJIAN_ENV: 'development', GONGJIAN_REQUEST_EMAILS_PER_DAY: '50' }).requestEmailsPerDay,
    ).toBe(50);
    expect(() => parseConfig({ GONGJIAN_ENV: 'development', GONGJIAN_REQUEST_EMAILS_PER_DAY: '0' })).toThrow(
      /GONGJIAN_REQUEST_EMAILS_PER_DAY/,
    );
  });
});

describe('POST /v1/plans/{planId}/requests/revoke', () => {
  it('revokes every live link of the person (any case), and only theirs', async () => {
    await post('requests', { to: ['chenjianguo@example.cn', 'P06'], requestId: 'req-a-0001' }, EDITOR);
    await post('requests', { to: ['chenjianguo@example.cn'], requestId: 'req-b-0001' }, EDITOR);
    const answer = await post('requests/revoke', { email: 'ChenJianGuo@example.cn' }, EDITOR);
    expect(answer).toEqual({
      status: 200,
      body: { planId: PLAN, email: 'chenjianguo@example.cn', revoked: 2 },
      headers: {},
    });
    const verdicts = await Promise.all(
      (await mails()).map(async (d) => [d.get('to')[0], await verifyLink(linkDeps(), tokenOf(d.data()))]),
    );
    for (const [to, verdict] of verdicts) {
      expect(verdict.ok, String(to)).toBe(to === 'yizhong@example.cn');
      if (to !== 'yizhong@example.cn') expect(verdict).toEqual({ ok: false, reason: 'revoked' });
    }
    expect((await post('requests/revoke', { email: 'chenjianguo@example.cn' }, EDITOR)).body.revoked).toBe(0);
  });

  it('revokes a partner’s link by its second address too: the email went to both', async () => {
    await post('requests', { to: ['P04'], requestId: 'req-c-0001' }, EDITOR);
    const [mail] = await mails();
    expect(mail?.get('to')).toEqual(['fengtao@example.com', 'dangban@example.com']);
    const answer = await post('requests/revoke', { email: 'DangBan@example.com' }, EDITOR);
    expect(answer.body.revoked).toBe(1);
    expect(await verifyLink(linkDeps(), tokenOf(mail?.data() ?? {}))).toEqual({
      ok: false,
      reason: 'revoked',
    });
  });
});

describe('links in scheduled emails', () => {
  /** Sunday 1 November 2026 is a day off: October's digests go out on Monday the 2nd. */
  async function plan() {
    const store = new PlanStore(handle.firestore());
    const stored = await store.getPlan(PLAN);
    if (!stored) throw new Error('no plan');
    const model = await store.loadModel(stored);
    return { stored, model, stats: computeStats(model, '2026-11-02') };
  }

  it('every digest and reminder carries a live link for its recipient, minted once per key', async () => {
    const { stored, model, stats } = await plan();
    const kinds = ['partnerDigest', 'leaderSummary', 'dueSoon', 'overdue'] as const;
    const first = await queuePlannedEmails(queue(), stored, model, stats, kinds, NOW);
    expect(first.queued).toBeGreaterThan(5);
    const docs = await mails();
    const withLinks = docs.filter((d) => d.get('gongjian.kind') !== 'leaderSummary');
    expect(withLinks.map((d) => d.get('gongjian.kind'))).toEqual(
      expect.arrayContaining(['partnerDigest', 'overdue']),
    );
    for (const doc of withLinks) {
      const verdict = await verifyLink(linkDeps(), tokenOf(doc.data()));
      expect(verdict.ok, doc.id).toBe(true);
      if (verdict.ok) expect(verdict.link.requestId).toBe(doc.get('gongjian.key'));
    }
    const leader = docs.find((d) => d.get('gongjian.kind') === 'leaderSummary');
    expect(leader?.get('message.html')).not.toMatch(LINK);
    expect(await links()).toHaveLength(withLinks.length);

    const second = await queuePlannedEmails(queue(), stored, model, stats, kinds, NOW);
    expect(second).toMatchObject({ queued: 0, duplicate: first.queued });
    expect(await links()).toHaveLength(withLinks.length);
  });

  it('a concurrent run that wins the create leaves our link revoked: one email, one live link', async () => {
    const { model, stats } = await plan();
    const planned = planEmails({ planId: PLAN, model, stats, date: '2026-11-02' }).emails.find(
      (e) => e.kind === 'partnerDigest',
    );
    if (!planned) throw new Error('no digest planned');
    // The rival run queued the digest (with its own link) just after our look found nothing: our
    // look is replayed here as a read that predates the rival's create.
    const rival = planned.render('https://form.example.cn/f/r/rival');
    await enqueueMail(queue(), { ...rival, planId: PLAN }, NOW);
    const db = handle.firestore();
    const staleLook = new Proxy(db, {
      get(target, property, receiver) {
        if (property !== 'collection') return Reflect.get(target, property, receiver);
        return (name: string) => {
          const collection = target.collection(name);
          if (name !== MAIL_COLLECTION) return collection;
          return new Proxy(collection, {
            get(c, p, r) {
              if (p !== 'doc') return Reflect.get(c, p, r);
              return (id: string) =>
                new Proxy(c.doc(id), {
                  get(d, q, rr) {
                    return q === 'get' ? async () => ({ exists: false }) : Reflect.get(d, q, rr);
                  },
                });
            },
          });
        };
      },
    });
    const outcome = await enqueuePlanned(
      { ...queue(), db: staleLook },
      planned,
      { planId: PLAN, senderName: undefined, validDays: 30 },
      NOW,
    );
    expect(outcome).toBe('duplicate');
    const docs = await mails();
    expect(docs.map((d) => d.id)).toEqual([mailDocId(planned.key)]);
    expect(docs[0]?.get('message.html')).toContain('/r/rival');
    const minted = await links();
    expect(minted).toHaveLength(1);
    expect(minted[0]?.get('revokedAt')).toBe(NOW.toISOString());
  });
});
