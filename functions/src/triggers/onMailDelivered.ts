/**
 * With the Trigger Email extension delivering (indexExtension.ts): a mail document was written; if
 * the extension has just recorded it as SUCCESS, redact the update links in its stored body
 * (mail/redact.ts says why and what is guaranteed). Our own sender needs no such trigger: it
 * redacts in the write that records SUCCESS.
 *
 * Every write of a mail document comes here — the extension's PROCESSING and SUCCESS, our own
 * redaction — and all but a SUCCESS that still holds a token end at the state check, before any
 * module is loaded or any read is made. Retried on failure (`retry: true`): redaction is
 * idempotent, and a lost event would leave the token in plain text until the document expires.
 * The implementation is imported on the first event, not when the module loads (cold start).
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';
import { TRIGGER_DOCUMENTS } from '../store/paths';

export const onMailDelivered = onDocumentWritten(
  { document: TRIGGER_DOCUMENTS.mail, region: REGION, timeoutSeconds: 60, retry: true },
  async (event) => {
    const after = event.data?.after;
    if (!after?.exists || after.get('delivery.state') !== 'SUCCESS') return;
    const { redactedMessageFields, redactDeliveredMail } = await import('../mail/redact');
    const seen = redactedMessageFields({ text: after.get('message.text'), html: after.get('message.html') });
    // Our own redaction's write comes back here: nothing left to do, and no runtime to build.
    if (Object.keys(seen).length === 0) return;
    const { runtime } = await import('../runtime');
    await redactDeliveredMail(runtime().mailQueue.db, event.params.docId);
  },
);
