/**
 * Queuing an email: one document in `mail`, its ID derived from the idempotency key (§7) and
 * written with create(), so a trigger delivered twice or a schedule run twice finds the document
 * there and queues nothing — no transaction, no read first, nothing to race. The document is the
 * whole email (types.ts): whichever sender delivers it sends the same message.
 */
import { createHash } from 'node:crypto';
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import type { LinkIssuer } from '../requests/send';
import { docIdOf } from '../store/docIds';
import { type MailAttachment, type MailDoc, type MailKind, pendingDelivery } from './types';

export const MAIL_COLLECTION = 'mail';

export interface QueuedEmail {
  /** The idempotency key of §7 (plan · partner · period, …). */
  key: string;
  kind: MailKind;
  planId: string;
  to: readonly string[];
  cc: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** The plan's 发件人 (display name in From). */
  senderName?: string | undefined;
  attachments?: MailAttachment[];
}

/**
 * The most base64 text the attachments of one mail may hold: Firestore refuses a document over
 * 1 MiB, and the rest of a mail document (addresses, subject, text, HTML) stays well under 128 KiB.
 * A .docx of up to about 670 KB fits.
 */
export const MAX_ATTACHMENT_BASE64 = 896 * 1024;

/** The attachments' base64 text would not fit in a mail document. */
export class AttachmentTooLargeError extends Error {
  constructor(readonly base64Length: number) {
    super(`Attachments of ${base64Length} base64 characters exceed ${MAX_ATTACHMENT_BASE64}`);
  }
}

/** Where and how emails are queued: built once by the composition root from the config. */
export interface MailQueue {
  db: Firestore;
  /** MAIL_FROM: the From address written on every email; absent, each sender uses its default. */
  fromAddress?: string | undefined;
  /** How long a mail document is kept after its last state change (delivery.expireAt). */
  retentionMs: number;
  /**
   * Where update links point, when the form is served (GONGJIAN_FORM_URL): digests and reminders
   * then carry their recipient's link (requests/send.ts). Absent, they go out without one.
   */
  links?: LinkIssuer | undefined;
}

/** The display name when the plan has no 发件人. */
export const DEFAULT_SENDER_NAME = '共建助手';

/**
 * The document ID of a mail's idempotency key: docIdOf's, with everything outside printable ASCII
 * %-escaped as UTF-8 (keys hold partner names and "·"). A trigger learns the ID from the event's
 * `document` attribute, an HTTP header, where anything but ASCII is at the mercy of each hop: the
 * emulator sends raw UTF-8 that Node reads as Latin-1. Still injective: docIdOf leaves "%" only in
 * its own escapes (%25 %2F %2E %5F), and these are %00–%1F, %7F or %80–%FF.
 */
export function mailDocId(key: string): string {
  return docIdOf(key).replace(/[^\u0020-\u007e]+/gu, (run) => encodeURIComponent(run));
}

/**
 * The Message-ID of a key: stable, so if a message is ever sent twice (see deliver.ts) a receiver
 * or a person can tell it is the same one. Hashed because keys hold plan and partner names that
 * have no business in a header, and may contain characters a Message-ID cannot.
 */
export function messageIdOf(key: string): string {
  return `<${createHash('sha256').update(key).digest('hex').slice(0, 32)}@gongjian.local>`;
}

/**
 * Header values come from sheets. nodemailer encodes them safely already; removing line breaks
 * (and other control characters) here as well means no stored document can carry an injected
 * header to whichever sender — ours or the extension — reads it.
 */
export function headerSafe(value: string): string {
  return value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
}

/**
 * A From header value, `"name" <address>`: the name quoted (RFC 5322 quoted-string), so commas,
 * angle brackets or quotes in a 发件人 stay part of the name; nodemailer encodes it on the wire.
 */
export function fromHeader(name: string, address: string): string {
  return `"${headerSafe(name).replace(/["\\]/g, '\\$&')}" <${address}>`;
}

/**
 * Cleaned and de-duplicated, ignoring case: mailboxes are case-insensitive in practice, and the
 * same person listed twice (or as owner and leader) should get one copy. `seen` carries the
 * lower-cased addresses already listed, so cc leaves out whoever is in to.
 */
function addressList(addresses: readonly string[], seen: Set<string>): string[] {
  const list: string[] = [];
  for (const address of addresses) {
    // An address has no spaces at all, so whatever a line break left behind goes too.
    const cleaned = headerSafe(address).replace(/\s+/g, '');
    if (cleaned === '' || seen.has(cleaned.toLowerCase())) continue;
    seen.add(cleaned.toLowerCase());
    list.push(cleaned);
  }
  return list;
}

/** The email of a mail document — what a sender reads: the queue's documents and the CLI's digest. */
export function mailContent(
  email: Omit<QueuedEmail, 'kind' | 'planId'>,
  fromAddress: string | undefined,
): Pick<MailDoc, 'from' | 'to' | 'cc' | 'headers' | 'message'> {
  const seen = new Set<string>();
  const to = addressList(email.to, seen);
  const cc = addressList(email.cc, seen);
  if (to.length === 0) throw new Error(`Mail ${JSON.stringify(email.key)} has no recipient`);
  const senderName = headerSafe(email.senderName ?? '') || DEFAULT_SENDER_NAME;
  return {
    ...(fromAddress !== undefined && { from: fromHeader(senderName, fromAddress) }),
    to,
    cc,
    headers: { 'Message-ID': messageIdOf(email.key), 'Auto-Submitted': 'auto-generated' },
    message: {
      subject: headerSafe(email.subject),
      text: email.text,
      html: email.html,
      ...(email.attachments !== undefined && {
        attachments: email.attachments.map((a) => ({ ...a, filename: headerSafe(a.filename) })),
      }),
    },
  };
}

/** Queues an email unless its key was queued before; never sends anything itself. */
export async function enqueueMail(
  queue: MailQueue,
  email: QueuedEmail,
  now: Date,
): Promise<'queued' | 'duplicate'> {
  const base64Length = (email.attachments ?? []).reduce((n, a) => n + a.content.length, 0);
  if (base64Length > MAX_ATTACHMENT_BASE64) throw new AttachmentTooLargeError(base64Length);
  const doc: MailDoc = {
    ...mailContent(email, queue.fromAddress),
    // Expiry from the start: a mail nobody ever delivers is still deleted in the end; and the
    // extension, which writes no expireAt on a document that already has a delivery, reaches its
    // final state within the minute, so this is its retention after that state too.
    delivery: pendingDelivery(Timestamp.fromMillis(now.getTime() + queue.retentionMs)),
    gongjian: { planId: email.planId, kind: email.kind, key: email.key, createdAt: Timestamp.fromDate(now) },
  };
  try {
    await queue.db.collection(MAIL_COLLECTION).doc(mailDocId(email.key)).create(doc);
    return 'queued';
  } catch (error) {
    if (isAlreadyExists(error)) return 'duplicate';
    throw error;
  }
}

function isAlreadyExists(error: unknown): boolean {
  // gRPC status 6 ALREADY_EXISTS
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 6;
}
