/**
 * `POST /v1/plans/{planId}/report` against the Firestore emulator: the summary is queued to the
 * caller as one mail document in the Trigger Email schema with the .docx attached as base64
 * (nodemailer's attachment fields), under Firestore's 1 MiB limit; the real sender delivers it with
 * the attachment intact; a retried request queues nothing more; refused requests queue nothing.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { simpleParser } from 'mailparser';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/src/clock';
import { createApi } from '../../../functions/src/http/api';
import { AuthError, type Identity } from '../../../functions/src/http/auth';
import { processMail } from '../../../functions/src/mail/deliver';
import {
  AttachmentTooLargeError,
  enqueueMail,
  MAX_ATTACHMENT_BASE64,
  type MailQueue,
} from '../../../functions/src/mail/queue';
import { createOutboxTransport } from '../../../functions/src/mail/transport';
import { mailCollection } from '../../../functions/src/store/paths';
import { PlanStore } from '../../../functions/src/store/planStore';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { ReportResponse } from '../../../shared/api';
import { sampleWorkbook } from '../../../shared/sample';
import { useFirestoreEmulator } from '../../support/firestore';
import { type Answer, answerOf, apiRequest } from '../../support/http';

const handle = useFirestoreEmulator('report', { reset: true });

const PLAN = 'xx-2026';
const OWNER = 'owner@example.cn';
const STRANGER = 'stranger@example.cn';
const NOW = new Date('2027-01-05T02:00:00Z');
const outbox = mkdtempSync(join(tmpdir(), 'gongjian-report-outbox-'));
afterAll(() => rmSync(outbox, { recursive: true, force: true }));

/** Tokens are "Bearer <email>" here: the verifier itself is tested in auth.test.ts. */
async function verifyIdentity(header: string | undefined): Promise<Identity> {
  const email = /^Bearer (\S+@\S+)$/.exec(header ?? '')?.[1];
  if (!email) throw new AuthError('missing_token');
  return { email, viaDevToken: false };
}

async function post(path: string, body: unknown, caller: string | undefined): Promise<Answer> {
  const store = new PlanStore(handle.firestore());
  const api = createApi({
    store,
    verifyIdentity,
    admins: [OWNER],
    maxBodyBytes: 1 << 20,
    now: () => NOW,
    sleep: systemClock.sleep,
    mailQueue: queue(),
  });
  return answerOf(api, apiRequest('POST', path, { body, caller }));
}

const mails = async () => (await mailCollection(handle.firestore()).get()).docs;

beforeEach(async () => {
  const store = new PlanStore(handle.firestore());
  const synced = await syncPlan(
    sampleWorkbook(2026, '2026-12-31'),
    { planId: PLAN, caller: OWNER, now: NOW, existing: undefined, clock: systemClock },
    store,
  );
  expect(synced.applied).toBe(true);
});

const RETENTION_MS = 30 * 86_400_000;
/** The mail queue as the runtime builds it: this emulator, default retention, no From address. */
function queue(): MailQueue {
  return { db: handle.firestore(), retentionMs: RETENTION_MS };
}

describe('POST /v1/plans/{planId}/report', () => {
  it('queues the summary to the caller with the .docx attached, in the Trigger Email schema', async () => {
    const answer = await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0001-abc' }, OWNER);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    expect(answer.body).toMatchObject({ year: 2026, asOf: '2026-12-31', to: [OWNER], duplicate: false });
    // Exactly the contract's answer, the one the add-on parses (nothing more, nothing missing).
    expect(ReportResponse.parse(answer.body)).toEqual(answer.body);

    const docs = await mails();
    expect(docs).toHaveLength(1);
    const doc = docs[0];
    if (!doc) throw new Error('no mail');
    expect(doc.id).toBe(answer.body.mailId);
    const data = doc.data();
    expect(data.to).toEqual([OWNER]);
    expect(data.message.subject).toBe('【xx社区】2026年共建工作总结（附 Word 文档）');
    expect(data.gongjian.kind).toBe('report');
    expect(data.message.attachments).toHaveLength(1);
    const [attachment] = data.message.attachments;
    expect(attachment).toMatchObject({
      filename: 'xx社区2026年共建工作总结.docx',
      encoding: 'base64',
      contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    const docx = Buffer.from(attachment.content, 'base64');
    expect(docx.length).toBe(answer.body.bytes);
    expect(Object.keys(unzipSync(docx))).toContain('word/document.xml');
    // The whole document, as Firestore counts it roughly (its JSON), is well under 1 MiB.
    expect(Buffer.byteLength(JSON.stringify(data))).toBeLessThan(1024 * 1024);
  });

  it('queues one email for a retried request and another for a new one', async () => {
    const first = await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0002-abc' }, OWNER);
    const retried = await post(
      `/v1/plans/${PLAN}/report`,
      JSON.stringify({ requestId: 'req-0002-abc' }),
      OWNER,
    );
    expect(retried.status).toBe(202);
    expect(retried.body.duplicate).toBe(true);
    expect(retried.body.mailId).toBe(first.body.mailId);
    expect(await mails()).toHaveLength(1);
    await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0003-abc' }, OWNER);
    expect(await mails()).toHaveLength(2);
  });

  it('copies the leaders when 设置 → 总结抄送领导 says 是, and only then', async () => {
    const sample = sampleWorkbook(2026, '2026-12-31');
    const settings = sample.tabs.find((tab) => tab.name === '设置');
    if (!settings) throw new Error('the sample has no 设置');
    settings.rows.push({ row: settings.rows.length + 2, cells: ['总结抄送领导', '是'] });
    const synced = await syncPlan(
      sample,
      {
        planId: PLAN,
        caller: OWNER,
        now: NOW,
        clock: systemClock,
        existing: await new PlanStore(handle.firestore()).getPlan(PLAN),
      },
      new PlanStore(handle.firestore()),
    );
    expect(synced.applied).toBe(true);
    const leaders = (await new PlanStore(handle.firestore()).getPlan(PLAN))?.settings.leaderEmails;
    expect(leaders?.length).toBeGreaterThan(0);

    const answer = await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0009-cc' }, OWNER);
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const doc = (await mails()).find((d) => d.id === answer.body.mailId);
    expect(doc?.get('to')).toEqual([OWNER]);
    expect(doc?.get('cc')).toEqual(leaders);
  });

  it('copies nobody by default', async () => {
    const answer = await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0010-nocc' }, OWNER);
    const doc = (await mails()).find((d) => d.id === answer.body.mailId);
    expect(doc?.get('cc')).toEqual([]);
  });

  it('is delivered by our sender with the attachment intact', async () => {
    const answer = await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0004-abc', year: 2026 }, OWNER);
    const docId = String(answer.body.mailId);
    const stored = (await mailCollection(handle.firestore()).doc(docId).get()).data();
    const transport = createOutboxTransport({ dir: outbox, from: 'noreply@example.cn' });
    expect(
      await processMail(handle.firestore(), docId, { transport, now: () => NOW, retentionMs: RETENTION_MS }),
    ).toBe('sent');
    await transport.close();
    const eml = readdirSync(outbox).find((name) => name.endsWith('.eml'));
    if (!eml) throw new Error('nothing in the outbox');
    const parsed = await simpleParser(readFileSync(join(outbox, eml)));
    expect(parsed.subject).toBe('【xx社区】2026年共建工作总结（附 Word 文档）');
    expect(parsed.text).toContain('五、下一步打算');
    expect(parsed.attachments).toHaveLength(1);
    const [attachment] = parsed.attachments;
    expect(attachment?.filename).toBe('xx社区2026年共建工作总结.docx');
    expect(attachment?.content.equals(Buffer.from(stored?.message.attachments[0].content, 'base64'))).toBe(
      true,
    );
  });

  it('refuses callers who are not signed in or not editors, and bad bodies, queuing nothing', async () => {
    expect((await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0005-abc' }, undefined)).status).toBe(
      401,
    );
    const stranger = await post(`/v1/plans/${PLAN}/report`, { requestId: 'req-0005-abc' }, STRANGER);
    expect(stranger.status).toBe(403);
    expect((await post('/v1/plans/nope/report', { requestId: 'req-0005-abc' }, OWNER)).status).toBe(404);
    const bad = await post(`/v1/plans/${PLAN}/report`, { requestId: 'x' }, OWNER);
    expect(bad.status).toBe(400);
    expect((bad.body.error as { code: string }).code).toBe('invalid_body');
    expect(await mails()).toHaveLength(0);
  });
});

describe('attachments and the 1 MiB document limit', () => {
  it('refuses to queue attachments that would not fit, writing nothing', async () => {
    /** A report mail whose one attachment holds `base64Length` characters. */
    const withAttachment = (key: string, base64Length: number) =>
      enqueueMail(
        queue(),
        {
          key,
          kind: 'report',
          planId: PLAN,
          to: [OWNER],
          cc: [],
          subject: 's',
          text: 't',
          html: '<p>t</p>',
          attachments: [
            {
              filename: `${key}.docx`,
              content: 'A'.repeat(base64Length),
              encoding: 'base64',
              contentType: 'application/octet-stream',
            },
          ],
        },
        NOW,
      );
    await expect(withAttachment('report:big', MAX_ATTACHMENT_BASE64 + 4)).rejects.toBeInstanceOf(
      AttachmentTooLargeError,
    );
    expect(await mails()).toHaveLength(0);
    // The largest accepted attachment still fits in a Firestore document.
    await withAttachment('report:largest', MAX_ATTACHMENT_BASE64);
    expect(await mails()).toHaveLength(1);
  });
});
