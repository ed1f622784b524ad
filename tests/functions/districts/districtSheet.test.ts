/**
 * A district's roll-up bound to its Google Sheet (§13), on the real Firestore emulator with the
 * statistics trigger fired by the emulator, against the strict fake Sheets server: binding is for
 * the district's admins (a viewer and a stranger get 403, nothing bound, nothing sent to Sheets); a
 * sheet the service account cannot edit (Sheets answers 403) or a plan's own sheet is refused in
 * Chinese with nothing bound; a bound sheet gets the roll-up at once and follows a member's sync;
 * and a failed write leaves the roll-up in Firestore fresh and is made good by the next
 * recomputation.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSheetsWorkbook } from '../../../adapters/workbook/sheets';
import { runCli } from '../../../cli/run';
import { writeDistrictSheet } from '../../../functions/src/districts/sheet';
import { createApi } from '../../../functions/src/http/api';
import { createIdentityVerifier } from '../../../functions/src/http/auth';
import type { ApiDeps } from '../../../functions/src/http/handler';
import type { LogEvent } from '../../../functions/src/logs';
import { installRuntime, type Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { DISTRICT_ROUTES, districtRouteUrl } from '../../../shared/districtApi';
import { ROLLUP_TAB_LABELS } from '../../../shared/i18n';
import { PLAN_MARKER_KEY } from '../../../shared/marks';
import { type DistrictRollup, rollupTables } from '../../../shared/rollup';
import { sampleWorkbook } from '../../../shared/sample';
import type { RawWorkbook } from '../../../shared/workbook';
import { TRIGGERS } from '../../../stack/stack';
import { pinnedClock } from '../../support/clock';
import {
  addDeveloperMetadata,
  type FakeSheets,
  type FakeSpreadsheet,
  seedSpreadsheet,
  sheetNamed,
  sheetValues,
  startFakeSheets,
} from '../../support/fake-sheets';
import { eventually, useFirestoreEmulator, useFunctionsEnvironment } from '../../support/firestore';
import { createTestSigner, type TestSigner } from '../../support/id-tokens';
import { testRuntime } from '../../support/runtime';

const NOW = new Date('2026-06-30T04:00:00Z');
const AUDIENCE = 'district-sheet-test-client';
const ADMIN = 'admin@example.cn';
const OWNER = 'owner@example.cn';
const DISTRICT_ADMIN = 'clerk@jiedao.example.cn';
const VIEWER = 'jiedao-leader@example.cn';
const STRANGER = 'stranger@example.cn';
const TOKEN = 'ya29.district-sheet-token';
const HOSTILE = '=HYPERLINK("http://evil.example/steal","点我")';

const fs = useFirestoreEmulator('districtsheet', { triggers: TRIGGERS });
let runtime: Runtime;
let signer: TestSigner;
let apiUrl: string;
let server: Server;
let fake: FakeSheets;
const events: LogEvent[] = [];

beforeAll(async () => {
  useFunctionsEnvironment(fs.projectId);
  fake = await startFakeSheets({ token: TOKEN });
  signer = createTestSigner();
  runtime = testRuntime(fs, {
    env: { GONGJIAN_ADMINS: ADMIN },
    clock: pinnedClock(NOW),
    sheets: { rootUrl: fake.rootUrl, token: TOKEN },
    log: (event) => {
      events.push(event);
    },
  });
  installRuntime(runtime);
  const verifier = createIdentityVerifier({
    audiences: [AUDIENCE],
    devEmail: 'dev@example.cn',
    certs: async () => signer.certs,
  });
  // The Sheets client of the route's check: the same fake, no retries to wait out.
  const auth = (await import('google-auth-library')).OAuth2Client;
  const credentials = new auth();
  credentials.setCredentials({ access_token: TOKEN });
  const deps: ApiDeps = {
    store: runtime.store,
    verifyIdentity: (header) => verifier.verify(header),
    admins: [ADMIN],
    maxBodyBytes: 1024 * 1024,
    now: () => NOW,
    sleep: runtime.sleep,
    districts: {
      store: runtime.districts,
      rollups: runtime.rollups,
      ensureSummary: async (planId) => {
        await refreshStats(planId, runtime.refresh, { force: true });
      },
      writeSheet: (spreadsheetId, rollup) =>
        writeDistrictSheet(
          createSheetsWorkbook({
            spreadsheetId,
            auth: credentials,
            rootUrl: fake.rootUrl,
            retry: { tries: 1 },
          }),
          spreadsheetId,
          rollup,
        ),
    },
  };
  http('district-sheet-api', createApi(deps) as Parameters<typeof http>[1]);
  server = getTestServer('district-sheet-api');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await fs.bridge.idle();
  installRuntime(undefined);
  await runtime?.close();
  await fake?.stop();
});

const bearer = (email: string) => `Bearer ${signer.sign({ aud: AUDIENCE, email, email_verified: true })}`;

async function district(
  id: string,
  route: keyof typeof DISTRICT_ROUTES,
  email: string,
  body?: unknown,
): Promise<{
  status: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
}> {
  const response = await fetch(districtRouteUrl(apiUrl, id, route), {
    method: DISTRICT_ROUTES[route].method,
    headers: { authorization: bearer(email), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as never };
}

function workbookOf(community: string): RawWorkbook {
  const workbook = sampleWorkbook(2026);
  for (const tab of workbook.tabs) {
    for (const row of tab.rows) if (row.cells[0] === '社区名称') row.cells[1] = community;
  }
  return workbook;
}

async function sync(planId: string, workbook: RawWorkbook) {
  return syncPlan(
    workbook,
    {
      planId,
      caller: OWNER,
      now: NOW,
      existing: await runtime.store.getPlan(planId),
      clock: pinnedClock(NOW),
    },
    runtime.store,
  );
}

/** Waits until the plan's statistics cover `version` and the district's roll-up used them, lease released. */
async function rolledUp(districtId: string, planId: string, version: number) {
  return eventually(
    async () => {
      const state = await runtime.districts.getState(districtId);
      return state.basis[planId]?.inputVersion === version && state.leaseExpiresAt === 0 ? state : undefined;
    },
    { timeoutMs: 60_000, what: `the roll-up of ${districtId} over ${planId} v${version}` },
  );
}

let nextSheet = 0;
function districtSpreadsheet(): FakeSpreadsheet {
  return seedSpreadsheet(fake, `jiedao-${process.pid}-${++nextSheet}`, {
    tabs: [{ name: 'Sheet1', header: [], rows: [] }],
  });
}

const sentTo = (spreadsheet: FakeSpreadsheet) =>
  fake.requests.filter((r) => r.path.includes(`/spreadsheets/${spreadsheet.spreadsheetId}`));

/** 社区总览 as written into the sheet: the table's own columns (the charts' figures stand further right). */
function communitiesIn(spreadsheet: FakeSpreadsheet, width: number) {
  const current = fake.spreadsheets.get(spreadsheet.spreadsheetId) ?? spreadsheet;
  return sheetValues(sheetNamed(current, ROLLUP_TAB_LABELS.communities.zh))
    .map((row) => row.slice(0, width))
    .filter((row) => row.some((cell) => cell !== null));
}

/** The roll-up GET …/rollup answers now, as its 社区总览 table (nulls where the sheet shows nothing). */
async function expectedCommunities(districtId: string) {
  const answer = await district(districtId, 'districtRollup', DISTRICT_ADMIN);
  const table = rollupTables(answer.json.rollup as DistrictRollup).communities;
  return table.map((row) => {
    const cells = [...row];
    while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
    return cells;
  });
}

describe("a district's Google Sheet", () => {
  const ID = 'd-sheet';
  let version = 0;

  beforeAll(async () => {
    await district(ID, 'districtCreate', ADMIN, {
      name: '和平街道',
      viewers: [VIEWER],
      admins: [DISTRICT_ADMIN],
    });
    await sync('sheet-a', workbookOf('东风社区'));
    version = (await sync('sheet-b', workbookOf(HOSTILE))).version;
    for (const planId of ['sheet-a', 'sheet-b']) {
      expect((await district(ID, 'districtAddPlan', DISTRICT_ADMIN, { planId })).status).toBe(200);
    }
    await rolledUp(ID, 'sheet-b', version);
  }, 120_000);

  it("binding is for the district's admins: a viewer and a stranger get 403, nothing bound or sent", async () => {
    const spreadsheet = districtSpreadsheet();
    for (const email of [VIEWER, STRANGER]) {
      const refused = await district(ID, 'districtSheet', email, {
        spreadsheetId: spreadsheet.spreadsheetId,
      });
      expect([refused.status, refused.json.error?.code]).toEqual([403, 'not_district_admin']);
    }
    expect(sentTo(spreadsheet)).toEqual([]);
    expect((await runtime.districts.getDistrict(ID))?.workbook).toBeUndefined();
  });

  it('a sheet the service account cannot edit: Sheets’ 403 is the Chinese binding error, nothing bound', async () => {
    const spreadsheet = districtSpreadsheet();
    fake.failNext(403, 1, { path: new RegExp(spreadsheet.spreadsheetId) });
    const refused = await district(ID, 'districtSheet', DISTRICT_ADMIN, {
      spreadsheetId: spreadsheet.spreadsheetId,
    });
    expect([refused.status, refused.json.error?.code]).toEqual([422, 'district_sheet_unreachable']);
    expect(refused.json.error?.message).toBe(
      `服务账号无法编辑 Google 表格 ${spreadsheet.spreadsheetId}：请把表格共享给云函数的服务账号（编辑者）后再绑定`,
    );
    expect((await runtime.districts.getDistrict(ID))?.workbook).toBeUndefined();
    // No such sheet at all: named as such.
    const missing = await district(ID, 'districtSheet', DISTRICT_ADMIN, { spreadsheetId: 'no-such-sheet' });
    expect([missing.status, missing.json.error?.code]).toEqual([422, 'district_sheet_unreachable']);
    expect(missing.json.error?.message).toContain('找不到 Google 表格 no-such-sheet');
  });

  it("a plan's own sheet is refused: the roll-up would overwrite its 按类别, 按月 and 关注事项", async () => {
    const spreadsheet = districtSpreadsheet();
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'sheet-a' });
    const refused = await district(ID, 'districtSheet', DISTRICT_ADMIN, {
      spreadsheetId: spreadsheet.spreadsheetId,
    });
    expect([refused.status, refused.json.error?.code]).toEqual([409, 'district_sheet_is_plan']);
    expect(sentTo(spreadsheet).filter((r) => r.path.endsWith(':batchUpdate'))).toEqual([]);
    expect((await runtime.districts.getDistrict(ID))?.workbook).toBeUndefined();
  });

  it("an admin binds it: the roll-up is written at once, follows a member's sync, and a failed write is made good by the next recomputation", async () => {
    const spreadsheet = districtSpreadsheet();
    const bound = await district(ID, 'districtSheet', DISTRICT_ADMIN, {
      spreadsheetId: spreadsheet.spreadsheetId,
    });
    expect(bound.status).toBe(200);
    expect(bound.json.spreadsheetId).toBe(spreadsheet.spreadsheetId);
    expect((await runtime.districts.getDistrict(ID))?.workbook).toEqual({
      kind: 'sheets',
      spreadsheetId: spreadsheet.spreadsheetId,
    });
    let expected = await expectedCommunities(ID);
    const width = Math.max(...expected.map((row) => row.length));
    expect(communitiesIn(spreadsheet, width)).toEqual(expected);
    // The hostile community name is a cell of text, never a formula.
    const current = () => fake.spreadsheets.get(spreadsheet.spreadsheetId) ?? spreadsheet;
    const names = sheetNamed(current(), ROLLUP_TAB_LABELS.communities.zh).cells.map((row) => row?.[1]);
    expect(names.some((cell) => cell?.userEnteredValue?.stringValue === HOSTILE)).toBe(true);
    expect(names.every((cell) => cell?.userEnteredValue?.formulaValue === undefined)).toBe(true);

    // A member's sync: the trigger recomputes, and the sheet follows.
    const renamed = await sync('sheet-a', workbookOf('东风新村社区'));
    await rolledUp(ID, 'sheet-a', renamed.version);
    expected = await expectedCommunities(ID);
    expect(expected.flat()).toContain('东风新村社区');
    await eventually(() => JSON.stringify(communitiesIn(spreadsheet, width)) === JSON.stringify(expected), {
      what: 'the renamed community in the sheet',
    });

    // The sheet unreachable (unshared) during the next sync: the roll-up in Firestore still moves on.
    fake.spreadsheets.delete(spreadsheet.spreadsheetId);
    const failing = events.length;
    const again = await sync('sheet-a', workbookOf('东风社区'));
    const state = await rolledUp(ID, 'sheet-a', again.version);
    expect(state.computedGeneration).toBe(state.generation);
    expect(events.slice(failing).some((event) => event.event === 'rollup_write_failed')).toBe(true);
    expect((await expectedCommunities(ID)).flat()).toContain('东风社区');
    expect(communitiesIn(current(), width).flat()).toContain('东风新村社区');

    // Shared again: the next recomputation writes what the roll-up now is.
    fake.spreadsheets.set(spreadsheet.spreadsheetId, current());
    expect(await runtime.rollups.changed(ID)).toBeGreaterThan(0);
    expect(communitiesIn(current(), width)).toEqual(await expectedCommunities(ID));
  }, 180_000);

  it('gongjian district --sheet: an unshared sheet is exit 2 with the server’s Chinese sentence; a shared one is bound', async () => {
    const cli = async (...argv: string[]) => {
      const lines: string[] = [];
      const ctx = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), now: () => NOW };
      const saved = process.env.GONGJIAN_TOKEN;
      process.env.GONGJIAN_TOKEN = bearer(DISTRICT_ADMIN).slice('Bearer '.length);
      try {
        return {
          code: await runCli(['district', ID, ...argv, '--api', apiUrl], ctx),
          text: lines.join('\n'),
        };
      } finally {
        if (saved === undefined) delete process.env.GONGJIAN_TOKEN;
        else process.env.GONGJIAN_TOKEN = saved;
      }
    };
    const unshared = districtSpreadsheet();
    fake.failNext(403, 1, { path: new RegExp(unshared.spreadsheetId) });
    const refused = await cli('--sheet', unshared.spreadsheetId);
    expect(refused.code).toBe(2);
    expect(refused.text).toContain('请把表格共享给云函数的服务账号（编辑者）后再绑定');
    const shared = districtSpreadsheet();
    const bound = await cli('--sheet', shared.spreadsheetId);
    expect(bound).toMatchObject({ code: 0 });
    expect(bound.text).toContain('汇总已写入 Google 表格');
    expect((await runtime.districts.getDistrict(ID))?.workbook).toEqual({
      kind: 'sheets',
      spreadsheetId: shared.spreadsheetId,
    });
  });
});
