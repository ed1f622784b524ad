/**
 * Real JPEG photos for document tests, made with sharp (libvips): a plain colour of the given size,
 * as the evidence folder holds them after processing (upright, at most 2048 px, no metadata).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import sharp from 'sharp';

/** Writes a JPEG of `width` × `height` pixels in one colour; a little noise makes it photo-sized. */
export async function writeJpeg(
  path: string,
  width: number,
  height: number,
  color: string,
  options: { noise?: boolean; quality?: number } = {},
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const base = sharp({
    create: {
      width,
      height,
      channels: 3,
      background: color,
      ...(options.noise ? { noise: { type: 'gaussian', mean: 128, sigma: 40 } } : {}),
    },
  });
  await base.jpeg({ quality: options.quality ?? 80 }).toFile(path);
}
