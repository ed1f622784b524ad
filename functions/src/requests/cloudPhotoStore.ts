/**
 * Evidence photos of a deployed plan (SPEC §11): Cloud Storage, the project's default bucket,
 * objects `plans/{planId}/evidence/{activityId}/{n}.jpg`, and the capability link the 佐证 cell
 * gets, `<formUrl>/e/<planId>/<activityId>/<mac>`, that shows them on a phone (http/evidencePage.ts).
 *
 * Guarantees, and why they hold:
 *   - Never public: objects are written with no ACL (the bucket's uniform access, storage.rules
 *     refusing every client), and read only by the `form` function with the service account.
 *   - Written only after processing: the port is handed processed JPEGs (adapters/photos/intake.ts);
 *     this module places bytes.
 *   - Durable when put() resolves: each object's upload is acknowledged by Cloud Storage only once
 *     it is stored (a single-request upload, no resumable session left behind). One submission
 *     delivered twice writes the same bytes under the same names: one set.
 *   - Unguessable and revoked with the plan: the link's `mac` is an HMAC-SHA256, under a 256-bit
 *     key kept in the plan's own secrets document, of the plan and the activity. Not the update
 *     links' machinery (requests/links.ts): those belong to one person and expire in days, while a
 *     佐证 cell's link must open for every reader of the sheet for as long as the plan lives, and be
 *     known before the photos are stored (the row is written with it). A key, not a stored token
 *     per activity, so that a link costs no write; deleting the plan (or its key) revokes them all.
 *   - The activity ledger built through the API (ledgers/job.ts) is kept here too, as
 *     `plans/{planId}/ledgers/{jobId}.docx`, never public, and its download link
 *     `<formUrl>/l/<planId>/<jobId>/<mac>` is signed by the same function as a 佐证 link, under a key
 *     derived from the plan's (HMAC of the plan key and the purpose), so neither kind of link opens
 *     the other whatever IDs a sheet holds, and revoking the plan's key revokes both.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Firestore } from 'firebase-admin/firestore';
import type { getStorage } from 'firebase-admin/storage';
import { photoFileName } from '../../../shared/evidence';
import { evidenceKeyRef } from '../store/paths';
import type { WorkbookLocation } from '../store/planStore';
import type { PhotoStore } from './evidence';

/** A Cloud Storage bucket as firebase-admin hands it out (`getStorage(app).bucket()`). */
export type PhotoBucket = ReturnType<ReturnType<typeof getStorage>['bucket']>;

/** The evidence link's path segment after `/e/`: plan, activity, then the 43-character mac. */
export const EVIDENCE_PATH = /\/e\/([^/]+)\/([^/]+)\/([A-Za-z0-9_-]{43})(?:\/([1-9][0-9]{0,2}\.jpg))?$/;

/** The download link's path after the form's base: `/l/<planId>/<jobId>/<mac>`. */
export const LEDGER_PATH = /\/l\/([^/]+)\/([A-Za-z0-9_-]{8,64})\/([A-Za-z0-9_-]{43})$/;

/** The object name of a ledger built through the API. */
export function ledgerObjectName(planId: string, jobId: string): string {
  return `plans/${planId}/ledgers/${jobId}.docx`;
}

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** What a link opens: an activity's photos (signed by the plan key itself) or a ledger. */
type Purpose = 'evidence' | 'ledger';

/** The object name of an activity's n-th photo (1-based). */
export function photoObjectName(planId: string, activityId: string, n: number): string {
  return `${evidencePrefix(planId, activityId)}${photoFileName(n)}`;
}

function evidencePrefix(planId: string, activityId: string): string {
  return `plans/${planId}/evidence/${activityId}/`;
}

export interface CloudPhotoStoreDeps {
  db: Firestore;
  /** The bucket, opened on first use (its client is heavy to load: not at a cold start). */
  bucket: () => Promise<PhotoBucket> | PhotoBucket;
  /** Where the form is served (GONGJIAN_FORM_URL): the links open there. */
  formUrl: string;
}

/** The photos of a plan whose workbook is a Google Sheet, and the pages that show them. */
export class CloudPhotoStore implements PhotoStore {
  constructor(private readonly deps: CloudPhotoStoreDeps) {}

  serves(location: WorkbookLocation | undefined): boolean {
    return location?.kind === 'sheets';
  }

  async linkOf(planId: string, _location: WorkbookLocation, activityId: string): Promise<string> {
    return this.capability('e', planId, activityId, 'evidence');
  }

  /** The download link of a ledger built through the API. */
  async ledgerLink(planId: string, jobId: string): Promise<string> {
    return this.capability('l', planId, jobId, 'ledger');
  }

  /** `<formUrl>/<page>/<planId>/<id>/<mac>`: one shape for every link the plan key signs. */
  private async capability(page: string, planId: string, id: string, purpose: Purpose): Promise<string> {
    const mac = macOf(signingKey(await this.key(planId, true), purpose), planId, id);
    const base = this.deps.formUrl.replace(/\/+$/, '');
    return `${base}/${page}/${encodeURIComponent(planId)}/${encodeURIComponent(id)}/${mac}`;
  }

  async put(
    planId: string,
    location: WorkbookLocation,
    activityId: string,
    photos: readonly Uint8Array[],
    first = 1,
  ): Promise<string> {
    const bucket = await this.deps.bucket();
    // In turn, not at once: six 2-megabyte uploads in parallel would hold them all in flight.
    for (const [i, photo] of photos.entries()) {
      await bucket.file(photoObjectName(planId, activityId, first + i)).save(Buffer.from(photo), {
        resumable: false,
        contentType: 'image/jpeg',
        metadata: { cacheControl: 'private, max-age=0' },
      });
    }
    return this.linkOf(planId, location, activityId);
  }

  async lastNumber(planId: string, _location: WorkbookLocation, activityId: string): Promise<number> {
    return (await this.photoNumbers(planId, activityId)).at(-1) ?? 0;
  }

  /** Whether `mac` opens the activity's photos: the plan's key exists and signs exactly this pair. */
  async opens(planId: string, activityId: string, mac: string): Promise<boolean> {
    return this.verifies(planId, activityId, mac, 'evidence');
  }

  /** Whether `mac` opens the ledger built by this job of the plan. */
  async opensLedger(planId: string, jobId: string, mac: string): Promise<boolean> {
    return this.verifies(planId, jobId, mac, 'ledger');
  }

  private async verifies(planId: string, id: string, mac: string, purpose: Purpose): Promise<boolean> {
    const key = await this.key(planId, false);
    if (key === undefined) return false;
    const expected = Buffer.from(macOf(signingKey(key, purpose), planId, id));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** The numbers of an activity's stored photos, in order (1, 2, …). */
  async photoNumbers(planId: string, activityId: string): Promise<number[]> {
    const [files] = await (await this.deps.bucket()).getFiles({ prefix: evidencePrefix(planId, activityId) });
    return files
      .map((file) => /\/([1-9][0-9]*)\.jpg$/.exec(file.name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  async firstPhoto(
    planId: string,
    _location: WorkbookLocation,
    activityId: string,
  ): Promise<Uint8Array | undefined> {
    const [first] = await this.photoNumbers(planId, activityId);
    if (first === undefined) return undefined;
    // Whole, not streamed: one stored photo (≤ 2048 px, a few hundred KB) at a time, for sharp.
    const [bytes] = await (await this.deps.bucket())
      .file(photoObjectName(planId, activityId, first))
      .download();
    return bytes;
  }

  /** A photo's bytes as a stream, never held whole; undefined when there is no such photo. */
  async photoStream(planId: string, activityId: string, n: number): Promise<Readable | undefined> {
    const file = (await this.deps.bucket()).file(photoObjectName(planId, activityId, n));
    const [exists] = await file.exists();
    return exists ? file.createReadStream() : undefined;
  }

  /**
   * Copies the stored photos of these activities into `folder/<activityId>/<n>.jpg`, one at a time
   * and streamed, where the ledger's writer reads them like the folder beside a workbook.
   */
  async copyPhotosTo(planId: string, activityIds: readonly string[], folder: string): Promise<void> {
    const bucket = await this.deps.bucket();
    for (const activityId of activityIds) {
      const numbers = await this.photoNumbers(planId, activityId);
      if (numbers.length === 0) continue;
      const into = join(folder, activityId);
      await mkdir(into, { recursive: true });
      for (const n of numbers) {
        await bucket
          .file(photoObjectName(planId, activityId, n))
          .download({ destination: join(into, photoFileName(n)) });
      }
    }
  }

  /** Stores a finished ledger from its file, streamed; durable when this resolves. */
  async putLedger(planId: string, jobId: string, path: string): Promise<void> {
    const file = (await this.deps.bucket()).file(ledgerObjectName(planId, jobId));
    await pipeline(
      createReadStream(path),
      file.createWriteStream({
        resumable: false,
        contentType: DOCX_TYPE,
        metadata: { cacheControl: 'private, max-age=0' },
      }),
    );
  }

  /** A stored ledger as a stream with its size; undefined when there is none. */
  async ledgerFile(planId: string, jobId: string): Promise<{ stream: Readable; size: number } | undefined> {
    const file = (await this.deps.bucket()).file(ledgerObjectName(planId, jobId));
    const [exists] = await file.exists();
    if (!exists) return undefined;
    const [metadata] = await file.getMetadata();
    return { stream: file.createReadStream(), size: Number(metadata.size ?? 0) };
  }

  /** Revokes every evidence link of a plan: a new key, so no earlier mac verifies. */
  async revokeLinks(planId: string): Promise<void> {
    await evidenceKeyRef(this.deps.db, planId).set({ key: randomBytes(32).toString('base64url') });
  }

  /** The plan's link key; created on first need (create(): two first photos agree on one key). */
  private async key(planId: string, create: true): Promise<string>;
  private async key(planId: string, create: false): Promise<string | undefined>;
  private async key(planId: string, create: boolean): Promise<string | undefined> {
    const ref = evidenceKeyRef(this.deps.db, planId);
    const found = (await ref.get()).get('key') as string | undefined;
    if (found !== undefined || !create) return found;
    const key = randomBytes(32).toString('base64url');
    const created = await ref.create({ key }).then(
      () => true,
      (error: { code?: number }) => {
        // ALREADY_EXISTS: another request created it first; theirs is the key.
        if (error.code === 6) return false;
        throw error;
      },
    );
    return created ? key : ((await ref.get()).get('key') as string);
  }
}

/**
 * The key a purpose's links are signed with: the plan key for 佐证 links (as every link already in a
 * sheet was signed), a key derived from it for anything else.
 */
function signingKey(key: string, purpose: Purpose): string {
  return purpose === 'evidence'
    ? key
    : createHmac('sha256', key).update(`gongjian ${purpose} link`).digest('base64url');
}

/** The link's proof for one ID (an activity, a ledger job) of one plan: HMAC-SHA256 in base64url (43 characters). */
function macOf(key: string, planId: string, id: string): string {
  return createHmac('sha256', key).update(`${planId}\n${id}`, 'utf8').digest('base64url');
}
