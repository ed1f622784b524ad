/**
 * A ledger was asked for through the API (http/ledger.ts wrote `plans/{planId}/ledgers/{jobId}`):
 * build it (ledgers/job.ts), which claims the job so a redelivered event builds nothing. Every
 * other write, the build's own state changes included, is ignored here.
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';
import { TRIGGER_DOCUMENTS } from '../store/paths';

export const onLedgerRequested = onDocumentWritten(
  // A ledger of 1,000 activities and 2,000 photos takes about a minute here and far longer on a
  // small instance: the longest timeout an event function may have (540 s). Its photos and the
  // .docx pass through the instance's temporary folder, which on Cloud Functions is memory
  // (2,000 processed photos are about 1 GB, written twice): 4 GiB.
  { document: TRIGGER_DOCUMENTS.ledger, region: REGION, memory: '4GiB', timeoutSeconds: 540 },
  async (event) => {
    const after = event.data?.after;
    if (!after?.exists || after.get('state') !== 'queued') return;
    const [{ runtime }, { runLedgerJob }] = await Promise.all([
      import('../runtime'),
      import('../ledgers/job'),
    ]);
    const built = runtime();
    await runLedgerJob(event.params.planId, event.params.jobId, built.ledgers);
  },
);
