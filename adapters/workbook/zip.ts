/**
 * Just enough of the zip format to read an .xlsx part by part: the central directory gives every
 * entry's place, so the small parts (workbook, styles, shared strings) are read before the
 * worksheets whatever order the writer stored them in, and each entry is inflated as a stream —
 * memory follows the compressed file, never the size an entry claims to inflate to.
 */
import { Readable } from 'node:stream';
import { createInflateRaw } from 'node:zlib';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  /** What the entry claims to inflate to: a claim only, a hostile file may lie (streamed bounds do not). */
  size: number;
  /** Where the entry's local header starts. */
  offset: number;
}

/** Thrown for bytes that are not a zip archive we can read; the caller names the file. */
export class NotZipError extends Error {
  override readonly name = 'NotZipError';
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const STORED = 0;
const DEFLATED = 8;
/** The end record is 22 bytes, followed by a comment of at most 65,535. */
const END_SEARCH = 22 + 0xffff;

/** The entries of a zip archive held in memory, by name. */
export function zipEntries(bytes: Buffer): Map<string, ZipEntry> {
  const end = findEndOfDirectory(bytes);
  const count = bytes.readUInt16LE(end + 10);
  let at = bytes.readUInt32LE(end + 16);
  // 0xffff…: a zip64 archive (over 4 GiB or 65,535 entries), far beyond any workbook we accept.
  if (count === 0xffff || at === 0xffffffff) throw new NotZipError('zip64 archives are not supported');
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || bytes.readUInt32LE(at) !== DIRECTORY_ENTRY) {
      throw new NotZipError('broken central directory');
    }
    const nameLength = bytes.readUInt16LE(at + 28);
    const extraLength = bytes.readUInt16LE(at + 30);
    const commentLength = bytes.readUInt16LE(at + 32);
    const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
    entries.set(name, {
      name,
      method: bytes.readUInt16LE(at + 10),
      compressedSize: bytes.readUInt32LE(at + 20),
      size: bytes.readUInt32LE(at + 24),
      offset: bytes.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfDirectory(bytes: Buffer): number {
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - END_SEARCH); at--) {
    if (bytes.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  throw new NotZipError('no zip end-of-directory record');
}

/** The entry's content as stored (compressed or not): what a zip writer copies as it is. */
export function entryData(bytes: Buffer, entry: ZipEntry): Buffer {
  const at = entry.offset;
  if (at + 30 > bytes.length || bytes.readUInt32LE(at) !== LOCAL_HEADER) {
    throw new NotZipError(`broken local header of ${entry.name}`);
  }
  const start = at + 30 + bytes.readUInt16LE(at + 26) + bytes.readUInt16LE(at + 28);
  const data = bytes.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw new NotZipError(`${entry.name} is truncated`);
  return data;
}

/** The entry's content, inflated in chunks of at most 64 KiB. */
export function entryStream(bytes: Buffer, entry: ZipEntry): AsyncIterable<Buffer> {
  const data = entryData(bytes, entry);
  if (entry.method === STORED) return Readable.from([data], { objectMode: false });
  if (entry.method !== DEFLATED) throw new NotZipError(`${entry.name}: compression ${entry.method}`);
  return Readable.from([data], { objectMode: false }).pipe(createInflateRaw({ chunkSize: 64 * 1024 }));
}

const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
/** The stream every encrypted Office file holds, named in UTF-16LE in the compound file's directory. */
const ENCRYPTION_INFO = Buffer.from('EncryptionInfo', 'utf16le');

/**
 * What an OLE compound file is, when the bytes are one: Excel saves a password-protected .xlsx as a
 * compound file holding `EncryptionInfo` and the encrypted package; without it, the file is a
 * legacy binary document (.xls) with an .xlsx name.
 */
export function compoundFileKind(bytes: Buffer): 'encrypted' | 'legacy' | undefined {
  if (!bytes.subarray(0, CFB_SIGNATURE.length).equals(CFB_SIGNATURE)) return undefined;
  return bytes.includes(ENCRYPTION_INFO) ? 'encrypted' : 'legacy';
}
