/**
 * Hostile photos (issue 20 item 1) in a child process with a capped heap, asserting its exit
 * code, its Chinese message, that nothing was written beside the workbook and its peak RSS: a
 * 20,000 × 20,000 PNG bomb, a truncated JPEG, a zip renamed .jpg, a 50 MB upload. A good photo
 * through the same child is the control: it is stored (so "nothing written" can fail).
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Measured, measureScript } from '../../../bench/cliBench';
import { bombPng, phoneJpeg, truncatedJpeg, zipAsJpeg } from '../../support/phonePhotos';
import { tempFolder } from '../workbook/helpers';

const ROOT = resolve(import.meta.dirname, '../../..');
// Inside node_modules, so the bundle finds sharp there (its packages stay external).
const CHILD = join(ROOT, 'node_modules', '.cache', `gongjian-photo-child-${process.pid}.mjs`);
const folder = tempFolder();
const MiB = 1024 * 1024;
/** A phone-sized photo needs about 60 MB over Node's own; the bound leaves room, a decoded bomb (400 MB) would not fit. */
const PEAK_RSS_MB = 200;

beforeAll(async () => {
  await build({
    entryPoints: [join(ROOT, 'tests/adapters/photos/hostileChild.ts')],
    outfile: CHILD,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.10',
    packages: 'external',
    logLevel: 'warning',
  });
}, 60_000);
afterAll(() => {
  folder.remove();
  rmSync(CHILD, { force: true });
});

function run(name: string, files: string[]): Promise<Measured> {
  const dir = join(folder.dir, name);
  return measureScript(CHILD, [join(dir, '计划.xlsx'), ...files], ['--max-old-space-size=96']);
}

function file(name: string, bytes: Buffer): string {
  const path = join(folder.dir, name);
  writeFileSync(path, bytes);
  return path;
}

const evidence = (name: string) => join(folder.dir, name, '佐证材料');

describe('hostile photos in a memory-capped child', () => {
  it('stores a good photo (the control)', async () => {
    const measured = await run('good', [file('good.jpg', await phoneJpeg(4000, 3000))]);
    expect(measured.code, measured.stderr).toBe(0);
    expect(readdirSync(join(evidence('good'), 'A1'))).toEqual(['1.jpg']);
    expect(measured.peakRssMb).toBeLessThan(PEAK_RSS_MB);
  }, 60_000);

  it('refuses a 20,000 × 20,000 PNG bomb before decoding it', async () => {
    const path = join(folder.dir, 'bomb.jpg');
    await bombPng(path);
    const measured = await run('bomb', [path]);
    expect(measured.code, measured.stderr).toBe(3);
    expect(JSON.parse(measured.stdout).errors).toEqual([expect.stringContaining('照片像素过多')]);
    expect(existsSync(evidence('bomb'))).toBe(false);
    expect(measured.peakRssMb).toBeLessThan(PEAK_RSS_MB);
  }, 120_000);

  it.each([
    ['truncated.jpg', async () => truncatedJpeg(), '无法识别的照片'],
    ['archive.jpg', async () => zipAsJpeg(), '无法识别的照片'],
    [
      'huge.jpg',
      async () => Buffer.concat([await phoneJpeg(800, 600), Buffer.alloc(50 * MiB, 7)]),
      '照片超过 12 MB',
    ],
  ])(
    'refuses %s with a Chinese message and writes nothing',
    async (name, make, message) => {
      const good = file(`ok-${name}`, await phoneJpeg(800, 600));
      const measured = await run(name, [good, file(name, await make())]);
      expect(measured.code, measured.stderr).toBe(3);
      const { errors } = JSON.parse(measured.stdout) as { errors: string[] };
      expect(errors).toEqual([expect.stringContaining(message)]);
      expect(errors[0]).toContain(`「${name}」`);
      // The good photo beside it is not stored either: no half set.
      expect(existsSync(evidence(name))).toBe(false);
      expect(measured.peakRssMb).toBeLessThan(PEAK_RSS_MB);
    },
    60_000,
  );
});
