/**
 * Queuing an email: one document in `mail`, its ID derived from the idempotency key (§7) and
 * written with create(), so a trigger delivered twice or a schedule run twice finds the document
 * there and queues nothing — no transaction, no read first, nothing to race. The document is the
 * whole email (types.ts): whichever sender delivers it sends the same message.
 */
import { type Firestore, Timestamp } from 'firebase-admin/firestore';
import type { PhotoStore } from '../requests/evidence';
import { GRPC_STATUS, hasGrpcStatus } from '../store/grpcStatus';
import { mailCollection } from '../store/paths';
import { mailContent, mailDocId, mailOwnerOf, type QueuedEmail } from './message';
import { type MailDoc, pendingDelivery } from './types';

/** Where links point and the clock they are minted by: built by the composition root when the form is served. */
export interface LinkIssuer {
  /** The form's base URL (GONGJIAN_FORM_URL): links are `<formUrl>/r/<token>`. */
  formUrl: string;
  now: () => Date;
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
  /**
   * Where the plans' evidence photos are read from (requests/evidence.ts): the staff's 待审核 list
   * shows a thumbnail of each submission's first photo (thumbnails.ts). Absent, it shows none.
   */
  photos?: PhotoStore | undefined;
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
    gongjian: { ...mailOwnerOf(email), kind: email.kind, key: email.key, createdAt: Timestamp.fromDate(now) },
  };
  try {
    await mailCollection(queue.db).doc(mailDocId(email.key)).create(doc);
    return 'queued';
  } catch (error) {
    if (hasGrpcStatus(error, GRPC_STATUS.ALREADY_EXISTS)) return 'duplicate';
    throw error;
  }
}
