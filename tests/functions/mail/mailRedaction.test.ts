/**
 * Update links at rest (issue 18, item 7): once a mail document is delivered, the token of the link
 * it carried is gone from what is stored, while the message that went out kept it — and not a
 * moment earlier, so every attempt before delivery sends the same bytes.
 *
 * Against real components: the Firestore emulator, smtp-server on 127.0.0.1 receiving, mailparser
 * reading. Two deployments, each on its own emulator so neither can do the other's work:
 * - our sender (processMail, driven with a clock the test moves): a 421 first, then delivery;
 * - the Trigger Email extension, modelled by its writes (PROCESSING, then SUCCESS with
 *   delivery.info) around a nodemailer send of the document's fields, with onMailDelivered fired
 *   by the emulator through the bridge.
 */
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/src/clock';
import { processMail } from '../../../functions/src/mail/deliver';
import type { MailDeps } from '../../../functions/src/mail/deps';
import type { MailQueue } from '../../../functions/src/mail/queue';
import { createSmtpTransport, type MailTransport } from '../../../functions/src/mail/transport';
import { REDACTED_TOKEN, redactLinkTokens, verifyLink } from '../../../functions/src/requests/links';
import { resolveTargets, sendUpdateRequests } from '../../../functions/src/requests/send';
import { installRuntime, type Runtime } from '../../../functions/src/runtime';
import { mailCollection } from '../../../functions/src/store/paths';
import { PlanStore } from '../../../functions/src/store/planStore';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { onMailDelivered } from '../../../functions/src/triggers/onMailDelivered';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import {
  eventually,
  type FirestoreEmulatorHandle,
  useFirestoreEmulator,
  useFunctionsEnvironment,
} from '../../support/firestore';
import { testRuntime } from '../../support/runtime';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

const PLAN = 'redaction-2026';
const FORM = 'https://form.example.cn/f';
const MAIL_FROM = 'noreply@shequ.example.cn';
const NOW = new Date('2026-07-01T02:00:00Z');
const RETENTION_MS = 30 * 86_400_000;
const TOKEN = /\/r\/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/;

/** Syncs the sample plan and queues one update request to partner P04, as the API does. */
async function queueRequest(db: FirebaseFirestore.Firestore, requestId: string) {
  const store = new PlanStore(db);
  if (!(await store.getPlan(PLAN))) {
    const synced = await syncPlan(
      sampleWorkbook(2026, '2026-06-30'),
      { planId: PLAN, caller: 'owner@example.cn', now: NOW, existing: undefined, clock: systemClock },
      store,
    );
    expect(synced.applied).toBe(true);
  }
  const stored = await store.getPlan(PLAN);
  if (!stored) throw new Error('no plan');
  const model = await store.loadModel(stored);
  const targets = resolveTargets(model, ['P04']);
  if (!targets.ok) throw new Error('P04 is not reachable in the sample plan');
  const queue: MailQueue = {
    db,
    fromAddress: MAIL_FROM,
    retentionMs: RETENTION_MS,
    links: { formUrl: FORM, now: () => NOW },
  };
  const [sent] = await sendUpdateRequests(
    queue,
    { planId: PLAN, model, stats: computeStats(model, '2026-06-30') },
    targets.recipients,
    { requestId },
    NOW,
  );
  if (!sent) throw new Error('nothing queued');
  const data = (await mailCollection(db).doc(sent.mailId).get()).data() ?? {};
  const token = TOKEN.exec(String(data.message?.text))?.[1];
  if (!token) throw new Error('the queued request carries no link');
  // Queued: the link is in both parts, in plain text — it must be, for the message still to go out.
  expect(String(data.message.html)).toContain(`${FORM}/r/${token}`);
  return { mailId: sent.mailId, token, queued: data };
}

async function stored(fs: FirestoreEmulatorHandle, mailId: string) {
  const snapshot = await mailCollection(fs.firestore()).doc(mailId).get();
  return snapshot.data() ?? {};
}

describe('redactLinkTokens', () => {
  const token = `${'A'.repeat(21)}_-${'z9'.repeat(10)}`;
  it('replaces the token after /r/ wherever the form is, in text and in an href, every time it occurs', () => {
    expect(token).toHaveLength(43);
    const html = `<a href="${FORM}/r/${token}">填报</a><br>${FORM}/r/${token}`;
    expect(redactLinkTokens(html)).toBe(
      `<a href="${FORM}/r/${REDACTED_TOKEN}">填报</a><br>${FORM}/r/${REDACTED_TOKEN}`,
    );
    expect(redactLinkTokens(`链接：\nhttp://127.0.0.1:5002/r/${token}\n`)).toBe(
      `链接：\nhttp://127.0.0.1:5002/r/${REDACTED_TOKEN}\n`,
    );
  });

  it('leaves what is not a token alone: other lengths, other paths', () => {
    for (const text of [
      `${FORM}/r/${token}x`,
      `${FORM}/r/${token.slice(1)}`,
      `${FORM}/s/${token}`,
      '无链接',
    ]) {
      expect(redactLinkTokens(text)).toBe(text);
    }
  });
});

describe('our sender redacts in the write that records SUCCESS', () => {
  const fs = useFirestoreEmulator('redact-ours');
  let inbox: TestSmtpServer;
  let transport: MailTransport;

  beforeAll(async () => {
    inbox = await startSmtpServer();
    transport = createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${inbox.port}`, from: MAIL_FROM });
  });

  afterAll(async () => {
    await transport?.close();
    await inbox?.close();
  });

  it('a retry keeps the token and sends the same bytes; delivered, the stored copy holds none', async () => {
    const { mailId, token, queued } = await queueRequest(fs.firestore(), 'req-builtin');
    let now = NOW.getTime();
    const deps: MailDeps = { transport, now: () => new Date(now), retentionMs: RETENTION_MS, log: () => {} };

    inbox.faults.push('421');
    expect(await processMail(fs.firestore(), mailId, deps)).toBe('retry');
    const waiting = await stored(fs, mailId);
    expect(waiting.delivery.state).toBe('RETRY');
    // Waiting to be sent again: exactly what was queued, token and all.
    expect(waiting.message).toEqual(queued.message);

    now += 60_000;
    expect(await processMail(fs.firestore(), mailId, deps)).toBe('sent');
    const [arrival, ...more] = inbox.withMessageId(String(queued.headers['Message-ID']));
    expect(more).toHaveLength(0);
    // The recipient's copy opens their form.
    expect(arrival?.parsed.text).toContain(`${FORM}/r/${token}`);
    expect(String(arrival?.parsed.html)).toContain(`${FORM}/r/${token}`);
    expect((await verifyLink({ db: fs.firestore(), now: () => NOW }, token)).ok).toBe(true);

    const delivered = await stored(fs, mailId);
    expect(delivered.delivery.state).toBe('SUCCESS');
    expect(JSON.stringify(delivered)).not.toContain(token);
    expect(delivered.message.text).toContain(`${FORM}/r/${REDACTED_TOKEN}`);
    expect(delivered.message.html).toContain(`${FORM}/r/${REDACTED_TOKEN}`);
    // Nothing else of the message changed.
    expect(delivered.message.text).toBe(redactLinkTokens(queued.message.text));
    expect(delivered.message.html).toBe(redactLinkTokens(queued.message.html));
    expect(delivered.message.subject).toBe(queued.message.subject);
  });
});

describe('with the Trigger Email extension, onMailDelivered redacts after its SUCCESS', () => {
  const fs = useFirestoreEmulator('redact-ext', { triggers: { onMailDelivered } });
  let inbox: TestSmtpServer;
  let runtime: Runtime;

  beforeAll(async () => {
    useFunctionsEnvironment(fs.projectId);
    inbox = await startSmtpServer();
    // What the trigger builds on first use: no SMTP_URL, as when the extension delivers.
    runtime = testRuntime(fs);
    installRuntime(runtime);
  });

  afterAll(async () => {
    await fs.bridge.idle();
    installRuntime(undefined);
    await runtime?.close();
    await inbox?.close();
  });

  /** Waits until the trigger has handled every event up to the `count`-th. */
  async function triggerSettled(count: number) {
    await eventually(() => fs.bridge.invocations('onMailDelivered') >= count, { what: `event ${count}` });
    await fs.bridge.idle();
  }

  it('PROCESSING keeps the token; SUCCESS is followed by a redaction; the sent message kept it', async () => {
    const { mailId, token, queued } = await queueRequest(fs.firestore(), 'req-extension');
    const ref = mailCollection(fs.firestore()).doc(mailId);
    await triggerSettled(1); // the create

    // The extension claims the message…
    await ref.update({ 'delivery.state': 'PROCESSING', 'delivery.attempts': 1 });
    await triggerSettled(2);
    expect((await stored(fs, mailId)).message).toEqual(queued.message);

    // …sends what the document holds (its documented fields, with nodemailer)…
    const doc = await stored(fs, mailId);
    const smtp = createTransport({ host: '127.0.0.1', port: inbox.port, secure: false, ignoreTLS: true });
    const info = await smtp.sendMail({
      from: doc.from,
      to: doc.to,
      cc: doc.cc,
      headers: doc.headers,
      subject: doc.message.subject,
      text: doc.message.text,
      html: doc.message.html,
    });
    smtp.close();
    // …and records its success.
    await ref.update({
      'delivery.state': 'SUCCESS',
      'delivery.info': {
        messageId: info.messageId,
        accepted: info.accepted,
        rejected: info.rejected,
        pending: [],
        response: info.response,
      },
    });

    const redacted = await eventually(
      async () => {
        const now = await stored(fs, mailId);
        return JSON.stringify(now).includes(token) ? undefined : now;
      },
      { what: 'the delivered document without its token' },
    );
    expect(redacted.delivery.state).toBe('SUCCESS');
    expect(redacted.message.text).toBe(redactLinkTokens(queued.message.text));
    expect(redacted.message.html).toBe(redactLinkTokens(queued.message.html));
    expect(redacted.message.html).toContain(`${FORM}/r/${REDACTED_TOKEN}`);

    const [arrival] = inbox.withMessageId(String(queued.headers['Message-ID']));
    expect(arrival?.parsed.text).toContain(`${FORM}/r/${token}`);
    // Our redaction's own write came back to the trigger and found nothing more to do.
    await fs.bridge.idle();
    expect(fs.bridge.failed).toBe(0);
    expect(JSON.stringify(await stored(fs, mailId))).not.toContain(token);
  });

  it('ERROR keeps the token: an operator’s resend must carry a link that opens', async () => {
    const before = fs.bridge.invocations('onMailDelivered');
    const { mailId, token } = await queueRequest(fs.firestore(), 'req-extension-error');
    await mailCollection(fs.firestore())
      .doc(mailId)
      .update({ 'delivery.state': 'ERROR', 'delivery.error': '550 Mailbox unavailable' });
    await triggerSettled(before + 2); // the create, the ERROR
    expect(JSON.stringify(await stored(fs, mailId))).toContain(token);
  });
});
