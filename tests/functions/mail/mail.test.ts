/**
 * The mail queue and sender against real components: the Firestore emulator (firing the real
 * onMailWritten trigger through the bridge), smtp-server on 127.0.0.1 as the receiving server, and
 * mailparser reading what arrived. Fault cases drive processMail/sweepMail directly with a clock
 * the test moves; the trigger path covers the happy path and redelivery.
 */
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import type { CloudEvent } from 'firebase-functions/v2';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_LEASE_MS,
  defaultBackoff,
  type ProcessOutcome,
  processMail,
  sweepMail,
} from '../../../functions/src/mail/deliver';
import type { MailDeps } from '../../../functions/src/mail/deps';
import { fromHeader, mailDocId, messageIdOf, type QueuedEmail } from '../../../functions/src/mail/message';
import { enqueueMail, type MailQueue } from '../../../functions/src/mail/queue';
import {
  classifySmtpError,
  createSmtpTransport,
  type MailTransport,
  type OutgoingMail,
} from '../../../functions/src/mail/transport';
import type { Delivery, DeliveryInfo } from '../../../functions/src/mail/types';
import { installRuntime, type Runtime } from '../../../functions/src/runtime';
import { sweepMail as sweepMailSchedule } from '../../../functions/src/schedules/sweepMail';
import { onMailWritten } from '../../../functions/src/triggers/onMailWritten';
import type { EmailKind } from '../../../shared/emails/email';
import { oneLine } from '../../../shared/emails/layout';
import { eventually, useFirestoreEmulator, useFunctionsEnvironment } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

// ---------------------------------------------------------------------------------------------
// Pure parts: no emulator needed

describe('classifySmtpError', () => {
  it.each([
    [{ code: 'EMESSAGE', responseCode: 421 }, 'temporary'],
    [{ code: 'EENVELOPE', responseCode: 452 }, 'temporary'],
    [{ code: 'EMESSAGE', responseCode: 550 }, 'permanent'],
    [{ code: 'EENVELOPE', responseCode: 553 }, 'permanent'],
    [{ code: 'EPROTOCOL', responseCode: 503 }, 'temporary'],
    [{ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }, 'temporary'],
    [{ code: 'ECONNRESET' }, 'temporary'],
    [{ code: 'ECONNECTION' }, 'temporary'],
    [{ code: 'ETIMEDOUT' }, 'temporary'],
    [{ code: 'EAUTH', responseCode: 535 }, 'temporary'],
    [{ code: 'EENVELOPE' }, 'permanent'],
    [new Error('something nobody foresaw'), 'temporary'],
    ['not even an error', 'temporary'],
  ] as const)('%j → %s', (error, expected) => {
    expect(classifySmtpError(error)).toBe(expected);
  });

  it('backs off exponentially from a minute, to an hour at most', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => defaultBackoff(n) / 1000)).toEqual([
      60, 120, 240, 480, 960, 1920, 3600, 3600,
    ]);
  });

  it('strips line breaks and control characters from header values', () => {
    expect(oneLine('月度摘要\r\nBcc: evil@example.com')).toBe('月度摘要 Bcc: evil@example.com');
    expect(oneLine('a\u2028b\u0000c\t')).toBe('a b c');
  });
});

// ---------------------------------------------------------------------------------------------
// Against the emulator and smtp-server

const SMTP_USER = 'gongjian';
const SMTP_PASS = 'p@ss:word/with%chars';
const MAIL_FROM = 'noreply@shequ.example.cn';
const SENDER = '某某社区居委会';
const RETENTION_MS = 30 * 86_400_000;

/** Every event the emulator delivered to onMailWritten, by document ID, for replaying. */
const events = new Map<string, CloudEvent<unknown>[]>();
const recordingTrigger = Object.assign(
  (event: CloudEvent<unknown>) => {
    const id = String((event as { document?: unknown }).document ?? '').replace(/^mail\//, '');
    events.set(id, [...(events.get(id) ?? []), event]);
    return onMailWritten(event);
  },
  { __endpoint: onMailWritten.__endpoint },
);

describe('mail through the emulator', () => {
  const fs = useFirestoreEmulator('mail', { triggers: { onMailWritten: recordingTrigger } });
  let inbox: TestSmtpServer;
  let faulty: TestSmtpServer;
  let runtime: Runtime;
  let triggerDeps: MailDeps;
  let faultyTransport: MailTransport;
  let queue: MailQueue;
  const closeLater: MailTransport[] = [];

  beforeAll(async () => {
    useFunctionsEnvironment(fs.projectId);
    inbox = await startSmtpServer({ user: SMTP_USER, pass: SMTP_PASS });
    faulty = await startSmtpServer();
    runtime = testRuntime(fs, {
      env: {
        SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASS)}@127.0.0.1:${inbox.port}`,
        MAIL_FROM,
      },
    });
    if (!runtime.mail) throw new Error('expected the runtime to build an SMTP sender from SMTP_URL');
    runtime.mail.log = () => {};
    triggerDeps = runtime.mail;
    expect(runtime.mailQueue).toMatchObject({ fromAddress: MAIL_FROM, retentionMs: RETENTION_MS });
    queue = { ...runtime.mailQueue, db: fs.firestore() };
    installRuntime(runtime);
    faultyTransport = createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${faulty.port}`, from: MAIL_FROM });
    closeLater.push(faultyTransport);
  });

  afterAll(async () => {
    await fs.bridge.idle();
    installRuntime(undefined);
    await Promise.all(closeLater.map((transport) => transport.close()));
    await runtime?.close();
    await inbox?.close();
    await faulty?.close();
  });

  /** Turns the trigger's sender off (as production without SMTP_URL) while `body` runs. */
  async function withTriggerSenderOff<T>(body: () => Promise<T>): Promise<T> {
    delete runtime.mail;
    try {
      return await body();
    } finally {
      runtime.mail = triggerDeps;
    }
  }

  let serial = 0;
  function email(overrides: Partial<QueuedEmail> = {}): QueuedEmail {
    serial++;
    return {
      key: `plan-mail · 单位${serial} · 2026-06`,
      kind: 'partnerDigest',
      planId: 'plan-mail',
      to: [`partner${serial}@example.cn`],
      cc: [],
      subject: `【共建】2026年6月共建单位摘要 ${serial}`,
      text: `您好！本月共开展活动 3 次。${serial}`,
      html: `<p>您好！本月共开展活动 <b>3</b> 次。${serial}</p>`,
      senderName: SENDER,
      ...overrides,
    };
  }

  async function delivery(key: string): Promise<Delivery> {
    const snapshot = await fs.firestore().collection('mail').doc(mailDocId(key)).get();
    return snapshot.get('delivery') as Delivery;
  }

  async function settled(key: string, state: Delivery['state'] = 'SUCCESS'): Promise<Delivery> {
    return eventually(
      async () => {
        const current = await delivery(key);
        return current?.state === state ? current : undefined;
      },
      { what: `${key} in state ${state}` },
    );
  }

  /** A clock the test moves by hand. */
  function clock(start = new Date('2026-07-01T01:00:00Z')) {
    let now = start.getTime();
    return {
      now: () => new Date(now),
      advance(ms: number) {
        now += ms;
      },
    };
  }

  describe('queue', () => {
    it('writes the Trigger Email schema under the key, refuses the same key again, and sends once', async () => {
      const mail = email({
        subject: '【共建】六月摘要\r\nBcc: evil@example.com',
        // The same person twice (case differs), a line break, and a cc already in to.
        to: ['Partner@Example.cn\r\n', 'partner@example.cn'],
        cc: ['leader@example.cn\n', 'PARTNER@example.cn'],
      });
      const db = fs.firestore();
      const now = new Date();
      expect(await enqueueMail(queue, mail, now)).toBe('queued');
      expect(await enqueueMail(queue, { ...mail, subject: 'changed' }, now)).toBe('duplicate');

      const done = await settled(mail.key);
      const doc = (await db.collection('mail').doc(mailDocId(mail.key)).get()).data();
      expect(doc).toMatchObject({
        from: `"${SENDER}" <${MAIL_FROM}>`,
        to: ['Partner@Example.cn'],
        cc: ['leader@example.cn'],
        headers: { 'Message-ID': messageIdOf(mail.key), 'Auto-Submitted': 'auto-generated' },
        message: {
          subject: '【共建】六月摘要 Bcc: evil@example.com',
          text: mail.text,
          html: mail.html,
        },
        gongjian: { planId: 'plan-mail', kind: 'partnerDigest', key: mail.key },
      });
      // The whole email is in the extension's fields: nothing of it hides under `gongjian`.
      expect(Object.keys(doc?.gongjian ?? {}).sort()).toEqual(['createdAt', 'key', 'kind', 'planId']);
      expect(Object.keys(doc?.message ?? {}).sort()).toEqual(['html', 'subject', 'text']);
      expect(messageIdOf(mail.key)).toMatch(/^<[0-9a-f]{32}@gongjian\.local>$/);
      expect(done).toMatchObject({ state: 'SUCCESS', attempts: 1, error: null, leaseExpireTime: null });
      // Kept for the retention after the final state, then Firestore's TTL policy deletes it.
      expect(done.expireAt?.toMillis()).toBe((done.endTime?.toMillis() ?? 0) + RETENTION_MS);
      expect(done.info).toMatchObject({
        messageId: messageIdOf(mail.key),
        // nodemailer lower-cases the domain
        accepted: ['Partner@example.cn', 'leader@example.cn'],
        rejected: [],
      });
      expect(done.info?.response).toMatch(/^250 /);
      await fs.bridge.idle();
      const arrived = inbox.withMessageId(messageIdOf(mail.key));
      expect(arrived).toHaveLength(1);
      // The injected Bcc reached neither the headers nor the envelope.
      expect(arrived[0]?.parsed.headers.has('bcc')).toBe(false);
      expect(arrived[0]?.envelope.to).toEqual(['Partner@example.cn', 'leader@example.cn']);
    });

    it('quotes the sender name in From, whatever it holds', async () => {
      const mail = email({ senderName: '某某社区 "居委会", 党群服务中心 <办公室> \\ 值班' });
      expect(await enqueueMail(queue, mail, new Date())).toBe('queued');
      const doc = await fs.firestore().collection('mail').doc(mailDocId(mail.key)).get();
      expect(doc.get('from')).toBe(fromHeader(mail.senderName ?? '', MAIL_FROM));
      await settled(mail.key);
      const [arrival] = inbox.withMessageId(messageIdOf(mail.key));
      expect(arrival?.parsed.from?.value).toEqual([{ name: mail.senderName, address: MAIL_FROM }]);
    });

    it('without a From address writes no from, and the sender uses its own', async () => {
      const mail = email();
      await enqueueMail({ ...queue, fromAddress: undefined }, mail, new Date());
      const doc = await fs.firestore().collection('mail').doc(mailDocId(mail.key)).get();
      expect(doc.get('from')).toBeUndefined();
      await settled(mail.key);
      const [arrival] = inbox.withMessageId(messageIdOf(mail.key));
      expect(arrival?.parsed.from?.value).toEqual([{ name: '共建助手', address: MAIL_FROM }]);
    });

    it('refuses a mail without recipients', async () => {
      await expect(enqueueMail(queue, email({ to: ['\r\n'] }), new Date())).rejects.toThrow(/no recipient/);
    });
  });

  describe('content of each kind, through the trigger', () => {
    const kinds: { kind: EmailKind; subject: string; cc: string[] }[] = [
      { kind: 'partnerDigest', subject: '【共建】2026年6月 共建单位月度摘要：区税务局', cc: [] },
      { kind: 'leaderSummary', subject: '【共建】2026年6月 共建计划总体进展（完成率 62.5%）', cc: [] },
      { kind: 'dueSoon', subject: '【提醒】“老旧小区安防改造”将于 2026-07-05 到期', cc: [] },
      {
        kind: 'overdue',
        subject: '【逾期】“活动室加层”已逾期 3 天 & <请处理>',
        cc: ['leader1@example.cn', 'leader2@example.cn'],
      },
    ];

    it.each(kinds)('$kind: headers, encoding and alternatives', async ({ kind, subject, cc }) => {
      const mail = email({
        key: `plan-mail · ${kind} · content`,
        kind,
        subject,
        cc,
        text: `${subject}\n\n明细：\n- 文明礼仪培训班 已完成\n- 结对共建 进行中`,
        html: `<h1>${subject.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</h1><ul><li>文明礼仪培训班 已完成</li></ul>`,
      });
      expect(await enqueueMail(queue, mail, new Date())).toBe('queued');
      await settled(mail.key);
      const [arrival, ...more] = inbox.withMessageId(messageIdOf(mail.key));
      expect(more).toHaveLength(0);
      if (!arrival) throw new Error('nothing arrived');
      const { parsed, raw } = arrival;

      // Subject and sender name: non-ASCII, so RFC 2047 encoded on the wire, decoded back intact.
      expect(parsed.subject).toBe(subject);
      expect(parsed.from?.value).toEqual([{ name: SENDER, address: MAIL_FROM }]);
      const header = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
      expect(header).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/m);
      expect(header).toMatch(/^From: =\?UTF-8\?[BQ]\?.*<noreply@shequ\.example\.cn>/m);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: checking for raw bytes on purpose
      expect(header).not.toMatch(/[^\u0009\u000a\u000d\u0020-\u007e]/); // pure ASCII headers
      // Every CR is part of a CRLF, every LF too (no bare line breaks injected into a header).
      expect(header.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);

      expect(parsed.messageId).toBe(messageIdOf(mail.key));
      expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
      expect(parsed.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
      expect(parsed.text?.trim()).toBe(mail.text);
      expect(parsed.html).toBe(mail.html);
      const addresses = (field: ParsedMail['to']) =>
        (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address));
      expect(addresses(parsed.to)).toEqual(mail.to);
      expect(addresses(parsed.cc)).toEqual(cc);
      expect(arrival.envelope).toEqual({ from: MAIL_FROM, to: [...mail.to, ...cc] });
    });
  });

  describe('redelivery and repeated schedules', () => {
    it('the same PENDING event delivered three times sends one message', async () => {
      const mail = email();
      const id = mailDocId(mail.key);
      const event = await withTriggerSenderOff(async () => {
        await enqueueMail(queue, mail, new Date());
        return eventually(() => events.get(id)?.[0], { what: 'the create event' });
      });
      await fs.bridge.idle();
      expect((await delivery(mail.key)).state).toBe('PENDING');

      await Promise.all([onMailWritten(event), onMailWritten(event), onMailWritten(event)]);
      expect(await delivery(mail.key)).toMatchObject({ state: 'SUCCESS', attempts: 1 });
      // And once more after it is done, as a late redelivery would.
      await onMailWritten(event);
      await fs.bridge.idle();
      expect(inbox.withMessageId(messageIdOf(mail.key))).toHaveLength(1);
    });

    it('a person asking for a resend (RETRY without a time, as with the extension) gets one more copy', async () => {
      const mail = email();
      await enqueueMail(queue, mail, new Date());
      await settled(mail.key);
      await fs
        .firestore()
        .collection('mail')
        .doc(mailDocId(mail.key))
        .update({ 'delivery.state': 'RETRY', 'delivery.nextAttemptTime': null });
      await eventually(async () => (await delivery(mail.key)).attempts === 2 && (await settled(mail.key)), {
        what: 'the resend',
      });
      await fs.bridge.idle();
      expect(inbox.withMessageId(messageIdOf(mail.key))).toHaveLength(2);
    });

    it('the sweep schedule run twice at once sends a missed PENDING mail once', async () => {
      const mails = [email(), email(), email()];
      await withTriggerSenderOff(async () => {
        // Queued ten minutes ago and never picked up: its trigger was lost.
        for (const mail of mails) await enqueueMail(queue, mail, new Date(Date.now() - 600_000));
        await eventually(() => mails.every((mail) => events.has(mailDocId(mail.key))), { what: 'events' });
        await fs.bridge.idle();
      });
      const run = () =>
        sweepMailSchedule.run({ scheduleTime: new Date().toISOString(), jobName: 'sweepMail' });
      await Promise.all([run(), run()]);
      for (const mail of mails) {
        expect(await delivery(mail.key)).toMatchObject({ state: 'SUCCESS', attempts: 1 });
        expect(inbox.withMessageId(messageIdOf(mail.key))).toHaveLength(1);
      }
    });
  });

  describe('faults, driven directly with a moving clock', () => {
    /** Queues with the trigger's sender off, so only the test's own calls act on the mail. */
    async function queued(mail: QueuedEmail, now: Date) {
      await withTriggerSenderOff(async () => {
        expect(await enqueueMail(queue, mail, now)).toBe('queued');
        await eventually(() => events.has(mailDocId(mail.key)), { what: 'the create event' });
        await fs.bridge.idle();
      });
    }

    function deps(time: ReturnType<typeof clock>, overrides: Partial<MailDeps> = {}): MailDeps {
      return {
        transport: faultyTransport,
        now: time.now,
        retentionMs: RETENTION_MS,
        log: () => {},
        ...overrides,
      };
    }

    it('421 then success: RETRY with backoff, then SUCCESS on the due sweep', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      // Even a mail nobody ever delivers expires in the end.
      expect((await delivery(mail.key)).expireAt?.toMillis()).toBe(time.now().getTime() + RETENTION_MS);
      faulty.faults.push('421');
      expect(await processMail(fs.firestore(), mailDocId(mail.key), deps(time))).toBe('retry');
      const retry = await delivery(mail.key);
      expect(retry).toMatchObject({ state: 'RETRY', attempts: 1, leaseExpireTime: null });
      expect(retry.error).toMatch(/421/);
      expect(retry.nextAttemptTime?.toMillis()).toBe(time.now().getTime() + 60_000);
      expect(retry.expireAt?.toMillis()).toBe(time.now().getTime() + RETENTION_MS);

      time.advance(30_000); // not due yet
      expect((await sweepMail(fs.firestore(), deps(time))).outcomes).toEqual({});
      expect(await processMail(fs.firestore(), mailDocId(mail.key), deps(time))).toBe('not-due');
      time.advance(30_000);
      expect((await sweepMail(fs.firestore(), deps(time))).outcomes).toEqual({ sent: 1 });
      const done = await delivery(mail.key);
      expect(done).toMatchObject({ state: 'SUCCESS', attempts: 2, error: null, nextAttemptTime: null });
      expect(done.expireAt?.toMillis()).toBe(time.now().getTime() + RETENTION_MS);
      expect(done.info?.messageId).toBe(messageIdOf(mail.key));
      expect(faulty.withMessageId(messageIdOf(mail.key))).toHaveLength(1);
    });

    it('550: ERROR at once, never retried', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      faulty.faults.push('550');
      expect(await processMail(fs.firestore(), mailDocId(mail.key), deps(time))).toBe('error');
      const failed = await delivery(mail.key);
      expect(failed).toMatchObject({ state: 'ERROR', attempts: 1, nextAttemptTime: null, info: null });
      expect(failed.error).toMatch(/550/);
      expect(failed.endTime?.toMillis()).toBe(time.now().getTime());
      expect(failed.expireAt?.toMillis()).toBe(time.now().getTime() + RETENTION_MS);
      time.advance(24 * 3_600_000);
      await sweepMail(fs.firestore(), deps(time));
      expect(await processMail(fs.firestore(), mailDocId(mail.key), deps(time))).toBe('done');
      expect(faulty.withMessageId(messageIdOf(mail.key))).toHaveLength(0);
      expect((await delivery(mail.key)).attempts).toBe(1);
    });

    it('connection dropped mid-DATA: RETRY, then delivered once', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      faulty.faults.push('drop');
      const before = faulty.dataCommands;
      expect(await processMail(fs.firestore(), mailDocId(mail.key), deps(time))).toBe('retry');
      expect(faulty.dataCommands).toBe(before + 1); // it did reach DATA
      expect((await delivery(mail.key)).error).toMatch(/ECONNECTION|closed/i);
      time.advance(defaultBackoff(1));
      expect((await sweepMail(fs.firestore(), deps(time))).outcomes).toEqual({ sent: 1 });
      expect(faulty.withMessageId(messageIdOf(mail.key))).toHaveLength(1);
    });

    it('server down: RETRY, and ERROR once the attempts are used up', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      const down = createSmtpTransport({
        smtpUrl: `smtp://127.0.0.1:${await closedPort()}`,
        from: MAIL_FROM,
      });
      closeLater.push(down);
      const options = deps(time, { transport: down, maxAttempts: 3 });
      const id = mailDocId(mail.key);
      expect(await processMail(fs.firestore(), id, options)).toBe('retry');
      expect((await delivery(mail.key)).error).toMatch(/ECONNREFUSED/);
      time.advance(defaultBackoff(1));
      expect(await processMail(fs.firestore(), id, options)).toBe('retry');
      expect((await delivery(mail.key)).nextAttemptTime?.toMillis()).toBe(time.now().getTime() + 120_000);
      time.advance(defaultBackoff(2));
      expect(await processMail(fs.firestore(), id, options)).toBe('error');
      expect(await delivery(mail.key)).toMatchObject({ state: 'ERROR', attempts: 3 });
    });

    it('lease expiry: an attempt that dies before sending is taken over by the sweeper, sent once', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      const id = mailDocId(mail.key);
      const zombie = hangingTransport();
      const dying = processMail(fs.firestore(), id, deps(time, { transport: zombie }));
      await zombie.entered;
      expect(await delivery(mail.key)).toMatchObject({ state: 'PROCESSING', attempts: 1 });

      // While the lease holds, neither the trigger path nor the sweeper touches it.
      expect(await processMail(fs.firestore(), id, deps(time))).toBe('held');
      expect((await sweepMail(fs.firestore(), deps(time))).found).toBe(0);

      time.advance(DEFAULT_LEASE_MS + 1);
      expect((await sweepMail(fs.firestore(), deps(time))).outcomes).toEqual({ sent: 1 });
      expect(await delivery(mail.key)).toMatchObject({ state: 'SUCCESS', attempts: 2 });

      // The attempt that "died" comes back: it cannot overwrite its successor's record.
      zombie.fail(new Error('process was frozen'));
      expect(await dying).toBe('superseded');
      expect(await delivery(mail.key)).toMatchObject({ state: 'SUCCESS', attempts: 2 });
      expect(faulty.withMessageId(messageIdOf(mail.key))).toHaveLength(1);
    });

    it('lease expiry after the server took the message: sent again, with the same Message-ID', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      const id = mailDocId(mail.key);
      // Hands the message to the server, then "dies" before SUCCESS can be written.
      const zombie = hangingTransport(faultyTransport);
      const dying = processMail(fs.firestore(), id, deps(time, { transport: zombie }));
      await zombie.entered;
      await eventually(() => faulty.withMessageId(messageIdOf(mail.key)).length === 1, { what: 'arrival' });

      time.advance(DEFAULT_LEASE_MS + 1);
      expect((await sweepMail(fs.firestore(), deps(time))).outcomes).toEqual({ sent: 1 });
      // At-least-once: the documented duplicate, recognisable by its Message-ID.
      const arrived = faulty.withMessageId(messageIdOf(mail.key));
      expect(arrived).toHaveLength(2);
      expect(arrived[0]?.parsed.messageId).toBe(arrived[1]?.parsed.messageId);
      zombie.fail(new Error('gone'));
      expect(await dying).toBe('superseded');
    });

    it('the last allowed attempt dying ends in ERROR rather than another attempt', async () => {
      const time = clock();
      const mail = email();
      await queued(mail, time.now());
      const zombie = hangingTransport();
      const dying = processMail(
        fs.firestore(),
        mailDocId(mail.key),
        deps(time, { transport: zombie, maxAttempts: 1 }),
      );
      await zombie.entered;
      time.advance(DEFAULT_LEASE_MS + 1);
      expect((await sweepMail(fs.firestore(), deps(time, { maxAttempts: 1 }))).outcomes).toEqual({
        error: 1,
      });
      expect((await delivery(mail.key)).error).toMatch(/Lease expired/);
      zombie.fail(new Error('gone'));
      expect(await dying).toBe('superseded');
      expect(faulty.withMessageId(messageIdOf(mail.key))).toHaveLength(0);
    });

    it('two sweeps at once over due retries and expired leases: one message per key', async () => {
      const time = clock();
      const mails = Array.from({ length: 6 }, () => email());
      for (const mail of mails) await queued(mail, time.now());
      // Half end up in RETRY, half PROCESSING with a lease that then expires.
      for (const mail of mails.slice(0, 3)) {
        faulty.faults.push('421');
        expect(await processMail(fs.firestore(), mailDocId(mail.key), deps(time))).toBe('retry');
      }
      const zombies = mails.slice(3).map((mail) => {
        const zombie = hangingTransport();
        return {
          zombie,
          run: processMail(fs.firestore(), mailDocId(mail.key), deps(time, { transport: zombie })),
        };
      });
      await Promise.all(zombies.map(({ zombie }) => zombie.entered));
      time.advance(Math.max(DEFAULT_LEASE_MS + 1, defaultBackoff(1)));

      const sweeps = await Promise.all([
        sweepMail(fs.firestore(), deps(time)),
        sweepMail(fs.firestore(), deps(time)),
      ]);
      const total = (outcome: ProcessOutcome) =>
        sweeps.reduce((sum, s) => sum + (s.outcomes[outcome] ?? 0), 0);
      expect(total('sent')).toBe(6);
      for (const mail of mails) {
        expect(faulty.withMessageId(messageIdOf(mail.key))).toHaveLength(1);
        expect((await delivery(mail.key)).state).toBe('SUCCESS');
      }
      for (const { zombie, run } of zombies) {
        zombie.fail(new Error('gone'));
        expect(await run).toBe('superseded');
      }
    });

    it('a document it cannot read ends in ERROR with the reason', async () => {
      const time = clock();
      const id = `broken-${serial++}`;
      await withTriggerSenderOff(async () => {
        await fs
          .firestore()
          .collection('mail')
          .doc(id)
          .create({ to: 'x@example.cn', message: { text: 'no subject' } });
        await eventually(() => events.has(id), { what: 'the create event' });
        await fs.bridge.idle();
      });
      expect(await processMail(fs.firestore(), id, deps(time))).toBe('error');
      const snapshot = await fs.firestore().collection('mail').doc(id).get();
      expect(snapshot.get('delivery.state')).toBe('ERROR');
      expect(snapshot.get('delivery.error')).toMatch(/message\.subject/);
      expect(snapshot.get('delivery.expireAt').toMillis()).toBe(time.now().getTime() + RETENTION_MS);
      expect(await processMail(fs.firestore(), 'no-such-mail', deps(time))).toBe('missing');
    });

    it('a hand-written document whose attachment names a file ends in ERROR: no sender reads files', async () => {
      const time = clock();
      const id = `attachments-${serial++}`;
      await withTriggerSenderOff(async () => {
        await fs
          .firestore()
          .collection('mail')
          .doc(id)
          .create({
            to: 'x@example.cn',
            message: { subject: '年度总结', text: '见附件', attachments: [{ path: '/etc/passwd' }] },
          });
        await eventually(() => events.has(id), { what: 'the create event' });
        await fs.bridge.idle();
      });
      expect(await processMail(fs.firestore(), id, deps(time))).toBe('error');
      const snapshot = await fs.firestore().collection('mail').doc(id).get();
      expect(snapshot.get('delivery.error')).toMatch(/message\.attachments\.0\.(filename|content)/);
      expect(faulty.arrivals.filter((a) => a.parsed.subject === '年度总结')).toHaveLength(0);
    });
  });
});

/**
 * A transport whose send never finishes by itself — the process "died" (or froze) mid-attempt.
 * With `inner`, the message is handed to the server first, so it dies after the server took it.
 */
function hangingTransport(inner?: MailTransport) {
  let entered!: () => void;
  let fail!: (error: Error) => void;
  const enteredPromise = new Promise<void>((resolve) => {
    entered = resolve;
  });
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  const transport: MailTransport & { entered: Promise<void>; fail(error: Error): void } = {
    name: 'hanging',
    entered: enteredPromise,
    fail: (error) => fail(error),
    async send(mail: OutgoingMail): Promise<DeliveryInfo> {
      if (inner) await inner.send(mail);
      entered();
      return failed;
    },
    async close() {},
  };
  return transport;
}
