/**
 * Turns an uploaded or dropped-in photo into the stored evidence photo (SPEC §11): decoded by
 * sharp (libvips), turned upright by its EXIF orientation, fitted to PHOTO_MAX_EDGE px on its long
 * side, re-encoded as JPEG — and, because sharp writes no metadata unless asked, without any:
 * no GPS position, camera serial or time zone leaves the phone's copy.
 *
 * What guarantees a hostile file cannot hurt the process:
 *   - the byte limit is checked before sharp sees the buffer (the form also cuts the upload while
 *     streaming, http/multipart.ts);
 *   - the header is read first (no pixels decoded) and a picture over PHOTO_MAX_PIXELS is refused
 *     there; the decode itself runs with `limitInputPixels` as a second guard, so a file whose
 *     header lies is refused by libvips before it allocates;
 *   - only raster formats a phone or camera writes are decoded: SVG, PDF and the like (which
 *     libvips could also render) are refused as unreadable, and so is a file whose pixel data is
 *     damaged (`failOn: 'error'`: a truncated JPEG is an error, not a grey half-picture);
 *   - photos are processed one at a time by the caller and libvips' operation cache is off, so
 *     memory is one decode at a time, not a cache of past ones.
 */
import sharp, { type SharpOptions } from 'sharp';
import {
  PHOTO_MAX_BYTES,
  PHOTO_MAX_EDGE,
  PHOTO_MAX_PIXELS,
  type PhotoErrorCode,
} from '../../shared/evidence';

/** A processed photo: JPEG bytes without metadata, and its size. */
export interface ProcessedPhoto {
  ok: true;
  jpeg: Buffer;
  width: number;
  height: number;
}
export type PhotoOutcome = ProcessedPhoto | { ok: false; code: PhotoErrorCode };

/** Raster formats that phones and cameras write (and libvips decodes): anything else is refused. */
const PHOTO_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff', 'gif']);
/** JPEG quality of stored photos: visually lossless for photos of a room, a third of a phone's bytes. */
const JPEG_QUALITY = 82;

let configured = false;
/** libvips' operation cache keeps decoded images for reuse: useless for one-off photos, costly in memory. */
function configure(): void {
  if (configured) return;
  sharp.cache(false);
  configured = true;
}

/** Processes one photo; a refusal is a code (shared/evidence.ts has its Chinese sentence), never a throw. */
export async function processPhoto(input: Uint8Array): Promise<PhotoOutcome> {
  if (input.byteLength > PHOTO_MAX_BYTES) return { ok: false, code: 'photo_too_large' };
  if (input.byteLength === 0) return { ok: false, code: 'photo_unreadable' };
  configure();
  const options = { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error' as const, sequentialRead: true };
  let width: number;
  let height: number;
  try {
    // The header only: format and size, no pixels decoded.
    const meta = await sharp(input, options).metadata();
    if (!PHOTO_FORMATS.has(meta.format ?? '')) return { ok: false, code: 'photo_unreadable' };
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (error) {
    return { ok: false, code: refusalOf(error) };
  }
  if (width <= 0 || height <= 0) return { ok: false, code: 'photo_unreadable' };
  if (width * height > PHOTO_MAX_PIXELS) return { ok: false, code: 'photo_too_many_pixels' };
  try {
    return { ok: true, ...(await fittedJpeg(input, options, PHOTO_MAX_EDGE, JPEG_QUALITY)) };
  } catch (error) {
    return { ok: false, code: refusalOf(error) };
  }
}

/**
 * A picture upright (by its EXIF orientation, which the output then no longer needs), fitted to
 * `edge` px on its long side, a transparent background white rather than black, as a JPEG without
 * metadata: the one recipe of a stored photo and of its thumbnail.
 */
async function fittedJpeg(
  input: Uint8Array,
  options: SharpOptions,
  edge: number,
  quality: number,
): Promise<Omit<ProcessedPhoto, 'ok'>> {
  const { data, info } = await sharp(input, options)
    .rotate()
    .resize({ width: edge, height: edge, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality, chromaSubsampling: '4:2:0' })
    .toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}

/** The refusal for a libvips error: the pixel guard's own, or unreadable for anything else it says. */
function refusalOf(error: unknown): PhotoErrorCode {
  const message = error instanceof Error ? error.message : String(error);
  return /pixel limit/i.test(message) ? 'photo_too_many_pixels' : 'photo_unreadable';
}

/** A thumbnail's long side in pixels: shown at half that in the staff's 待审核 mail, sharp on a 2× screen. */
export const THUMBNAIL_EDGE = 240;
/**
 * JPEG quality of a thumbnail: small enough that ten of them stay far inside a mail document
 * (Firestore's 1 MiB); a 240 px picture of pure noise — the worst case for JPEG — is about 28.5 KB at
 * this quality (tests/adapters/photos/thumbnail.test.ts measures it), a real photo far less.
 */
const THUMBNAIL_QUALITY = 70;

/** A thumbnail: JPEG bytes without metadata, and its size in pixels. */
export type Thumbnail = Omit<ProcessedPhoto, 'ok'>;

/**
 * A small JPEG of a stored photo, fitted to THUMBNAIL_EDGE on its long side, upright and without
 * metadata like the photo itself; undefined when the bytes are no readable picture (a damaged file
 * in the folder is no reason to hold back a mail). Under the same pixel guard as processPhoto.
 */
export async function thumbnailOf(photo: Uint8Array): Promise<Thumbnail | undefined> {
  configure();
  try {
    const options = { limitInputPixels: PHOTO_MAX_PIXELS, failOn: 'error' as const };
    return await fittedJpeg(photo, options, THUMBNAIL_EDGE, THUMBNAIL_QUALITY);
  } catch {
    return undefined;
  }
}
