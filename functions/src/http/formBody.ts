/**
 * How the form reads a post (SPEC §9, §11): the page posts URL-encoded fields, or — when it offers
 * the photo input — `multipart/form-data`. Each has its own size cap, checked from the declared
 * length and again while the body streams in (the local stack's front door, guardFormServer; the
 * platform's deployed), and anything else is not the page's post.
 *
 * The photo upload: a `multipart/form-data` body parsed by busboy, with the
 * limits applied as the parts stream by rather than after — a file past PHOTO_MAX_BYTES keeps no
 * byte beyond it (busboy truncates it and we drop what it kept), a seventh file is not read, and
 * field parts are held to the URL-encoded form's size. The body itself was read under a cap by the
 * form's front door (or by the platform, deployed).
 *
 * What comes out is what the URL-encoded form gives (the fields as URLSearchParams) plus the files
 * posted under `photos`, and the names of files refused while streaming: the handler turns those
 * into field errors beside the photo input, with everything typed kept.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import busboy from 'busboy';
import type { UploadedPhoto } from '../../../adapters/photos/intake';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from '../../../shared/evidence';

/** URL-encoded form posts are a few fields: anything larger is refused unread. */
export const FORM_MAX_BODY_BYTES = 64 * 1024;
/** A post with photos: the fields and PHOTO_MAX_COUNT photos at their limit, and the parts' headers. */
export const FORM_MAX_UPLOAD_BYTES = PHOTO_MAX_COUNT * PHOTO_MAX_BYTES + FORM_MAX_BODY_BYTES + 64 * 1024;

/** The request as functions-framework hands it over (Express), or a bare Node request (tests). */
export type FormRequest = IncomingMessage & { rawBody?: Buffer | undefined; ip?: string | undefined };

/**
 * Bytes kept as they stream in, up to a cap: the form's front door, the handler's own read and each
 * photo part count the same way. Past the cap nothing is kept, so an oversized post costs no memory.
 */
export class CappedBytes {
  #chunks: Buffer[] = [];
  #size = 0;
  #over = false;
  constructor(private readonly cap: number) {}

  /** Keeps a chunk; false once the bytes are past the cap (and for every chunk after). */
  add(chunk: Buffer): boolean {
    if (this.#over) return false;
    this.#size += chunk.length;
    if (this.#size > this.cap) this.cut();
    else this.#chunks.push(chunk);
    return !this.#over;
  }

  /** Drops what was kept: the bytes were cut (past the cap, or cut short by busboy). */
  cut(): void {
    this.#over = true;
    this.#chunks = [];
  }

  /** Whether the bytes were cut. */
  get over(): boolean {
    return this.#over;
  }

  /** How many bytes arrived (until cut). */
  get size(): number {
    return this.#size;
  }

  /** The bytes kept, as one buffer. */
  bytes(): Buffer {
    return Buffer.concat(this.#chunks);
  }
}

/** How a post is encoded: as the page sends it (URL-encoded UTF-8, or multipart), identity only. */
export function postEncoding(headers: IncomingHttpHeaders): 'urlencoded' | 'multipart' | undefined {
  const type = (headers['content-type'] ?? '')
    .toLowerCase()
    .split(';')
    .map((part) => part.trim());
  const charset = type.find((part) => part.startsWith('charset='))?.slice('charset='.length);
  const encoding = (headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'identity') return undefined;
  if (type[0] === 'multipart/form-data' && type.some((part) => part.startsWith('boundary=')))
    return 'multipart';
  const utf8 = charset === undefined || charset === 'utf-8' || charset === '"utf-8"';
  return type[0] === 'application/x-www-form-urlencoded' && utf8 ? 'urlencoded' : undefined;
}

/** The most a post of this encoding may carry. */
export function bodyLimitOf(headers: IncomingHttpHeaders): number {
  return postEncoding(headers) === 'multipart' ? FORM_MAX_UPLOAD_BYTES : FORM_MAX_BODY_BYTES;
}

/** A post as read: its fields, and its photos when it was multipart. */
export type FormPost =
  | { fields: URLSearchParams; upload?: MultipartPost }
  | { refused: 'tooLarge' | 'unreadable' };

/** Reads the page's post: URL-encoded fields, or multipart fields and photos; a refusal otherwise. */
export async function readFormPost(req: FormRequest): Promise<FormPost> {
  const encoding = postEncoding(req.headers);
  if (encoding === undefined) return { refused: 'unreadable' };
  const body = await readBody(req, bodyLimitOf(req.headers));
  if (body === undefined) return { refused: 'tooLarge' };
  if (encoding === 'urlencoded') return { fields: new URLSearchParams(body.toString('utf8')) };
  const upload = await parseMultipart(req.headers, body);
  return upload ? { fields: upload.fields, upload } : { refused: 'unreadable' };
}

/**
 * The body, or undefined past the limit: the copy the guard or the platform read first, else the
 * stream — unless the stream was read to its end already.
 */
async function readBody(req: FormRequest, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody.length > limit ? undefined : req.rawBody;
  if (req.readableEnded) return Buffer.alloc(0);
  const body = new CappedBytes(limit);
  for await (const chunk of req as AsyncIterable<Buffer>) if (!body.add(chunk)) return undefined;
  return body.bytes();
}

/** What a multipart post held. */
export interface MultipartPost {
  fields: URLSearchParams;
  photos: UploadedPhoto[];
  /** Files cut at PHOTO_MAX_BYTES (their names). */
  tooLarge: string[];
  /** More than PHOTO_MAX_COUNT files were sent. */
  tooMany: boolean;
}

/** Field parts: the URL-encoded form's own limits. */
const FIELD_LIMITS = { fields: 64, fieldSize: 8 * 1024, parts: 64 + PHOTO_MAX_COUNT + 1, headerPairs: 16 };

/** Parses a multipart body (read whole already, under the front door's cap); undefined when it is malformed. */
function parseMultipart(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
): Promise<MultipartPost | undefined> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: headers as IncomingHttpHeaders,
        limits: { ...FIELD_LIMITS, files: PHOTO_MAX_COUNT, fileSize: PHOTO_MAX_BYTES },
        defParamCharset: 'utf8',
      });
    } catch {
      // No boundary, or not multipart at all.
      resolve(undefined);
      return;
    }
    const post: MultipartPost = { fields: new URLSearchParams(), photos: [], tooLarge: [], tooMany: false };
    let malformed = false;
    parser.on('field', (name, value, info) => {
      if (info.nameTruncated || info.valueTruncated) malformed = true;
      else post.fields.append(name, value);
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'photos') {
        stream.resume();
        return;
      }
      // busboy stops a file at PHOTO_MAX_BYTES and says so ('limit'): what it kept is dropped.
      const photo = new CappedBytes(PHOTO_MAX_BYTES);
      stream.on('data', (chunk: Buffer) => photo.add(chunk));
      stream.on('limit', () => photo.cut());
      stream.on('close', () => {
        const fileName = info.filename ?? '';
        if (photo.over) post.tooLarge.push(fileName);
        // An empty file input still sends a part: no name, no bytes — no photo.
        else if (photo.size > 0 || fileName !== '')
          post.photos.push({ name: fileName, bytes: photo.bytes() });
      });
    });
    parser.on('filesLimit', () => {
      post.tooMany = true;
    });
    parser.on('fieldsLimit', () => {
      malformed = true;
    });
    parser.on('partsLimit', () => {
      malformed = true;
    });
    parser.on('error', () => resolve(undefined));
    parser.on('close', () => resolve(malformed ? undefined : post));
    parser.end(body);
  });
}
