/**
 * Writes a .docx whose pictures are files on disk without holding them in memory. The `docx`
 * package builds the whole package in memory, so it is given a few bytes of placeholder per photo
 * (see {@link photoPlaceholder}); the package's entries are then written one by one into the output
 * file, and where an entry is a placeholder, the photo's file is streamed in its place.
 *
 * Guarantees:
 * - Memory: the package without photos (the XML), plus one read buffer. A ledger of 2,000 photos
 *   takes what a ledger of none takes (measured in `npm run bench`).
 * - Photos are stored, not deflated (a JPEG does not shrink); every other entry is copied as the
 *   library compressed it, with its CRC, so nothing is decompressed or compressed again.
 * - A placeholder is recognised by its content, never by the library's media names (a SHA-1 of the
 *   data today): whatever the library names a picture, the right file lands in it.
 * - Never half-written: the file is written beside the target, flushed, and renamed over it; the
 *   target holds the previous document or the new one.
 * - A zip has 32-bit sizes and offsets (we write no zip64): a document past 4 GiB is refused with a
 *   sentence, not written broken. 2,000 photos of 2048 px are about 1 GB.
 */
import { randomUUID } from 'node:crypto';
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { GongjianError } from '../../shared/errors';
import { entryData, zipEntries } from '../workbook/zip';

const PLACEHOLDER_PREFIX = 'gongjian-photo:';
/** Larger than any placeholder, far smaller than any photo: only entries this small are read. */
const PLACEHOLDER_MAX = 64;
const LOCAL_HEADER = 0x04034b50;
const DIRECTORY_ENTRY = 0x02014b50;
const END_OF_DIRECTORY = 0x06054b50;
const STORED = 0;
const DEFLATED = 8;
/** Bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;
/** 1980-01-01 00:00 in DOS time: the same bytes for the same document, whenever it is written. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const ZIP32_LIMIT = 0xffffffff;

/** The bytes `docx` is given for the `index`-th photo: unique, so the library stores each once. */
export function photoPlaceholder(index: number): Buffer {
  return Buffer.from(`${PLACEHOLDER_PREFIX}${index}`);
}

interface Written {
  name: Buffer;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** Appends to a file handle, keeping the position; positional writes patch headers afterwards. */
class Appender {
  position = 0;
  constructor(readonly file: FileHandle) {}
  async write(bytes: Buffer): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.file.write(bytes, done, bytes.length - done, this.position + done);
      done += bytesWritten;
    }
    this.position += bytes.length;
    if (this.position > ZIP32_LIMIT) {
      throw new GongjianError(
        'document_too_large',
        '文档超过 4 GB，无法写成 .docx：请用 --from/--to 或 --partner 分段生成',
        'The document would exceed 4 GB, more than a .docx can hold: split it with --from/--to or --partner',
      );
    }
  }
}

function localHeader(entry: Omit<Written, 'offset'>): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(LOCAL_HEADER, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(UTF8_NAMES, 6);
  header.writeUInt16LE(entry.method, 8);
  header.writeUInt16LE(DOS_TIME, 10);
  header.writeUInt16LE(DOS_DATE, 12);
  header.writeUInt32LE(entry.crc >>> 0, 14);
  header.writeUInt32LE(entry.compressedSize, 18);
  header.writeUInt32LE(entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, entry.name]);
}

function directoryEntry(entry: Written): Buffer {
  const record = Buffer.alloc(46);
  record.writeUInt32LE(DIRECTORY_ENTRY, 0);
  record.writeUInt16LE(20, 4);
  record.writeUInt16LE(20, 6);
  record.writeUInt16LE(UTF8_NAMES, 8);
  record.writeUInt16LE(entry.method, 10);
  record.writeUInt16LE(DOS_TIME, 12);
  record.writeUInt16LE(DOS_DATE, 14);
  record.writeUInt32LE(entry.crc >>> 0, 16);
  record.writeUInt32LE(entry.compressedSize, 20);
  record.writeUInt32LE(entry.size, 24);
  record.writeUInt16LE(entry.name.length, 28);
  record.writeUInt32LE(entry.offset, 42);
  return Buffer.concat([record, entry.name]);
}

/** One entry of the package to write: bytes as they are to be stored, or a photo file to stream in. */
export type PackageEntry =
  | { name: string; method: number; crc: number; size: number; data: Buffer }
  | { name: string; photo: string };

/** The entries of a packed zip as they are, each placeholder turned into its photo of `photos`. */
export function packageEntries(packed: Buffer, photos: readonly string[]): PackageEntry[] {
  return [...zipEntries(packed).values()].map((entry): PackageEntry => {
    const data = entryData(packed, entry);
    const index = placeholderOf(entry, data);
    if (index === undefined)
      return { name: entry.name, method: entry.method, crc: entry.crc32, size: entry.size, data };
    const photo = photos[index];
    if (photo === undefined) throw new Error(`placeholder ${index} has no photo`);
    return { name: entry.name, photo };
  });
}

/** A text part, deflated, as a package entry. */
export function textEntry(name: string, text: string): PackageEntry {
  const bytes = Buffer.from(text, 'utf8');
  return { name, method: DEFLATED, crc: crc32(bytes), size: bytes.length, data: deflateRawSync(bytes) };
}

/** The photo index a placeholder's bytes stand for; undefined for any other bytes. */
export function placeholderIndex(bytes: Buffer): number | undefined {
  if (bytes.length > PLACEHOLDER_MAX) return undefined;
  const text = bytes.toString('latin1');
  if (!text.startsWith(PLACEHOLDER_PREFIX)) return undefined;
  const index = Number(text.slice(PLACEHOLDER_PREFIX.length));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/** Streams one photo in as a stored entry; its header is patched once the CRC and size are known. */
async function streamPhoto(out: Appender, name: Buffer, path: string, buffer: Buffer): Promise<Written> {
  const offset = out.position;
  await out.write(localHeader({ name, method: STORED, crc: 0, compressedSize: 0, size: 0 }));
  let crc = 0;
  let size = 0;
  // One buffer for every photo: nothing of a photo outlives its copying, whatever the collector does.
  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      crc = crc32(chunk, crc);
      size += bytesRead;
      await out.write(chunk);
    }
  } finally {
    await file.close();
  }
  const sizes = Buffer.alloc(12);
  sizes.writeUInt32LE(crc >>> 0, 0);
  sizes.writeUInt32LE(size, 4);
  sizes.writeUInt32LE(size, 8);
  await out.file.write(sizes, 0, 12, offset + 14);
  return { name, method: STORED, crc, compressedSize: size, size, offset };
}

/**
 * Writes the package's entries to `path`, streaming each photo in; `onPhoto` is told after each
 * photo. Replaces `path` only once the file is whole (and `beforeReplace` has not thrown).
 */
export async function writePackage(
  entries: readonly PackageEntry[],
  path: string,
  onPhoto: (done: number, total: number) => void = () => {},
  beforeReplace: () => Promise<void> = async () => {},
): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const file = await open(temporary, 'wx', 0o644);
  let closed = false;
  try {
    const out = new Appender(file);
    const written: Written[] = [];
    const total = entries.filter((entry) => 'photo' in entry).length;
    const buffer = Buffer.alloc(1024 * 1024);
    let done = 0;
    for (const entry of entries) {
      const name = Buffer.from(entry.name, 'utf8');
      if ('photo' in entry) {
        written.push(await streamPhoto(out, name, entry.photo, buffer));
        onPhoto(++done, total);
        continue;
      }
      const copied = {
        name,
        method: entry.method,
        crc: entry.crc,
        compressedSize: entry.data.length,
        size: entry.size,
      };
      const offset = out.position;
      await out.write(localHeader(copied));
      await out.write(entry.data);
      written.push({ ...copied, offset });
    }
    const directoryStart = out.position;
    for (const entry of written) await out.write(directoryEntry(entry));
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_DIRECTORY, 0);
    end.writeUInt16LE(written.length, 8);
    end.writeUInt16LE(written.length, 10);
    end.writeUInt32LE(out.position - directoryStart, 12);
    end.writeUInt32LE(directoryStart, 16);
    await out.write(end);
    await file.sync();
    await file.close();
    closed = true;
    await beforeReplace();
    await rename(temporary, path);
  } finally {
    if (!closed) await file.close();
    await rm(temporary, { force: true });
  }
}

/** The photo index a placeholder entry stands for; undefined for every other entry. */
function placeholderOf(
  entry: { name: string; method: number; size: number },
  data: Buffer,
): number | undefined {
  if (entry.size > PLACEHOLDER_MAX || !entry.name.startsWith('word/media/')) return undefined;
  // fflate stores tiny entries as they are or deflates them; either way a few bytes to read.
  return placeholderIndex(entry.method === STORED ? data : inflateRawSync(data));
}
