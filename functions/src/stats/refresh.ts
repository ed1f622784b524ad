/**
 * Statistics follow syncs: one recomputation per sync, whatever its size.
 *
 * The mechanism. Clients cannot write Firestore (the rules deny them), so every record is written
 * by a sync (sync/syncPlan.ts), and a sync knows when its writes are complete. It
 *   1. claims the plan: creates plans/{id}/syncs/current in a transaction; a second sync of the
 *      same plan waits for the first, so two syncs never interleave their writes;
 *   2. commits the changed records and issues in parallel batches (no trigger listens to them);
 *   3. in one transaction saves the plan document — moving `version` when a record, the settings
 *      or the issues changed — and deletes its claim.
 * The one statistics trigger, onPlanWritten, fires on step 3: one invocation per sync, whatever
 * the number of rows. It calls refreshStats, which reads the plan, the claim, the statistics and
 * every record at one instant (a read-only transaction, PlanStore.readSnapshot) and then:
 *   - a claim is there: a sync is writing, or died writing. The records may be half of a sync,
 *     so nothing is computed. A live sync's step 3 fires the trigger again; a dead one is repaired
 *     by the next sync, which takes the expired claim over and moves the version even if it finds
 *     nothing left to write.
 *   - the statistics already cover this version as of today: nothing to do.
 *   - otherwise: compute from that snapshot and save, unless newer statistics (a later version,
 *     or the same one as of a later day) were saved meanwhile — PlanStore.saveStats decides that
 *     in a transaction; then the generated tabs and any overdue notices.
 * Why that is enough:
 *   - Redelivered or duplicated events carry no data we use: each reads the state as it is. The
 *     first computes; the others find the statistics fresh (or, overlapping, compute the same
 *     numbers from the same records, at most one extra recomputation each).
 *   - Out-of-order events: an old event reads the current version, never its own; an older,
 *     slower recomputation cannot overwrite a newer one (saveStats).
 *   - A crash between the record batches and step 3: the claim stays, so no statistics are
 *     computed from the half; those of the last complete sync stay, labelled with its version.
 *     The claim expires after the api function's timeout (SYNC_CLAIM_MS), and the next sync
 *     repairs the records (it writes exactly the difference from what is stored) and moves the
 *     version. GET /stats says `sync: 'interrupted'` meanwhile.
 *   - Two syncs at once: serialised by the claim; each moves the version once, in order.
 *   - A lost event (delivery is at-least-once only while the target answers; the emulator drops
 *     an event it cannot deliver): sweepStats, every five minutes, recomputes every plan whose
 *     statistics are behind its version, or not as of today in its time zone.
 *   - Records the update-request form adds (requests/submit.ts) are written without the plan
 *     document, and the version moves after them, coalesced: a snapshot may count such a record
 *     before its version move (early, never missed), and every record is followed by a move that
 *     started after its commit — by the form before it answers, or by sweepStats for a process that
 *     died in between (the entry stays marked versionPending until a move covers it).
 * So statistics always end equal to a recomputation from the stored records of the last complete
 * sync, at most one sweeper period late. The generated tabs are written by the recomputation
 * whose statistics were saved; two overlapping recomputations of different versions could write
 * them in the wrong order (only redelivery or the sweeper overlap a recomputation), and the next
 * sync or day rewrites them.
 */

import type { Firestore } from 'firebase-admin/firestore';
import type { WorkbookUpdate } from '../../../adapters/workbook/port';
import { chartData } from '../../../shared/charts';
import { HISTORY_TAB_LIMIT, historyTable } from '../../../shared/history';
import { summarisePlan } from '../../../shared/rollup';
import { computeStats } from '../../../shared/stats';
import type { Stats } from '../../../shared/stats-types';
import { summaryStatuses, summaryTables } from '../../../shared/summary';
import { todayIn } from '../../../shared/today';
import { type Log, logs } from '../logs';
import { queuePlannedEmails } from '../mail/planned';
import type { MailQueue } from '../mail/queue';
import { flushSubmissions, moveStrandedVersions, type SubmissionRowWriter } from '../requests/submit';
import { readChanges } from '../store/changeLog';
import {
  type PlanDoc,
  type PlanFreshness,
  type PlanSnapshot,
  type PlanStore,
  planSources,
  type WorkbookLocation,
} from '../store/planStore';

/** Writes a plan's generated tabs to wherever its workbook lives (xlsx file, Google Sheet). */
export type GeneratedTabsWriter = (
  planId: string,
  location: WorkbookLocation,
  tabs: Required<Pick<WorkbookUpdate, 'generated' | 'statuses' | 'charts'>>,
) => Promise<void>;

export interface RefreshDeps {
  store: PlanStore;
  /** The database the update-request queue lives in (requests/submit.ts). */
  db: Firestore;
  mailQueue: MailQueue;
  now: () => Date;
  writeGeneratedTabs?: GeneratedTabsWriter;
  /**
   * Called once the plan's statistics and its roll-up summary are saved: its district's roll-up
   * follows (districts/refresh.ts DistrictRollups.planChanged).
   */
  summarySaved?: (planId: string) => Promise<void>;
  /** Appends rows submitted through update requests that are still queued (requests/submit.ts). */
  writeSubmissionRows?: SubmissionRowWriter;
  log?: Log;
}

/** What a refresh did: computed and saved, or why not. */
export type RefreshOutcome =
  | 'computed'
  /** The statistics cover the plan's version as of today already. */
  | 'fresh'
  /** A sync holds the plan (or died holding it): its records may be half-written. */
  | 'syncing'
  /** Newer statistics were saved while these were computed. */
  | 'superseded'
  | 'noPlan';

/** Recomputes a plan's statistics from its stored records if they are behind; see the module comment. */
export async function refreshStats(
  planId: string,
  deps: RefreshDeps,
  options: {
    /**
     * Recompute and rewrite the generated tabs even if the statistics are fresh: the workbook may
     * lack them (the local stack's first pass, after a run whose write-back an open workbook held).
     */
    force?: boolean;
  } = {},
): Promise<RefreshOutcome> {
  // A cheap look first (three small documents): redelivered events and no-change syncs stop here.
  const [freshness] = await deps.store.freshness(planId);
  if (!freshness) return 'noPlan';
  const early = verdict(freshness, deps.now());
  if (early === 'syncing' || (early === 'fresh' && !options.force)) return early;

  const snapshot = await deps.store.readSnapshot(planId);
  if (!snapshot) return 'noPlan';
  const { plan, model } = snapshot;
  if (snapshot.claim) return 'syncing';
  const asOf = todayIn(deps.now(), plan.settings.timezone);
  if (snapshot.stats?.inputVersion === plan.version && snapshot.stats.asOf === asOf && !options.force) {
    return 'fresh';
  }
  const stats = computeStats(model, asOf);
  const saved = await deps.store.saveStats(
    planId,
    { asOf, inputVersion: plan.version, computedAt: deps.now().toISOString(), stats },
    // Saved with the statistics, so a district roll-up never reads figures of other statistics.
    summarisePlan(model, stats, planSourceOf(plan)),
  );
  if (!saved) return 'superseded';
  deps.log?.(logs.statsRefreshed(planId, plan.version, asOf));
  // The district's roll-up follows from the summary just saved and reads nothing else of the plan,
  // so it starts now rather than after the overdue notices, the generated tabs and the queued rows:
  // those took most of the time between a member's statistics and a fresh roll-up (bench/districtBench.ts).
  // A roll-up that fails to follow is caught up by the next change or the sweeper.
  const following = deps
    .summarySaved?.(planId)
    .catch((error: unknown) => deps.log?.(logs.rollupFollowFailed(planId, error)));
  try {
    await afterStatsSaved(planId, deps, snapshot, stats);
  } finally {
    // Settled before the invocation ends, whatever the rest did: no work outlives the function.
    await following;
  }
  return 'computed';
}

/** What follows a plan's saved statistics besides its roll-up: notices, generated tabs, queued rows. */
async function afterStatsSaved(
  planId: string,
  deps: RefreshDeps,
  { plan, model, issues }: PlanSnapshot,
  stats: Stats,
): Promise<void> {
  // A measure that has just fallen overdue gets its notice now, not at the next daily round; the
  // key (plan · measure · due) keeps it to one notice per due date.
  if (stats.measures.some((m) => m.status === 'overdue')) {
    await queuePlannedEmails(deps.mailQueue, plan, model, stats, ['overdue'], deps.now());
  }
  if (plan.workbook && deps.writeGeneratedTabs) {
    const result = { model, issues, ...planSources(plan) };
    const pending = plan.pendingDeletions ?? [];
    // 变更记录: the latest changes, read after the snapshot (the log only grows meanwhile).
    const changes = await readChanges(deps.db, planId, { limit: HISTORY_TAB_LIMIT });
    await deps.writeGeneratedTabs(plan.planId, plan.workbook, {
      generated: {
        ...summaryTables(result, stats, pending),
        history: historyTable(changes, plan.settings.timezone),
      },
      statuses: summaryStatuses(result, stats, pending),
      charts: chartData(stats),
    });
  }
  await flushQueued(planId, deps);
}

/** How a district's 社区总览 names the plan's file: its workbook's file name, else its ID. */
function planSourceOf(plan: PlanDoc): { name: string; path: string } {
  if (plan.workbook?.kind === 'xlsx') {
    const name = plan.workbook.path.split(/[\\/]/).pop() ?? plan.planId;
    return { name, path: plan.workbook.path };
  }
  return { name: plan.planId, path: plan.planId };
}

function verdict(plan: PlanFreshness, now: Date): 'stale' | 'fresh' | 'syncing' {
  if (plan.claimExpiresAt !== undefined) return 'syncing';
  const today = todayIn(now, plan.timezone || undefined);
  return plan.stats?.inputVersion === plan.version && plan.stats.asOf === today ? 'fresh' : 'stale';
}

/** What one sweep found and did, plan by plan. */
export interface StatsSweep {
  plans: number;
  recomputed: string[];
  /** Plans whose last sync died after writing: only a new sync can complete them. */
  interrupted: string[];
}

/**
 * The safety net behind the trigger: recomputes every plan whose statistics are behind its
 * version (a lost event) or not as of today (a new day changes statuses), and names the plans a
 * dead sync left half-written. Cheap when all is fresh: two reads per plan.
 */
export async function sweepStats(deps: RefreshDeps): Promise<StatsSweep> {
  const plans = await deps.store.freshness();
  const now = deps.now();
  const sweep: StatsSweep = { plans: plans.length, recomputed: [], interrupted: [] };
  for (const plan of plans) {
    // Submissions whose process died before moving the version (requests/submit.ts): moved now,
    // which fires the trigger like any version move.
    await moveStrandedVersions(deps.db, plan.planId, now).catch((error: unknown) =>
      deps.log?.(logs.versionMoveFailed(plan.planId, error)),
    );
    if (plan.claimExpiresAt !== undefined && plan.claimExpiresAt <= now.getTime()) {
      sweep.interrupted.push(plan.planId);
      continue;
    }
    if (verdict(plan, now) === 'stale' && (await refreshStats(plan.planId, deps)) === 'computed') {
      sweep.recomputed.push(plan.planId);
    } else {
      // A row a failing workbook left queued is retried here at the latest.
      await flushQueued(plan.planId, deps);
    }
  }
  return sweep;
}

/** Retries a plan's queued submission rows; a failure stays queued and is only logged. */
async function flushQueued(planId: string, deps: RefreshDeps): Promise<void> {
  if (!deps.writeSubmissionRows) return;
  const flushDeps = {
    db: deps.db,
    store: deps.store,
    now: deps.now,
    writeRows: deps.writeSubmissionRows,
    ...(deps.log ? { log: deps.log } : {}),
  };
  await flushSubmissions(flushDeps, planId).catch((error: unknown) =>
    deps.log?.(logs.rowsRetryFailed(planId, error)),
  );
}
