/**
 * Keeping statistics fresh after record writes, with bursts coalesced — and no transactions, so a
 * thousand concurrent trigger events never contend, abort or back off.
 *
 * Under plans/{planId}/refresh/:
 *   requests-0 … requests-15   counters; each event increments one (sharded so a burst does not
 *                              hammer a single document), `requested` is their sum
 *   lease                      exists while a recomputation runs; claimed with create(), which
 *                              fails if it exists, and deleted when done
 *   state                      `computed`: the requested count the last recomputation covered
 *
 * An event increments a counter, then tries to claim the lease. Failing that (someone is on it) it
 * returns. The holder drains: wait until `requested` settles (a quarter second without a new
 * request, two seconds at most), recompute from the stored records, record it as
 * computed, delete the lease, then read `requested` again: if it moved, someone's request may have
 * found the lease still held, so the holder claims again and goes round. Every increment is thus
 * seen either by a holder's second read or by its own event's claim. A burst of 1,000 writes costs
 * a handful of recomputations, and since each one starts from the stored records, redelivered or
 * out-of-order events can only cause an extra, identical recomputation. A holder that dies leaves
 * a lease that expires; the next event (or the sweeper) deletes it and takes over.
 */
import { createHash } from 'node:crypto';
import { FieldValue, type Firestore } from 'firebase-admin/firestore';
import type { GeneratedTab } from '../../../shared/i18n';
import { computeStats } from '../../../shared/stats';
import { summaryTables } from '../../../shared/summary';
import type { Table } from '../../../shared/workbook';
import { queuePlannedEmails } from '../mail/planned';
import { type PlanStore, planSources, type WorkbookLocation } from '../store/planStore';
import { todayIn } from '../validateToday';

/** How long a recomputation may hold the lease before another may take over. */
export const LEASE_MS = 120_000;
/** A burst is over when no request came for this long… */
const QUIET_MS = 250;
/** …or, at the latest, this long after the holder started waiting: statistics never lag further. */
const MAX_SETTLE_MS = 2_000;
const REQUEST_SHARDS = 16;

/** Writes a plan's generated tabs to wherever its workbook lives (xlsx file, Google Sheet). */
export type GeneratedTabsWriter = (
  planId: string,
  location: WorkbookLocation,
  tables: Record<GeneratedTab, Table>,
) => Promise<void>;

export interface RefreshDeps {
  store: PlanStore;
  now: () => Date;
  writeGeneratedTabs?: GeneratedTabsWriter;
  log?: (message: string) => void;
}

export interface RefreshState {
  requested: number;
  computed: number;
  recomputations: number;
  /** Who holds the lease, if anyone. */
  leaseOwner: string | null;
}

function refreshCollection(db: Firestore, planId: string) {
  return db.collection('plans').doc(planId).collection('refresh');
}

/** Reads the whole refresh state (18 small documents at most). */
export async function statsRefreshState(db: Firestore, planId: string): Promise<RefreshState> {
  const snapshot = await refreshCollection(db, planId).get();
  const state: RefreshState = { requested: 0, computed: 0, recomputations: 0, leaseOwner: null };
  for (const doc of snapshot.docs) {
    if (doc.id.startsWith('requests-')) state.requested += Number(doc.get('n') ?? 0);
    else if (doc.id === 'state') {
      state.computed = Number(doc.get('computed') ?? 0);
      state.recomputations = Number(doc.get('recomputations') ?? 0);
    } else if (doc.id === 'lease') state.leaseOwner = String(doc.get('owner') ?? '');
  }
  return state;
}

/** Records that a plan's statistics are stale and, unless someone is already on it, refreshes them. */
export async function requestStatsRefresh(planId: string, eventId: string, deps: RefreshDeps): Promise<void> {
  const refresh = refreshCollection(deps.store.db, planId);
  const shard = createHash('sha256').update(eventId).digest()[0] ?? 0;
  await refresh
    .doc(`requests-${shard % REQUEST_SHARDS}`)
    .set({ n: FieldValue.increment(1) }, { merge: true });
  if (await claimLease(planId, eventId, deps)) await drain(planId, eventId, deps);
}

/** Creates the lease document; an expired one is removed first. False when someone holds it. */
async function claimLease(planId: string, owner: string, deps: RefreshDeps): Promise<boolean> {
  const lease = refreshCollection(deps.store.db, planId).doc('lease');
  const until = deps.now().getTime() + LEASE_MS;
  try {
    await lease.create({ owner, until });
    return true;
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
  const held = await lease.get();
  if (held.exists && Number(held.get('until')) > deps.now().getTime()) return false;
  try {
    // Only the lease we saw expire may be deleted; a fresh claim in between wins.
    if (held.exists && held.updateTime) await lease.delete({ lastUpdateTime: held.updateTime });
    await lease.create({ owner, until });
    return true;
  } catch {
    return false;
  }
}

function isAlreadyExists(error: unknown): boolean {
  // gRPC status 6 ALREADY_EXISTS
  return (
    typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 6
  );
}

/**
 * Waits for the requests to settle before recomputing: writes come in bursts (a sync, a paste of
 * many rows), and recomputing in the middle of one only to go round again is wasted work.
 */
async function settledRequests(db: Firestore, planId: string): Promise<number> {
  const started = Date.now();
  let seen = (await statsRefreshState(db, planId)).requested;
  let changed = Date.now();
  while (Date.now() - started < MAX_SETTLE_MS && Date.now() - changed < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = (await statsRefreshState(db, planId)).requested;
    if (now !== seen) {
      seen = now;
      changed = Date.now();
    }
  }
  return seen;
}

async function drain(planId: string, owner: string, deps: RefreshDeps): Promise<void> {
  const { db } = deps.store;
  const refresh = refreshCollection(db, planId);
  for (;;) {
    const target = await settledRequests(db, planId);
    await recomputeStats(planId, deps);
    await refresh
      .doc('state')
      .set({ computed: target, recomputations: FieldValue.increment(1) }, { merge: true });
    await refresh.doc('lease').delete();
    const after = (await statsRefreshState(db, planId)).requested;
    if (after === target) return;
    if (!(await claimLease(planId, owner, deps))) return; // another event claimed it: theirs now
  }
}

/** Recomputes a plan's statistics from its stored records and writes them (and its generated tabs). */
export async function recomputeStats(planId: string, deps: RefreshDeps): Promise<void> {
  const plan = await deps.store.getPlan(planId);
  if (!plan) return;
  const [model, issues] = await Promise.all([deps.store.loadModel(plan), deps.store.loadIssues(planId)]);
  const asOf = todayIn(deps.now(), plan.settings.timezone);
  const stats = computeStats(model, asOf);
  await deps.store.saveStats(planId, {
    asOf,
    inputVersion: plan.version,
    computedAt: deps.now().toISOString(),
    stats,
  });
  deps.log?.(`统计已更新 plan=${planId} version=${plan.version} asOf=${asOf}`);
  // A measure that has just fallen overdue gets its notice now, not at the next daily round; the
  // key (plan · measure · due) keeps it to one notice per due date.
  if (stats.measures.some((m) => m.status === 'overdue')) {
    await queuePlannedEmails(deps.store, plan, model, stats, ['overdue'], deps.now());
  }
  if (plan.workbook && deps.writeGeneratedTabs) {
    const tables = summaryTables({ model, issues, ...planSources(plan) }, stats);
    await deps.writeGeneratedTabs(plan.planId, plan.workbook, tables);
  }
}
