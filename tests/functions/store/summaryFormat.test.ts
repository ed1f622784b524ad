/**
 * How a plan's roll-up summary is stored (functions/src/store/planDocs.ts): as one JSON string
 * beside its version and as-of date, not as a map of a few hundred nested values — a roll-up reads
 * every member's summary, and at 1,000 members decoding maps was most of a recomputation. A
 * summary stored as a map before is still read, the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import { planRef, STATS_COLLECTION, SUMMARY_DOC } from '../../../functions/src/store/paths';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { sampleWorkbook } from '../../../shared/sample';
import { pinnedClock } from '../../support/clock';
import { useFirestoreEmulator } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';

const NOW = new Date('2026-06-30T04:00:00Z');
const fs = useFirestoreEmulator('summary-format');
let runtime: Runtime;

beforeAll(async () => {
  runtime = testRuntime(fs, { clock: pinnedClock(NOW) });
  await syncPlan(
    sampleWorkbook(2026),
    { planId: 'stored', caller: 'owner@example.cn', now: NOW, clock: pinnedClock(NOW), existing: undefined },
    runtime.store,
  );
  await refreshStats('stored', runtime.refresh, { force: true });
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

const summaryRef = (planId: string) =>
  planRef(fs.firestore(), planId).collection(STATS_COLLECTION).doc(SUMMARY_DOC);

describe('a stored summary', () => {
  it('is one JSON string field beside its version, and reads back as the summary saved', async () => {
    const raw = (await summaryRef('stored').get()).data() ?? {};
    expect(Object.keys(raw).sort()).toEqual(['asOf', 'inputVersion', 'summaryJson']);
    expect(typeof raw.summaryJson).toBe('string');
    const [read] = await runtime.store.summaries(['stored']);
    expect(read?.summary).toEqual(JSON.parse(String(raw.summaryJson)));
    expect(read?.summary.plan.measures).toBeGreaterThan(0);
    expect(read?.asOf).toBe(raw.asOf);
  });

  it('stored as a map before, it is read the same', async () => {
    const [stored] = await runtime.store.summaries(['stored']);
    if (!stored) throw new Error('expected a summary');
    await summaryRef('legacy').set({
      inputVersion: stored.inputVersion,
      asOf: stored.asOf,
      summary: stored.summary,
    });
    const [legacy] = await runtime.store.summaries(['legacy']);
    expect(legacy).toEqual(stored);
  });
});
