/**
 * A sync saved the plan document. Its version moves when records or settings changed; the
 * records' own triggers may have recomputed before the new settings and version were saved, so
 * a version change asks for one more (coalesced) refresh. Anything else (sync time) is ignored.
 */
import { onDocumentWritten } from 'firebase-functions/v2/firestore';
import { REGION } from '../region';

export const onPlanWritten = onDocumentWritten(
  { document: 'plans/{planId}', region: REGION },
  async (event) => {
    const before = event.data?.before.get('version') as number | undefined;
    const after = event.data?.after.get('version') as number | undefined;
    if (after === undefined || before === after) return;
    // Imported on use: a cold start only pays for the declaration.
    const [{ runtime }, { requestStatsRefresh }] = await Promise.all([
      import('../runtime'),
      import('../stats/refresh'),
    ]);
    await requestStatsRefresh(event.params.planId, event.id, runtime().refresh);
  },
);
