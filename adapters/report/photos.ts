/**
 * The evidence photos beside a workbook (§11): `佐证材料/<记录编号>/1.jpg, 2.jpg, …`, written there by
 * the form and the sync (processed: upright, at most 2048 px, JPEG, no metadata). The documents
 * read them here: which files each activity has, and each photo's size from its JPEG header alone
 * — a few kilobytes, never the picture — so listing 2,000 photos costs 2,000 small reads.
 *
 * A folder name comes from a 记录编号 typed in a sheet: one that is not a plain name (`..`, a
 * slash) is never looked up, so no ID reaches outside the evidence folder. A file that is not a
 * JPEG we can measure (a photo dropped in but not yet processed by a sync, say, as HEIC renamed
 * .jpg) is left out and named, so the document is still written.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhotoIndex } from '../../shared/document';
import { EVIDENCE_FOLDER, isSafeFolderName } from '../../shared/evidence';
import { errorCode } from '../workbook/common';
import { type PhotoFile, type PhotoFiles, photoKey } from './docx';

const PHOTO_FILE = /^[^.].*\.jpe?g$/i;
const collator = new Intl.Collator('en', { numeric: true });

/** The JPEG files of each activity's folder, in number order (`2.jpg` before `10.jpg`). */
export async function listPhotos(root: string, activityIds: readonly string[]): Promise<PhotoIndex> {
  const index = new Map<string, string[]>();
  for (const id of activityIds) {
    if (!isSafeFolderName(id)) continue;
    let names: string[];
    try {
      names = await readdir(join(root, id));
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw error;
    }
    const photos = names.filter((name) => PHOTO_FILE.test(name)).sort(collator.compare);
    if (photos.length > 0) index.set(id, photos);
  }
  return index;
}

/** What was measured: the photos to lay out, and the files left out (not JPEGs we can read). */
export interface MeasuredPhotos {
  files: PhotoFiles;
  skipped: string[];
}

/** Measures the listed photos of the given references (reads each file's header only). */
export async function measurePhotos(
  root: string,
  refs: readonly { activityId: string; file: string }[],
): Promise<MeasuredPhotos> {
  const files = new Map<string, PhotoFile>();
  const skipped: string[] = [];
  for (const ref of refs) {
    const path = join(root, ref.activityId, ref.file);
    // A folder or an unreadable file named .jpg is left out like any other file we cannot measure.
    const size = await jpegSize(path).catch(() => undefined);
    if (size) files.set(photoKey(ref.activityId, ref.file), { path, ...size });
    else skipped.push(join(EVIDENCE_FOLDER, ref.activityId, ref.file));
  }
  return { files, skipped };
}

/** Metadata segments can be 64 KiB each; a camera file may carry several before the frame header. */
const HEADER_LIMIT = 1024 * 1024;
const CHUNK = 64 * 1024;

/**
 * Width and height of a JPEG from its frame header (SOF0–SOF15 but DHT, JPG, DAC), reading the file
 * in chunks until it is found; undefined for anything else.
 */
export async function jpegSize(path: string): Promise<{ width: number; height: number } | undefined> {
  const file = await open(path, 'r');
  try {
    let bytes = Buffer.alloc(0);
    const more = async () => {
      if (bytes.length >= HEADER_LIMIT) return false;
      const chunk = Buffer.alloc(CHUNK);
      const { bytesRead } = await file.read(chunk, 0, CHUNK, bytes.length);
      if (bytesRead === 0) return false;
      bytes = Buffer.concat([bytes, chunk.subarray(0, bytesRead)]);
      return true;
    };
    await more();
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
    let at = 2;
    for (;;) {
      while (at + 9 > bytes.length) if (!(await more())) return undefined;
      if (bytes[at] !== 0xff) return undefined;
      const marker = bytes[at + 1] ?? 0;
      if (marker === 0xff) {
        at++; // fill byte
        continue;
      }
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        const height = bytes.readUInt16BE(at + 5);
        const width = bytes.readUInt16BE(at + 7);
        return width > 0 && height > 0 ? { width, height } : undefined;
      }
      // Markers without a length: RST0–7, SOI, EOI, TEM. Anything past SOS is image data.
      if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) {
        at += 2;
        continue;
      }
      if (marker === 0xd9 || marker === 0xda) return undefined;
      at += 2 + bytes.readUInt16BE(at + 2);
    }
  } finally {
    await file.close();
  }
}
