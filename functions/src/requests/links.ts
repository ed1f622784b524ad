/**
 * Update-request links (SPEC §9): a personal, unguessable address bound to one plan, one person
 * and a scope. The token is 256 random bits (base64url); only its SHA-256 is stored, as the link's
 * document ID, so the database alone opens nothing. A link expires (设置 → 填报链接有效天数) and can
 * be revoked; every use is logged under it (store/paths.ts has the layout). The link and each use
 * carry `deleteAt`, the field of the Firestore TTL policy (firestore.indexes.json): both are deleted
 * KEPT_AFTER_EXPIRY_DAYS after the link expires, long enough to answer a question about a use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { FieldValue, type Firestore, Timestamp, type WriteBatch } from 'firebase-admin/firestore';
import * as z from 'zod';
import type { FormScope } from '../../../shared/requestForm';
import { type Log, logs } from '../logs';
import { writeEach } from '../store/batches';
import { linkUsesRef, requestLinkRef, requestLinksRef } from '../store/paths';

const DAY_MS = 86_400_000;
/** Days a link and its use log are kept after the link expires, then Firestore's TTL deletes them. */
export const KEPT_AFTER_EXPIRY_DAYS = 180;
/** 32 random bytes in base64url: 43 characters of [A-Za-z0-9_-]. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whose form a link opens: an owner's measures, or a partner unit's (shared/requestForm.ts shows it). */
export type LinkScope = FormScope;

const LinkScopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('owner'), ownerEmail: z.string() }),
  z.object({ kind: z.literal('partner'), partnerId: z.string() }),
]);

/** A link as stored (its token is not: the document ID is the token's hash). */
export const StoredLink = z.object({
  tokenHash: z.string(),
  planId: z.string(),
  /** Lower-cased: the address the link is for (a partner's first). */
  email: z.string(),
  /** Lower-cased: every address the email carrying the link went to (revokeLinks finds it by any). */
  emails: z.array(z.string()).optional(),
  name: z.string(),
  scope: LinkScopeSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().optional(),
  /** The request (email) that handed the link out, when there was one. */
  requestId: z.string().optional(),
  /** A per-link secret keying the form's anti-forgery values (requests/formGuard.ts). */
  formKey: z.string(),
});
export type StoredLink = z.infer<typeof StoredLink>;

/** What links need: Firestore and the runtime's clock. */
export interface LinkDeps {
  db: Firestore;
  now: () => Date;
  /** Where a failed revocation is reported. */
  log?: Log | undefined;
}

export interface MintLinkInput {
  planId: string;
  email: string;
  /** Every address the link is sent to, besides `email` (a partner's other addresses, cc). */
  sentTo?: readonly string[];
  name: string;
  scope: LinkScope;
  /** Days until it expires (settings: requestLinkDays in shared/model.ts). */
  validDays: number;
  requestId?: string;
}

export type LinkVerdict =
  | { ok: true; link: StoredLink }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' };

/** The stored name of a token: SHA-256, hex. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** When a link that expires at `expiresAt` (ISO) and its uses are deleted by the TTL policy. */
function deleteAtOf(expiresAt: string): Timestamp {
  return Timestamp.fromMillis(Date.parse(expiresAt) + KEPT_AFTER_EXPIRY_DAYS * DAY_MS);
}

/** Creates a link and returns its token: the only time the token exists outside the person's email. */
export async function mintLink(
  deps: LinkDeps,
  input: MintLinkInput,
): Promise<{ token: string; expiresAt: string }> {
  if (!(input.validDays > 0)) throw new RangeError(`validDays must be positive, got ${input.validDays}`);
  const token = randomBytes(32).toString('base64url');
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + input.validDays * DAY_MS).toISOString();
  const hash = tokenHash(token);
  const email = input.email.trim().toLowerCase();
  const link: StoredLink = {
    tokenHash: hash,
    planId: input.planId,
    email,
    emails: [...new Set([email, ...(input.sentTo ?? []).map((a) => a.trim().toLowerCase())])],
    name: input.name,
    scope: input.scope,
    createdAt: now.toISOString(),
    expiresAt,
    ...(input.requestId !== undefined && { requestId: input.requestId }),
    formKey: randomBytes(32).toString('base64url'),
  };
  // create(): a (astronomically unlikely) collision fails instead of taking over another link.
  await requestLinkRef(deps.db, hash).create({ ...link, deleteAt: deleteAtOf(expiresAt) });
  return { token, expiresAt };
}

/** The link a token opens, or why it opens nothing. A malformed token reads nothing. */
export async function verifyLink(deps: LinkDeps, token: string): Promise<LinkVerdict> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, reason: 'unknown' };
  const snapshot = await requestLinkRef(deps.db, tokenHash(token)).get();
  if (!snapshot.exists) return { ok: false, reason: 'unknown' };
  const link = StoredLink.parse(snapshot.data());
  if (link.revokedAt !== undefined) return { ok: false, reason: 'revoked' };
  if (Date.parse(link.expiresAt) <= deps.now().getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, link };
}

/**
 * Revokes every live link of a person in a plan (they left the unit): the links bound to the
 * address and those sent to it (a partner's second address); returns how many. Two queries, each
 * served by automatic single-field indexes (links minted before `emails` existed have only `email`).
 */
export async function revokeLinks(deps: LinkDeps, input: { planId: string; email: string }): Promise<number> {
  const email = input.email.trim().toLowerCase();
  const links = requestLinksRef(deps.db);
  const [boundTo, sentTo] = await Promise.all([
    links.where('planId', '==', input.planId).where('email', '==', email).get(),
    links.where('emails', 'array-contains', email).get(),
  ]);
  const found = new Map([...boundTo.docs, ...sentTo.docs].map((doc) => [doc.id, doc]));
  const live = [...found.values()].filter(
    (doc) => doc.get('planId') === input.planId && doc.get('revokedAt') === undefined,
  );
  const revokedAt = deps.now().toISOString();
  const failed = await writeEach(deps.db, live, (writer, doc) => writer.update(doc.ref, { revokedAt }));
  if (failed[0]) {
    // A revocation that did not land is a link that still opens: staff must hear it failed
    // (the API answers 500 and they revoke again), never that it was done.
    deps.log?.(logs.linksRevokeFailed(input.planId, email, failed.length, failed[0].error));
    throw new Error(
      `撤销链接未全部生效：${failed.length} / ${live.length} 条失败，请重试 / revocation incomplete: ${failed.length} of ${live.length} links failed, try again`,
    );
  }
  return live.length;
}

/** The form's address for a token. */
export function linkUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/r/${token}`;
}

/** A token where linkUrl puts it: right after `/r/`, and not part of a longer run of token characters. */
const TOKEN_IN_LINK = /(?<=\/r\/)[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;
/** What a redacted link holds instead of its token: an address of the form's shape that opens nothing. */
export const REDACTED_TOKEN = 'redacted';

/**
 * `text` with the token of every update link in it replaced by REDACTED_TOKEN, whatever the form's
 * address: how a delivered email's stored copy stops being a key (mail/redact.ts). Base64url
 * characters are never escaped, in HTML or in text, so a link reads the same in both parts.
 */
export function redactLinkTokens(text: string): string {
  return text.replace(TOKEN_IN_LINK, REDACTED_TOKEN);
}

/** One use of a link, as logged. */
export interface LinkUse {
  /** view: the form was shown; submit: an activity was submitted; milestone: a measure marked done. */
  kind: 'view' | 'submit' | 'milestone' | 'rejected';
  /** The submission this use made (its idempotency key), if any. */
  submissionId?: string;
  /** What was submitted (the record as stored), if anything. */
  what?: Record<string, unknown>;
  /** The requesting address, for abuse reports. */
  address?: string;
}

/** Logs one use of a link (when, what, which submission). */
export async function logLinkUse(deps: LinkDeps, link: StoredLink, use: LinkUse): Promise<void> {
  const batch = deps.db.batch();
  addLinkUse(batch, deps, link, use);
  await batch.commit();
}

/**
 * Adds the writes that log one use of a link to a batch: the use, and the link's count of uses.
 * A submission logs its use in the batch that stores it (requests/submit.ts), so the two are kept
 * or lost together, for one round trip.
 */
export function addLinkUse(batch: WriteBatch, deps: LinkDeps, link: StoredLink, use: LinkUse): void {
  batch.create(linkUsesRef(deps.db, link.tokenHash).doc(), {
    at: deps.now().toISOString(),
    planId: link.planId,
    ...Object.fromEntries(Object.entries(use).filter(([, v]) => v !== undefined)),
    deleteAt: deleteAtOf(link.expiresAt),
  });
  batch.update(requestLinkRef(deps.db, link.tokenHash), { uses: FieldValue.increment(1) });
}
