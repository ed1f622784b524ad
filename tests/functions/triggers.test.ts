/**
 * The deployed Firestore triggers, fired by the emulator itself through the bridge: statistics
 * follow every sync, bursts are coalesced, and redelivered or reordered events change nothing.
 */
import type { CloudEvent } from 'firebase-functions/v2';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/src/config';
import { TRIGGERS } from '../../functions/src/local/stack';
import { buildRuntime, installRuntime, type Runtime } from '../../functions/src/runtime';
import { statsRefreshState } from '../../functions/src/stats/refresh';
import { syncPlan } from '../../functions/src/sync/syncPlan';
import { PLAN_MARKER_KEY } from '../../shared/marks';
import { sampleWorkbook } from '../../shared/sample';
import { computeStats } from '../../shared/stats';
import { validateWorkbook } from '../../shared/validate';
import type { RawWorkbook } from '../../shared/workbook';
import {
  addDeveloperMetadata,
  type FakeSheets,
  seedSpreadsheet,
  sheetNamed,
  sheetValues,
  startFakeSheets,
} from '../support/fake-sheets';
import { eventually, useFirestoreEmulator } from '../support/firestore';

const NOW = new Date('2026-06-30T04:00:00Z'); // 12:00 in Asia/Shanghai
const ASOF = '2026-06-30';

/** Every event the emulator delivered to onActivityWritten, for replaying. */
const delivered: CloudEvent<unknown>[] = [];
const recordingActivityTrigger = Object.assign(
  (event: CloudEvent<unknown>) => {
    delivered.push(event);
    return TRIGGERS.onActivityWritten(event);
  },
  { __endpoint: TRIGGERS.onActivityWritten.__endpoint },
);

const fs = useFirestoreEmulator('triggers', {
  triggers: { ...TRIGGERS, onActivityWritten: recordingActivityTrigger },
});
let runtime: Runtime;
let sheets: FakeSheets;
const SHEETS_TOKEN = 'ya29.triggers-test';

beforeAll(async () => {
  process.env.GCLOUD_PROJECT ??= fs.projectId;
  sheets = await startFakeSheets({ token: SHEETS_TOKEN });
  const sheetsAuth = new OAuth2Client();
  sheetsAuth.setCredentials({ access_token: SHEETS_TOKEN });
  runtime = buildRuntime(
    parseConfig({
      GONGJIAN_ENV: 'development',
      GONGJIAN_PROJECT: fs.projectId,
      FIRESTORE_EMULATOR_HOST: fs.host,
      GONGJIAN_SHEETS_ROOT_URL: sheets.rootUrl,
    }),
    () => {},
    { sheetsAuth },
  );
  // The triggers read the clock through the runtime: pin it so stats are reproducible.
  runtime.refresh.now = () => NOW;
  installRuntime(runtime);
});

afterAll(async () => {
  await fs.bridge.idle();
  installRuntime(undefined);
  await runtime.close();
  await sheets.stop();
});

async function sync(planId: string, workbook: RawWorkbook, spreadsheetId?: string) {
  const existing = await runtime.store.getPlan(planId);
  const location = spreadsheetId ? { workbookLocation: { kind: 'sheets' as const, spreadsheetId } } : {};
  return syncPlan(
    workbook,
    { planId, caller: 'owner@example.cn', now: NOW, existing, ...location },
    runtime.store,
  );
}

/** Waits until the plan's statistics cover its current version and no refresh is pending. */
async function freshStats(planId: string) {
  return eventually(
    async () => {
      const [plan, stats, state] = await Promise.all([
        runtime.store.getPlan(planId),
        runtime.store.getStats(planId),
        statsRefreshState(runtime.store.db, planId),
      ]);
      const settled = state.requested === state.computed && state.leaseOwner === null;
      return plan && stats && stats.inputVersion === plan.version && settled ? { stats, state } : undefined;
    },
    { timeoutMs: 60_000, what: `fresh statistics for ${planId}` },
  );
}

/** The statistics recomputed from scratch from the workbook itself. */
function fromScratch(workbook: RawWorkbook) {
  return computeStats(validateWorkbook(workbook, { asOf: ASOF, requireYear: true }).model, ASOF);
}

/** The sample with n extra activity rows for one measure, dated through the first half-year. */
function withActivities(n: number): RawWorkbook {
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
    cells[at('活动名称')] = `志愿服务 ${i}`;
    cells[at('服务时长')] = 2;
    activities.rows.push({ row: ++row, cells });
  }
  return workbook;
}

describe('statistics follow the records', () => {
  it('a sync leads, through the emulator and the bridge, to statistics equal to a recomputation from scratch', async () => {
    const workbook = sampleWorkbook(2026);
    const result = await sync('sample', workbook);
    expect(result.writes.created).toBeGreaterThan(100);
    const { stats } = await freshStats('sample');
    expect(stats.asOf).toBe(ASOF);
    expect(stats.stats).toEqual(fromScratch(workbook));
    expect(fs.bridge.failed).toBe(0);
  });

  it('an edit changes the statistics accordingly', async () => {
    const workbook = withActivities(10);
    await sync('edited', workbook);
    const before = (await freshStats('edited')).stats;
    const more = withActivities(15);
    const result = await sync('edited', more);
    expect(result.writes).toEqual({ created: 5, updated: 0, deleted: 0 });
    const after = (await freshStats('edited')).stats;
    expect(after.stats.plan.activities).toBe(before.stats.plan.activities + 5);
    expect(after.stats).toEqual(fromScratch(more));
  });

  it('a burst of 1,000 activity writes is coalesced into at most 20 recomputations', async () => {
    const workbook = withActivities(1000);
    const result = await sync('burst', workbook);
    expect(result.writes.created).toBeGreaterThan(1000);
    const { stats, state } = await freshStats('burst');
    expect(state.requested).toBeGreaterThan(1000); // every write's event was counted
    expect(state.recomputations).toBeLessThanOrEqual(20);
    expect(stats.stats).toEqual(fromScratch(workbook));
  }, 120_000);
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
    await sync('sheet', workbook, spreadsheetId);
    const { stats } = await freshStats('sheet');
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
  it('change nothing: each event three times, in reverse order, concurrently', async () => {
    const workbook = withActivities(20);
    delivered.length = 0;
    await sync('replay', workbook);
    const first = await freshStats('replay');
    const events = delivered.filter((event) =>
      String((event as { document?: unknown }).document ?? '').startsWith('plans/replay/'),
    );
    expect(events.length).toBeGreaterThan(20);

    const replays = [...events].reverse().flatMap((event) => [event, event, event]);
    await Promise.all(replays.map((event) => TRIGGERS.onActivityWritten(event)));
    const second = await freshStats('replay');
    expect(second.stats.stats).toEqual(first.stats.stats);
    expect(second.stats.inputVersion).toBe(first.stats.inputVersion);
    expect(second.state.recomputations).toBeGreaterThanOrEqual(first.state.recomputations);
    expect(second.stats.stats).toEqual(fromScratch(workbook));
  }, 60_000);
});
