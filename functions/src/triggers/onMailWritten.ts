/**
 * A mail document was written: if it is now PENDING — just queued, or reset by hand to be sent
 * again — claim and send it (mail/deliver.ts). So is RETRY without a time, which is how the Trigger
 * Email extension's users ask for a resend. Every other write, our own state changes included, is
 * ignored here; scheduled retries and expired leases are the sweeper's (schedules/sweepMail.ts).
 * Redelivered events are harmless: the claim lets one of them through.
 * The implementation is imported on the first event, not when the module loads (cold start).
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';
import { TRIGGER_DOCUMENTS } from '../store/paths';

export const onMailWritten = onDocumentWritten(
  // One attempt at most: the lease (60 s) must outlast the invocation, or a live attempt could be
  // taken over by the sweeper and the message sent twice.
  // SMTP_URL (with the password) comes from Secret Manager, mounted only into the functions that send.
  { document: TRIGGER_DOCUMENTS.mail, region: REGION, timeoutSeconds: 60, secrets: ['SMTP_URL'] },
  async (event) => {
    const after = event.data?.after;
    if (!after?.exists) return;
    // A document written in the extension's schema without `delivery` is as good as PENDING.
    const state: unknown = after.get('delivery.state');
    const resendAsked = state === 'RETRY' && after.get('delivery.nextAttemptTime') == null;
    if (state !== undefined && state !== 'PENDING' && !resendAsked) return;
    const [{ runtime }, { processMail }] = await Promise.all([
      import('../runtime'),
      import('../mail/deliver'),
    ]);
    const built = runtime();
    // No sender configured (production without SMTP_URL): the Trigger Email extension delivers.
    if (built.mail === undefined) return;
    await processMail(built.mailQueue.db, event.params.docId, built.mail);
  },
);
