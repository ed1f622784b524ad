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
import type { EmailKind } from '../../../shared/emails/email';
import {
  invalidMail,
  type MailEnvelope,
  MailMessageSchema,
  type MailOwner,
  type StoredEmail,
  storedMailOf,
} from './message';

export type DeliveryState = 'PENDING' | 'PROCESSING' | 'RETRY' | 'SUCCESS' | 'ERROR';

/** What the receiving server said: the transport's answer, recorded as `delivery.info`. */
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

/** A mail document as our queue writes it: the email, its delivery and our own fields. */
export interface MailDoc extends MailEnvelope {
  delivery: Delivery;
  /** Our own fields, which the extension ignores: the owner (a plan or a district), kind and key. */
  gongjian: MailOwner & {
    kind: EmailKind;
    key: string;
    createdAt: Timestamp;
  };
}

/** What a sender reads of a mail document, whoever wrote it: the email, and its delivery. */
export interface StoredMail extends StoredEmail {
  /** Absent until someone (us or the extension) first touches a hand-written document. */
  delivery?: Delivery;
}

const timestamp = z.instanceof(Timestamp).nullable().default(null);
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

const StoredMailSchema = MailMessageSchema.extend({ delivery: DeliverySchema.optional() });

export type MailParseResult = { ok: true; mail: StoredMail } | { ok: false; error: string };

/** Reads a mail document; a document the sender cannot understand is an error, never a guess. */
export function parseMail(data: unknown): MailParseResult {
  const result = StoredMailSchema.safeParse(data);
  if (!result.success) return { ok: false, error: invalidMail(result.error) };
  const { delivery } = result.data;
  return { ok: true, mail: { ...storedMailOf(result.data), ...(delivery !== undefined && { delivery }) } };
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
