/**
 * A member's roll-up follows its summary at once (functions/src/stats/refresh.ts): once a plan's
 * statistics and summary are saved, the district recomputes while the rest of the recomputation —
 * overdue notices, the generated tabs, queued rows — is still under way, not after it. That wait
 * was most of the time between a member's statistics and a fresh roll-up in the district bench.
 * Here the generated tabs' write is held open: the roll-up must be fresh before it is let go, and
 * the recomputation still ends only after both (nothing outlives it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { sampleWorkbook } from '../../../shared/sample';
import { pinnedClock } from '../../support/clock';
import { eventually, useFirestoreEmulator } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';

const NOW = new Date('2026-06-30T04:00:00Z');
const fs = useFirestoreEmulator('rollup-follows');
let runtime: Runtime;

beforeAll(async () => {
  runtime = testRuntime(fs, { clock: pinnedClock(NOW) });
  await syncPlan(
    sampleWorkbook(2026),
    {
      planId: 'member',
      caller: 'owner@example.cn',
      now: NOW,
      clock: pinnedClock(NOW),
      existing: undefined,
      // A workbook, so the recomputation writes generated tabs (to the held writer below).
      workbookLocation: { kind: 'xlsx', path: '/nowhere/plan.xlsx' },
    },
    runtime.store,
  );
  await runtime.districts.create(
    'follow',
    { name: '和平街道', timezone: 'Asia/Shanghai', viewers: [], admins: [] },
    'admin@example.cn',
    NOW,
  );
  await runtime.districts.addPlan('follow', 'member');
}, 60_000);

afterAll(async () => {
  await runtime?.close();
});

describe('a member’s statistics and its district’s roll-up', () => {
  it('the roll-up is fresh while the generated tabs are still being written', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let tabsWritten = false;
    const recomputation = refreshStats(
      'member',
      {
        ...runtime.refresh,
        writeGeneratedTabs: async () => {
          await held;
          tabsWritten = true;
        },
      },
      { force: true },
    );
    let settled = false;
    void recomputation.finally(() => {
      settled = true;
    });
    try {
      const stats = await eventually(() => runtime.store.getStats('member'), { what: 'the statistics' });
      const state = await eventually(
        async () => {
          const current = await runtime.districts.getState('follow');
          return current.basis.member?.inputVersion === stats.inputVersion && current.leaseExpiresAt === 0
            ? current
            : undefined;
        },
        { what: 'the roll-up to use the new summary while the tabs are held', timeoutMs: 20_000 },
      );
      expect(state.computedGeneration).toBe(state.generation);
      expect(tabsWritten).toBe(false);
      // The recomputation is not over while the tabs are held: nothing runs on after it returns.
      expect(settled).toBe(false);
    } finally {
      release();
    }
    await expect(recomputation).resolves.toBe('computed');
    expect(tabsWritten).toBe(true);
  });
});
