/**
 * The functions part of `npm run bench`, on the real local stack (Firestore emulator, triggers
 * through the bridge): record writes when re-syncing an unchanged workbook, recomputations per
 * burst of writes, latency from the last write to fresh statistics, and cold start.
 */
import { getApps, initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import type { RawWorkbook } from '../../../shared/workbook';
import { startFirestoreEmulator } from '../local/emulator';
import { startLocalStack } from '../local/stack';
import { waitForFreshStats } from '../local/syncWorkbook';
import { statsRefreshState } from '../stats/refresh';
import { PlanStore } from '../store/planStore';
import { syncPlan } from '../sync/syncPlan';
import { type ColdStart, measureColdStart } from './coldStart';
import { generateWorkbook } from './generate';

export interface FunctionsBench {
  resyncRows: number;
  firstSyncWrites: number;
  resyncWrites: number;
  burstWrites: number;
  burstRecomputations: number;
  burstMs: number;
  latencyMs: number[];
  coldStart: ColdStart;
}

const CALLER = 'bench@example.cn';

/** Runs every functions measurement; progress goes to the given sink. */
export async function runFunctionsBench(
  progress: (line: string) => void,
  latencyRuns = 10,
): Promise<FunctionsBench> {
  const resync = await measureResync(progress);
  const stack = await startLocalStack({ projectId: 'demo-gongjian-bench', progress });
  try {
    const { store } = stack.runtime;
    const now = () => new Date();
    const sync = async (planId: string, workbook: RawWorkbook) =>
      syncPlan(
        workbook,
        { planId, caller: CALLER, now: now(), existing: await store.getPlan(planId) },
        store,
      );

    progress('burst: one sync creating 1,000 activities (plus their measures and partners)…');
    const burstBook = generateWorkbook({ activities: 1000, measures: 20, partners: 10 });
    const t0 = performance.now();
    const burst = await sync('burst', burstBook);
    await waitForFreshStats(stack, 'burst', burst.version, 300_000);
    const burstMs = performance.now() - t0;
    const { recomputations } = await statsRefreshState(store.db, 'burst');

    const latencyMs: number[] = [];
    for (let i = 0; i < latencyRuns; i++) {
      progress(`latency: edit ${i + 1}/${latencyRuns}…`);
      const edited = structuredClone(burstBook);
      const activities = edited.tabs[3];
      const cell = activities?.rows[i]?.cells;
      const title = activities?.header.indexOf('活动名称') ?? -1;
      if (cell && title >= 0) cell[title] = `修改后的活动名称 ${i}`;
      const result = await sync('burst', edited);
      const lastWrite = performance.now(); // syncPlan resolves once its last write is committed
      await waitForFreshStats(stack, 'burst', result.version, 60_000);
      latencyMs.push(performance.now() - lastWrite);
    }

    progress('cold start: importing the functions bundle in fresh processes…');
    const coldStart = measureColdStart({ runs: 7 });
    return {
      ...resync,
      burstWrites: burst.writes.created,
      burstRecomputations: recomputations,
      burstMs,
      latencyMs,
      coldStart,
    };
  } finally {
    await stack.stop();
  }
}

/** Syncs a 10,000-row workbook twice into a bare emulator (no triggers) and counts the second's writes. */
async function measureResync(progress: (line: string) => void) {
  const projectId = 'demo-gongjian-bench-resync';
  const emulator = await startFirestoreEmulator({ projectId });
  const app = getApps().find((a) => a.name === projectId) ?? initializeApp({ projectId }, projectId);
  const db = getFirestore(app);
  db.settings({
    host: emulator.host,
    ssl: false,
    universeDomain: 'googleapis.com',
    ignoreUndefinedProperties: true,
  });
  try {
    const store = new PlanStore(db);
    const workbook = generateWorkbook({ activities: 10_000 });
    const rows = workbook.tabs.reduce((sum, tab) => sum + tab.rows.length, 0);
    progress(`re-sync: first sync of a ${rows.toLocaleString('en')}-row workbook…`);
    const options = { planId: 'resync', caller: CALLER, now: new Date('2026-10-15T04:00:00Z') };
    const first = await syncPlan(workbook, { ...options, existing: undefined }, store);
    progress('re-sync: the same workbook again…');
    const second = await syncPlan(workbook, { ...options, existing: await store.getPlan('resync') }, store);
    const total = (w: { created: number; updated: number; deleted: number }) =>
      w.created + w.updated + w.deleted;
    return { resyncRows: rows, firstSyncWrites: total(first.writes), resyncWrites: total(second.writes) };
  } finally {
    await db.terminate();
    await emulator.stop();
  }
}
