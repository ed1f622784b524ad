/**
 * The 待审核 mail's thumbnails (adapters/photos/process.ts `thumbnailOf`) on real sharp: a stored
 * photo becomes a small upright JPEG without metadata, and the worst case for its size — a picture
 * of pure noise, which JPEG cannot compress — is measured, so ten of them are known to fit a mail
 * document (Firestore's 1 MiB; functions/src/mail/thumbnails.ts budgets them).
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { processPhoto, THUMBNAIL_EDGE, thumbnailOf } from '../../../adapters/photos/process';
import { MAX_ATTACHMENT_BASE64 } from '../../../functions/src/mail/queue';
import { THUMBNAILS_BASE64_BUDGET } from '../../../functions/src/mail/thumbnails';
import { PENDING_LISTED } from '../../../shared/emails/pendingReview';
import { metadataSegments, phoneJpeg, truncatedJpeg } from '../../support/phonePhotos';

describe('thumbnailOf', () => {
  it('makes a 240 px upright JPEG without metadata from a photo', async () => {
    const stored = await processPhoto(await phoneJpeg(3000, 2000));
    if (!stored.ok) throw new Error(stored.code);
    const thumbnail = await thumbnailOf(stored.jpeg);
    if (!thumbnail) throw new Error('no thumbnail');
    const meta = await sharp(thumbnail.jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    // Upright as the photo: taller than wide, 240 on the long side.
    expect([meta.width, meta.height]).toEqual([160, THUMBNAIL_EDGE]);
    expect([thumbnail.width, thumbnail.height]).toEqual([160, THUMBNAIL_EDGE]);
    expect(metadataSegments(thumbnail.jpeg)).toEqual([]);
    // Orders of magnitude below the photo it shows.
    expect(thumbnail.jpeg.length * 10).toBeLessThan(stored.jpeg.length);
  });

  it('a damaged file gives no thumbnail, not a throw', async () => {
    expect(await thumbnailOf(await truncatedJpeg())).toBeUndefined();
    expect(await thumbnailOf(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it(`the worst case: ${PENDING_LISTED} thumbnails of pure noise fit the budget and the mail document`, async () => {
    // Noise at the thumbnail's own size: a larger picture's noise would be averaged away by the
    // downscale, which is why real photos come out smaller still.
    const noise = await sharp({
      create: {
        width: THUMBNAIL_EDGE,
        height: THUMBNAIL_EDGE,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: 90 },
      },
    })
      .jpeg({ quality: 100 })
      .toBuffer();
    const thumbnail = await thumbnailOf(noise);
    if (!thumbnail) throw new Error('no thumbnail');
    expect([thumbnail.width, thumbnail.height]).toEqual([THUMBNAIL_EDGE, THUMBNAIL_EDGE]);
    const base64 = thumbnail.jpeg.toString('base64').length;
    process.stdout.write(
      `worst-case thumbnail: ${thumbnail.jpeg.length} bytes, ${base64} in base64; ×${PENDING_LISTED} = ${base64 * PENDING_LISTED}\n`,
    );
    expect(base64 * PENDING_LISTED).toBeLessThanOrEqual(THUMBNAILS_BASE64_BUDGET);
    expect(THUMBNAILS_BASE64_BUDGET).toBeLessThan(MAX_ATTACHMENT_BASE64);
  });
});
