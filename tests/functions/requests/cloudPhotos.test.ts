/**
 * Photos of a deployed plan (issue 20 item 2, deployed): the runtime built with a form address and
 * the Storage emulator (firebase-tools) puts a Sheets plan's photos in Cloud Storage as
 * `plans/{planId}/evidence/{activityId}/{n}.jpg`, processed, before the 303; the row's 佐证链接 is a
 * capability link the `form` function serves, which shows the photos at a phone's width; a wrong
 * mac, another activity's path and a revoked plan key open nothing.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THUMBNAIL_EDGE } from '../../../adapters/photos/process';
import { createApi } from '../../../functions/src/http/api';
import { makeThumbnails } from '../../../functions/src/mail/thumbnails';
import { CloudPhotoStore, photoObjectName } from '../../../functions/src/requests/cloudPhotoStore';
import { mintLink } from '../../../functions/src/requests/links';
import type { Runtime } from '../../../functions/src/runtime';
import { EvidenceResponse } from '../../../shared/api';
import { launchChromium } from '../../support/chromium';
import { pinnedClock } from '../../support/clock';
import { type FakeSheets, startFakeSheets } from '../../support/fake-sheets';
import { eventually, useFirestoreEmulator } from '../../support/firestore';
import { answerOf, apiRequest, guardOf } from '../../support/http';
import { metadataSegments, phoneJpeg } from '../../support/phonePhotos';
import { testRuntime } from '../../support/runtime';
import { useStorageEmulator } from '../../support/storage';
import { activityRows, NOW, seedPlan, TOKEN } from './fixture';

const emulator = useFirestoreEmulator('cloud-photos');
const storage = useStorageEmulator('cloud-photos');
let fake: FakeSheets;
let runtime: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  fake = await startFakeSheets({ token: TOKEN });
  // The form's address must be known before the runtime (its links carry it): a port taken first.
  let handle: Runtime['form'] | undefined;
  server = createServer((req, res) => void handle?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = testRuntime(emulator, {
    env: { GONGJIAN_FORM_URL: base, FIREBASE_STORAGE_EMULATOR_HOST: storage.host },
    sheets: { rootUrl: fake.rootUrl, token: TOKEN },
    clock: pinnedClock(NOW),
    clientAddress: () => '127.0.0.1',
  });
  handle = runtime.form;
}, 90_000);
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await runtime?.close();
  await fake?.stop();
});

let plans = 0;
async function sheetsPlan(): Promise<{ planId: string; token: string }> {
  const planId = `cloud-${++plans}`;
  await seedPlan(runtime, fake, planId);
  const { token } = await mintLink(
    { db: runtime.db, now: () => NOW },
    {
      planId,
      email: 'liaison@school.cn',
      name: '王老师',
      scope: { kind: 'partner', partnerId: 'P1' },
      validDays: 30,
    },
  );
  return { planId, token };
}

async function submitWithPhotos(token: string, title: string, photos: Buffer[]): Promise<Response> {
  const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
  const body = new FormData();
  const fields = {
    kind: 'activity',
    date: '2026-06-12',
    measureId: 'M1',
    title,
    location: '社区广场',
    participants: '25',
    guard,
  };
  for (const [key, value] of Object.entries(fields)) body.append(key, value);
  for (const [i, bytes] of photos.entries())
    body.append('photos', new Blob([bytes], { type: 'image/jpeg' }), `IMG_${i + 1}.jpg`);
  const post = () => fetch(`${base}/r/${token}`, { method: 'POST', body, redirect: 'manual' });
  const first = await post();
  // A double submit: the same page posted again keeps one set.
  const again = await post();
  expect(again.status).toBe(first.status);
  return first;
}

/** The 佐证链接 of the sheet row with this title, once the row is there. */
function evidenceOf(planId: string, title: string): Promise<string> {
  return eventually(
    () => {
      const rows = activityRows(fake, planId);
      const header = fake.spreadsheets.get(`sheet-${planId}`);
      if (!header) return undefined;
      const row = rows.find((cells) => cells.includes(title));
      return row?.find((cell) => typeof cell === 'string' && cell.includes('/e/')) as string | undefined;
    },
    { timeoutMs: 30_000, what: 'the submitted row with its 佐证链接' },
  );
}

describe('photos of a Sheets plan, deployed', () => {
  it('stores processed photos in Cloud Storage before the 303 and links the row to a page showing them', async () => {
    const { planId, token } = await sheetsPlan();
    const answer = await submitWithPhotos(token, '夏季义诊（云端照片）', [
      await phoneJpeg(3000, 2000),
      await phoneJpeg(800, 600),
    ]);
    expect(answer.status, await answer.clone().text()).toBe(303);
    const link = await evidenceOf(planId, '夏季义诊（云端照片）');
    const match = new RegExp(`^${base}/e/${planId}/(R[0-9A-F]{10})/[A-Za-z0-9_-]{43}$`).exec(link);
    expect(match, link).not.toBeNull();
    const activityId = match?.[1] as string;

    // Exactly one set, under the agreed names, processed: upright, ≤ 2048 px, no metadata.
    const [files] = await storage.bucket().getFiles({ prefix: `plans/${planId}/evidence/` });
    expect(files.map((f) => f.name).sort()).toEqual([
      photoObjectName(planId, activityId, 1),
      photoObjectName(planId, activityId, 2),
    ]);
    const [stored] = await storage
      .bucket()
      .file(photoObjectName(planId, activityId, 1))
      .download();
    const meta = await sharp(stored).metadata();
    expect([meta.width, meta.height]).toEqual([1365, 2048]);
    expect(metadataSegments(stored)).toEqual([]);

    // The page at a phone's width: both photos load, as wide as the screen allows.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
      const response = await page.goto(link);
      expect(response?.status()).toBe(200);
      await page.waitForLoadState('load');
      const images = await page.$$eval('img', (imgs) =>
        imgs.map((img) => ({
          natural: (img as unknown as { naturalWidth: number }).naturalWidth,
          shown: img.clientWidth,
        })),
      );
      expect(images).toHaveLength(2);
      for (const image of images) {
        expect(image.natural).toBeGreaterThan(0);
        expect(image.shown).toBeGreaterThan(300);
        expect(image.shown).toBeLessThanOrEqual(375);
      }
      expect(await page.textContent('body')).toContain(activityId);
      const shots = mkdtempSync(join(tmpdir(), 'gongjian-evidence-shots-'));
      await page.screenshot({ path: join(shots, 'evidence-page-375.png'), fullPage: true });
      const photo = await fetch(`${link}/1.jpg`);
      expect(photo.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await photo.arrayBuffer()).equals(stored)).toBe(true);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('opens nothing for a wrong mac, another activity, or after the plan’s key is revoked', async () => {
    const { planId, token } = await sheetsPlan();
    const answer = await submitWithPhotos(token, '敬老活动（撤销）', [await phoneJpeg(640, 480)]);
    expect(answer.status).toBe(303);
    const link = await evidenceOf(planId, '敬老活动（撤销）');
    expect((await fetch(link)).status).toBe(200);
    const mac = link.slice(-43);
    const flipped = `${link.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect((await fetch(flipped)).status).toBe(404);
    expect((await fetch(`${flipped}/1.jpg`)).status).toBe(404);
    const otherActivity = link.replace(/\/R[0-9A-F]{10}\//, '/R0000000000/');
    expect((await fetch(otherActivity)).status).toBe(404);
    const otherPlan = link.replace(`/e/${planId}/`, '/e/cloud-999/');
    expect((await fetch(otherPlan)).status).toBe(404);

    await new CloudPhotoStore({ db: runtime.db, bucket: () => storage.bucket(), formUrl: base }).revokeLinks(
      planId,
    );
    const revoked = await fetch(link);
    expect(revoked.status).toBe(404);
    expect(await revoked.text()).toContain('此佐证链接无效或已失效');
    expect((await fetch(`${link}/1.jpg`)).status).toBe(404);
  }, 120_000);

  it('escapes the record number on the page', async () => {
    const store = new CloudPhotoStore({ db: runtime.db, bucket: () => storage.bucket(), formUrl: base });
    const activityId = '<b>A1</b>';
    const link = await store.linkOf('cloud-escape', { kind: 'sheets', spreadsheetId: 's' }, activityId);
    const html = await (await fetch(link)).text();
    expect(html).toContain('&lt;b&gt;A1&lt;/b&gt;');
    expect(html).not.toContain('<b>A1</b>');
    expect(html).toContain('这条记录还没有照片');
  }, 60_000);
});

describe('POST /v1/plans/{planId}/evidence', () => {
  /** The runtime's own API handler, with "Bearer <email>" as the identity (auth.test.ts tests the verifier). */
  async function upload(planId: string, caller: string, body: unknown) {
    const api = createApi({
      store: runtime.store,
      verifyIdentity: async (header) => ({
        email: header?.slice('Bearer '.length) ?? '',
        viaDevToken: false,
      }),
      admins: [],
      maxBodyBytes: 30 << 20,
      now: () => NOW,
      sleep: async () => {},
      photos: new CloudPhotoStore({ db: runtime.db, bucket: () => storage.bucket(), formUrl: base }),
    });
    return answerOf(api, apiRequest('POST', `/v1/plans/${planId}/evidence`, { body, caller }));
  }
  const names = async (planId: string, activityId: string) =>
    (await storage.bucket().getFiles({ prefix: `plans/${planId}/evidence/${activityId}/` }))[0].map(
      (f) => f.name,
    );

  it('adds an editor’s photos, processed, after the activity’s stored ones, and answers the row’s link', async () => {
    const { planId } = await sheetsPlan();
    const photo = { name: 'IMG_9.jpg', data: (await phoneJpeg(1200, 800)).toString('base64') };
    const first = await upload(planId, 'owner@example.cn', { activityId: 'A1', photos: [photo, photo] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(EvidenceResponse.parse(first.body)).toEqual(first.body);
    expect(first.body.added).toEqual(['1.jpg', '2.jpg']);
    const second = await upload(planId, 'owner@example.cn', { activityId: 'A1', photos: [photo] });
    expect(second.body.added).toEqual(['3.jpg']);
    expect(second.body.link).toBe(first.body.link);
    expect(second.body.link).toMatch(new RegExp(`^${base}/e/${planId}/A1/[A-Za-z0-9_-]{43}$`));
    expect((await names(planId, 'A1')).sort()).toEqual(
      [1, 2, 3].map((n) => photoObjectName(planId, 'A1', n)),
    );
    const [stored] = await storage
      .bucket()
      .file(photoObjectName(planId, 'A1', 3))
      .download();
    expect(metadataSegments(stored)).toEqual([]);
    expect((await sharp(stored).metadata()).width).toBe(800);
  }, 60_000);

  it('the 待审核 mail reads an activity’s first photo from Cloud Storage for its thumbnail', async () => {
    const { planId } = await sheetsPlan();
    const photo = { name: 'IMG_1.jpg', data: (await phoneJpeg(1200, 800)).toString('base64') };
    expect((await upload(planId, 'owner@example.cn', { activityId: 'A1', photos: [photo] })).status).toBe(
      200,
    );
    const plan = await runtime.store.getPlan(planId);
    if (!plan?.workbook) throw new Error('no workbook');
    // The runtime's own queue, so this also proves the composition root hands the mail its photos.
    const made = await makeThumbnails(
      runtime.mailQueue,
      plan,
      new Map([
        ['A1', 'thumb1@gongjian.local'],
        ['A2', 'thumb2@gongjian.local'],
      ]),
    );
    expect([...made.sizes]).toEqual([['thumb1@gongjian.local', { width: 160, height: THUMBNAIL_EDGE }]]);
    expect(made.attachments.map((a) => [a.cid, a.contentType, a.filename])).toEqual([
      ['thumb1@gongjian.local', 'image/jpeg', 'thumb1.jpg'],
    ]);
    const thumbnail = Buffer.from(made.attachments[0]?.content ?? '', 'base64');
    expect(await sharp(thumbnail).metadata()).toMatchObject({
      format: 'jpeg',
      width: 160,
      height: THUMBNAIL_EDGE,
    });
  }, 60_000);

  it('refuses a stranger, an unknown activity and a file that is no photo, keeping nothing', async () => {
    const { planId } = await sheetsPlan();
    const photo = { name: 'IMG_1.jpg', data: (await phoneJpeg(640, 480)).toString('base64') };
    const stranger = await upload(planId, 'stranger@example.cn', { activityId: 'A1', photos: [photo] });
    expect([stranger.status, (stranger.body.error as { code: string }).code]).toEqual([403, 'not_editor']);
    const unknown = await upload(planId, 'owner@example.cn', { activityId: 'A99', photos: [photo] });
    expect([unknown.status, (unknown.body.error as { code: string }).code]).toEqual([
      404,
      'unknown_activity',
    ]);
    const pdf = { name: '报告.jpg', data: Buffer.from('%PDF-1.4 not a photo').toString('base64') };
    const bad = await upload(planId, 'owner@example.cn', { activityId: 'A1', photos: [photo, pdf] });
    expect(bad.status).toBe(422);
    expect((bad.body.error as { message: string }).message).toContain('「报告.jpg」：无法识别的照片');
    expect(await names(planId, 'A1')).toEqual([]);
  }, 60_000);
});
