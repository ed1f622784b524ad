/**
 * The mail part of `npm run bench`: partner digests queued in the Firestore emulator and delivered
 * by the real sender (processMail) over a pooled SMTP connection to smtp-server on 127.0.0.1, a few
 * at a time as concurrent trigger invocations would. Then everything is queued again and processed
 * again, as redelivered triggers and repeated schedules would, and the server counts what arrived
 * per Message-ID: every key should have arrived exactly once.
 */
import type { AddressInfo } from 'node:net';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { type ProcessOutcome, processMail } from '../functions/src/mail/deliver';
import { mailDocId, messageIdOf, type QueuedEmail } from '../functions/src/mail/message';
import { enqueueMail } from '../functions/src/mail/queue';
import { createSmtpTransport } from '../functions/src/mail/transport';
import { startFirestoreEmulator } from '../stack/emulator';

export interface MailBenchOptions {
  messages?: number;
  /** Mails processed at the same time (concurrent trigger invocations). */
  concurrency?: number;
  progress?: (line: string) => void;
}

export interface MailBench {
  messages: number;
  /** Bytes of one message as it arrived (the digest's HTML is about 10 KB). */
  messageBytes: number;
  enqueueMs: number;
  deliverMs: number;
  /** Queuing plus delivery. */
  totalMs: number;
  /** messages / totalMs. */
  messagesPerSecond: number;
  /** Keys that arrived more than once (extra copies), and keys that never arrived. */
  duplicates: number;
  missing: number;
  /** What the second round (queue again, process again) did: every key refused, nothing sent. */
  requeuedDuplicates: number;
  secondRoundOutcomes: Partial<Record<ProcessOutcome, number>>;
  /** The first message as parsed at the server: the Chinese subject decoded back intact. */
  subjectIntact: boolean;
}

const PROJECT_ID = 'demo-gongjian-bench-mail';
const FROM = 'noreply@shequ.example.cn';
let runs = 0;

/** Queues and delivers `messages` partner digests; see the module comment. */
export async function runMailBench(options: MailBenchOptions = {}): Promise<MailBench> {
  const messages = options.messages ?? 500;
  const concurrency = options.concurrency ?? 4;
  const progress = options.progress ?? (() => {});

  const arrivals = new Map<string, number>();
  const firstMessage: { raw?: Buffer } = {};
  let messageBytes = 0;
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 10 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        // Only the header is read here; parsing every body would bench mailparser, not the sender.
        const header = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
        const messageId = /^Message-ID:\s*(\S+)/im.exec(header)?.[1] ?? '(none)';
        arrivals.set(messageId, (arrivals.get(messageId) ?? 0) + 1);
        firstMessage.raw ??= raw;
        messageBytes = raw.length;
        callback(null, 'OK: queued');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  progress('mail: starting the Firestore emulator…');
  const emulator = await startFirestoreEmulator({ projectId: PROJECT_ID });
  // An app of its own per run: a Firestore client takes settings only once.
  const app = initializeApp({ projectId: PROJECT_ID }, `${PROJECT_ID}-${++runs}`);
  const db = getFirestore(app);
  db.settings({ host: emulator.host, ssl: false, universeDomain: 'googleapis.com' });
  const transport = createSmtpTransport({ smtpUrl: `smtp://127.0.0.1:${port}`, from: FROM });
  const retentionMs = 30 * 86_400_000;
  const queue = { db, fromAddress: FROM, retentionMs };
  const deps = { transport, now: () => new Date(), retentionMs };
  try {
    // A fresh JVM and a cold Firestore client are several times slower for their first few hundred
    // requests; a short warm-up on other keys keeps that out of the measurement.
    const warmup = Array.from({ length: 40 }, (_, i) => partnerDigest(i, 'warmup'));
    await inParallel(warmup, 16, (email) => enqueueMail(queue, email, new Date()));
    await inParallel(warmup, concurrency, (email) => processMail(db, mailDocId(email.key), deps));

    const emails = Array.from({ length: messages }, (_, i) => partnerDigest(i));
    progress(`mail: queuing ${messages} partner digests…`);
    const t0 = performance.now();
    await inParallel(emails, 16, (email) => enqueueMail(queue, email, new Date()));
    const enqueueMs = performance.now() - t0;

    progress(`mail: delivering them, ${concurrency} at a time, over a pooled SMTP connection…`);
    const t1 = performance.now();
    const outcomes = await inParallel(emails, concurrency, (email) =>
      processMail(db, mailDocId(email.key), deps),
    );
    const deliverMs = performance.now() - t1;
    const notSent = outcomes.filter((outcome) => outcome !== 'sent').length;
    if (notSent > 0) progress(`mail: ${notSent} not sent in the first round`);

    progress('mail: queuing and processing everything again (redelivered triggers, repeated schedules)…');
    const again = await inParallel(emails, 16, (email) => enqueueMail(queue, email, new Date()));
    const second = await inParallel(emails, concurrency, (email) =>
      processMail(db, mailDocId(email.key), deps),
    );
    const secondRoundOutcomes: Partial<Record<ProcessOutcome, number>> = {};
    for (const outcome of second) secondRoundOutcomes[outcome] = (secondRoundOutcomes[outcome] ?? 0) + 1;

    let duplicates = 0;
    let missing = 0;
    for (const email of emails) {
      const count = arrivals.get(messageIdOf(email.key)) ?? 0;
      if (count === 0) missing++;
      else duplicates += count - 1;
    }
    // Whichever message arrived first (they arrive in no particular order), checked against its own.
    const parsed = firstMessage.raw ? await simpleParser(firstMessage.raw) : undefined;
    const sent = [...warmup, ...emails].find((email) => messageIdOf(email.key) === parsed?.messageId);
    const totalMs = enqueueMs + deliverMs;
    return {
      messages,
      messageBytes,
      enqueueMs,
      deliverMs,
      totalMs,
      messagesPerSecond: messages / (totalMs / 1000),
      duplicates,
      missing,
      requeuedDuplicates: again.filter((result) => result === 'duplicate').length,
      secondRoundOutcomes,
      subjectIntact: sent !== undefined && parsed?.subject === sent.subject,
    };
  } finally {
    await transport.close();
    await db.terminate();
    await deleteApp(app);
    await emulator.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Runs `task` over `items`, at most `limit` at a time; results in the items' order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await task(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const PARTNER_TYPES = ['机关', '企业', '学校', '村'] as const;
const ACTIVITY_TITLES = [
  '文明礼仪进社区宣传活动',
  '结对帮扶困难家庭走访慰问',
  '老年活动室加层工程现场协调会',
  '无物业老旧小区安防设施巡查',
  '社区志愿服务队清洁家园行动',
  '季度共建联席会议',
  '青少年暑期安全教育讲座',
  '办公电脑捐赠与安装调试',
];

/** A partner digest about the size and shape of the real one (a table of a month's activities). */
function partnerDigest(i: number, planId = 'bench-plan'): QueuedEmail {
  const partner = `共建单位${String(i + 1).padStart(3, '0')}（${PARTNER_TYPES[i % PARTNER_TYPES.length]}）`;
  const rows = Array.from({ length: 24 }, (_, r) => {
    const title = ACTIVITY_TITLES[(i + r) % ACTIVITY_TITLES.length] ?? '';
    const day = String((r % 28) + 1).padStart(2, '0');
    return (
      `<tr><td>2026-06-${day}</td><td>${title}</td><td>${(r % 5) + 1}</td>` +
      `<td>${(r * 7) % 60} 人次</td><td>已完成，活动记录与照片已上传至共享表格</td></tr>`
    );
  });
  const html =
    `<!doctype html><html lang="zh-CN"><body><h1>${partner} 2026年6月共建摘要</h1>` +
    `<p>尊敬的${partner}：本月贵单位参与社区共建活动 ${rows.length} 次，感谢对社区工作的支持。</p>` +
    `<table border="1" cellpadding="4"><thead><tr><th>日期</th><th>活动</th><th>参与人数</th>` +
    `<th>服务人次</th><th>说明</th></tr></thead><tbody>${rows.join('')}</tbody></table>` +
    '<p>如有疑问，请联系社区居委会。此邮件由共建助手自动发送，请勿直接回复。</p></body></html>';
  const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  return {
    key: `${planId} · partner-${i} · 2026-06`,
    kind: 'partnerDigest',
    planId,
    to: [`partner${i}@example.cn`],
    cc: [],
    subject: `【共建】${partner} 2026年6月共建摘要`,
    text,
    html,
    senderName: 'xx社区居委会',
  };
}
