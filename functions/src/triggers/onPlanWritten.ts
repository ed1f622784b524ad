/**
 * The statistics trigger: a sync ends by saving the plan document (moving its version when
 * anything changed), once per sync whatever its size, and that one write is what this listens
 * to — record writes fire nothing. Why this yields exactly the statistics of the stored records,
 * under redelivery, reordering, racing syncs and crashes: stats/refresh.ts.
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';
import { TRIGGER_DOCUMENTS } from '../store/paths';

export const onPlanWritten = onDocumentWritten(
  // Reading and computing a 100,000-activity plan needs more than the default 256 MiB.
  { document: TRIGGER_DOCUMENTS.plan, region: REGION, memory: '1GiB', timeoutSeconds: 300 },
  async (event) => {
    if (!event.data?.after.exists) return;
    // Imported on use: a cold start only pays for the declaration.
    const [{ runtime }, { refreshStats }] = await Promise.all([
      import('../runtime'),
      import('../stats/refresh'),
    ]);
    await refreshStats(event.params.planId, runtime().refresh);
  },
);
