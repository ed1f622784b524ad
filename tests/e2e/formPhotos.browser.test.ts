/**
 * A photo from a phone, end to end (issue 20 item 5): `npm start` on a new workbook mails the
 * partner digests to the outbox; a link from one is opened in headless Chromium at 375×812 with
 * JavaScript off; a real JPEG carrying a GPS position and a 90° orientation tag is attached and the
 * activity submitted — and the same page is posted a second time (a double submit, replayed with
 * the page's own value). One row lands in 活动, linked to 佐证材料/<记录编号>/, which holds one set
 * of photos: upright, within 2048 px, with no EXIF or any other metadata left.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { activityRowsNow } from '../support/activityTab';
import { launchChromium } from '../support/chromium';
import { eventually } from '../support/firestore';
import { hasGpsTag, metadataSegments, phoneJpeg } from '../support/phonePhotos';
import { formLinkIn, partnerDigests, type StackRun, startStack, stopStack, untilWatching } from './run-start';

const folder = tempFolder();
let stack: StackRun | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  await stopStack(stack);
  if (process.env.GONGJIAN_KEEP_ARTEFACTS) console.log(`截图 / screenshots: ${folder.dir}`);
  else folder.remove();
}, 30_000);

describe('a phone photo through the form', () => {
  it('lands once, upright, scaled and without its location', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    stack = startStack([path]);
    const _run = await untilWatching(stack);
    const outbox = join(folder.dir, 'outbox');
    const digest = partnerDigests(outbox)[0];
    const link = formLinkIn(readFileSync(join(outbox, digest as string), 'utf8'));
    expect(link).toBeDefined();

    // A phone's photo: stored lying on its side with orientation 6, a camera make and GPS.
    const photo = await phoneJpeg(3200, 2400);
    const original = await sharp(photo).metadata();
    expect(original.orientation).toBe(6);
    expect(hasGpsTag(original.exif)).toBe(true);
    const photoPath = join(folder.dir, 'IMG_20260612_101500.jpg');
    writeFileSync(photoPath, photo);

    browser = await launchChromium();
    const context = await browser.newContext({
      viewport: { width: 375, height: 812 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    expect((await page.goto(link as string))?.status()).toBe(200);
    const form = page.locator('form:has(input[name="kind"][value="activity"])');
    expect(await form.getAttribute('enctype')).toBe('multipart/form-data');
    const title = `带照片的填报 ${Date.now().toString(36)}`;
    const measureId = await page.locator('#f-measureId option').nth(1).getAttribute('value');
    await page.selectOption('#f-measureId', measureId as string);
    await page.fill('#f-date', todayIn(new Date(), 'Asia/Shanghai'));
    await page.fill('#f-title', title);
    await page.fill('#f-participants', '9');
    await page.setInputFiles('#f-photos', photoPath);
    await page.screenshot({ path: join(folder.dir, '1-form-with-photo.png'), fullPage: true });
    const fields = {
      guard: (await page.locator('input[name="guard"]').first().getAttribute('value')) as string,
      kind: 'activity',
      measureId: measureId as string,
      date: todayIn(new Date(), 'Asia/Shanghai'),
      title,
      participants: '9',
    };
    const [response] = await Promise.all([
      page.waitForNavigation(),
      form.locator('button[type="submit"]').click(),
    ]);
    expect(response?.status()).toBe(200);
    expect(page.url()).toContain('?ok=1');
    await page.screenshot({ path: join(folder.dir, '2-submitted.png'), fullPage: true });

    // The same page posted again, as a second tap or a retry would: the same page value.
    const again = new FormData();
    for (const [key, value] of Object.entries(fields)) again.append(key, value);
    again.append('photos', new Blob([photo], { type: 'image/jpeg' }), 'IMG_20260612_101500.jpg');
    const replay = await fetch(link as string, { method: 'POST', body: again, redirect: 'manual' });
    expect(replay.status).toBe(303);

    const rows = await eventually(
      async () => {
        const found = (await activityRowsNow(path))?.filter((r) => r.活动名称 === title);
        return found && found.length > 0 ? found : undefined;
      },
      { timeoutMs: 120_000, what: 'the submitted row in 活动' },
    );
    expect(rows).toHaveLength(1);
    const row = rows[0] as Record<string, string>;
    expect(row.佐证链接).toBe(`佐证材料/${row.记录编号}/`);
    const photos = join(folder.dir, '佐证材料');
    expect(readdirSync(photos)).toEqual([row.记录编号]);
    expect(readdirSync(join(photos, row.记录编号 as string))).toEqual(['1.jpg']);
    const stored = readFileSync(join(photos, row.记录编号 as string, '1.jpg'));
    const meta = await sharp(stored).metadata();
    // Upright: 2400 wide and 3200 tall once turned, fitted to 2048 on the long side.
    expect([meta.width, meta.height]).toEqual([1536, 2048]);
    expect(meta.orientation).toBeUndefined();
    expect(meta.exif).toBeUndefined();
    expect(metadataSegments(stored)).toEqual([]);
    expect(stored.includes(Buffer.from('GongjianTestCam'))).toBe(false);
  }, 420_000);
});
