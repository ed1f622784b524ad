/**
 * The 街道月报 through the real mail path (§7, §13), on the Firestore emulator: the hourly round
 * queues a district's summary at 09:00 in its time zone on the 1st only (a 1st off work: the next
 * working day), once however often it runs; the mail document is the district's (no plan), our
 * sender delivers it over SMTP to smtp-server on 127.0.0.1, and the message that arrives is shown
 * at a 375×812 phone viewport in headless Chromium — no wider than the screen, a community called
 * `<script>` shown as text. The screenshot is kept with GONGJIAN_KEEP_ARTEFACTS.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processMail } from '../../../functions/src/mail/deliver';
import { queueDistrictEmails } from '../../../functions/src/mail/districtMonthly';
import type { Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import { mailCollection } from '../../../functions/src/store/paths';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { rollUpDistrict } from '../../../shared/rollup';
import { sampleWorkbook } from '../../../shared/sample';
import type { RawWorkbook } from '../../../shared/workbook';
import { tempFolder } from '../../adapters/workbook/helpers';
import { launchChromium } from '../../support/chromium';
import { pinnedClock } from '../../support/clock';
import { useFirestoreEmulator } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';
import { startSmtpServer, type TestSmtpServer } from '../../support/smtp';

const MAIL_FROM = 'noreply@jiedao.example.cn';
const VIEWER = 'leader@jiedao.example.cn';
const HOSTILE = '<script>document.title="pwned"</script>东风社区';
const NOW = new Date('2026-11-30T04:00:00Z');
const folder = tempFolder();
const keep = Boolean(process.env.GONGJIAN_KEEP_ARTEFACTS);

const fs = useFirestoreEmulator('district-mail');
let inbox: TestSmtpServer;
let runtime: Runtime;
let browser: Browser | undefined;

function workbookOf(community: string): RawWorkbook {
  const workbook = sampleWorkbook(2026);
  for (const tab of workbook.tabs)
    for (const row of tab.rows) if (row.cells[0] === '社区名称') row.cells[1] = community;
  return workbook;
}

beforeAll(async () => {
  inbox = await startSmtpServer();
  runtime = testRuntime(fs, {
    env: { SMTP_URL: `smtp://127.0.0.1:${inbox.port}`, MAIL_FROM },
    clock: pinnedClock(NOW),
  });
  for (const [planId, community] of [
    ['dongfeng', HOSTILE],
    ['xihu', '西湖社区'],
  ] as const) {
    await syncPlan(
      workbookOf(community),
      { planId, caller: 'owner@example.cn', now: NOW, clock: pinnedClock(NOW), existing: undefined },
      runtime.store,
    );
    // Its statistics, and with them its summary: what the roll-up and the email read.
    await refreshStats(planId, runtime.refresh, { force: true });
  }
  await runtime.districts.create(
    'heping',
    { name: '和平街道', timezone: 'Asia/Shanghai', viewers: [VIEWER], admins: [] },
    'admin@example.cn',
    NOW,
  );
  await runtime.districts.addPlan('heping', 'dongfeng');
  await runtime.districts.addPlan('heping', 'xihu');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.close();
  await inbox?.close();
  if (keep) console.log(`截图 / screenshot: ${folder.dir}`);
  else folder.remove();
});

const round = (iso: string) =>
  queueDistrictEmails(
    { districts: runtime.districts, store: runtime.store, queue: runtime.mailQueue },
    new Date(iso),
  );

async function districtMail() {
  const snapshot = await mailCollection(fs.firestore()).where('gongjian.districtId', '==', 'heping').get();
  return snapshot.docs.map((doc) => ({ id: doc.id, data: doc.data() }));
}

describe('the 街道月报 on its schedule, through our sender', () => {
  it('is queued once, at 09:00 on the 1st in the district’s time zone, as the district’s mail', async () => {
    // 08:00 in Shanghai on the 1st, and 09:00 on the 2nd: nothing.
    await round('2026-12-01T00:00:00Z');
    await round('2026-12-02T01:00:00Z');
    expect(await districtMail()).toHaveLength(0);
    // 09:00 on the 1st, run twice (a retried schedule) and again at 09:30: one email.
    await round('2026-12-01T01:00:00Z');
    await round('2026-12-01T01:00:00Z');
    await round('2026-12-01T01:30:00Z');
    const docs = await districtMail();
    expect(docs).toHaveLength(1);
    const [doc] = docs;
    expect(doc?.data.gongjian).toMatchObject({ districtId: 'heping', kind: 'districtSummary' });
    expect(doc?.data.gongjian.key).toBe('districtSummary:heping:2026-11');
    expect(Object.keys(doc?.data.gongjian ?? {})).not.toContain('planId');
    expect(doc?.data.to).toEqual([VIEWER]);
    expect(doc?.data.delivery.state).toBe('PENDING');
  });

  it('a 1st that is a holiday: the next working day sends the month before', async () => {
    // 1 November 2026 is a Sunday: nothing then, October's summary on Monday the 2nd.
    await round('2026-11-01T01:00:00Z');
    expect((await districtMail()).map((d) => d.data.gongjian.key)).not.toContain(
      'districtSummary:heping:2026-10',
    );
    await round('2026-11-02T01:00:00Z');
    expect((await districtMail()).map((d) => d.data.gongjian.key)).toContain(
      'districtSummary:heping:2026-10',
    );
  });

  it('arrives over SMTP, and reads on a phone: figures escaped, a <script> community shown as text', async () => {
    const doc = (await districtMail()).find((d) => d.data.gongjian.key === 'districtSummary:heping:2026-11');
    if (!doc) throw new Error('expected November’s summary');
    const deps = runtime.mail;
    if (!deps) throw new Error('expected our SMTP sender');
    expect(await processMail(fs.firestore(), doc.id, deps)).toBe('sent');
    const [arrival] = inbox.withMessageId(String(doc.data.headers?.['Message-ID']));
    if (!arrival) throw new Error('nothing arrived');
    expect(arrival.envelope.to).toEqual([VIEWER]);
    expect(arrival.parsed.subject).toBe('【和平街道】2026年11月各社区共建工作月报（街道月报）');
    const html = String(arrival.parsed.html);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;');
    const sent = (await mailCollection(fs.firestore()).doc(doc.id).get()).get('delivery.state');
    expect(sent).toBe('SUCCESS');

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await context.newPage();
    await page.setContent(html);
    await page.screenshot({ path: join(folder.dir, 'district-summary.png'), fullPage: true });
    // Nothing wider than the phone's screen, and the hostile name ran nothing and reads as typed.
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    expect(await page.evaluate<number>('document.scripts.length')).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(await page.locator('body').textContent()).toContain(HOSTILE);
    // Each community's completion as the roll-up computes it.
    const summaries = await runtime.store.summaries(['dongfeng', 'xihu']);
    const rollup = rollUpDistrict(summaries.map((s) => s?.summary).filter((s) => s !== undefined));
    const body = await page.locator('body').textContent();
    for (const c of rollup.communities) expect(body).toContain(c.name);
    // The bars are drawn: coloured cells with a width, inside the screen.
    const bars = await page.locator('td[bgcolor]').count();
    expect(bars).toBeGreaterThan(0);
  });
});
