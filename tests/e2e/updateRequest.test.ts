/**
 * An update request end to end, as a partner liaison lives it: `npm start` (the real bundled entry,
 * the emulator, the form served on its own port) sends the sample's partner digests to the local
 * outbox; the link in one digest is opened in headless Chromium at a 375×812 phone viewport with
 * JavaScript disabled; the form is filled and submitted; the row then appears in the workbook's
 * 活动 tab (recorded as the liaison with 「（填报）」) and in the statistics `gongjian stats` computes
 * from that file. Screenshots of each page are kept in the test's temp folder (kept when
 * GONGJIAN_KEEP_ARTEFACTS is set, for looking at them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian, json } from '../cli/run-cli';
import { activityRowsNow } from '../support/activityTab';
import { launchChromium } from '../support/chromium';
import { eventually } from '../support/firestore';
import { formLinkIn, partnerDigests, type StackRun, startStack, stopStack, untilWatching } from './run-start';

const folder = tempFolder();
const keep = Boolean(process.env.GONGJIAN_KEEP_ARTEFACTS);
let stack: StackRun | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await stopStack(stack);
  if (keep) console.log(`截图 / screenshots: ${folder.dir}`);
  else folder.remove();
  // Stopping the stack settles what is in flight, saves its database and then stops the emulator:
  // a few seconds (tests/e2e/durable.test.ts holds it to 5 s; before, a flush still calling a
  // killed emulator made one stop in three take 40–50 s).
}, 30_000);

interface StatsJson {
  plan: { activities: number; participants: number };
  partners: { partnerId: string; activities: number }[];
}

describe('an update request, from the digest in the outbox to the row in the workbook', () => {
  it('opens the link on a phone without JavaScript, submits an activity, and finds it in 活动 and the statistics', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    // Synced, mailed and watching: the digests wait in the outbox beside the workbook.
    stack = startStack([path]);
    const _run = await untilWatching(stack);

    const outbox = join(folder.dir, 'outbox');
    const digests = partnerDigests(outbox);
    expect(digests.length).toBeGreaterThan(0);
    const html = readFileSync(join(outbox, digests[0] as string), 'utf8');
    expect(html).toContain('填报活动 / 更新进展');
    const link = formLinkIn(html);
    expect(link, 'the digest carries its partner’s link').toBeDefined();
    // The same link in the plain-text part of the .eml.
    const eml = readFileSync(join(outbox, (digests[0] as string).replace(/\.html$/, '.eml')), 'utf8');
    expect(eml.replace(/=\r?\n/g, '')).toContain(link?.slice(-20));

    const before = json<StatsJson>(gongjian(['stats', path, '--json']));

    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    // The digest as a phone's mail app would show it: the button near the top.
    await page.goto(pathToFileURL(join(outbox, digests[0] as string)).href);
    await page.screenshot({ path: join(folder.dir, '0-digest.png'), fullPage: true });
    const button = page.locator('a', { hasText: '填报活动 / 更新进展' });
    expect(await button.getAttribute('href')).toBe(link);
    expect((await button.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(40);
    const opened = await page.goto(link as string);
    expect(opened?.status()).toBe(200);
    await page.screenshot({ path: join(folder.dir, '1-form.png'), fullPage: true });
    await expect(page.locator('h1').textContent()).resolves.toContain('填报活动 / 更新进展');
    // Phone first: nothing wider than the screen.
    const width = await page.evaluate<number>('document.documentElement.scrollWidth').catch(() => undefined);
    if (width !== undefined) expect(width).toBeLessThanOrEqual(375);

    const title = `端到端填报活动 ${Date.now().toString(36)}`;
    const measure = page.locator('#f-measureId option').nth(1);
    const measureId = await measure.getAttribute('value');
    expect(measureId).toBeTruthy();
    await page.selectOption('#f-measureId', measureId as string);
    // A native date picker: the browser validates `required` itself, script or no script.
    await page.fill('#f-date', todayIn(new Date(), 'Asia/Shanghai'));
    await page.fill('#f-title', title);
    await page.fill('#f-location', '社区活动室');
    await page.fill('#f-participants', '12');
    await page.fill('#f-hours', '3');
    const submitted = Date.now();
    const [response] = await Promise.all([
      page.waitForNavigation(),
      page.locator('form:has(input[name="kind"][value="activity"]) button[type="submit"]').click(),
    ]);
    expect(response?.status()).toBeLessThan(400);
    await page.screenshot({ path: join(folder.dir, '2-submitted.png'), fullPage: true });
    await expect(page.locator('body').textContent()).resolves.toContain(title);

    const row = await eventually(
      async () => (await activityRowsNow(path))?.find((r) => r.活动名称 === title),
      {
        timeoutMs: 120_000,
        what: 'the submitted row in the workbook’s 活动 tab',
      },
    );
    const latencyMs = Date.now() - submitted;
    console.log(`填报→行 / request→row: ${latencyMs} ms`);
    expect(row.记录人).toContain('（填报）');
    expect(row.状态).toBe('已完成');

    const after = json<StatsJson>(gongjian(['stats', path, '--json']));
    expect(after.plan.activities).toBe(before.plan.activities + 1);
    expect(after.plan.participants).toBe(before.plan.participants + 12);
  }, 420_000);
});
