/**
 * Mail documents in Firestore's `mail` collection, in the schema of the Firebase "Trigger Email"
 * extension (firestore-send-email), so that extension can deliver them instead of our sender. A
 * document is the whole email: the extension (0.2.8) builds its message from the top-level `from`,
 * `replyTo`, `to`, `cc`, `bcc` and `headers` and from `message.{subject,text,html,attachments}`, and
 * our sender builds its own from exactly the same fields (transport.ts) — so the Message-ID and
 * `Auto-Submitted` travel in `headers` and the plan's sender name in `from`, where both read them.
 * `delivery` is as the extension writes it, plus our state RETRY with `delivery.nextAttemptTime`
 * for temporary failures, and `delivery.expireAt`, the field of the TTL policy on `mail`
 * (firestore.indexes.json). Our own metadata sits under `gongjian`, which the extension ignores.
 * The document ID is the idempotency key (§7).
 */
import { Timestamp } from 'firebase-admin/firestore';
import * as z from 'zod';
import { isEmail } from '../../../shared/normalize';

export type DeliveryState = 'PENDING' | 'PROCESSING' | 'RETRY' | 'SUCCESS' | 'ERROR';

export interface DeliveryInfo {
  messageId: string;
  accepted: string[];
  rejected: string[];
  pending: string[];
  response: string;
}

export interface Delivery {
  state: DeliveryState;
  attempts: number;
  startTime: Timestamp | null;
  endTime: Timestamp | null;
  /** While PROCESSING: after this the sweeper may take the message over. */
  leaseExpireTime: Timestamp | null;
  /** While RETRY: when the next attempt is due. */
  nextAttemptTime: Timestamp | null;
  /** When Firestore's TTL policy deletes the document: the retention after its last state change. */
  expireAt: Timestamp | null;
  error: string | null;
  info: DeliveryInfo | null;
}

export type MailKind = 'partnerDigest' | 'leaderSummary' | 'dueSoon' | 'overdue' | 'updateRequest' | 'report';

/**
 * A file attached to a mail, in nodemailer's attachment fields — what the extension hands to
 * nodemailer as they are: the content travels inside the mail document as base64 text, so the
 * whole document must stay under Firestore's 1 MiB limit (MAX_ATTACHMENT_BASE64, queue.ts).
 */
export interface MailAttachment {
  filename: string;
  content: string;
  encoding: 'base64';
  contentType: string;
}

/** The headers every email of ours carries, whichever sender delivers it. */
export interface MailHeaders {
  /** Stable per idempotency key, so a second copy (deliver.ts) is recognisably the same message. */
  'Message-ID': string;
  /** RFC 3834: automated mail; well-behaved autoresponders (out-of-office) do not answer it. */
  'Auto-Submitted': 'auto-generated';
}

/** A mail document as our queue writes it. */
export interface MailDoc {
  /** `"<the plan's 发件人>" <MAIL_FROM>`; absent without MAIL_FROM: each sender uses its default. */
  from?: string;
  to: string[];
  cc: string[];
  headers: MailHeaders;
  message: { subject: string; text: string; html: string; attachments?: MailAttachment[] };
  delivery: Delivery;
  gongjian: {
    planId: string;
    kind: MailKind;
    key: string;
    createdAt: Timestamp;
  };
}

/** What a sender reads of a mail document, whoever wrote it: the email, and its delivery. */
export interface StoredMail {
  from?: string;
  replyTo?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
  /** Absent until someone (us or the extension) first touches a hand-written document. */
  delivery?: Delivery;
}

const timestamp = z.instanceof(Timestamp).nullable().default(null);
// The extension accepts a single address or a list for to/cc/bcc; we always write lists.
// The address rule validation uses: anything else is refused here, never reinterpreted by nodemailer.
const address = z.string().refine(isEmail, { error: 'not an email address (shared/normalize.ts isEmail)' });
const addresses = z
  .union([address, z.array(address)])
  .optional()
  .transform((value) => (value === undefined ? [] : typeof value === 'string' ? [value] : value));

const DeliverySchema = z.object({
  state: z.enum(['PENDING', 'PROCESSING', 'RETRY', 'SUCCESS', 'ERROR']),
  attempts: z.number().int().nonnegative().default(0),
  startTime: timestamp,
  endTime: timestamp,
  leaseExpireTime: timestamp,
  nextAttemptTime: timestamp,
  expireAt: timestamp,
  error: z.string().nullable().default(null),
  info: z
    .object({
      messageId: z.string(),
      accepted: z.array(z.string()),
      rejected: z.array(z.string()),
      pending: z.array(z.string()).default([]),
      response: z.string(),
    })
    .nullable()
    .default(null),
});

const StoredMailSchema = z.object({
  from: z.string().optional(),
  replyTo: z.string().optional(),
  to: addresses,
  cc: addresses,
  bcc: addresses,
  headers: z.record(z.string(), z.string()).default({}),
  message: z.object({
    subject: z.string(),
    text: z.string().default(''),
    html: z.string().default(''),
    // Only inline base64 content: a path or URL would make the sender read a file or fetch a page.
    attachments: z
      .array(
        z.object({
          filename: z.string(),
          content: z.string(),
          encoding: z.literal('base64'),
          contentType: z.string().default('application/octet-stream'),
        }),
      )
      .optional(),
  }),
  delivery: DeliverySchema.optional(),
});

export type MailParseResult = { ok: true; mail: StoredMail } | { ok: false; error: string };

/** Reads a mail document; a document the sender cannot understand is an error, never a guess. */
export function parseMail(data: unknown): MailParseResult {
  const result = StoredMailSchema.safeParse(data);
  if (!result.success) {
    const where = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, error: `Invalid mail document: ${where.join('; ')}` };
  }
  const { from, replyTo, to, cc, bcc, headers, message, delivery } = result.data;
  return {
    ok: true,
    mail: {
      ...(from !== undefined && { from }),
      ...(replyTo !== undefined && { replyTo }),
      to,
      cc,
      bcc,
      headers,
      subject: message.subject,
      text: message.text,
      html: message.html,
      ...(message.attachments !== undefined && { attachments: message.attachments }),
      ...(delivery !== undefined && { delivery }),
    },
  };
}

/** The delivery of a mail just queued (or read without one, as the extension's schema allows). */
export function pendingDelivery(expireAt: Timestamp | null): Delivery {
  return {
    state: 'PENDING',
    attempts: 0,
    startTime: null,
    endTime: null,
    leaseExpireTime: null,
    nextAttemptTime: null,
    expireAt,
    error: null,
    info: null,
  };
}
