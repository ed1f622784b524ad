/**
 * Photos on the phone form over HTTP (issue 20 items 1–2, local): a multipart post with photos
 * lands as one row in a local .xlsx whose 佐证链接 is a relative hyperlink to
 * `佐证材料/<记录编号>/`, the photos there processed (upright, ≤ 2048 px, no metadata) and kept
 * before the 303; a double submit gives one row and one set; a bad photo is a Chinese field error
 * with the typed fields kept and nothing written; a plan whose workbook no photo store serves
 * shows no photo input.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeXlsx } from '../../../adapters/workbook/xlsx';
import { createFormHandler, lastForwardedHop } from '../../../functions/src/http/form';
import { localFolderPhotoStore } from '../../../functions/src/requests/evidence';
import { mintLink } from '../../../functions/src/requests/links';
import { protectSubmitted } from '../../../functions/src/requests/submit';
import type { Runtime } from '../../../functions/src/runtime';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { tempFolder } from '../../adapters/workbook/helpers';
import { pinnedClock } from '../../support/clock';
import { eventually, useFirestoreEmulator } from '../../support/firestore';
import { guardOf } from '../../support/http';
import { resaveInLibreOffice } from '../../support/libreoffice';
import { metadataSegments, phoneJpeg, zipAsJpeg } from '../../support/phonePhotos';
import { testRuntime } from '../../support/runtime';
import { NOW, planWorkbook } from './fixture';

const emulator = useFirestoreEmulator('form-photos');
const folder = tempFolder();
let runtime: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  runtime = testRuntime(emulator);
  const handler = createFormHandler({
    basePath: '',
    db: runtime.db,
    store: runtime.store,
    now: () => NOW,
    log: () => {},
    writeRows: runtime.writeSubmissionRows,
    clientAddress: lastForwardedHop,
    photos: localFolderPhotoStore,
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await runtime?.close();
  folder.remove();
});

let plans = 0;
/** A plan whose workbook is a local .xlsx (its own folder), synced, and a partner's link to it. */
async function xlsxPlan(): Promise<{ planId: string; token: string; path: string; evidence: string }> {
  const planId = `photos-${++plans}`;
  const path = join(folder.dir, planId, '计划.xlsx');
  const workbook = planWorkbook();
  mkdirSync(join(folder.dir, planId));
  await writeXlsx(
    path,
    workbook.tabs.map((tab) => ({
      name: tab.name,
      header: tab.header.map(String),
      rows: tab.rows.map((r) => r.cells),
    })),
  );
  await syncPlan(
    workbook,
    {
      planId,
      caller: 'owner@example.cn',
      now: NOW,
      existing: await runtime.store.getPlan(planId),
      workbookLocation: { kind: 'xlsx', path },
      clock: pinnedClock(NOW),
      keepSubmitted: (inWorkbook) => protectSubmitted(runtime.db, planId, inWorkbook, NOW),
    },
    runtime.store,
  );
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
  return { planId, token, path, evidence: join(folder.dir, planId, '佐证材料') };
}

/** The hyperlink target of the 佐证链接 cell of the row with this title, as openpyxl reads it. */
function openpyxlHyperlink(path: string, title: string): string | undefined {
  const script = [
    'import sys, json, openpyxl',
    'ws = openpyxl.load_workbook(sys.argv[1])["活动"]',
    'head = [c.value for c in ws[1]]',
    'row = next(r for r in ws.iter_rows(min_row=2) if r[head.index("活动名称")].value == sys.argv[2])',
    'cell = row[head.index("佐证链接")]',
    'print(json.dumps(cell.hyperlink.target if cell.hyperlink else None))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, path, title], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openpyxl failed (apt-get install python3-openpyxl): ${run.stderr}`);
  return JSON.parse(run.stdout) ?? undefined;
}

function postMultipart(
  token: string,
  fields: Record<string, string>,
  photos: { name: string; bytes: Buffer }[],
): Promise<Response> {
  const body = new FormData();
  for (const [key, value] of Object.entries(fields)) body.append(key, value);
  for (const photo of photos)
    body.append('photos', new Blob([photo.bytes], { type: 'image/jpeg' }), photo.name);
  return fetch(`${base}/r/${token}`, { method: 'POST', body, redirect: 'manual' });
}

const FIELDS = {
  kind: 'activity',
  date: '2026-06-12',
  measureId: 'M1',
  title: '夏季义诊（带照片）',
  location: '社区广场',
  participants: '25',
};

/** The 佐证链接 cells of the 活动 tab's rows with this title, as exceljs reads them. */
async function evidenceCells(path: string, title: string): Promise<ExcelJS.CellValue[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet('活动');
  if (!sheet) throw new Error('no 活动 tab');
  const header = (sheet.getRow(1).values as unknown[]).map(String);
  const titleColumn = header.indexOf('活动名称');
  const evidenceColumn = header.indexOf('佐证链接');
  const found: ExcelJS.CellValue[] = [];
  sheet.eachRow((row, r) => {
    if (r > 1 && row.getCell(titleColumn).text === title) found.push(row.getCell(evidenceColumn).value);
  });
  return found;
}

describe('photos on the form', () => {
  it('offers a file input in a multipart form when the plan’s workbook is local', async () => {
    const { token } = await xlsxPlan();
    const html = await (await fetch(`${base}/r/${token}`)).text();
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toMatch(/<input id="f-photos" name="photos" type="file" accept="image\/\*" multiple/);
  });

  it('keeps two photos processed beside the workbook before the 303, links them, and a double submit adds nothing', async () => {
    const { token, path, evidence } = await xlsxPlan();
    const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
    const photos = [
      { name: 'IMG_0001.jpg', bytes: await phoneJpeg(3000, 2000) },
      { name: 'IMG_0002.jpg', bytes: await phoneJpeg(800, 600) },
    ];
    const first = await postMultipart(token, { ...FIELDS, guard }, photos);
    expect(first.status, await first.clone().text()).toBe(303);
    // Kept before the answer: the folder is there as soon as the 303 is.
    const [activityId] = readdirSync(evidence);
    expect(activityId).toMatch(/^R[0-9A-F]{10}$/);
    const dir = join(evidence, activityId as string);
    expect(readdirSync(dir).sort()).toEqual(['1.jpg', '2.jpg']);
    const stored = readFileSync(join(dir, '1.jpg'));
    const meta = await sharp(stored).metadata();
    expect([meta.width, meta.height]).toEqual([1365, 2048]);
    expect(meta.exif).toBeUndefined();
    expect(metadataSegments(stored)).toEqual([]);

    const again = await postMultipart(token, { ...FIELDS, guard }, photos);
    expect(again.status).toBe(303);
    expect(readdirSync(evidence)).toEqual([activityId]);
    expect(readdirSync(dir).sort()).toEqual(['1.jpg', '2.jpg']);

    const cells = await eventually(
      async () => {
        const found = await evidenceCells(path, FIELDS.title);
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 30_000, what: 'the submitted row in 活动' },
    );
    const link = `佐证材料/${activityId}/`;
    expect(cells).toEqual([{ text: link, hyperlink: link }]);
    // The link is a real relative hyperlink for other programs too: openpyxl reads its target, and
    // it survives LibreOffice opening and saving the workbook.
    expect(openpyxlHyperlink(path, FIELDS.title)).toBe(link);
    // LibreOffice keeps where the link points, rewritten relative to where it saves the file:
    // resolved from there, it is still this folder.
    const work = join(folder.dir, `lo-${activityId}`);
    mkdirSync(work);
    const resaved = join(work, 'resaved.xlsx');
    resaveInLibreOffice(path, resaved, work);
    const [savedIn] = readdirSync(work).filter((name) => name.startsWith('lo-out-'));
    const target = openpyxlHyperlink(resaved, FIELDS.title) ?? '';
    expect(resolve(work, savedIn as string, decodeURI(target))).toBe(resolve(evidence, activityId as string));
  }, 60_000);

  it.each([
    ['a zip renamed .jpg', () => zipAsJpeg(), '无法识别的照片'],
    ['a 50 MB file', () => Buffer.alloc(50 * 1024 * 1024, 1), '照片超过 12 MB'],
  ])(
    'refuses %s beside the photo input, keeps what was typed and writes nothing',
    async (_label, make, message) => {
      const { planId, token } = await xlsxPlan();
      const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
      const response = await postMultipart(token, { ...FIELDS, guard }, [
        { name: 'good.jpg', bytes: await phoneJpeg(800, 600) },
        { name: 'bad.jpg', bytes: make() },
      ]);
      expect(response.status).toBe(422);
      const html = await response.text();
      expect(html).toMatch(new RegExp(`<p class="msg" id="f-photos-err">「bad.jpg」：${message}`));
      expect(html).toContain(`value="${FIELDS.title}"`);
      expect(existsSync(join(folder.dir, planId, '佐证材料'))).toBe(false);
      const submissions = await runtime.db.collection(`plans/${planId}/submissions`).get();
      expect(submissions.size).toBe(0);
    },
    60_000,
  );

  it('refuses a seventh photo', async () => {
    const { token } = await xlsxPlan();
    const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
    const small = await phoneJpeg(200, 100);
    const response = await postMultipart(
      token,
      { ...FIELDS, guard },
      Array.from({ length: 7 }, (_, i) => ({ name: `${i}.jpg`, bytes: small })),
    );
    expect(response.status).toBe(422);
    expect(await response.text()).toContain('每次最多上传 6 张照片');
  }, 60_000);
});
