/**
 * What every record trigger does: note that the plan's statistics are stale and let the
 * coalescing refresh (stats/refresh.ts) take it from there. The event's ID names the claimant.
 * The implementation is imported on the first event, not when the module loads (cold start).
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';
import type { RecordCollection } from '../store/records';

/** A Firestore trigger on one record collection of every plan. */
export function recordTrigger(collection: RecordCollection) {
  return onDocumentWritten(
    { document: `plans/{planId}/${collection}/{docId}`, region: REGION },
    async (event) => {
      const [{ runtime }, { requestStatsRefresh }] = await Promise.all([
        import('../runtime'),
        import('../stats/refresh'),
      ]);
      await requestStatsRefresh(event.params.planId, event.id, runtime().refresh);
    },
  );
}
