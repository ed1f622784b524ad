/**
 * Hand-built .xlsx files for hostile-input tests: a minimal zip writer (deflate, streamed, so a
 * part of hundreds of MiB never exists in memory) and the few SpreadsheetML parts a workbook needs.
 */
import { createWriteStream } from 'node:fs';
import { crc32, createDeflateRaw } from 'node:zlib';

/** A part's content as pieces, so a huge part can be generated lazily. */
export type PartContent = Iterable<string | Buffer>;

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

async function deflated(content: PartContent): Promise<{ data: Buffer; crc: number; size: number }> {
  const deflate = createDeflateRaw({ level: 6 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let crc = 0;
  let size = 0;
  for (const piece of content) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
    crc = crc32(bytes, crc);
    size += bytes.length;
    if (!deflate.write(bytes)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return { data: Buffer.concat(out), crc, size };
}

/** Writes a zip archive of deflated parts. */
export async function writeZip(path: string, parts: Record<string, PartContent>): Promise<void> {
  const file = createWriteStream(path);
  const written: Written[] = [];
  let offset = 0;
  const put = (bytes: Buffer) => {
    file.write(bytes);
    offset += bytes.length;
  };
  for (const [name, content] of Object.entries(parts)) {
    const { data, crc, size } = await deflated(content);
    const nameBytes = Buffer.from(name, 'utf8');
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(0x0800, 6); // UTF-8 names
    header.writeUInt16LE(8, 8);
    header.writeUInt32LE(crc >>> 0, 14);
    header.writeUInt32LE(data.length, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    written.push({ name: nameBytes, crc, compressed: data.length, size, offset });
    put(header);
    put(nameBytes);
    put(data);
  }
  const directoryStart = offset;
  for (const entry of written) {
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(8, 10);
    record.writeUInt32LE(entry.crc >>> 0, 16);
    record.writeUInt32LE(entry.compressed, 20);
    record.writeUInt32LE(entry.size, 24);
    record.writeUInt16LE(entry.name.length, 28);
    record.writeUInt32LE(entry.offset, 42);
    put(record);
    put(entry.name);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(written.length, 8);
  end.writeUInt16LE(written.length, 10);
  end.writeUInt32LE(offset - directoryStart, 12);
  end.writeUInt32LE(directoryStart, 16);
  put(end);
  await new Promise<void>((resolve, reject) =>
    file.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/**
 * A workbook of one sheet (`sheetXml`, the sheet's whole XML) and optionally a shared-string
 * part, as the parts a zip needs.
 */
export function workbookParts(
  sheetName: string,
  sheetXml: PartContent,
  sharedStrings?: PartContent,
): Record<string, PartContent> {
  const rels = [
    `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>`,
    ...(sharedStrings
      ? [`<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`]
      : []),
  ];
  return {
    '[Content_Types].xml': [
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/></Types>',
    ],
    '_rels/.rels': [
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    'xl/workbook.xml': [
      `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ],
    'xl/_rels/workbook.xml.rels': [
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels.join('')}</Relationships>`,
    ],
    'xl/worksheets/sheet1.xml': sheetXml,
    ...(sharedStrings ? { 'xl/sharedStrings.xml': sharedStrings } : {}),
  };
}

/** An inline-string cell. */
export function inlineCell(ref: string, text: string): string {
  return `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
}

/** The opening of a sheet's XML, up to and including `<sheetData>`. */
export const SHEET_START = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}"><sheetData>`;
export const SHEET_END = '</sheetData></worksheet>';

/** `count` repetitions of `piece`, generated lazily in chunks of about 1 MiB. */
export function* repeated(piece: string, count: number): Generator<string> {
  const perChunk = Math.max(1, Math.floor((1 << 20) / piece.length));
  for (let done = 0; done < count; done += perChunk) yield piece.repeat(Math.min(perChunk, count - done));
}
