/**
 * The evidence-photo part of `npm run bench` (issue 20): our processing of a 12-megapixel phone
 * JPEG (upright, fit 2048 px, JPEG, no metadata, with the header check and the pixel guard) against
 * sharp's own bare decode + encode of the same file, without our code around it — the floor any
 * processing pays. Best of a few interleaved runs each, in this process.
 */
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { processPhoto } from '../adapters/photos/process';
import { atMost, type BenchRow, ms, times } from './format';

export const PHOTO_TARGETS = { floorRatio: 1.5 } as const;

/**
 * A 4000 × 3000 photo-like JPEG (smooth gradients with grain), tagged orientation 6 as phones do:
 * 5.6 MB at quality 92, 4.0 MB at 85 (the form bench's "photo of 4 MB").
 */
export async function twelveMegapixelJpeg(quality = 92): Promise<Buffer> {
  const width = 4000;
  const height = 3000;
  const raw = Buffer.alloc(width * height * 3);
  let seed = 1;
  for (let i = 0; i < raw.length; i += 3) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const p = i / 3;
    const x = p % width;
    const y = (p - x) / width;
    const grain = (seed >> 16) & 31;
    raw[i] = ((x * 255) / width + grain) & 255;
    raw[i + 1] = ((y * 255) / height + grain) & 255;
    raw[i + 2] = (((x + y) * 127) / width + grain) & 255;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .jpeg({ quality })
    .toBuffer();
}

/** Runs the photo benchmark and returns its table rows. */
export async function runPhotoBench(progress: (text: string) => void, runs = 5): Promise<BenchRow[]> {
  progress('photos: a 12-megapixel JPEG…');
  const input = await twelveMegapixelJpeg();
  const floors: number[] = [];
  const ours: number[] = [];
  for (let run = 0; run < runs; run++) {
    let start = performance.now();
    await sharp(input).jpeg().toBuffer();
    floors.push(performance.now() - start);
    start = performance.now();
    const out = await processPhoto(input);
    ours.push(performance.now() - start);
    if (!out.ok) throw new Error(`the bench photo was refused: ${out.code}`);
  }
  const floor = Math.min(...floors);
  const best = Math.min(...ours);
  const ratio = best / floor;
  return [
    {
      metric: `process a 12-MP phone JPEG (${(input.length / 1024 / 1024).toFixed(1)} MB), best of ${runs}`,
      value: ms(best),
      target: '',
    },
    {
      metric: `sharp's bare decode + encode of the same file, best of ${runs}`,
      value: ms(floor),
      target: '',
    },
    atMost('photo processing / sharp decode+encode', ratio, PHOTO_TARGETS.floorRatio, times),
  ];
}
