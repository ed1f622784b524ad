/**
 * Photos for the evidence tests, made here (no binary fixtures): a phone-like JPEG with a GPS
 * position and a 90° orientation tag, and hostile files — a decompression bomb, a truncated JPEG,
 * a zip renamed .jpg. And a reader of a JPEG's segments, to prove a stored photo carries no
 * metadata at all (no APP1 Exif/XMP, no APP13, no comment).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createDeflate } from 'node:zlib';
import { zipSync } from 'fflate';
import sharp from 'sharp';

/**
 * A JPEG whose pixels are stored lying on their side (wider than tall) with EXIF orientation 6
 * (turn 90° clockwise to view), a camera make and a GPS position. Upright it is `height` wide and
 * `width` tall; its top-left quarter as stored is red, so an upright copy is red at the top right.
 */
export async function phoneJpeg(width = 1200, height = 800, quality = 90): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const topLeft = x < width / 2 && y < height / 2;
      raw[i] = topLeft ? 230 : 20;
      raw[i + 1] = topLeft ? 20 : (x * 7 + y * 3) % 200;
      raw[i + 2] = topLeft ? 20 : (x * y) % 220;
    }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'GongjianTestCam', Model: 'Phone X' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '39/1 54/1 2700/100',
        GPSLongitudeRef: 'E',
        GPSLongitude: '116/1 23/1 4400/100',
      },
    })
    .jpeg({ quality })
    .toBuffer();
}

/** Whether a TIFF/EXIF block holds a GPS IFD pointer (tag 0x8825), in either byte order. */
export function hasGpsTag(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  return exif.includes(Buffer.from([0x88, 0x25])) || exif.includes(Buffer.from([0x25, 0x88]));
}

/** The markers of a JPEG's segments before its image data (0xE0–0xEF are APPn, 0xFE a comment). */
export function jpegSegments(jpeg: Buffer): { marker: number; head: string }[] {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('not a JPEG');
  const found: { marker: number; head: string }[] = [];
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) throw new Error(`no marker at ${at}`);
    const marker = jpeg[at + 1] as number;
    if (marker === 0xda || marker === 0xd9) break;
    const length = jpeg.readUInt16BE(at + 2);
    found.push({ marker, head: jpeg.subarray(at + 4, at + 4 + 12).toString('latin1') });
    at += 2 + length;
  }
  return found;
}

/** The metadata segments of a JPEG: every APPn but the JFIF header (APP0), and comments. */
export function metadataSegments(jpeg: Buffer): { marker: number; head: string }[] {
  return jpegSegments(jpeg).filter(
    ({ marker, head }) =>
      (marker >= 0xe1 && marker <= 0xef) || marker === 0xfe || (marker === 0xe0 && !head.startsWith('JFIF')),
  );
}

/** A CRC-32 (PNG chunks). */
function crc32(bytes: Buffer): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A real decompression bomb: a greyscale PNG of size × size pixels, all black, whose compressed
 * data is small (about 400 KB for 20,000²) and decodes to `size²` bytes. Written to `path`.
 */
export async function bombPng(path: string, size = 20_000): Promise<void> {
  const out = createWriteStream(path);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  out.write(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  out.write(pngChunk('IHDR', ihdr));
  const deflate = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => parts.push(chunk));
  const row = Buffer.alloc(size + 1); // filter byte 0, then black pixels
  for (let y = 0; y < size; y++) if (!deflate.write(row)) await once(deflate, 'drain');
  deflate.end();
  await once(deflate, 'end');
  out.write(pngChunk('IDAT', Buffer.concat(parts)));
  out.write(pngChunk('IEND', Buffer.alloc(0)));
  out.end();
  await once(out, 'finish');
}

/** A JPEG cut off in the middle of its image data, as an interrupted upload leaves it. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await phoneJpeg(1600, 1200);
  return whole.subarray(0, Math.floor(whole.length * 0.6));
}

/** A zip archive, as a file named .jpg would hold it. */
export function zipAsJpeg(): Buffer {
  return Buffer.from(zipSync({ 'readme.txt': new TextEncoder().encode('这不是照片'.repeat(200)) }));
}
