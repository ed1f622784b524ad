/**
 * 上传佐证照片 (sheets-addon/src/uploadEvidence.ts, UploadEvidence.html): the bundled add-on in a vm
 * with the fake Apps Script services (fakes.ts), as addon.test.ts runs it.
 * - The photo the add-on sends is handed to the real API handler (createApi with the evidence
 *   route, sharp and the local photo folder); the handler's own answer is handed back to the add-on,
 *   which writes the link into the row — UrlFetchApp is synchronous, the handler is not, so the
 *   request is recorded first and its answer replayed.
 * - A selection that is not one activity row with a 记录编号 is refused before any request.
 * - The dialog in headless Chromium: a hostile file name shows as text, never as markup.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../functions/src/clock';
import { createApi } from '../../functions/src/http/api';
import { localFolderPhotoStore } from '../../functions/src/requests/evidence';
import type { PlanDoc, PlanStore } from '../../functions/src/store/planStore';
import { EvidenceRequest, EvidenceResponse } from '../../shared/api';
import { COLUMNS } from '../../shared/columns';
import { PHOTO_MAX_BYTES } from '../../shared/evidence';
import { launchChromium } from '../support/chromium';
import { metadataSegments, phoneJpeg } from '../support/phonePhotos';
import { FakeServices, type FakeSheet } from './fakes';

const ROOT = resolve(import.meta.dirname, '../..');
const API_URL = 'https://api.example.cn/gongjian';
const PLAN_ID = 'xx-2026';
const col = (zh: string) => COLUMNS.activities.findIndex((column) => column.zh === zh) + 1;
const ID = col('记录编号');
const TITLE = col('活动名称');
const EVIDENCE = col('佐证链接');

let outdir: string;
let code: string;
let folder: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'gongjian-addon-upload-'));
  folder = mkdtempSync(join(tmpdir(), 'gongjian-upload-plan-'));
  execFileSync(process.execPath, ['scripts/build-addon.mjs', '--outdir', outdir], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  code = readFileSync(join(outdir, 'Code.js'), 'utf8');
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
  rmSync(folder, { recursive: true, force: true });
});

interface Addon {
  services: FakeServices;
  call<T = unknown>(name: string, ...args: unknown[]): T;
  activities: FakeSheet;
}

/** The bundle with an initialised spreadsheet, settings, and activities A1 and A2 in rows 2 and 3. */
function load(): Addon {
  const services = new FakeServices({ htmlDir: outdir });
  const context = vm.createContext(services.globals(), { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(code, context, { filename: 'Code.js' });
  const call = <T>(name: string, ...args: unknown[]) => (context[name] as (...a: unknown[]) => T)(...args);
  call('initSheets');
  call('saveSettings', { apiUrl: API_URL, planId: PLAN_ID });
  const activities = services.spreadsheet.sheet('活动');
  activities.setValue(2, ID, 'A1');
  activities.setValue(2, TITLE, '夏季义诊');
  activities.setValue(3, ID, 'A2');
  activities.setValue(3, TITLE, '<b>敬老</b>活动');
  activities.setValue(4, TITLE, '新行（未同步）');
  return { services, call, activities };
}

const select = (addon: Addon, sheet: string, row: number, numRows = 1, column = 3, numColumns = 1) => {
  addon.services.spreadsheet.activeRange = { sheet, row, column, numRows, numColumns };
};

/** Runs a request the add-on sent through the real API handler; answers its status and JSON. */
async function realAnswer(payload: string, plan: PlanDoc): Promise<{ status: number; body: unknown }> {
  const api = createApi({
    // The plan's record: its editor and one model with the activities the sheet holds.
    store: {
      getPlan: async () => plan,
      loadModel: async () => ({ activities: [{ activityId: 'A1' }, { activityId: 'A2' }] }),
    } as unknown as PlanStore,
    verifyIdentity: async () => ({ email: 'staff@example.cn', viaDevToken: false }),
    admins: [],
    maxBodyBytes: 30 << 20,
    photos: localFolderPhotoStore,
    ...systemClock,
  });
  const answer = { status: 0, body: undefined as unknown };
  await api(
    { method: 'POST', path: `/v1/plans/${PLAN_ID}/evidence`, body: payload, get: () => undefined },
    {
      status(status) {
        answer.status = status;
        return this;
      },
      json: (value) => (answer.body = JSON.parse(JSON.stringify(value))),
    },
  );
  return answer;
}

describe('上传佐证照片 against the real evidence route', () => {
  it('sends one photo as the route’s body, and writes the link the handler answers into the row that holds the ID', async () => {
    const addon = load();
    select(addon, '活动', 3);
    addon.call('showUploadEvidence');
    const dialog = addon.services.dialogs.at(-1);
    expect(dialog?.title).toBe('上传佐证照片');
    expect(dialog?.output.payload()).toMatchObject({ activityId: 'A2', row: 3, title: '<b>敬老</b>活动' });

    // What the page sends: the file's name and its base64. Recorded, then answered by the handler.
    const jpeg = await phoneJpeg(1600, 1200);
    addon.services.respond = () => ({ status: 503, body: {} });
    expect(() =>
      addon.call('uploadEvidencePhoto', {
        activityId: 'A2',
        name: 'IMG_1.jpg',
        data: jpeg.toString('base64'),
      }),
    ).toThrow(/服务器暂时出错/);
    const request = addon.services.requests.at(-1);
    expect(request?.url).toBe(`${API_URL}/v1/plans/${PLAN_ID}/evidence`);
    expect(request?.lockHeld).toBe(false);
    const payload = request?.params.payload ?? '';
    expect(EvidenceRequest.parse(JSON.parse(payload)).photos).toHaveLength(1);

    const plan = {
      planId: PLAN_ID,
      owner: 'staff@example.cn',
      editors: [],
      version: 1,
      workbook: { kind: 'xlsx', path: join(folder, 'plan.xlsx') },
    } as unknown as PlanDoc;
    const answer = await realAnswer(payload, plan);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const response = EvidenceResponse.parse(answer.body);
    const stored = join(folder, '佐证材料', 'A2', '1.jpg');
    expect(existsSync(stored)).toBe(true);
    expect(metadataSegments(readFileSync(stored))).toEqual([]);
    // The phone photo carries a 90° orientation tag: kept upright, 1600 × 1200 stands 1200 wide.
    const { width, height } = await sharp(stored).metadata();
    expect([width, height]).toEqual([1200, 1600]);

    // Meanwhile a row was inserted above: the link goes to the row holding A2 now, as plain text.
    addon.activities.setValue(3, ID, 'A3');
    addon.activities.setValue(5, ID, 'A2');
    addon.services.respond = () => ({ status: 200, body: answer.body });
    const result = addon.call<{ cell: string; added: string[] }>('uploadEvidencePhoto', {
      activityId: 'A2',
      name: 'IMG_1.jpg',
      data: jpeg.toString('base64'),
    });
    expect(result).toMatchObject({ cell: 'written', added: ['1.jpg'] });
    expect(addon.activities.value(5, EVIDENCE)).toBe(response.link);
    expect(addon.activities.numberFormat(5, EVIDENCE)).toBe('@');
    // A relative folder link is not an address Sheets can open: no link on it.
    expect(addon.activities.links.size).toBe(0);
    expect(addon.activities.value(3, EVIDENCE)).toBe('');
  }, 60_000);

  it('links an http(s) answer as rich text, leaves a link staff typed alone, and shows a refusal’s own sentence', () => {
    const addon = load();
    const link = `https://form.example.cn/e/${PLAN_ID}/A1/${'k'.repeat(43)}`;
    const answer = EvidenceResponse.parse({ planId: PLAN_ID, activityId: 'A1', link, added: ['2.jpg'] });
    addon.services.respond = () => ({ status: 200, body: answer });
    const photo = { activityId: 'A1', name: 'a.jpg', data: 'AAAA' };
    expect(addon.call('uploadEvidencePhoto', photo)).toMatchObject({ cell: 'written' });
    expect(addon.activities.value(2, EVIDENCE)).toBe(link);
    expect(addon.activities.links.get(`2,${EVIDENCE}`)).toBe(link);
    expect(addon.activities.formulas.size).toBe(0);
    expect(addon.call('uploadEvidencePhoto', photo)).toMatchObject({ cell: 'unchanged' });

    addon.activities.setValue(2, EVIDENCE, 'https://pan.example.cn/s/typed');
    expect(addon.call('uploadEvidencePhoto', photo)).toMatchObject({ cell: 'kept', link });
    expect(addon.activities.value(2, EVIDENCE)).toBe('https://pan.example.cn/s/typed');

    addon.services.respond = () => ({
      status: 422,
      body: { error: { code: 'invalid_photo', message: '照片未保存：「报告.jpg」：无法识别的照片' } },
    });
    expect(() => addon.call('uploadEvidencePhoto', photo)).toThrow(
      '照片未保存：「报告.jpg」：无法识别的照片',
    );

    // Over the route's limit (a page bypassed): refused here, nothing sent.
    const sent = addon.services.requests.length;
    const big = 'A'.repeat(Math.ceil(PHOTO_MAX_BYTES / 3) * 4 + 8);
    expect(() => addon.call('uploadEvidencePhoto', { ...photo, data: big })).toThrow('照片无法上传');
    expect(addon.services.requests).toHaveLength(sent);
  });
});

describe('the selection', () => {
  it('refuses anything but one activity row with a 记录编号, before any request', () => {
    const addon = load();
    const refusals: [string, () => void][] = [
      ['nothing selected', () => (addon.services.spreadsheet.activeRange = undefined)],
      ['another tab', () => select(addon, '共建单位', 2)],
      ['the header row', () => select(addon, '活动', 1)],
      ['two rows', () => select(addon, '活动', 2, 2)],
      ['a row without 记录编号', () => select(addon, '活动', 4)],
      ['an empty row', () => select(addon, '活动', 9)],
    ];
    for (const [what, choose] of refusals) {
      choose();
      addon.call('showUploadEvidence');
      expect(addon.services.alerts.at(-1)?.prompt, what).toContain(
        '请先在「活动」表中选中一条已有记录编号的活动',
      );
    }
    expect(addon.services.dialogs).toHaveLength(0);
    expect(addon.services.requests).toHaveLength(0);
    // Several cells of one row are one row.
    select(addon, '活动', 2, 1, 1, 5);
    addon.call('showUploadEvidence');
    expect(addon.services.dialogs.at(-1)?.output.payload()).toMatchObject({ activityId: 'A1', row: 2 });
  });
});

describe('the dialog in headless Chromium', () => {
  it('shows a hostile file name as text, sends the photo’s bytes, and refuses an oversized one unread', async () => {
    const addon = load();
    select(addon, '活动', 3);
    addon.call('showUploadEvidence');
    const html = (addon.services.dialogs.at(-1)?.output.getContent() ?? '')
      // Offline: the add-on stylesheet is Google's; the page works without it.
      .replace(/<link rel="stylesheet"[^>]*>/, '')
      .replace(
        '<head>',
        `<head><script>
          window.sent = [];
          var handlers = {};
          var run = {
            withSuccessHandler(f) { handlers.ok = f; return run; },
            withFailureHandler(f) { handlers.fail = f; return run; },
            uploadEvidencePhoto(photo) {
              window.sent.push(photo);
              handlers.ok({ added: ['1.jpg'], link: 'https://form.example.cn/e/x/A2/<i>k</i>', cell: 'kept' });
            },
          };
          window.google = { script: { run: run, host: { close() {} } } };
        </script>`,
      );
    const hostile = '<img src=x onerror="window.pwned=1">.jpg';
    const bytes = await phoneJpeg(64, 48);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 812 } });
      await page.setContent(html);
      expect(await page.textContent('#target')).toContain('<b>敬老</b>活动');
      await page.setInputFiles('#photos', { name: hostile, mimeType: 'image/jpeg', buffer: bytes });
      expect(await page.textContent('#files')).toBe(`${hostile}（${Math.round(bytes.length / 1024)} KB）`);
      await page.click('#upload');
      // Page-side code as strings: the tests are compiled without the DOM's types.
      await page.waitForFunction(`document.getElementById('status').textContent.includes('已保存')`);
      const seen = (await page.evaluate(`({
        images: document.querySelectorAll('img, i').length,
        pwned: window.pwned,
        sent: window.sent,
        status: document.getElementById('status').textContent,
      })`)) as { images: number; pwned?: number; sent: unknown[]; status: string };
      expect(seen.images).toBe(0);
      expect(seen.pwned).toBeUndefined();
      expect(seen.sent).toEqual([{ activityId: 'A2', name: hostile, data: bytes.toString('base64') }]);
      expect(seen.status).toContain('https://form.example.cn/e/x/A2/<i>k</i>');

      // Over the limit: said at once, nothing read or sent.
      const big = Buffer.alloc(PHOTO_MAX_BYTES + 1);
      await page.setInputFiles('#photos', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: big });
      expect(await page.textContent('#errors')).toContain('「big.jpg」超过 12 MB');
      await page.click('#upload');
      expect(await page.evaluate('window.sent.length')).toBe(1);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
