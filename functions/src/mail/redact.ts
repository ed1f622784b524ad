/**
 * Update links at rest. A digest, reminder or update request carries its recipient's personal link
 * (requests/send.ts), and a mail document is the whole email (types.ts) — so until something is
 * done about it, the token that opens someone's form sits in plain text in `message.text` and
 * `message.html` for the document's whole retention (30 days by default), readable by anyone who
 * can read the `mail` collection, long after the email went out.
 *
 * The guarantee: a document holds its links' tokens in plain text only while its message waits to
 * be sent. Once delivery is recorded as SUCCESS, every token in the stored text and HTML is replaced
 * by REDACTED_TOKEN (requests/links.ts finds them where linkUrl puts them, whatever the form's
 * address); the recipient's copy, already sent, keeps its working link.
 * - Never before delivery: PENDING, PROCESSING and RETRY keep their bytes, so every attempt — a
 *   retry, or a second copy after a crash (deliver.ts) — sends the same message with the same link.
 *   ERROR is left alone too: an operator's resend after fixing an address must carry a link that
 *   opens.
 * - Our sender (deliver.ts) redacts in the very write that records SUCCESS, under that write's
 *   precondition: there is no moment at which a delivered document still holds its token, and an
 *   attempt that was taken over redacts nothing (its write is refused).
 * - With the Trigger Email extension, which writes SUCCESS itself, onMailDelivered
 *   (triggers/onMailDelivered.ts) redacts right after, conditioned on the `updateTime` it read: a
 *   write in between (someone resetting the document to resend it) wins, and fires the trigger
 *   again. The token stays readable for the seconds between the two writes; a trigger that fails
 *   is retried by Eventarc, since redacting twice is the same as once.
 * A delivered document reset by hand to be sent again goes out with the redacted address (the
 * form's "unknown link" page): to give someone a working link, send a new request.
 */
import type { Firestore } from 'firebase-admin/firestore';
import { redactLinkTokens } from '../requests/links';
import { GRPC_STATUS, hasGrpcStatus } from '../store/grpcStatus';
import { mailCollection } from '../store/paths';

/** The stored message fields that can carry a link, as update paths. */
export type RedactedFields = Partial<Record<'message.text' | 'message.html', string>>;

/**
 * The update that redacts a delivered message's links: only the fields that change, so a message
 * without links costs no write (an empty object).
 */
export function redactedMessageFields(message: { text?: unknown; html?: unknown }): RedactedFields {
  const fields: RedactedFields = {};
  for (const [name, value] of [
    ['message.text', message.text],
    ['message.html', message.html],
  ] as const) {
    if (typeof value !== 'string') continue;
    const redacted = redactLinkTokens(value);
    if (redacted !== value) fields[name] = redacted;
  }
  return fields;
}

/** What redactDeliveredMail did: redacted, had nothing to redact, or lost to a concurrent write. */
export type RedactOutcome = 'redacted' | 'nothing' | 'changed';

/**
 * Redacts the links of a mail document that another sender (the extension) recorded as SUCCESS.
 * Reads it, and writes only if it is still SUCCESS and still carries a token, conditioned on what
 * it read; a concurrent write wins ('changed') and brings its own trigger event.
 */
export async function redactDeliveredMail(db: Firestore, docId: string): Promise<RedactOutcome> {
  const ref = mailCollection(db).doc(docId);
  const snapshot = await ref.get();
  if (!snapshot.exists || snapshot.updateTime === undefined) return 'nothing';
  if (snapshot.get('delivery.state') !== 'SUCCESS') return 'nothing';
  const fields = redactedMessageFields({
    text: snapshot.get('message.text'),
    html: snapshot.get('message.html'),
  });
  if (Object.keys(fields).length === 0) return 'nothing';
  try {
    await ref.update(fields, { lastUpdateTime: snapshot.updateTime });
    return 'redacted';
  } catch (error) {
    if (hasGrpcStatus(error, GRPC_STATUS.FAILED_PRECONDITION, GRPC_STATUS.NOT_FOUND)) return 'changed';
    throw error;
  }
}
