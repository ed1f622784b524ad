/**
 * The update-request part of `npm run bench`: on the real local stack with a workbook file, the
 * time from a form POST (an activity reported through a link) to its row present in the .xlsx's
 * 活动 tab. Reported with a baseline measured in the same process and stack, as the bench does
 * elsewhere: the same kind of change made by staff — one activity row added to the file and synced
 * — until its statistics are fresh. The ratio says what the second writer costs against the first.
 * Then the same POST as a phone sends it with three photos of about 4 MB each (issue 20): from the
 * POST to the row in the .xlsx with its 佐证链接 to the processed photos, against the POST without
 * photos — the ratio is what processing and storing the photos adds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { writeSample } from '../adapters/workbook/sample';
import { linkUrl, mintLink } from '../functions/src/requests/links';
import { startLocalStack } from '../stack/stack';
import { syncLocalWorkbook } from '../stack/syncWorkbook';
import { activityRowsNow } from '../tests/support/activityTab';
import { twelveMegapixelJpeg } from './photoBench';

const PLAN_ID = 'bench-requests';

export interface RequestBench {
  /** Form POST → the row in the .xlsx, per run. */
  requestToRowMs: number[];
  /** Staff baseline: a row added to the file → synced → fresh statistics, per run. */
  baselineMs: number[];
  /** Form POST with three photos → the row in the .xlsx with its 佐证链接, per run. */
  photosToRowMs: number[];
  /** The size of each photo posted, in bytes. */
  photoBytes: number;
}

/** How many photos the phone posts, and the JPEG quality that makes each about 4 MB. */
const PHOTOS_PER_POST = 3;
const FOUR_MB_QUALITY = 85;

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The form's one-time guard, which a real browser posts back. */
const guardOf = (page: string) => /name="guard" value="([^"]+)"/.exec(page)?.[1] ?? '';

/** Runs `runs` form submissions and as many staff edits against one stack on the sample workbook. */
export async function runRequestBench(progress: (line: string) => void, runs = 5): Promise<RequestBench> {
  const dir = await mkdtemp(join(tmpdir(), 'gongjian-bench-requests-'));
  const path = join(dir, 'plan.xlsx');
  const year = new Date().getUTCFullYear();
  const today = new Date().toISOString().slice(0, 10);
  await writeSample(path, year, today);
  const stack = await startLocalStack({
    projectId: 'demo-gongjian-bench-requests',
    workbookPath: path,
    progress,
  });
  try {
    await syncLocalWorkbook(stack, PLAN_ID);
    // The sample's 街道办事处, a partner in several of its measures.
    const partnerId = 'P02';
    const deps = { db: stack.runtime.db, now: () => new Date() };
    const requestToRowMs: number[] = [];
    const baselineMs: number[] = [];
    const photosToRowMs: number[] = [];
    const photo = await twelveMegapixelJpeg(FOUR_MB_QUALITY);
    for (let i = 0; i < runs; i++) {
      progress(`update request ${i + 1}/${runs}: form POST → row in the .xlsx…`);
      const { token } = await mintLink(deps, {
        planId: PLAN_ID,
        email: `bench${i}@example.cn`,
        name: '测试',
        scope: { kind: 'partner', partnerId },
        validDays: 1,
      });
      const url = linkUrl(stack.formUrl, token);
      const page = await (await fetch(url)).text();
      const guard = guardOf(page);
      const measureId =
        /<select id="f-measureId"[^>]*>(?:<option value="">[^<]*<\/option>)<option value="([^"]+)"/.exec(
          page,
        )?.[1];
      if (!measureId) throw new Error('bench: the form offers no measure');
      const title = `基准填报 ${i} ${Date.now()}`;
      const body = new URLSearchParams({
        guard,
        kind: 'activity',
        date: today,
        measureId,
        title,
        participants: '3',
      });
      const t0 = performance.now();
      const answer = await fetch(url, { method: 'POST', body, redirect: 'manual' });
      if (answer.status >= 400) throw new Error(`bench: the form refused the submission (${answer.status})`);
      await until(
        async () => (await activityRowsNow(path))?.some((row) => row.活动名称 === title) === true,
        120_000,
        'the submitted row',
      );
      requestToRowMs.push(performance.now() - t0);

      progress(`baseline ${i + 1}/${runs}: a row added by staff → synced → fresh statistics…`);
      const staff = new ExcelJS.Workbook();
      await staff.xlsx.readFile(path);
      const sheet = staff.getWorksheet('活动');
      if (!sheet) throw new Error('bench: no 活动 tab');
      const header = sheet.getRow(1).values as unknown[];
      const row = sheet.getRow(sheet.rowCount + 1);
      row.getCell(header.indexOf('日期')).value = today;
      row.getCell(header.indexOf('关联事项')).value = measureId;
      row.getCell(header.indexOf('活动名称')).value = `基准录入 ${i}`;
      row.commit();
      await staff.xlsx.writeFile(path);
      const t1 = performance.now();
      await syncLocalWorkbook(stack, PLAN_ID);
      baselineMs.push(performance.now() - t1);

      progress(
        `update request ${i + 1}/${runs} with ${PHOTOS_PER_POST} photos: form POST → row with its links…`,
      );
      const again = await (await fetch(url)).text();
      const withPhotos = new FormData();
      const photoTitle = `基准填报（照片） ${i} ${Date.now()}`;
      const fields = { guard: guardOf(again), kind: 'activity', date: today, measureId, title: photoTitle };
      for (const [key, value] of Object.entries(fields)) withPhotos.append(key, value);
      for (let n = 1; n <= PHOTOS_PER_POST; n++)
        withPhotos.append('photos', new Blob([photo], { type: 'image/jpeg' }), `IMG_${n}.jpg`);
      const t2 = performance.now();
      const posted = await fetch(url, { method: 'POST', body: withPhotos, redirect: 'manual' });
      if (posted.status >= 400) throw new Error(`bench: the form refused the photos (${posted.status})`);
      await until(
        async () =>
          (await activityRowsNow(path))?.some((row) => row.活动名称 === photoTitle && row.佐证链接 !== '') ===
          true,
        120_000,
        'the submitted row with its photos',
      );
      photosToRowMs.push(performance.now() - t2);
    }
    return { requestToRowMs, baselineMs, photosToRowMs, photoBytes: photo.length };
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
