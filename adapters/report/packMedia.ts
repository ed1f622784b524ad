/**
 * Writes a .docx whose pictures are files on disk without holding them in memory. The `docx`
 * package builds the whole package in memory, so it is given a few bytes of placeholder per photo
 * (see {@link photoPlaceholder}); the package's entries are then written one by one into the output
 * file through fflate's streaming `Zip`, and where an entry is a placeholder, the photo's file is
 * streamed in its place.
 *
 * Guarantees:
 * - Memory: the package without photos (the XML), plus a read chunk and the write stream's buffer.
 *   Each entry is pushed whole before the next is added, so fflate hands its output on at once and
 *   queues nothing; every chunk is written before the next is read (backpressure: the write
 *   stream's `drain`). A ledger of 2,000 photos takes what a ledger of none takes (measured in
 *   `npm run bench`).
 * - Photos are stored, not deflated (a JPEG does not shrink); so is whatever the library stored (its
 *   chart PNGs). The parts the library deflated (the XML) are inflated one at a time and deflated
 *   again as they are written: a few megabytes of CPU work that buys a zip writer we do not keep.
 * - A placeholder is recognised by its content, never by the library's media names (a SHA-1 of the
 *   data today): whatever the library names a picture, the right file lands in it.
 * - The same bytes for the same document, whenever it is written: every entry is dated
 *   1980-01-01 00:00 (fflate would stamp the current time).
 * - Never half-written: the file is written beside the target, flushed, and renamed over it; the
 *   target holds the previous document or the new one.
 * - A zip has 32-bit sizes and offsets and fflate writes no zip64: a document past 4 GiB is refused
 *   with a sentence, not written broken. 2,000 photos of 2048 px are about 1 GB.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { crc32, inflateRawSync } from 'node:zlib';
import { type AsyncFlateStreamHandler, Zip, ZipDeflate, type ZipInputFile } from 'fflate';
import { GongjianError } from '../../shared/errors';
import { entryData, zipEntries } from '../workbook/zip';

const PLACEHOLDER_PREFIX = 'gongjian-photo:';
/** Larger than any placeholder, far smaller than any photo: only entries this small are read. */
const PLACEHOLDER_MAX = 64;
const STORED = 0;
/** The last byte offset a zip without zip64 can hold. */
export const ZIP32_LIMIT = 0xffffffff;
/** A photo is read in chunks of this size: the only part of it in memory at a time. */
const READ_CHUNK = 1024 * 1024;
/** 1980-01-01 00:00 local time, the first date a zip can hold (fflate writes local DOS time). */
const ZIP_EPOCH = new Date(1980, 0, 1);

/** The bytes `docx` is given for the `index`-th photo: unique, so the library stores each once. */
export function photoPlaceholder(index: number): Buffer {
  return Buffer.from(`${PLACEHOLDER_PREFIX}${index}`);
}

/**
 * One entry of the package to write: its content (produced only when it is written, so a deflated
 * part is inflated one at a time) and whether to deflate it, or a photo file to stream in stored.
 */
export type PackageEntry =
  | { name: string; deflate: boolean; content: () => Uint8Array }
  | { name: string; photo: string };

/**
 * The entries of a packed zip, each to be stored or deflated as the library had it, every
 * placeholder turned into its photo of `photos`.
 */
export function packageEntries(packed: Buffer, photos: readonly string[]): PackageEntry[] {
  return [...zipEntries(packed).values()].map((entry): PackageEntry => {
    const data = entryData(packed, entry);
    const deflate = entry.method !== STORED;
    const content = () => (deflate ? inflateRawSync(data) : data);
    const index = placeholderOf(entry, content);
    if (index === undefined) return { name: entry.name, deflate, content };
    const photo = photos[index];
    if (photo === undefined) throw new Error(`placeholder ${index} has no photo`);
    return { name: entry.name, photo };
  });
}

/** A text part, to be deflated as it is written. */
export function textEntry(name: string, text: string): PackageEntry {
  const bytes = Buffer.from(text, 'utf8');
  return { name, deflate: true, content: () => bytes };
}

/** The photo index a placeholder's bytes stand for; undefined for any other bytes. */
export function placeholderIndex(bytes: Uint8Array): number | undefined {
  if (bytes.length > PLACEHOLDER_MAX) return undefined;
  const text = Buffer.from(bytes).toString('latin1');
  if (!text.startsWith(PLACEHOLDER_PREFIX)) return undefined;
  const index = Number(text.slice(PLACEHOLDER_PREFIX.length));
  return Number.isInteger(index) && index >= 0 ? index : undefined;
}

/**
 * A stored entry as fflate's `Zip` takes one (its `ZipInputFile`, the interface `ZipPassThrough`
 * implements): the same pass-through, but the CRC-32 is Node's native one — fflate's own, in
 * JavaScript, took 2.5 s of the CPU for 784 MB of photos (`npm run bench`); Node's takes 0.16 s.
 */
class StoredEntry implements ZipInputFile {
  readonly compression = STORED;
  mtime: Date = ZIP_EPOCH;
  crc = 0;
  size = 0;
  /** Set by `Zip.add`: the zip's side of the entry. */
  ondata?: AsyncFlateStreamHandler;
  constructor(readonly filename: string) {}

  /** Passes a chunk of the content on; the CRC and size are final with the final chunk. */
  push(chunk: Uint8Array, final = false): void {
    if (!this.ondata) throw new Error(`${this.filename} was pushed before it was added to the zip`);
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    // fflate's handler type wants an ArrayBuffer-backed array; the zip only copies the bytes on,
    // as its own ZipPassThrough.push (typed `Uint8Array`) does with what it is given.
    this.ondata(null, chunk as Uint8Array<ArrayBuffer>, final);
  }
}

/**
 * fflate's `Zip` feeding a write stream: what the zip hands over is queued by its (synchronous)
 * callback and written by {@link flush}, which waits for the stream to drain.
 */
class ZipSink {
  private readonly zip: Zip;
  private queued: Uint8Array[] = [];
  private failure: Error | undefined;
  private position = 0;

  constructor(
    private readonly out: Writable,
    private readonly limit: number,
  ) {
    // A write error surfaces at the next flush (or in `drain`/`finished`), never as an unhandled event.
    out.on('error', (error) => {
      this.failure ??= error;
    });
    this.zip = new Zip((error, chunk) => {
      if (error) this.failure ??= error;
      else this.queued.push(chunk);
    });
  }

  /** Adds an entry, dated {@link ZIP_EPOCH}; the caller pushes all of it before adding another. */
  add<T extends StoredEntry | ZipDeflate>(entry: T): T {
    entry.mtime = ZIP_EPOCH;
    this.zip.add(entry);
    return entry;
  }

  /** Ends the archive: fflate hands over the central directory. */
  end(): void {
    this.zip.end();
  }

  /** Writes what the zip handed over; resolves once the stream can take more. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    const chunks = this.queued;
    this.queued = [];
    for (const chunk of chunks) {
      this.position += chunk.length;
      if (this.position > this.limit) throw tooLarge();
      if (!this.out.write(chunk)) await once(this.out, 'drain');
    }
  }
}

/** The refusal of a document a zip without zip64 cannot hold. */
function tooLarge(): GongjianError {
  return new GongjianError(
    'document_too_large',
    '文档超过 4 GB，无法写成 .docx：请用 --from/--to 或 --partner 分段生成',
    'The document would exceed 4 GB, more than a .docx can hold: split it with --from/--to or --partner',
  );
}

/** Streams one photo in as a stored entry, a chunk at a time. */
async function streamPhoto(sink: ZipSink, name: string, path: string): Promise<void> {
  const entry = sink.add(new StoredEntry(name));
  // Each chunk is a fresh buffer: the write stream may still hold the last one when the next is read.
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK })) {
    entry.push(chunk as Buffer);
    await sink.flush();
  }
  entry.push(new Uint8Array(0), true);
  await sink.flush();
}

/**
 * Writes the package's entries to `path`, streaming each photo in; `onPhoto` is told after each
 * photo. Replaces `path` only once the file is whole (and `beforeReplace` has not thrown). A
 * package past `limit` bytes (a zip's 4 GiB; a test passes less) is refused: at once when its
 * photos alone pass it — before a byte is written, not after an hour of copying — and otherwise
 * the moment the output would.
 */
export async function writePackage(
  entries: readonly PackageEntry[],
  path: string,
  onPhoto: (done: number, total: number) => void = () => {},
  beforeReplace: () => Promise<void> = async () => {},
  limit: number = ZIP32_LIMIT,
): Promise<void> {
  let photoBytes = 0;
  for (const entry of entries) if ('photo' in entry) photoBytes += (await stat(entry.photo)).size;
  if (photoBytes > limit) throw tooLarge();
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  // `flush`: the data is on disk (fsync) before the stream reports it closed, and so before the rename.
  const out = createWriteStream(temporary, { flags: 'wx', mode: 0o644, flush: true });
  let written = false;
  try {
    const sink = new ZipSink(out, limit);
    const total = entries.filter((entry) => 'photo' in entry).length;
    let done = 0;
    for (const entry of entries) {
      if ('photo' in entry) {
        await streamPhoto(sink, entry.name, entry.photo);
        onPhoto(++done, total);
        continue;
      }
      const zipped = sink.add(entry.deflate ? new ZipDeflate(entry.name) : new StoredEntry(entry.name));
      zipped.push(entry.content(), true);
      await sink.flush();
    }
    sink.end();
    await sink.flush();
    out.end();
    await finished(out);
    written = true;
    await beforeReplace();
    await rename(temporary, path);
  } finally {
    if (!written) {
      out.destroy();
      await finished(out).catch(() => {});
    }
    await rm(temporary, { force: true });
  }
}

/** The photo index a placeholder entry stands for; undefined for every other entry. */
function placeholderOf(entry: { name: string; size: number }, content: () => Uint8Array): number | undefined {
  if (entry.size > PLACEHOLDER_MAX || !entry.name.startsWith('word/media/')) return undefined;
  // fflate stores tiny entries as they are or deflates them; either way a few bytes to read.
  return placeholderIndex(content());
}
