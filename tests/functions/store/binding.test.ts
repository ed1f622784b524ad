/**
 * One plan can never write into another's Google Sheet (store/binding.ts): the `api` function as
 * functions-framework serves it, on a real Firestore emulator, and the generated tabs written by the
 * runtime's real writer through the real Sheets client into the fake Sheets server, which counts
 * every request each spreadsheet receives.
 */

import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/src/clock';
import { createApi } from '../../../functions/src/http/api';
import { createIdentityVerifier } from '../../../functions/src/http/auth';
import { lineLog } from '../../../functions/src/logs';
import type { Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import { PLAN_MARKER_KEY } from '../../../shared/marks';
import { sampleWorkbook } from '../../../shared/sample';
import type { RawWorkbook } from '../../../shared/workbook';
import { pinnedClock } from '../../support/clock';
import {
  addDeveloperMetadata,
  type FakeSheets,
  type FakeSpreadsheet,
  seedSpreadsheet,
  serialOf,
  sheetNamed,
  sheetValues,
  startFakeSheets,
} from '../../support/fake-sheets';
import { useFirestoreEmulator } from '../../support/firestore';
import { createTestSigner, type TestSigner } from '../../support/id-tokens';
import { testRuntime } from '../../support/runtime';

const handle = useFirestoreEmulator('binding', { reset: true });

const AUDIENCE = 'test-client-id';
const ADMIN = 'admin@example.cn';
/** Listed in the sample's 设置 编辑人员. */
const EDITOR = 'wangfang@example.cn';
const SHEETS_TOKEN = 'ya29.binding-test';
const NOW = new Date('2026-12-31T04:00:00Z');

let signer: TestSigner;
let sheets: FakeSheets;
let runtime: Runtime;
const runtimeLog: string[] = [];
const servers: Server[] = [];
/** The API with ADMIN in GONGJIAN_ADMINS, and the same API after ADMIN was taken off the list. */
const urls = { withAdmin: '', noAdmins: '' };

async function serve(name: string, admins: string[]): Promise<string> {
  const verifier = createIdentityVerifier({
    audiences: [AUDIENCE],
    devEmail: 'dev@example.cn',
    certs: async () => signer.certs,
  });
  const api = createApi({
    store: runtime.store,
    verifyIdentity: (header) => verifier.verify(header),
    admins,
    maxBodyBytes: 10 * 1024 * 1024,
    now: () => NOW,
    sleep: systemClock.sleep,
  });
  http(name, api as unknown as Parameters<typeof http>[1]);
  const server = getTestServer(name);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  signer = createTestSigner();
  sheets = await startFakeSheets({ token: SHEETS_TOKEN });
  runtime = testRuntime(handle, {
    sheets: { rootUrl: sheets.rootUrl, token: SHEETS_TOKEN },
    log: lineLog((line) => runtimeLog.push(line)),
    clock: pinnedClock(NOW),
  });
  urls.withAdmin = await serve('binding-api', [ADMIN]);
  urls.noAdmins = await serve('binding-api-no-admins', []);
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await runtime?.close();
  await sheets?.stop();
});

/** The sample as the add-on sends it: dates as serial numbers. */
function workbookJson() {
  const workbook: RawWorkbook = sampleWorkbook(2026);
  return {
    tabs: workbook.tabs.map((tab) => ({
      name: tab.name,
      header: tab.header,
      rows: tab.rows.map((row) => ({
        row: row.row,
        cells: row.cells.map((cell) => (cell instanceof Date ? serialOf(cell) : cell)),
      })),
    })),
  };
}

interface SyncCall {
  plan: string;
  email: string;
  /** Absent: a request naming no spreadsheet (a script, not the add-on). */
  spreadsheetId?: string;
  api?: keyof typeof urls;
}

async function sync({ plan, email, spreadsheetId, api = 'withAdmin' }: SyncCall): Promise<Response> {
  const body = { ...workbookJson(), ...(spreadsheetId ? { spreadsheetId } : {}) };
  const token = signer.sign({ aud: AUDIENCE, email, email_verified: true });
  return fetch(`${urls[api]}/v1/plans/${plan}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function expectStatus(response: Response, status: number): Promise<{ error?: { code: string } }> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  return JSON.parse(text) as { error?: { code: string } };
}

let sheetCount = 0;
/** A fresh spreadsheet holding the sample, marked as the add-on marks it (`marker`), or not. */
function spreadsheet(marker?: string): FakeSpreadsheet {
  const id = `binding-sheet-${process.pid}-${++sheetCount}-abcdefghij`;
  const seeded = seedSpreadsheet(sheets, id, sampleWorkbook(2026));
  if (marker !== undefined) addDeveloperMetadata(seeded, { key: PLAN_MARKER_KEY, value: marker });
  return seeded;
}

function requestsTo(sheet: FakeSpreadsheet) {
  return sheets.requests.filter((r) => r.path.startsWith(`/v4/spreadsheets/${sheet.spreadsheetId}`));
}

/** Requests that could change a spreadsheet: anything but reads and metadata searches. */
function writesTo(sheet: FakeSpreadsheet) {
  return requestsTo(sheet).filter((r) => r.method !== 'GET' && !r.path.endsWith('/developerMetadata:search'));
}

const boundTo = async (plan: string) => (await runtime.store.getPlan(plan))?.workbook;
const overview = (sheet: FakeSpreadsheet) => sheetValues(sheetNamed(sheet, '汇总'));

/** Plans A and B, each created by the admin's first sync from its own marked sheet. */
async function twoPlans(a: string, b: string) {
  const sheetA = spreadsheet(a);
  const sheetB = spreadsheet(b);
  await expectStatus(await sync({ plan: a, email: ADMIN, spreadsheetId: sheetA.spreadsheetId }), 200);
  await expectStatus(await sync({ plan: b, email: ADMIN, spreadsheetId: sheetB.spreadsheetId }), 200);
  return { sheetA, sheetB };
}

describe('a plan is bound to its spreadsheet', () => {
  it("plan A's editor, and its owner once no longer an admin, naming B's sheet: 409, nothing written, B untouched", async () => {
    const { sheetA, sheetB } = await twoPlans('plan-a', 'plan-b');
    const before = await runtime.store.getPlan('plan-a');
    const bBefore = structuredClone(sheetB.sheets);

    const byEditor = await sync({ plan: 'plan-a', email: EDITOR, spreadsheetId: sheetB.spreadsheetId });
    expect((await expectStatus(byEditor, 409)).error?.code).toBe('workbook_bound');
    const byOwner = await sync({
      plan: 'plan-a',
      email: ADMIN,
      spreadsheetId: sheetB.spreadsheetId,
      api: 'noAdmins',
    });
    const refusal = await expectStatus(byOwner, 409);
    expect(refusal).toEqual({
      error: {
        code: 'workbook_bound',
        message: expect.stringContaining('绑定的不是这份 Google 表格'),
        messageEn: expect.stringContaining('bound to another Google Sheet'),
      },
    });
    expect(await runtime.store.getPlan('plan-a')).toEqual(before);

    await refreshStats('plan-a', runtime.refresh, { force: true });
    expect(overview(sheetA).length).toBeGreaterThan(1);
    expect(requestsTo(sheetB)).toEqual([]);
    expect(sheetB.sheets).toEqual(bBefore);
  });

  it('an editor syncing from the bound sheet is accepted; an unbound plan is bound by an admin only', async () => {
    const { sheetA } = await twoPlans('plan-c', 'plan-d');
    await expectStatus(
      await sync({ plan: 'plan-c', email: EDITOR, spreadsheetId: sheetA.spreadsheetId }),
      200,
    );
    expect(await boundTo('plan-c')).toEqual({ kind: 'sheets', spreadsheetId: sheetA.spreadsheetId });
    // A sync naming no spreadsheet keeps the binding.
    await expectStatus(await sync({ plan: 'plan-c', email: EDITOR }), 200);
    expect(await boundTo('plan-c')).toEqual({ kind: 'sheets', spreadsheetId: sheetA.spreadsheetId });

    await expectStatus(await sync({ plan: 'plan-unbound', email: ADMIN }), 200);
    expect(await boundTo('plan-unbound')).toBeUndefined();
    const sheet = spreadsheet('plan-unbound');
    const byEditor = await sync({ plan: 'plan-unbound', email: EDITOR, spreadsheetId: sheet.spreadsheetId });
    expect((await expectStatus(byEditor, 409)).error?.code).toBe('workbook_bound');
    expect(await boundTo('plan-unbound')).toBeUndefined();
    await expectStatus(
      await sync({ plan: 'plan-unbound', email: ADMIN, spreadsheetId: sheet.spreadsheetId }),
      200,
    );
    expect(await boundTo('plan-unbound')).toEqual({ kind: 'sheets', spreadsheetId: sheet.spreadsheetId });
  });

  it('an admin rebinds a plan; afterwards the old sheet is refused and the new one gets the tabs', async () => {
    const { sheetA } = await twoPlans('plan-e', 'plan-f');
    const moved = spreadsheet('plan-e');
    await expectStatus(await sync({ plan: 'plan-e', email: ADMIN, spreadsheetId: moved.spreadsheetId }), 200);
    expect(await boundTo('plan-e')).toEqual({ kind: 'sheets', spreadsheetId: moved.spreadsheetId });
    const fromOld = await sync({ plan: 'plan-e', email: EDITOR, spreadsheetId: sheetA.spreadsheetId });
    expect((await expectStatus(fromOld, 409)).error?.code).toBe('workbook_bound');
    await expectStatus(
      await sync({ plan: 'plan-e', email: EDITOR, spreadsheetId: moved.spreadsheetId }),
      200,
    );

    const writesToOld = writesTo(sheetA).length;
    await refreshStats('plan-e', runtime.refresh, { force: true });
    expect(overview(moved)[0]?.slice(0, 2)).toEqual(['指标', '数值']);
    expect(writesTo(sheetA).length).toBe(writesToOld);
  });
});

describe('the generated tabs go only into a sheet marked for the plan', () => {
  const cases: { name: string; mark: (sheet: FakeSpreadsheet) => void; verdict: string }[] = [
    { name: 'no marker at all', mark: () => {}, verdict: 'missing' },
    {
      name: "another plan's marker",
      mark: (sheet) => addDeveloperMetadata(sheet, { key: PLAN_MARKER_KEY, value: 'plan-other' }),
      verdict: 'other_plan',
    },
    {
      name: "this plan's and another plan's markers",
      mark: (sheet) => {
        addDeveloperMetadata(sheet, { key: PLAN_MARKER_KEY, value: 'plan-m' });
        addDeveloperMetadata(sheet, { key: PLAN_MARKER_KEY, value: 'plan-other' });
      },
      verdict: 'other_plan',
    },
    {
      name: "the plan's marker on one tab only, not on the spreadsheet",
      mark: (sheet) => addDeveloperMetadata(sheet, { key: PLAN_MARKER_KEY, value: 'plan-m', sheetId: 0 }),
      verdict: 'missing',
    },
    {
      name: "the plan's marker with PROJECT visibility (the add-on's project: invisible to the functions)",
      mark: (sheet) =>
        addDeveloperMetadata(sheet, { key: PLAN_MARKER_KEY, value: 'plan-m', visibility: 'PROJECT' }),
      verdict: 'missing',
    },
  ];

  it.each(cases)('$name: no write request, a log line says why', async ({ mark, verdict }) => {
    // Even an admin's binding (a mistaken rebind, or one older than the API's check) is not enough.
    const target = spreadsheet();
    mark(target);
    await expectStatus(
      await sync({ plan: 'plan-m', email: ADMIN, spreadsheetId: target.spreadsheetId }),
      200,
    );
    const before = structuredClone(target.sheets);
    runtimeLog.length = 0;
    await refreshStats('plan-m', runtime.refresh, { force: true });
    expect(writesTo(target)).toEqual([]);
    expect(target.sheets).toEqual(before);
    expect(runtimeLog.filter((line) => line.startsWith('拒绝写入'))).toEqual([
      expect.stringContaining(`(${verdict})`),
    ]);
    expect(await runtime.store.getStats('plan-m')).toBeDefined();
  });

  it("an admin's rebind of plan A to B's sheet writes nothing into B: B's marker names B", async () => {
    const { sheetB } = await twoPlans('plan-g', 'plan-h');
    await expectStatus(
      await sync({ plan: 'plan-g', email: ADMIN, spreadsheetId: sheetB.spreadsheetId }),
      200,
    );
    await refreshStats('plan-g', runtime.refresh, { force: true });
    expect(writesTo(sheetB)).toEqual([]);
    await refreshStats('plan-h', runtime.refresh, { force: true });
    expect(writesTo(sheetB).length).toBeGreaterThan(0);
  });
});
