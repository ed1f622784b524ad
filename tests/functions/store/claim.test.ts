/**
 * A sync's claim on a plan (PlanStore.claimSync) against the Firestore emulator, with the clock a
 * test moves by hand: while another sync holds the plan the store waits through the injected
 * clock's sleep — never the machine's timers — and gives up, or takes over once the claim expires.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../functions/src/clock';
import {
  PlanStore,
  SYNC_CLAIM_MS,
  SyncBusyError,
  type SyncClaim,
} from '../../../functions/src/store/planStore';
import { useFirestoreEmulator } from '../../support/firestore';

const handle = useFirestoreEmulator('claim', { reset: true });
const START = new Date('2026-07-01T01:00:00Z');

/** A clock whose sleep only moves its time forward, recording each pause. */
function manualClock(): Clock & { pauses: number[] } {
  let now = START.getTime();
  const pauses: number[] = [];
  return {
    pauses,
    now: () => new Date(now),
    sleep: async (ms) => {
      pauses.push(ms);
      now += ms;
    },
  };
}

function claimAt(clock: Clock, syncId: string): SyncClaim {
  const at = clock.now();
  return {
    syncId,
    caller: 'owner@example.cn',
    startedAt: at.toISOString(),
    expiresAt: at.getTime() + SYNC_CLAIM_MS,
  };
}

describe('PlanStore.claimSync', () => {
  it('claims a free plan at once, without sleeping', async () => {
    const clock = manualClock();
    const store = new PlanStore(handle.firestore());
    await expect(store.claimSync('free', claimAt(clock, 'a'), clock)).resolves.toEqual({ tookOver: false });
    expect(clock.pauses).toEqual([]);
    expect((await store.getClaim('free'))?.syncId).toBe('a');
  });

  it('waits for a live claim through the injected clock and gives up after the wait', async () => {
    const clock = manualClock();
    const store = new PlanStore(handle.firestore());
    await store.claimSync('busy', claimAt(clock, 'first'), clock);
    const waitMs = 2_000;
    const busy = await store
      .claimSync('busy', claimAt(clock, 'second'), clock, waitMs)
      .catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(SyncBusyError);
    // The API answers 409 with this code and these sentences (http/api.ts).
    expect(busy).toMatchObject({
      code: 'sync_in_progress',
      planId: 'busy',
      messageZh: '另一次同步正在进行，请稍后再同步',
    });
    // Backing off 50 ms, doubling up to 500 ms, never past the wait.
    expect(clock.pauses).toEqual([50, 100, 200, 400, 500, 500]);
    expect(clock.pauses.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(waitMs);
    expect((await store.getClaim('busy'))?.syncId).toBe('first');
  });

  it('takes over a claim that expires while it waits', async () => {
    const clock = manualClock();
    const store = new PlanStore(handle.firestore());
    await store.claimSync('dying', { ...claimAt(clock, 'first'), expiresAt: START.getTime() + 600 }, clock);
    await expect(store.claimSync('dying', claimAt(clock, 'second'), clock)).resolves.toEqual({
      tookOver: true,
    });
    // 50 + 100 + 200 + 400 ms: past its expiry (600 ms) after the fourth pause.
    expect(clock.pauses).toEqual([50, 100, 200, 400]);
    expect((await store.getClaim('dying'))?.syncId).toBe('second');
  });
});
