/**
 * The update-request form in a real browser: headless Chromium (Debian's `chromium`, or
 * CHROMIUM_PATH) at a 375×812 phone viewport with JavaScript disabled, against the local stack
 * (emulator, functions, the .xlsx workbook and its one writer). A missing Chromium fails every
 * test here with the install hint; nothing is skipped. Screenshots of each page are kept in the
 * test's temp folder (its path is printed).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readXlsx } from '../../adapters/workbook';
import { writeSample } from '../../adapters/workbook/sample';
import { linkUrl, mintLink, revokeLinks } from '../../functions/src/requests/links';
import { todayIn } from '../../shared/today';
import { type LocalStack, startLocalStack } from '../../stack/stack';
import { syncLocalWorkbook } from '../../stack/syncWorkbook';
import { launchChromium } from '../support/chromium';

const PLAN_ID = 'local';
const shots = mkdtempSync(join(tmpdir(), 'gongjian-form-shots-'));
const dir = mkdtempSync(join(tmpdir(), 'gongjian-form-stack-'));
const path = join(dir, 'plan.xlsx');
let stack: LocalStack;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  process.stdout.write(`form screenshots: ${shots}\n`);
  const today = todayIn(new Date());
  await writeSample(path, Number(today.slice(0, 4)), today);
  stack = await startLocalStack({ workbookPath: path });
  await syncLocalWorkbook(stack, PLAN_ID);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
}, 240_000);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

/** A link for the first partner unit that shares a measure, as a digest would carry it. */
async function partnerLink(
  now = () => new Date(),
  validDays = 30,
  email = 'liaison@example.cn',
): Promise<{ url: string; token: string }> {
  const plan = await stack.runtime.store.getPlan(PLAN_ID);
  if (!plan) throw new Error('the plan was not synced');
  const model = await stack.runtime.store.loadModel(plan);
  const partnerId = model.measures.flatMap((m) => m.partners)[0] as string;
  const { token } = await mintLink(
    { db: stack.runtime.db, now },
    {
      planId: PLAN_ID,
      email,
      name: '刘联络员',
      scope: { kind: 'partner', partnerId },
      validDays,
    },
  );
  return { url: linkUrl(stack.formUrl, token), token };
}

async function rowsTitled(title: string): Promise<number> {
  const workbook = await readXlsx(path);
  const tab = workbook.tabs.find((t) => t.name === '活动');
  return (tab?.rows ?? []).filter((row) => row.cells.includes(title)).length;
}

async function writes(): Promise<string> {
  const db = stack.runtime.db;
  const [uses, submissions] = await Promise.all([
    db.collectionGroup('uses').get(),
    db.collection(`plans/${PLAN_ID}/submissions`).get(),
  ]);
  const workbook = await readXlsx(path);
  const rows = workbook.tabs.find((t) => t.name === '活动')?.rows.length;
  return JSON.stringify([uses.size, submissions.size, rows]);
}

describe('the form on a phone, without JavaScript', () => {
  it('shows an inline error with the input kept, then lands one row in the workbook however often submitted', async () => {
    const { url } = await partnerLink();
    const page = await context.newPage();
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    await page.screenshot({ path: join(shots, '1-form.png'), fullPage: true });
    await page.screenshot({ path: join(shots, '1-form-first-screen.png') });
    // Nothing wider than the phone.
    const box = await page.locator('main').boundingBox();
    expect(box?.width).toBeLessThanOrEqual(375);

    const today = todayIn(new Date());
    const title = `浏览器填报 ${Date.now()}`;
    await page.fill('#f-date', today);
    const measure = await page.locator('#f-measureId option').nth(1).getAttribute('value');
    await page.selectOption('#f-measureId', measure ?? '');
    await page.fill('#f-title', title);
    await page.fill('#f-participants', '二十人');
    await page.click('button:has-text("提交活动")');
    await expect
      .poll(() => page.locator('#f-participants-err').textContent())
      .toContain('「参与人数」不是有效的数字');
    expect(await page.inputValue('#f-participants')).toBe('二十人');
    expect(await page.inputValue('#f-title')).toBe(title);
    await page.screenshot({ path: join(shots, '2-field-error.png'), fullPage: true });
    await page.locator('#f-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, '2-field-error-in-view.png') });

    await page.fill('#f-participants', '20');
    const guard = await page.locator('input[name="guard"]').first().getAttribute('value');
    // A double click: the browser may send the form twice; the page's key makes it one row.
    const started = performance.now();
    await page.dblclick('button:has-text("提交活动")');
    await page.waitForURL(/\?ok=1$/);
    // The answer waits up to a second for the row to reach the .xlsx (a busy file: it lands just after).
    process.stdout.write(
      `form submit → row in the .xlsx (local stack): ${Math.round(performance.now() - started)} ms\n`,
    );
    await expect.poll(() => page.locator('.notice').textContent()).toContain('已提交');
    await page.screenshot({ path: join(shots, '3-submitted.png'), fullPage: true });
    await page.screenshot({ path: join(shots, '3-submitted-first-screen.png') });
    await page.locator('h2:has-text("通过此链接提交的记录")').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, '3-submitted-list.png') });
    await expect.poll(() => rowsTitled(title), { timeout: 30_000 }).toBe(1);

    // The same page sent again (a resubmitted form; the browser's back button refuses a no-store page).
    const again = await context.request.post(url, {
      form: {
        guard: guard ?? '',
        kind: 'activity',
        date: today,
        measureId: measure ?? '',
        title,
        participants: '20',
      },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect(await rowsTitled(title)).toBe(1);
    const stored = await stack.runtime.db.collection(`plans/${PLAN_ID}/submissions`).get();
    expect(stored.docs.filter((d) => d.get('activity.title') === title)).toHaveLength(1);
    await page.close();
  }, 120_000);

  it('an expired, revoked or forged link shows the error page and writes nothing', async () => {
    const page = await context.newPage();
    const expired = await partnerLink(() => new Date(Date.now() - 2 * 86_400_000), 1, 'former@example.cn');
    const revoked = await partnerLink();
    await revokeLinks(
      { db: stack.runtime.db, now: () => new Date() },
      { planId: PLAN_ID, email: 'liaison@example.cn' },
    );
    const live = await partnerLink();
    const forged = `${live.url.slice(0, -1)}${live.url.endsWith('A') ? 'B' : 'A'}`;
    const before = await writes();
    for (const [name, url, status, text] of [
      ['4-expired', expired.url, 410, '链接已过期'],
      ['5-revoked', revoked.url, 410, '链接已停用'],
      ['6-forged', forged, 404, '链接无效'],
    ] as const) {
      const response = await page.goto(url);
      expect(response?.status(), name).toBe(status);
      expect(await page.locator('h1').textContent(), name).toBe(text);
      expect(await page.locator('form').count(), name).toBe(0);
      await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
    }
    expect(await writes()).toBe(before);
    await page.close();
  }, 60_000);
});
