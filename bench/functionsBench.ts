/**
 * The functions part of `npm run bench`, on the real local stack (Firestore emulator, the
 * statistics trigger through the bridge, the API over HTTP with its preflight): first syncs of
 * growing plans to fresh statistics — time, time per 1,000 rows, trigger invocations,
 * recomputations and document writes per sync —, the re-sync of an unchanged plan, the latency
 * of one-row edits, and cold start.
 */

import { ISSUES_PER_CHUNK } from '../functions/src/store/planStore';
import type { RawWorkbook } from '../shared/workbook';
import { type LocalStack, startLocalStack } from '../stack/stack';
import { postSync, waitForFreshStats } from '../stack/syncWorkbook';
import { type ColdStart, measureColdStart } from './coldStart';
import { generateWorkbook } from './generate';

/** One sync through the API, measured from the request to fresh statistics. */
export interface SyncRun {
  activities: number;
  /** Data rows sent (every tab). */
  rows: number;
  ms: number;
  /** From the request to the API's answer (validated and written); the rest is the recomputation. */
  answeredMs: number;
  recordWrites: number;
  /** Chunks of 400 issues the sync stored (they scale with the issues, not the rows). */
  issueChunks: number;
  /** Every document the record store wrote for the sync and its recomputation. */
  documentWrites: number;
  triggerInvocations: number;
  recomputations: number;
}

export interface FunctionsBench {
  /**
   * The stack's very first sync (a small plan of its own): it pays for the emulator's JVM warming
   * up, which `npm start` pays once per start, not per plan or per size; reported, not targeted.
   */
  warmUp: SyncRun;
  firstSyncs: SyncRun[];
  resync: SyncRun;
  latencyMs: number[];
  coldStart: ColdStart;
}

/** Runs every functions measurement; progress goes to the given sink. */
export async function runFunctionsBench(
  progress: (line: string) => void,
  sizes: readonly number[] = [1_000, 10_000, 100_000],
  latencyRuns = 10,
): Promise<FunctionsBench> {
  const stack = await startLocalStack({ projectId: 'demo-gongjian-bench', progress });
  try {
    progress("warm-up: the stack's very first sync, 100 activities of a plan of its own…");
    const warmUp = await measureSync(stack, 'warm-up', generateWorkbook({ activities: 100 }), 100);
    progress(`  ${describeRun(warmUp)}`);
    const firstSyncs: SyncRun[] = [];
    const books = new Map<number, RawWorkbook>();
    for (const [i, activities] of sizes.entries()) {
      const workbook = generateWorkbook({ activities, measures: 200, partners: 50 });
      books.set(activities, workbook);
      progress(`first sync of ${activities.toLocaleString('en')} activities through the API…`);
      const run = await measureSync(stack, `first-${i}`, workbook, activities);
      progress(`  ${describeRun(run)}`);
      firstSyncs.push(run);
    }

    const resyncAt = Math.max(0, sizes.indexOf(10_000));
    const resyncSize = sizes[resyncAt] ?? 1_000;
    progress(`re-sync of the unchanged ${resyncSize.toLocaleString('en')}-activity plan…`);
    const resyncBook = books.get(resyncSize) ?? generateWorkbook({ activities: resyncSize });
    const resync = await measureSync(stack, `first-${resyncAt}`, resyncBook, resyncSize);
    progress(`  ${describeRun(resync)}`);

    const latencyMs: number[] = [];
    const base = books.get(sizes[0] ?? 1_000) ?? generateWorkbook({ activities: 1_000 });
    for (let i = 0; i < latencyRuns; i++) {
      progress(`latency: edit ${i + 1}/${latencyRuns}…`);
      const edited = structuredClone(base);
      const activities = edited.tabs[3];
      const cell = activities?.rows[i]?.cells;
      const title = activities?.header.indexOf('活动名称') ?? -1;
      if (cell && title >= 0) cell[title] = `修改后的活动名称 ${i}`;
      const result = await postSync(stack, 'first-0', edited);
      const answered = performance.now(); // the API answers once its last write is committed
      await waitForFreshStats(stack, 'first-0', result.version, 60_000);
      latencyMs.push(performance.now() - answered);
    }

    progress('cold start: importing the functions bundle in fresh processes…');
    const coldStart = measureColdStart({ runs: 7 });
    return { warmUp, firstSyncs, resync, latencyMs, coldStart };
  } finally {
    await stack.stop();
  }
}

function describeRun(run: SyncRun): string {
  return (
    `${Math.round(run.ms)} ms for ${run.rows} rows (answered after ${Math.round(run.answeredMs)} ms); ` +
    `${run.recordWrites} record writes, ${run.issueChunks} issue chunks, ` +
    `${run.documentWrites} document writes, ${run.triggerInvocations} trigger invocations, ` +
    `${run.recomputations} recomputations`
  );
}

async function measureSync(
  stack: LocalStack,
  planId: string,
  workbook: RawWorkbook,
  activities: number,
): Promise<SyncRun> {
  const { store } = stack.runtime;
  await stack.bridge.idle();
  const writesBefore = store.documentWrites;
  const recomputationsBefore = await store.recomputations(planId);
  const invocationsBefore = stack.bridge.invocations('onPlanWritten');
  const t0 = performance.now();
  const result = await postSync(stack, planId, workbook);
  const answeredMs = performance.now() - t0;
  await waitForFreshStats(stack, planId, result.version, 600_000, invocationsBefore);
  const ms = performance.now() - t0;
  return {
    activities,
    rows: workbook.tabs.reduce((sum, tab) => sum + tab.rows.length, 0),
    ms,
    answeredMs,
    recordWrites: result.writes.created + result.writes.updated + result.writes.deleted,
    issueChunks: Math.ceil(result.issues.length / ISSUES_PER_CHUNK),
    documentWrites: store.documentWrites - writesBefore,
    triggerInvocations: stack.bridge.invocations('onPlanWritten') - invocationsBefore,
    recomputations: (await store.recomputations(planId)) - recomputationsBefore,
  };
}
