/**
 * What every record trigger does: note that the plan's statistics are stale and let the
 * coalescing refresh (stats/refresh.ts) take it from there. The event's ID names the claimant.
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';
import { runtime } from '../runtime';
import { requestStatsRefresh } from '../stats/refresh';
import type { RecordCollection } from '../store/records';

/** A Firestore trigger on one record collection of every plan. */
export function recordTrigger(collection: RecordCollection) {
  return onDocumentWritten(
    { document: `plans/{planId}/${collection}/{docId}`, region: REGION },
    async (event) => {
      const deps = runtime().refresh;
      await requestStatsRefresh(event.params.planId, event.id, deps);
    },
  );
}
