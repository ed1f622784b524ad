/**
 * The staff's daily 待审核 list end to end (§7, §11): a local-workbook plan with 12 reported rows
 * waiting, 3 of them with a photo in 佐证材料/, queued by the hourly schedule at 09:00 on a
 * working day — thumbnails read through the PhotoStore and made by sharp — then delivered by our
 * sender over SMTP to smtp-server on 127.0.0.1. What arrives is a multipart/related message whose
 * inline parts are the thumbnails (small JPEGs, not the photos) under exactly the Content-IDs the
 * HTML's <img> tags name; opened as a mail app shows it (the cid: parts as images) in headless
 * Chromium at 375 × 812, every image is drawn and nothing overflows the phone's width.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THUMBNAIL_EDGE } from '../../../adapters/photos/process';
import { queueDailyEmails } from '../../../functions/src/mail/daily';
import { processMail } from '../../../functions/src/mail/deliver';
import type { Runtime } from '../../../functions/src/runtime';
import { mailCollection } from '../../../functions/src/store/paths';
import { escapeHtml } from '../../../shared/markup';
import { tempFolder } from '../../adapters/workbook/helpers';
import { launchChromium } from '../../support/chromium';
import { useFirestoreEmulator } from '../../support/firestore';
import {
  HOSTILE_TITLE,
  PENDING_EDITOR,
  PENDING_OWNER,
  PENDING_RUN,
  pendingId,
  seedPendingPlan,
} from '../../support/pendingPlan';
import { testRuntime } from '../../support/runtime';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

const MAIL_FROM = 'noreply@shequ.example.cn';
const PLAN_ID = 'review';
const folder = tempFolder();

describe('the 待审核 list through SMTP and on a phone', () => {
  const fs = useFirestoreEmulator('pendingreview');
  let inbox: TestSmtpServer;
  let runtime: Runtime;
  let browser: Browser | undefined;
  /** The message as it arrived over SMTP (the first test), shown in Chromium by the second. */
  let arrived: Buffer | undefined;

  beforeAll(async () => {
    inbox = await startSmtpServer();
    runtime = testRuntime(fs, { env: { SMTP_URL: `smtp://127.0.0.1:${inbox.port}`, MAIL_FROM } });
  });

  afterAll(async () => {
    await browser?.close();
    await runtime?.close();
    await inbox?.close();
    if (process.env.GONGJIAN_KEEP_ARTEFACTS) console.log(`截图 / screenshots: ${folder.dir}`);
    else folder.remove();
  });

  it('arrives as multipart/related with a thumbnail part for each <img>', async () => {
    const started = Date.now();
    await seedPendingPlan(runtime, folder.dir, PLAN_ID, { count: 12, withPhotos: 3 });
    const seeded = Date.now();
    await queueDailyEmails(runtime.store, runtime.mailQueue, PENDING_RUN);
    process.stdout.write(
      `seeded in ${seeded - started} ms, queued with thumbnails in ${Date.now() - seeded} ms\n`,
    );
    // Queued again within the hour (the schedule retried): still one mail, no second decode needed.
    await queueDailyEmails(runtime.store, runtime.mailQueue, PENDING_RUN);
    const docs = (await mailCollection(fs.firestore()).where('gongjian.kind', '==', 'pendingReview').get())
      .docs;
    expect(docs.map((doc) => doc.get('gongjian.key'))).toEqual(['pendingReview:review:2026-06-15']);
    const [doc] = docs;
    if (!doc) throw new Error('no 待审核 mail queued');
    // The document holds thumbnails only: far below Firestore's 1 MiB.
    const bytes = Buffer.byteLength(JSON.stringify(doc.data()));
    process.stdout.write(`待审核 mail document: ${bytes} bytes of JSON\n`);
    expect(bytes).toBeLessThan(200_000);

    const deps = runtime.mail;
    if (!deps) throw new Error('expected our SMTP sender');
    expect(await processMail(fs.firestore(), doc.id, deps)).toBe('sent');
    const [arrival] = inbox.withMessageId(String(doc.get('headers')['Message-ID']));
    if (!arrival) throw new Error('nothing arrived');
    arrived = arrival.raw;
    expect(arrival.envelope.to.sort()).toEqual([PENDING_EDITOR, PENDING_OWNER].sort());

    // The MIME structure on the wire: the HTML and its images travel together as multipart/related.
    const raw = arrival.raw.toString('latin1');
    expect(raw).toMatch(/Content-Type: multipart\/related;/i);
    const kept: ParsedMail = await simpleParser(arrival.raw, { keepCidLinks: true });
    const sources = [...(kept.html || '').matchAll(/<img src="cid:([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(['thumb1@gongjian.local', 'thumb2@gongjian.local', 'thumb3@gongjian.local']);
    const parts = kept.attachments.map((a) => ({ cid: a.cid, type: a.contentType, related: a.related }));
    expect(parts).toEqual(sources.map((cid) => ({ cid, type: 'image/jpeg', related: true })));
    for (const attachment of kept.attachments) {
      const meta = await sharp(attachment.content).metadata();
      expect(Math.max(meta.width ?? 0, meta.height ?? 0)).toBe(THUMBNAIL_EDGE);
      expect(meta.exif).toBeUndefined();
      expect(attachment.size).toBeLessThan(40_000);
    }

    // What the staff read: ten listed (the hostile title as text), two more counted, the workbook named.
    expect(kept.text).toContain('还有 2 条待审核的活动未列出');
    expect(kept.text).toContain(join(folder.dir, '幸福社区.xlsx'));
    expect(kept.text).toContain(pendingId(10));
    expect(kept.text).not.toContain(pendingId(11));
    expect(kept.html).toContain(escapeHtml(HOSTILE_TITLE));
    expect(kept.html).not.toContain('<img src=x');
  }, 120_000);

  it('shows its thumbnails on a 375 px phone screen', async () => {
    if (!arrived) throw new Error('the message did not arrive (first test)');
    // As a mail app shows it: mailparser turns the cid: parts into the images they are.
    const shown = await simpleParser(arrived);
    const shots = join(folder.dir, 'shots');
    mkdirSync(shots, { recursive: true });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 375, height: 812 }, deviceScaleFactor: 2 });
    await page.setContent(shown.html || '', { waitUntil: 'load' });
    const images = await page.$$eval('img', (all) =>
      all.map((img) => ({
        complete: img.complete,
        naturalWidth: img.naturalWidth,
        width: img.getBoundingClientRect().width,
        height: img.getBoundingClientRect().height,
        alt: img.alt,
      })),
    );
    expect(images).toHaveLength(3);
    for (const image of images) {
      expect(image.complete).toBe(true);
      expect(image.naturalWidth).toBeGreaterThan(0);
      // Drawn at half its pixels: 120 CSS px on the long side, crisp on the 2× screen.
      expect(Math.max(image.width, image.height)).toBe(120);
    }
    expect(images[1]?.alt).toBe(HOSTILE_TITLE);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(shots, 'pending-review-375.png'), fullPage: true });
    await page.screenshot({ path: join(shots, 'pending-review-375-first-screen.png') });
  }, 120_000);
});
