/**
 * Photo processing (issue 20 item 1) on real sharp: a phone JPEG lying on its side with GPS comes
 * out upright, within 2048 px, with no metadata segment at all; what is not a photo is refused by
 * code, not by a throw.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { processPhoto } from '../../../adapters/photos/process';
import { PHOTO_MAX_BYTES, PHOTO_MAX_EDGE, photoErrorMessage } from '../../../shared/evidence';
import { hasGpsTag, metadataSegments, phoneJpeg, truncatedJpeg, zipAsJpeg } from '../../support/phonePhotos';

describe('processPhoto', () => {
  it('turns a photo upright, fits it to 2048 px and strips GPS and every other metadata', async () => {
    const input = await phoneJpeg(3000, 2000);
    const before = await sharp(input).metadata();
    expect(before.orientation).toBe(6);
    expect(hasGpsTag(before.exif)).toBe(true);
    expect(metadataSegments(input).length).toBeGreaterThan(0);

    const out = await processPhoto(input);
    if (!out.ok) throw new Error(out.code);
    const after = await sharp(out.jpeg).metadata();
    expect(after.format).toBe('jpeg');
    // Upright: the stored 3000 × 2000 becomes 2000 × 3000, fitted to 2048 on the long side.
    expect([after.width, after.height]).toEqual([1365, PHOTO_MAX_EDGE]);
    expect([out.width, out.height]).toEqual([1365, PHOTO_MAX_EDGE]);
    expect(after.orientation).toBeUndefined();
    expect(after.exif).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(metadataSegments(out.jpeg)).toEqual([]);
    expect(out.jpeg.includes(Buffer.from('GongjianTestCam'))).toBe(false);
    // The red quarter stored at the top left is at the top right once upright.
    const { data, info } = await sharp(out.jpeg).raw().toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    const [r, g] = pixel(info.width - 50, 50);
    expect(r).toBeGreaterThan(180);
    expect(g).toBeLessThan(80);
    expect(pixel(50, 50)[0]).toBeLessThan(120);
  });

  it('keeps a small photo at its size (no enlargement)', async () => {
    const out = await processPhoto(await phoneJpeg(600, 400));
    if (!out.ok) throw new Error(out.code);
    expect([out.width, out.height]).toEqual([400, 600]);
  });

  it.each([
    ['a truncated JPEG', async () => truncatedJpeg(), 'photo_unreadable'],
    ['a zip renamed .jpg', async () => zipAsJpeg(), 'photo_unreadable'],
    [
      'an SVG (a drawing libvips would render)',
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'),
      'photo_unreadable',
    ],
    ['an empty file', async () => Buffer.alloc(0), 'photo_unreadable'],
    ['a file over 12 MB', async () => Buffer.alloc(PHOTO_MAX_BYTES + 1), 'photo_too_large'],
  ])('refuses %s with a code', async (_label, make, code) => {
    const out = await processPhoto(await make());
    expect(out).toEqual({ ok: false, code });
  });

  it('has a Chinese sentence for every refusal, naming the file', () => {
    expect(photoErrorMessage('photo_unreadable', 'IMG_1.HEIC')).toMatch(/^「IMG_1.HEIC」：无法识别的照片/);
    expect(photoErrorMessage('photo_too_large')).toContain('12 MB');
  });
});
