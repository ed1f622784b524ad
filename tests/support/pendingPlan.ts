/**
 * A plan with reported activities waiting as 待审核, for the tests of the staff's daily list
 * (shared/emails/pendingReview.ts): `count` pending rows R0000000001… (the second one's title is
 * markup), the first `withPhotos` of them with a processed photo of their own colour in
 * `佐证材料/<记录编号>/1.jpg` beside a local workbook path, synced into the store as a local
 * .xlsx plan with an editor. The workbook file itself is never opened by the mail path.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { writePhotoSet } from '../../adapters/photos/folderStore';
import { processPhoto } from '../../adapters/photos/process';
import { systemClock } from '../../functions/src/clock';
import type { Runtime } from '../../functions/src/runtime';
import { syncPlan } from '../../functions/src/sync/syncPlan';
import { planWorkbook } from '../functions/requests/fixture';

export const PENDING_OWNER = 'owner@example.cn';
export const PENDING_EDITOR = 'staff@example.cn';
export const HOSTILE_TITLE = '<img src=x onerror=alert(1)>"\'义诊';
/** 09:00 in Shanghai on Monday 15 June 2026, a working day: the hourly schedule's sending hour. */
export const PENDING_RUN = new Date('2026-06-15T01:00:00Z');

const COLOURS = ['#c62828', '#2e7d32', '#1565c0', '#f9a825', '#6a1b9a', '#00838f'];

export function pendingId(n: number): string {
  return `R${String(n).padStart(10, '0')}`;
}

/** Seeds the plan; answers the workbook path its photos sit beside. */
export async function seedPendingPlan(
  runtime: Runtime,
  dir: string,
  planId: string,
  options: { count: number; withPhotos: number },
): Promise<string> {
  const workbookPath = join(dir, '幸福社区.xlsx');
  for (let n = 1; n <= options.withPhotos; n++) {
    // A photo-sized picture in its own colour with a white disc and band, processed as the form
    // processes one, so each thumbnail is recognisable in the screenshot.
    const width = n % 2 === 0 ? 1600 : 1200;
    const height = n % 2 === 0 ? 1200 : 1600;
    const shapes = Buffer.from(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
        `<circle cx="${width / 2}" cy="${height / 3}" r="${width / 5}" fill="#ffffff"/>` +
        `<rect x="0" y="${(height * 2) / 3}" width="${width}" height="${height / 10}" fill="#ffffff"/></svg>`,
    );
    const raw = await sharp({
      create: { width, height, channels: 3, background: COLOURS[(n - 1) % COLOURS.length] ?? '#888888' },
    })
      .composite([{ input: shapes }])
      .jpeg({ quality: 90 })
      .toBuffer();
    const processed = await processPhoto(raw);
    if (!processed.ok) throw new Error(processed.code);
    await writePhotoSet(workbookPath, pendingId(n), [processed.jpeg]);
  }
  const activities = Array.from({ length: options.count }, (_, i) => {
    const n = i + 1;
    return [
      pendingId(n),
      '2026-06-12',
      'M1',
      n % 3 === 0 ? 'P2' : 'P1',
      n === 2 ? HOSTILE_TITLE : `居民填报活动${n}`,
      '社区广场',
      10 + n,
      null,
      2,
      null,
      '待审核',
      `居民${n}（填报）`,
      n <= options.withPhotos ? `佐证材料/${pendingId(n)}/` : null,
      null,
    ];
  });
  await syncPlan(
    planWorkbook({
      settings: [
        ['编辑人员', PENDING_EDITOR],
        ['填报需审核', '是'],
      ],
      activities,
    }),
    {
      planId,
      caller: PENDING_OWNER,
      now: new Date('2026-06-14T04:00:00Z'),
      clock: systemClock,
      existing: undefined,
      workbookLocation: { kind: 'xlsx', path: workbookPath },
    },
    runtime.store,
  );
  return workbookPath;
}
