/**
 * A district's roll-up follows its members' statistics: computed from their summaries, never from
 * records, and coalesced so that a burst of member syncs costs a handful of recomputations.
 *
 * The mechanism. When a plan's statistics are saved, its summary (shared/rollup.ts PlanSummary)
 * is saved with them in one transaction (PlanStore.saveStats, versioned as the statistics are).
 * Then `planChanged` looks the plan's district up (one small read) and asks for a recomputation:
 *   - In one process, asks are coalesced by requests/coalesce.ts's Coalescer: at most one
 *     recomputation per district under way, and every ask made meanwhile shares the next one.
 *   - Across processes (a Cloud Function instance per event), by a lease on the roll-up's state
 *     (DistrictStore): an ask moves the generation and takes the lease if it is free. The holder
 *     computes from the summaries as they are, then releases the lease only if the generation has
 *     not moved since; otherwise it computes again, once, for every ask that came meanwhile. So a
 *     burst of N asks during one recomputation costs one more, not N.
 * One recomputation reads the district document, the state and one small summary per member (one
 * batched read): members + a few reads, no record. It writes the roll-up workbook when the
 * district has one.
 * Why the roll-up ends right:
 *   - Redelivered or out-of-order statistics events: a summary is saved only with statistics that
 *     are newer than those stored (saveStats), so the stored summaries are always the newest, and
 *     any recomputation that starts after the last save reads them.
 *   - A holder that dies: its lease runs out (LEASE_MS) and the next ask takes it; `sweep` (with
 *     the statistics sweeper) recomputes a district left behind its generation with a free lease.
 */

import { randomUUID } from 'node:crypto';
import { type DistrictRollup, type PlanSummary, rollUpDistrict } from '../../../shared/rollup';
import { type Log, logs } from '../logs';
import { Coalescer } from '../requests/coalesce';
import type { DistrictDoc, DistrictStore, RollupState } from '../store/districtStore';
import type { PlanStore } from '../store/planStore';

/** How long a recomputation's lease lives: far longer than reading a few hundred small documents. */
const LEASE_MS = 120_000;

/** Writes a district's roll-up to its workbook. */
export type RollupWriter = (district: DistrictDoc, rollup: DistrictRollup) => Promise<void>;

export interface DistrictDeps {
  districts: DistrictStore;
  store: PlanStore;
  now: () => Date;
  writeRollup?: RollupWriter;
  log?: Log;
}

/** A district's roll-up as its members' stored summaries give it now. */
export interface ComputedRollup {
  rollup: DistrictRollup;
  /** Members with no summary yet (never synced). */
  pending: string[];
  basis: RollupState['basis'];
}

/** The roll-up of a district from its members' summaries, in the district's order: no record read. */
export async function computeRollup(district: DistrictDoc, store: PlanStore): Promise<ComputedRollup> {
  const docs = await store.summaries(district.plans);
  const summaries: PlanSummary[] = [];
  const pending: string[] = [];
  const basis: RollupState['basis'] = {};
  district.plans.forEach((planId, i) => {
    const doc = docs[i];
    if (!doc) {
      pending.push(planId);
      return;
    }
    summaries.push(doc.summary);
    basis[planId] = { inputVersion: doc.inputVersion, asOf: doc.asOf };
  });
  return { rollup: rollUpDistrict(summaries), pending, basis };
}

/** The roll-ups of every district of one process: coalesced asks, leased recomputations. */
export class DistrictRollups {
  private readonly coalescer: Coalescer<undefined, number>;

  constructor(private readonly deps: DistrictDeps) {
    this.coalescer = new Coalescer((districtId) => this.recompute(districtId, 'changed'));
  }

  /** A plan's summary was saved: its district (if any) recomputes. Resolves once that is done. */
  async planChanged(planId: string): Promise<void> {
    const districtId = await this.deps.districts.districtOf(planId);
    if (districtId !== undefined) await this.changed(districtId);
  }

  /**
   * The district changed (a member's summary, a member added or removed): resolves with the number
   * of recomputations this process ran for it — 0 when another holder took the change on.
   */
  changed(districtId: string): Promise<number> {
    return this.coalescer.run(districtId, undefined);
  }

  /** Recomputes every district left behind its generation by a holder that died. */
  async sweep(): Promise<string[]> {
    const recomputed: string[] = [];
    for (const districtId of await this.deps.districts.districtIds()) {
      if ((await this.recompute(districtId, 'behind')) > 0) recomputed.push(districtId);
    }
    return recomputed;
  }

  private async recompute(districtId: string, why: 'changed' | 'behind'): Promise<number> {
    const { districts, store, now, log } = this.deps;
    const holder = randomUUID();
    let generation =
      why === 'changed'
        ? await districts.markChanged(districtId, holder, now().getTime(), LEASE_MS)
        : await districts.claimBehind(districtId, holder, now().getTime(), LEASE_MS);
    let runs = 0;
    while (generation !== undefined) {
      const district = await districts.getDistrict(districtId);
      if (!district) return runs;
      const { rollup, basis } = await computeRollup(district, store);
      runs += 1;
      if (district.workbook && this.deps.writeRollup) {
        // A workbook the office has open is written by the next recomputation; the state still
        // records this one, whose figures GET …/rollup answers.
        await this.deps.writeRollup(district, rollup).catch((error: unknown) => {
          log?.(logs.rollupWriteFailed(districtId, error));
        });
      }
      generation = await districts.finishRecompute(districtId, holder, generation, basis, now(), LEASE_MS);
    }
    if (runs > 0) log?.(logs.rollupRefreshed(districtId, runs));
    return runs;
  }
}
