/**
 * The district part of `npm run bench` (issue 22, on the real local stack: the Firestore
 * emulator, the statistics trigger through the bridge, syncs through the API):
 *   - N community plans of sample size in one district; after one plan's sync, how long until the
 *     district's roll-up state says it used that sync's statistics (p50/p95 over several edits),
 *     and what each roll-up recomputation read (district documents and member summaries, counted
 *     by the stores; a roll-up reads no record by construction — it has no path to one);
 *   - the same N plans edited and synced at once: roll-up recomputations, and whether the roll-up
 *     then equals one computed afresh from every plan's stored records.
 * N is an option (`--district-plans`): the target is 1,000 plans of 200 activities.
 * Syncing 1,000 such plans through the API takes longer than a bench run on our shared machines,
 * so at most `synced` of them (`--district-synced`, default 100) are real plans synced through the
 * API — the ones edited, timed and burst — and the other members are seeded as what a roll-up
 * reads of them: a stored summary (a synced plan's, renamed) and its membership. A recomputation
 * reads every member's summary alike, so the roll-up's cost is that of N members either way; the
 * check against records covers the synced plans, the seeded ones being copies of them.
 */

import { computeRollup } from '../functions/src/districts/refresh';
import { DistrictStore } from '../functions/src/store/districtStore';
import {
  DISTRICT_MEMBERS_COLLECTION,
  DISTRICTS_COLLECTION,
  planRef,
  STATS_COLLECTION,
  SUMMARY_DOC,
} from '../functions/src/store/paths';
import { storedSummary } from '../functions/src/store/planDocs';
import type { PlanStore } from '../functions/src/store/planStore';
import { type PlanSummary, rollUpDistrict, summarisePlan } from '../shared/rollup';
import { computeStats } from '../shared/stats';
import type { RawWorkbook } from '../shared/workbook';
import { type LocalStack, startLocalStack } from '../stack/stack';
import { postSync } from '../stack/syncWorkbook';
import { type BenchRow, int, ms } from './format';
import { generateWorkbook } from './generate';

export const DISTRICT_TARGETS = { freshMs: 2_000, burstRecomputations: 10, extraReads: 10 } as const;

const PLAN_SIZE = { measures: 18, partners: 10, activities: 200 } as const;
const DISTRICT = 'bench-district';

export interface DistrictBenchOptions {
  plans: number;
  /** How many of the plans are synced through the API (the rest are seeded summaries). */
  synced: number;
  /** Single-plan edits timed for p50/p95. */
  edits: number;
  progress: (text: string) => void;
}

export interface DistrictBench {
  plans: number;
  /** Plans synced through the API; the others' summaries were seeded. */
  synced: number;
  /** One recomputation's read of every member's summary and its roll-up, timed alone (ms, median of 5). */
  computeMs: number;
  activitiesPerPlan: number;
  freshMs: number[];
  /** The same runs from the plan's statistics being saved to the roll-up being fresh. */
  afterStatsMs: number[];
  /** Documents the roll-up read per recomputation during the single-plan edits (max). */
  readsPerRecomputation: number;
  burstPlans: number;
  burstRecomputations: number;
  burstMs: number;
  equalToRecords: boolean;
}

function communityPlan(index: number, year: number): RawWorkbook {
  const workbook = generateWorkbook({ ...PLAN_SIZE, year, seed: 22_000 + index });
  const settings = workbook.tabs.find((tab) => tab.name === '设置');
  for (const row of settings?.rows ?? []) if (row.cells[0] === '社区名称') row.cells[1] = `第${index}社区`;
  return workbook;
}

/** The workbook with one more participant in its n-th activity: a real change, one record. */
function edited(workbook: RawWorkbook, n: number): RawWorkbook {
  const copy = structuredClone(workbook);
  const activities = copy.tabs.find((tab) => tab.name === '活动');
  const column = activities?.header.indexOf('参与人数') ?? -1;
  const row = activities?.rows[n % (activities?.rows.length || 1)];
  if (row && column >= 0) row.cells[column] = Number(row.cells[column] ?? 0) + 1;
  return copy;
}

/**
 * Waits until the roll-up state used at least `version` of the plan; the time it took, and (with
 * `stats`) the part of it after the plan's own statistics were saved — the roll-up's own share.
 */
async function fresh(
  watch: DistrictStore,
  planId: string,
  version: number,
  since: number,
  stats?: PlanStore,
): Promise<{ ms: number; afterStatsMs: number }> {
  // The emulator delivers trigger events one at a time: a burst of N syncs is N recomputations
  // of statistics in a row before the last summary can reach the roll-up.
  const deadline = Date.now() + 900_000;
  let statsAt: number | undefined;
  for (;;) {
    if (stats && statsAt === undefined && ((await stats.getStats(planId))?.inputVersion ?? -1) >= version) {
      statsAt = Date.now();
    }
    const state = await watch.getState(DISTRICT);
    if ((state.basis[planId]?.inputVersion ?? -1) >= version && state.leaseExpiresAt === 0) {
      const now = Date.now();
      return { ms: now - since, afterStatsMs: now - (statsAt ?? now) };
    }
    if (Date.now() > deadline) throw new Error(`the roll-up never used version ${version} of ${planId}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const readsOf = (stack: LocalStack) =>
  stack.runtime.districts.documentReads + stack.runtime.store.summaryReads;

/**
 * Seeds members `ids.length`…`plans - 1` as a roll-up sees a member: its summary (a synced plan's,
 * renamed, at `plans/{id}/stats/summary`) and its membership (`districtMembers/{id}` and the
 * district's list), in batches. No plan document or record: a roll-up never reads one.
 */
async function seedMembers(stack: LocalStack, ids: string[], plans: number): Promise<void> {
  const { db, store } = stack.runtime;
  // The synced plans' statistics triggers may still be running: their summaries are the models.
  await stack.bridge.idle();
  let models = await store.summaries(ids);
  for (const deadline = Date.now() + 300_000; models.some((m) => m === undefined); ) {
    if (Date.now() > deadline) throw new Error('the synced plans never got their summaries');
    await new Promise((resolve) => setTimeout(resolve, 100));
    models = await store.summaries(ids);
  }
  const seeded: string[] = [];
  let batch = db.batch();
  let writes = 0;
  for (let i = ids.length; i < plans; i++) {
    const planId = `community-${String(i).padStart(4, '0')}`;
    const model = models[i % ids.length];
    if (!model) throw new Error(`no summary to seed ${planId} from`);
    const summary: PlanSummary = {
      ...model.summary,
      community: `第${i}社区`,
      source: { name: planId, path: planId },
    };
    batch.set(
      planRef(db, planId).collection(STATS_COLLECTION).doc(SUMMARY_DOC),
      storedSummary({ ...model, summary }),
    );
    batch.set(db.collection(DISTRICT_MEMBERS_COLLECTION).doc(planId), { districtId: DISTRICT, planId });
    seeded.push(planId);
    writes += 2;
    if (writes >= 400) {
      await batch.commit();
      batch = db.batch();
      writes = 0;
    }
  }
  if (writes > 0) await batch.commit();
  const district = db.collection(DISTRICTS_COLLECTION).doc(DISTRICT);
  const current = (await district.get()).get('plans') as string[];
  await district.update({ plans: [...current, ...seeded] });
  ids.push(...seeded);
}

/** One recomputation's read and roll-up at N members, alone: the median of five, in ms. */
async function timedCompute(watch: DistrictStore, store: PlanStore): Promise<number> {
  const district = await watch.getDistrict(DISTRICT);
  if (!district) throw new Error('the bench district is gone');
  const times: number[] = [];
  for (let run = 0; run < 5; run++) {
    const started = performance.now();
    await computeRollup(district, store);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[2] ?? Number.NaN;
}

/** Runs the district measurements on a local stack of its own. */
export async function runDistrictBench(options: DistrictBenchOptions): Promise<DistrictBench> {
  const { plans, edits, progress } = options;
  const year = new Date().getUTCFullYear();
  const stack = await startLocalStack({ projectId: 'demo-gongjian-district-bench', progress });
  try {
    const { runtime } = stack;
    // A store of its own to watch the state: its reads are the bench's, not the roll-up's.
    const watch = new DistrictStore(runtime.db);
    await runtime.districts.create(
      DISTRICT,
      { name: '基准街道', timezone: 'Asia/Shanghai', viewers: [], admins: [] },
      stack.devEmail,
      new Date(),
    );
    const books: RawWorkbook[] = [];
    const ids: string[] = [];
    const synced = Math.min(options.synced, plans);
    progress(`district: syncing ${synced} plans of ${PLAN_SIZE.activities} activities into one district…`);
    for (let i = 0; i < synced; i++) {
      const planId = `community-${String(i).padStart(4, '0')}`;
      const book = communityPlan(i, year);
      await postSync(stack, planId, book);
      await runtime.districts.addPlan(DISTRICT, planId);
      books.push(book);
      ids.push(planId);
      if ((i + 1) % 50 === 0) progress(`  ${i + 1} plans synced`);
    }
    if (plans > synced) {
      progress(`district: seeding ${plans - synced} more members as stored summaries…`);
      await seedMembers(stack, ids, plans);
    }
    await runtime.rollups.changed(DISTRICT);
    const last = ids[ids.length - 1] as string;
    await fresh(watch, last, 1, Date.now());
    const computeMs = await timedCompute(watch, runtime.store);

    progress(`district: ${edits} single-plan edits, each timed from the sync's answer to a fresh roll-up…`);
    const freshMs: number[] = [];
    const afterStatsMs: number[] = [];
    let readsPerRecomputation = 0;
    for (let n = 0; n < edits; n++) {
      const index = (n * 7919) % synced;
      const planId = ids[index] as string;
      const book = edited(books[index] as RawWorkbook, n);
      books[index] = book;
      const before = { reads: readsOf(stack), runs: (await watch.getState(DISTRICT)).recomputations };
      const answer = await postSync(stack, planId, book);
      const timed = await fresh(watch, planId, answer.version, Date.now(), runtime.store);
      freshMs.push(timed.ms);
      afterStatsMs.push(timed.afterStatsMs);
      await stack.bridge.idle();
      const runs = (await watch.getState(DISTRICT)).recomputations - before.runs;
      // The plan's own district lookup is counted in: it is part of following the change.
      if (runs > 0)
        readsPerRecomputation = Math.max(readsPerRecomputation, (readsOf(stack) - before.reads) / runs);
    }

    progress(`district: all ${synced} synced plans edited and synced at once…`);
    const burstBefore = (await watch.getState(DISTRICT)).recomputations;
    const started = Date.now();
    const burst = ids.slice(0, synced);
    const answers = await Promise.all(
      burst.map((planId, i) => {
        const book = edited(books[i] as RawWorkbook, 1000 + i);
        books[i] = book;
        return postSync(stack, planId, book);
      }),
    );
    await Promise.all(burst.map((planId, i) => fresh(watch, planId, answers[i]?.version ?? 0, started)));
    await stack.bridge.idle();
    const burstMs = Date.now() - started;
    const burstRecomputations = (await watch.getState(DISTRICT)).recomputations - burstBefore;

    progress('district: the roll-up against one recomputed from every plan’s stored records…');
    const district = await watch.getDistrict(DISTRICT);
    if (!district) throw new Error('the bench district is gone');
    const fromSummaries = (await computeRollup(district, runtime.store)).rollup;
    const summaries: PlanSummary[] = [];
    const stored = await runtime.store.summaries(district.plans);
    for (const [i, planId] of district.plans.entries()) {
      const seeded = stored[i];
      if (i >= synced && seeded) {
        summaries.push(seeded.summary);
        continue;
      }
      const snapshot = await runtime.store.readSnapshot(planId);
      const stats = await runtime.store.getStats(planId);
      if (!snapshot || !stats) throw new Error(`no statistics for ${planId}`);
      const recomputed = computeStats(snapshot.model, stats.asOf);
      summaries.push(summarisePlan(snapshot.model, recomputed, { name: planId, path: planId }));
    }
    const fromRecords = rollUpDistrict(summaries);
    const equalToRecords = JSON.stringify(fromSummaries) === JSON.stringify(fromRecords);
    return {
      plans,
      synced,
      computeMs,
      activitiesPerPlan: PLAN_SIZE.activities,
      freshMs,
      afterStatsMs,
      readsPerRecomputation,
      burstPlans: synced,
      burstRecomputations,
      burstMs,
      equalToRecords,
    };
  } finally {
    await stack.stop();
  }
}

/** The district part's rows: roll-up freshness after one sync, its reads, a burst of syncs. */
export function districtRows(d: DistrictBench): BenchRow[] {
  const quantile = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  };
  const at = quantile(d.freshMs);
  const rollupShare = quantile(d.afterStatsMs);
  const p95 = at(0.95);
  const scale =
    d.synced < d.plans
      ? `${int(d.plans)} plans: ${int(d.synced)} synced × ${int(d.activitiesPerPlan)} activities, ${int(d.plans - d.synced)} seeded summaries`
      : `${int(d.plans)} plans × ${int(d.activitiesPerPlan)} activities`;
  return [
    {
      metric: `district (${scale}): one plan's sync answered → roll-up fresh, p50 / p95 of ${d.freshMs.length}`,
      value: `${ms(at(0.5))} / ${ms(p95)}`,
      target: `≤ ${int(DISTRICT_TARGETS.freshMs)} ms`,
      pass: p95 <= DISTRICT_TARGETS.freshMs,
    },
    {
      metric: `district (${scale}): of which after the plan's own statistics were saved, p50 / p95`,
      value: `${ms(rollupShare(0.5))} / ${ms(rollupShare(0.95))}`,
      target: '',
    },
    {
      metric: `district (${int(d.plans)} members): one recomputation alone — every summary read, rolled up (median of 5)`,
      value: ms(d.computeMs),
      target: '',
    },
    {
      metric: `district (${scale}): documents read per roll-up recomputation (summaries + district; records: none)`,
      value: int(Math.ceil(d.readsPerRecomputation)),
      target: `≤ ${int(d.plans + DISTRICT_TARGETS.extraReads)}`,
      pass: d.readsPerRecomputation <= d.plans + DISTRICT_TARGETS.extraReads,
    },
    {
      metric: `district: ${int(d.burstPlans)} plans synced at once → roll-up recomputations (all fresh in ${ms(d.burstMs)})`,
      value: int(d.burstRecomputations),
      target: `≤ ${DISTRICT_TARGETS.burstRecomputations}`,
      pass: d.burstRecomputations <= DISTRICT_TARGETS.burstRecomputations,
    },
    {
      metric: 'district: roll-up equals one recomputed from every plan’s stored records',
      value: d.equalToRecords ? 'equal' : 'DIFFERENT',
      target: 'equal',
      pass: d.equalToRecords,
    },
  ];
}
