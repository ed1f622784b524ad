/**
 * The activity ledger part of `npm run bench` (issue 20): `gongjian ledger` over a year of about
 * 1,000 done activities with two photos each (2048 × 1536 JPEGs, as the evidence folder holds them
 * after processing), each command in its own child process so that wall time and peak RSS are its
 * own. Beside it, in the same run: the year-end summary of the same plan (the baseline: the same
 * page setup and packing, a handful of photos) and the same ledger without any photos — the
 * second says whether memory grows with the photos, which streaming is there to prevent.
 */
import { link, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { writeTabs } from '../adapters/workbook/sample';
import { writeXlsx } from '../adapters/workbook/xlsx';
import { ledgerActivities } from '../shared/ledger';
import { validateWorkbook } from '../shared/validate';
import { GONGJIAN, type Measured, measureScript } from './cliBench';
import { atMost, type BenchRow, mb, seconds } from './format';
import { generateWorkbook } from './generate';

export const LEDGER_TARGETS = { seconds: 60, peakRssMb: 500 } as const;

export interface LedgerBenchOptions {
  /** Activities generated; nearly all become done activities of the ledger. */
  activities: number;
  photosPerActivity: number;
  year: number;
  progress: (text: string) => void;
}

/** Distinct photos made; the evidence folders hold hard links to them (the disk holds them once). */
const DISTINCT_PHOTOS = 16;

function ok(run: Measured, what: string): Measured {
  if (run.code !== 0) throw new Error(`${what} exited ${run.code}: ${run.stderr}`);
  return run;
}

/** A photo-sized JPEG: noise compresses like a photo does (about 1 MB at 2048 × 1536). */
async function photo(file: string, seed: number): Promise<void> {
  await sharp({
    create: {
      width: 2048,
      height: 1536,
      channels: 3,
      background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 29) % 256 },
      noise: { type: 'gaussian', mean: 128, sigma: 24 },
    },
  })
    .jpeg({ quality: 80 })
    .toFile(file);
}

/** Measures `gongjian ledger` with and without photos, and `gongjian report` on the same plan. */
export async function runLedgerBench(options: LedgerBenchOptions): Promise<BenchRow[]> {
  const { activities, photosPerActivity, year, progress } = options;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gongjian-bench-ledger-'));
  try {
    progress(`ledger: a plan of ${activities} activities with ${photosPerActivity} photos each…`);
    const raw = generateWorkbook({ activities, year, seed: 20_003 });
    // Every row done and numbered, so every one is in the ledger with its photo folder.
    const tab = raw.tabs.find((t) => t.name === '活动');
    const idColumn = tab?.header.indexOf('记录编号') ?? -1;
    const statusColumn = tab?.header.indexOf('状态') ?? -1;
    for (const [i, row] of (tab?.rows ?? []).entries()) {
      if (idColumn >= 0) row.cells[idColumn] = `L${String(i + 1).padStart(5, '0')}`;
      if (statusColumn >= 0) row.cells[statusColumn] = '已完成';
    }
    const scope = { from: `${year}-01-01`, to: `${year}-12-31` };
    const { model } = validateWorkbook(raw, { asOf: scope.to, requireYear: true });
    const ids = ledgerActivities(model, scope).flatMap((a) => (a.activityId ? [a.activityId] : []));

    const withPhotos = path.join(dir, 'with');
    const without = path.join(dir, 'without');
    await mkdir(path.join(withPhotos, '佐证材料'), { recursive: true });
    await mkdir(without);
    await writeXlsx(path.join(withPhotos, 'plan.xlsx'), writeTabs(raw));
    await writeXlsx(path.join(without, 'plan.xlsx'), writeTabs(raw));
    const pool = path.join(dir, 'pool');
    await mkdir(pool);
    for (let i = 0; i < DISTINCT_PHOTOS; i++) await photo(path.join(pool, `${i}.jpg`), i);
    let photos = 0;
    let photoBytes = 0;
    for (const id of ids) {
      const folder = path.join(withPhotos, '佐证材料', id);
      await mkdir(folder);
      for (let n = 1; n <= photosPerActivity; n++) {
        const source = path.join(pool, `${photos % DISTINCT_PHOTOS}.jpg`);
        await link(source, path.join(folder, `${n}.jpg`));
        photoBytes += (await stat(source)).size;
        photos++;
      }
    }
    progress(`  ${ids.length} activities, ${photos} photos (${mb(photoBytes / 2 ** 20)})`);

    const period = ['--from', scope.from, '--to', scope.to];
    progress('  gongjian report on the same plan (baseline)…');
    const report = ok(
      await measureScript(GONGJIAN, [
        'report',
        path.join(withPhotos, 'plan.xlsx'),
        '--as-of',
        scope.to,
        '--out',
        path.join(dir, 'report.docx'),
      ]),
      'gongjian report',
    );
    progress(`    ${seconds(report.wallMs)}, peak ${mb(report.peakRssMb)}`);
    progress('  gongjian ledger without photos…');
    const bare = ok(
      await measureScript(GONGJIAN, ['ledger', path.join(without, 'plan.xlsx'), ...period]),
      'gongjian ledger (no photos)',
    );
    progress(`    ${seconds(bare.wallMs)}, peak ${mb(bare.peakRssMb)}`);
    progress(`  gongjian ledger with ${photos} photos…`);
    const ledgerOut = path.join(withPhotos, 'ledger.docx');
    const full = ok(
      await measureScript(GONGJIAN, [
        'ledger',
        path.join(withPhotos, 'plan.xlsx'),
        ...period,
        '--out',
        ledgerOut,
      ]),
      'gongjian ledger',
    );
    const size = (await stat(ledgerOut)).size;
    progress(`    ${seconds(full.wallMs)}, peak ${mb(full.peakRssMb)}, ${mb(size / 2 ** 20)}`);
    if (!full.stdout.includes(`照片 ${photos} 张`))
      throw new Error(`ledger did not hold ${photos} photos: ${full.stdout}`);

    const what = `${ids.length.toLocaleString('en-US')} activities, ${photos.toLocaleString('en-US')} photos`;
    return [
      atMost(
        `gongjian ledger (${what}; ${mb(size / 2 ** 20)} .docx)`,
        full.wallMs,
        LEDGER_TARGETS.seconds * 1000,
        seconds,
      ),
      atMost('gongjian ledger: peak RSS of its process', full.peakRssMb, LEDGER_TARGETS.peakRssMb, mb),
      {
        metric: `gongjian ledger / gongjian report of the same plan (${seconds(report.wallMs)}, ${mb(report.peakRssMb)})`,
        value: `${(full.wallMs / report.wallMs).toFixed(1)}× time, ${(full.peakRssMb / report.peakRssMb).toFixed(2)}× RSS`,
        target: '',
      },
      {
        metric: `gongjian ledger with photos / without (${seconds(bare.wallMs)}, ${mb(bare.peakRssMb)})`,
        value: `${(full.wallMs / bare.wallMs).toFixed(1)}× time, ${(full.peakRssMb / bare.peakRssMb).toFixed(2)}× RSS`,
        target: '',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
