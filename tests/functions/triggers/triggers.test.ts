/**
 * The statistics trigger, fired by the emulator itself through the bridge: one invocation and one
 * recomputation per sync whatever its size, and statistics that always end equal to a
 * recomputation from the stored records — under redelivered and reordered events, racing syncs,
 * a sync that dies between its batches, and a lost event (the sweeper).
 */

import type { CloudEvent } from 'firebase-functions/v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../functions/src/clock';
import { installRuntime, type Runtime } from '../../../functions/src/runtime';
import { refreshStats, sweepStats } from '../../../functions/src/stats/refresh';
import { type PendingWrite, PlanStore } from '../../../functions/src/store/planStore';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { PLAN_MARKER_KEY } from '../../../shared/marks';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import { validateWorkbook } from '../../../shared/validate';
import type { RawWorkbook } from '../../../shared/workbook';
import { TRIGGERS } from '../../../stack/stack';
import { pinnedClock } from '../../support/clock';
import {
  addDeveloperMetadata,
  type FakeSheets,
  seedSpreadsheet,
  sheetNamed,
  sheetValues,
  startFakeSheets,
} from '../../support/fake-sheets';
import { eventually, useFirestoreEmulator, useFunctionsEnvironment } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';

const NOW = new Date('2026-06-30T04:00:00Z'); // 12:00 in Asia/Shanghai
const ASOF = '2026-06-30';

/** Every event the emulator delivered to onPlanWritten, for replaying; plans named here lose theirs. */
const delivered: CloudEvent<unknown>[] = [];
const dropEventsOf = new Set<string>();
const planOf = (event: CloudEvent<unknown>) =>
  /^plans\/([^/]+)$/.exec(String((event as { document?: unknown }).document ?? ''))?.[1];
const recordingPlanTrigger = Object.assign(
  (event: CloudEvent<unknown>) => {
    delivered.push(event);
    if (dropEventsOf.has(planOf(event) ?? '')) return undefined;
    return TRIGGERS.onPlanWritten(event);
  },
  { __endpoint: TRIGGERS.onPlanWritten.__endpoint },
);

const fs = useFirestoreEmulator('triggers', {
  triggers: { ...TRIGGERS, onPlanWritten: recordingPlanTrigger },
});
let runtime: Runtime;
let sheets: FakeSheets;
const SHEETS_TOKEN = 'ya29.triggers-test';

beforeAll(async () => {
  useFunctionsEnvironment(fs.projectId);
  sheets = await startFakeSheets({ token: SHEETS_TOKEN });
  runtime = testRuntime(fs, {
    sheets: { rootUrl: sheets.rootUrl, token: SHEETS_TOKEN },
    // The trigger reads the clock through the runtime: pin it so statistics are reproducible.
    clock: pinnedClock(NOW),
  });
  installRuntime(runtime);
});

afterAll(async () => {
  await fs.bridge.idle();
  installRuntime(undefined);
  await runtime.close();
  await sheets.stop();
});

async function sync(
  planId: string,
  workbook: RawWorkbook,
  extra: { spreadsheetId?: string; store?: PlanStore; clock?: Clock } = {},
) {
  const store = extra.store ?? runtime.store;
  const existing = await store.getPlan(planId);
  const location = extra.spreadsheetId
    ? { workbookLocation: { kind: 'sheets' as const, spreadsheetId: extra.spreadsheetId } }
    : {};
  return syncPlan(
    workbook,
    {
      planId,
      caller: 'owner@example.cn',
      now: NOW,
      existing,
      clock: extra.clock ?? pinnedClock(NOW),
      ...location,
    },
    store,
  );
}

/** Waits until the plan's statistics cover its current version, no sync holds it and the trigger is done. */
async function freshStats(planId: string) {
  const stats = await eventually(
    async () => {
      const [plan, stats, claim] = await Promise.all([
        runtime.store.getPlan(planId),
        runtime.store.getStats(planId),
        runtime.store.getClaim(planId),
      ]);
      return plan && stats && !claim && stats.inputVersion === plan.version ? stats : undefined;
    },
    { timeoutMs: 60_000, what: `fresh statistics for ${planId}` },
  );
  await fs.bridge.idle();
  return stats;
}

/** Trigger invocations and recomputations for a plan so far. */
async function costs(planId: string) {
  return {
    invocations: delivered.filter((event) => planOf(event) === planId).length,
    recomputations: await runtime.store.recomputations(planId),
  };
}

/** The statistics recomputed from scratch from the workbook itself. */
function fromScratch(workbook: RawWorkbook) {
  return computeStats(validateWorkbook(workbook, { asOf: ASOF, requireYear: true }).model, ASOF);
}

/** The statistics recomputed from what the store holds now. */
async function fromStore(planId: string) {
  const plan = await runtime.store.getPlan(planId);
  if (!plan) throw new Error(`no plan ${planId}`);
  return computeStats(await runtime.store.loadModel(plan), ASOF);
}

/** The sample with n extra activity rows for one measure, dated through the first half-year. */
function withActivities(n: number, titlePrefix = '志愿服务'): RawWorkbook {
  const workbook = structuredClone(sampleWorkbook(2026));
  const activities = workbook.tabs.find((tab) => tab.name === '活动');
  if (!activities) throw new Error('no activities tab');
  const header = activities.header.map(String);
  const at = (name: string) => header.indexOf(name);
  let row = Math.max(...activities.rows.map((r) => r.row));
  for (let i = 0; i < n; i++) {
    const cells = header.map(() => null as string | number | null);
    cells[at('日期')] =
      `2026-${String(1 + (i % 6)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}`;
    cells[at('关联事项')] = '5.2';
    cells[at('活动名称')] = `${titlePrefix} ${i}`;
    cells[at('服务时长')] = 2;
    activities.rows.push({ row: ++row, cells });
  }
  return workbook;
}

/** The workbook with 设置 → 删除确认比例 100%: only a deletion of a whole tab waits for confirmation. */
function allowingDeletions(workbook: RawWorkbook): RawWorkbook {
  const settings = workbook.tabs.find((tab) => tab.name === '设置');
  if (!settings) throw new Error('no settings tab');
  const row = Math.max(...settings.rows.map((r) => r.row)) + 1;
  settings.rows.push({ row, cells: ['删除确认比例', '100%'] });
  return workbook;
}

/** Waits until the emulator has delivered `count` events of the plan to the trigger. */
async function eventsDelivered(planId: string, count: number) {
  await eventually(() => delivered.filter((event) => planOf(event) === planId).length >= count, {
    timeoutMs: 30_000,
    what: `${count} trigger events for ${planId}`,
  });
  await fs.bridge.idle();
}

describe('one recomputation per sync', () => {
  it('a sync leads, through the emulator and the bridge, to statistics equal to a recomputation from scratch', async () => {
    const workbook = sampleWorkbook(2026);
    const result = await sync('sample', workbook);
    expect(result.writes.created).toBeGreaterThan(100);
    const stats = await freshStats('sample');
    expect(stats.asOf).toBe(ASOF);
    expect(stats.stats).toEqual(fromScratch(workbook));
    expect(await costs('sample')).toEqual({ invocations: 1, recomputations: 1 });
    expect(fs.bridge.failed).toBe(0);
  });

  it('a sync writing 2,000 records costs one trigger invocation and one recomputation', async () => {
    const workbook = withActivities(2_000);
    const result = await sync('large', workbook);
    expect(result.writes.created).toBeGreaterThan(2_000);
    const stats = await freshStats('large');
    expect(stats.stats).toEqual(fromScratch(workbook));
    expect(await costs('large')).toEqual({ invocations: 1, recomputations: 1 });
  }, 120_000);

  it('an edit changes the statistics accordingly; an unchanged re-sync recomputes nothing', async () => {
    const workbook = withActivities(10);
    await sync('edited', workbook);
    const before = await freshStats('edited');
    const more = withActivities(15);
    const result = await sync('edited', more);
    expect(result.writes).toEqual({ created: 5, updated: 0, deleted: 0 });
    const after = await freshStats('edited');
    expect(after.stats.plan.activities).toBe(before.stats.plan.activities + 5);
    expect(after.stats).toEqual(fromScratch(more));
    expect(await costs('edited')).toEqual({ invocations: 2, recomputations: 2 });

    const again = await sync('edited', more);
    expect(again.version).toBe(result.version);
    await eventsDelivered('edited', 3);
    expect(await costs('edited')).toEqual({ invocations: 3, recomputations: 2 });
  });

  it('a new row with an error (no record changes) still refreshes the validation tab’s issues', async () => {
    const workbook = withActivities(3);
    const first = await sync('issues', workbook);
    await freshStats('issues');
    const broken = structuredClone(workbook);
    const activities = broken.tabs.find((tab) => tab.name === '活动');
    const header = activities?.header.map(String) ?? [];
    const cells = header.map(() => null as string | number | null);
    cells[header.indexOf('日期')] = '三月五日';
    cells[header.indexOf('关联事项')] = '5.2';
    cells[header.indexOf('活动名称')] = '日期写错的活动';
    activities?.rows.push({ row: 999, cells });
    const second = await sync('issues', broken);
    expect(second.writes).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(second.version).toBe(first.version + 1);
    await freshStats('issues');
    const issues = await runtime.store.loadIssues('issues');
    expect(issues).toContainEqual(expect.objectContaining({ row: 999, code: 'invalid_date' }));
  });
});

describe('the generated tabs', () => {
  it('are written into the plan’s Google Sheet by the trigger, through the Sheets API', async () => {
    const workbook = sampleWorkbook(2026);
    const spreadsheetId = 'sheet-0123456789abcdefghij';
    // As the add-on's 初始化表格 and sync leave it: marked for its plan.
    addDeveloperMetadata(seedSpreadsheet(sheets, spreadsheetId, workbook), {
      key: PLAN_MARKER_KEY,
      value: 'sheet',
    });
    await sync('sheet', workbook, { spreadsheetId });
    const stats = await freshStats('sheet');
    const spreadsheet = sheets.spreadsheets.get(spreadsheetId);
    if (!spreadsheet) throw new Error('no spreadsheet');
    const overview = sheetValues(sheetNamed(spreadsheet, '汇总'));
    expect(overview[0]?.slice(0, 2)).toEqual(['指标', '数值']);
    expect(overview.find((row) => row[0] === '事项总数')?.[1]).toBe(stats.stats.plan.measures);
    const byMonth = sheetValues(sheetNamed(spreadsheet, '按月'));
    expect(byMonth.length).toBeGreaterThanOrEqual(13);
    expect(sheetValues(sheetNamed(spreadsheet, '校验')).length).toBeGreaterThan(1);
  }, 60_000);
});

describe('redelivered and out-of-order events', () => {
  it('three deliveries of each event, in reverse order, concurrently: the same statistics, no extra work', async () => {
    const first = withActivities(20);
    const second = withActivities(30);
    await sync('replay', first);
    await freshStats('replay');
    await sync('replay', second);
    const fresh = await freshStats('replay');
    const events = delivered.filter((event) => planOf(event) === 'replay');
    expect(events).toHaveLength(2);
    const { recomputations } = await costs('replay');

    const replays = [...events].reverse().flatMap((event) => [event, event, event]);
    await Promise.all(replays.map((event) => TRIGGERS.onPlanWritten(event)));
    const after = await freshStats('replay');
    expect(after).toEqual(fresh);
    expect(after.stats).toEqual(fromScratch(second));
    expect((await costs('replay')).recomputations).toBe(recomputations);
  }, 60_000);

  it('with the statistics gone, old and new events three times each end in the statistics of the records', async () => {
    const workbook = withActivities(25);
    await sync('lost-stats', workbook);
    await freshStats('lost-stats');
    const events = delivered.filter((event) => planOf(event) === 'lost-stats');
    await fs.firestore().doc('plans/lost-stats/stats/current').delete();

    const replays = [...events, ...events, ...events].reverse();
    await Promise.all(replays.map((event) => TRIGGERS.onPlanWritten(event)));
    const stats = await freshStats('lost-stats');
    expect(stats.stats).toEqual(await fromStore('lost-stats'));
    expect(stats.stats).toEqual(fromScratch(workbook));
    // Concurrent deliveries may each compute (the same numbers); never more than one per delivery.
    expect((await costs('lost-stats')).recomputations).toBeLessThanOrEqual(replays.length);
  }, 60_000);

  it('an older statistics save never overwrites a newer one', async () => {
    await sync('order', withActivities(5));
    const fresh = await freshStats('order');
    const older = {
      ...fresh,
      inputVersion: fresh.inputVersion - 1,
      stats: fromScratch(sampleWorkbook(2026)),
    };
    expect(await runtime.store.saveStats('order', older)).toBe(false);
    expect(await runtime.store.getStats('order')).toEqual(fresh);
  });
});

describe('two syncs of one plan at once', () => {
  it('are serialised: both succeed, the records are exactly the later one’s, and so are the statistics', async () => {
    // Each replaces the other's generated rows, a mass deletion the guard would hold (§12): this
    // plan lets any deletion short of a whole tab through, so the later workbook is the store.
    const a = allowingDeletions(withActivities(300, '甲'));
    const b = allowingDeletions(withActivities(200, '乙'));
    await sync('race', allowingDeletions(withActivities(10)));
    await freshStats('race');
    const [ra, rb] = await Promise.all([sync('race', a), sync('race', b)]);
    expect(new Set([ra.version, rb.version])).toEqual(new Set([2, 3]));
    const winner = ra.version > rb.version ? a : b;
    const stats = await freshStats('race');
    expect(stats.inputVersion).toBe(3);
    expect(stats.stats).toEqual(await fromStore('race'));
    expect(stats.stats).toEqual(fromScratch(winner));
    // Not a mix of the two: every stored activity is one of the later workbook's.
    const stored = await runtime.store.getPlan('race');
    if (!stored) throw new Error('no plan');
    const titles = (await runtime.store.loadModel(stored)).activities.map((activity) => activity.title);
    const expected = validateWorkbook(winner, { asOf: ASOF }).model.activities.map(
      (activity) => activity.title,
    );
    expect(titles.sort()).toEqual(expected.sort());
  }, 120_000);
});

/** A store whose process "dies" after committing `batches` batches of a sync: nothing after runs. */
class DyingStore extends PlanStore {
  constructor(private readonly batches: number) {
    super(runtime.mailQueue.db);
  }

  override async commitWrites(writes: PendingWrite[]): Promise<void> {
    await super.commitWrites(writes.slice(0, this.batches * 500));
    throw new Error('process killed');
  }

  // A dead process gives nothing up.
  override async abandonClaim(): Promise<void> {}
}

describe('a sync that dies between its record batches', () => {
  it('leaves the last complete statistics in place; the next sync repairs the records and the statistics', async () => {
    const before = withActivities(10);
    await sync('crash', before);
    const complete = await freshStats('crash');

    const after = withActivities(1_600, '新');
    await expect(sync('crash', after, { store: new DyingStore(1) })).rejects.toThrow('process killed');
    // Half the sync is in the store…
    const partial = await fromStore('crash');
    expect(partial.plan.activities).toBeGreaterThan(complete.stats.plan.activities);
    expect(partial.plan.activities).toBeLessThan(fromScratch(after).plan.activities);
    // …but no recomputation takes it as final: the claim is still there.
    expect(await refreshStats('crash', runtime.refresh)).toBe('syncing');
    expect(await runtime.store.getStats('crash')).toEqual(complete);

    // Minutes later the claim has expired: the sweeper names the plan and computes nothing.
    const later = new Date(NOW.getTime() + 10 * 60_000);
    const sweep = await sweepStats({ ...runtime.refresh, now: () => later });
    expect(sweep.interrupted).toContain('crash');
    expect(sweep.recomputed).not.toContain('crash');
    expect(await runtime.store.getStats('crash')).toEqual(complete);

    // The next sync takes the expired claim over and brings records and statistics to its workbook.
    const repaired = await sync('crash', after, { clock: pinnedClock(later) });
    expect(repaired.version).toBe(complete.inputVersion + 1);
    const stats = await freshStats('crash');
    expect(stats.stats).toEqual(fromScratch(after));
    expect(stats.stats).toEqual(await fromStore('crash'));
  }, 120_000);

  it('a repair with nothing left to write still moves the version, so the statistics catch up', async () => {
    const after = withActivities(40, '全');
    await sync('crash-late', withActivities(5));
    const complete = await freshStats('crash-late');
    // Every batch committed, then death before the version moved.
    await expect(sync('crash-late', after, { store: new DyingStore(100) })).rejects.toThrow('process killed');
    expect(await runtime.store.getStats('crash-late')).toEqual(complete);
    const later = new Date(NOW.getTime() + 10 * 60_000);
    const repaired = await sync('crash-late', after, { clock: pinnedClock(later) });
    expect(repaired.writes).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(repaired.version).toBe(complete.inputVersion + 1);
    expect((await freshStats('crash-late')).stats).toEqual(fromScratch(after));
  }, 60_000);
});

describe('the sweeper', () => {
  it('recomputes a plan whose trigger event was lost, and leaves fresh plans alone', async () => {
    dropEventsOf.add('lost');
    const workbook = withActivities(12);
    const result = await sync('lost', workbook);
    await eventsDelivered('lost', 1);
    expect(await runtime.store.getStats('lost')).toBeUndefined();

    const sweep = await sweepStats(runtime.refresh);
    expect(sweep.recomputed).toEqual(['lost']);
    const stats = await runtime.store.getStats('lost');
    expect(stats?.inputVersion).toBe(result.version);
    expect(stats?.stats).toEqual(fromScratch(workbook));
    expect((await sweepStats(runtime.refresh)).recomputed).toEqual([]);
    dropEventsOf.delete('lost');
  });

  it('recomputes on a new day in the plan’s time zone', async () => {
    await sync('new-day', withActivities(3));
    await freshStats('new-day');
    const tomorrow = new Date(NOW.getTime() + 24 * 3600_000);
    const sweep = await sweepStats({ ...runtime.refresh, now: () => tomorrow });
    expect(sweep.recomputed).toContain('new-day');
    expect((await runtime.store.getStats('new-day'))?.asOf).toBe('2026-07-01');
  });
});
