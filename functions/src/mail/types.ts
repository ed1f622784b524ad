/**
 * Mail documents in Firestore's `mail` collection, in the schema of the Firebase "Trigger Email"
 * extension (firestore-send-email), so that extension can deliver them instead of our sender:
 * `to`, `cc`, `message.{subject,text,html,messageId}`, and `delivery` as the extension writes it. We
 * add the state RETRY with `delivery.nextAttemptTime` for temporary failures, and our own metadata
 * under `gongjian` (which the extension ignores). The document ID is the idempotency key (§7).
 *
 * The extension hands `message` to nodemailer as is, so `message.messageId` becomes the Message-ID
 * header whichever sender delivers.
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
  error: string | null;
  info: DeliveryInfo | null;
}

export type MailKind = 'partnerDigest' | 'leaderSummary' | 'dueSoon' | 'overdue';

export interface MailDoc {
  to: string[];
  cc: string[];
  message: { subject: string; text: string; html: string; messageId: string };
  delivery?: Delivery;
  gongjian: {
    planId: string;
    kind: MailKind;
    key: string;
    /** The plan's 发件人 setting: the display name in From (the address is MAIL_FROM). */
    senderName?: string;
    createdAt: Timestamp;
  };
}

/** What the sender needs of a mail document, whoever wrote it. */
export interface StoredMail {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  /** Absent on a document written by hand in the extension's schema: nodemailer makes one up. */
  messageId?: string;
  senderName?: string;
  /** Absent until someone (us or the extension) first touches a hand-written document. */
  delivery?: Delivery;
}

const timestamp = z.instanceof(Timestamp).nullable().default(null);
// The extension accepts a single address or a list for to/cc; we always write lists.
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
  to: addresses,
  cc: addresses,
  message: z.object({
    subject: z.string(),
    text: z.string().default(''),
    html: z.string().default(''),
    messageId: z.string().optional(),
  }),
  delivery: DeliverySchema.optional(),
  gongjian: z.object({ senderName: z.string().optional() }).optional(),
});

export type MailParseResult = { ok: true; mail: StoredMail } | { ok: false; error: string };

/** Reads a mail document; a document the sender cannot understand is an error, never a guess. */
export function parseMail(data: unknown): MailParseResult {
  const result = StoredMailSchema.safeParse(data);
  if (!result.success) {
    const where = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, error: `Invalid mail document: ${where.join('; ')}` };
  }
  const { to, cc, message, delivery, gongjian } = result.data;
  return {
    ok: true,
    mail: {
      to,
      cc,
      subject: message.subject,
      text: message.text,
      html: message.html,
      ...(message.messageId !== undefined && { messageId: message.messageId }),
      ...(gongjian?.senderName !== undefined && { senderName: gongjian.senderName }),
      ...(delivery !== undefined && { delivery }),
    },
  };
}

/** The delivery of a mail just queued (or read without one, as the extension's schema allows). */
export function pendingDelivery(): Delivery {
  return {
    state: 'PENDING',
    attempts: 0,
    startTime: null,
    endTime: null,
    leaseExpireTime: null,
    nextAttemptTime: null,
    error: null,
    info: null,
  };
}
