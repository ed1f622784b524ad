/**
 * The `api` HTTP function end to end: the handler built by createApi, served by
 * functions-framework exactly as `functions-framework --target=api` serves it (real body parsing,
 * rawBody, content types), called with fetch, writing to a real Cloud Firestore emulator.
 *
 * The store is the one the composition root builds (buildRuntime: its Firestore settings, e.g.
 * ignoreUndefinedProperties); what was written is read back through a second, independent
 * firebase-admin client (the support's). ID tokens are real RS256 JWTs from a test key pair whose
 * public key is handed to the production verifier as `certs`.
 */

import type { Server } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { Firestore, WriteBatch } from 'firebase-admin/firestore';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type * as z from 'zod';
import { generateWorkbook } from '../../../bench/generate';
import { systemClock } from '../../../functions/src/clock';
import { type Config, ConfigError, parseConfig } from '../../../functions/src/config';
import { createApi, guardServer } from '../../../functions/src/http/api';
import { createIdentityVerifier } from '../../../functions/src/http/auth';
import { type ApiDeps, ApiError } from '../../../functions/src/http/handler';
import { lineLog } from '../../../functions/src/logs';
import { buildRuntime, type Runtime } from '../../../functions/src/runtime';
import { docIdOf } from '../../../functions/src/store/docIds';
import { PlanStore } from '../../../functions/src/store/planStore';
import { RECORD_COLLECTIONS } from '../../../functions/src/store/records';
import { ErrorBody, matchRoute, ROUTES, routeUrl, StatsResponse, SyncResponse } from '../../../shared/api';
import { API_ERRORS } from '../../../shared/apiErrors';
import { dayOf, serialOf } from '../../../shared/dates';
import { SAMPLE_MISTAKES, sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import type { RawWorkbook } from '../../../shared/workbook';
import { useFirestoreEmulator } from '../../support/firestore';
import { createTestSigner, type TestSigner } from '../../support/id-tokens';
import { postLarge } from '../../support/postLarge';
import { testRuntime } from '../../support/runtime';

const handle = useFirestoreEmulator('api', { reset: true });

const AUDIENCE = 'test-client-id';
const OWNER = 'owner@example.cn';
const OTHER_ADMIN = 'admin2@example.cn';
/** Listed in the sample's 设置 编辑人员. */
const EDITOR = 'wangfang@example.cn';
const STRANGER = 'stranger@example.cn';
const DEV_TOKEN = 'dev-token-for-the-api-test-0123456789';
const DEV_EMAIL = 'dev@example.cn';
const PLAN = 'xx-2026';
const YEAR = 2026;
/** The last day of the sample's year, so the sample shows exactly its deliberate mistakes. */
const NOW = new Date('2026-12-31T04:00:00Z');

// ---------------------------------------------------------------------------------------------
// Workbooks as the add-on sends them: JSON, dates as spreadsheet serial numbers.

type JsonCell = string | number | boolean | null;
interface JsonRow {
  row: number;
  cells: JsonCell[];
}
interface JsonTab {
  name: string;
  header: JsonCell[];
  rows: JsonRow[];
}
interface JsonWorkbook {
  tabs: JsonTab[];
}

const serial = (iso: string) => serialOf(dayOf(iso));

function toJson(workbook: RawWorkbook): JsonWorkbook {
  return {
    tabs: workbook.tabs.map((tab) => ({
      name: tab.name,
      header: tab.header.map(jsonCell),
      rows: tab.rows.map((row) => ({ row: row.row, cells: row.cells.map(jsonCell) })),
    })),
  };
}

function jsonCell(cell: RawWorkbook['tabs'][number]['header'][number]): JsonCell {
  return cell instanceof Date ? serial(cell.toISOString().slice(0, 10)) : cell;
}

const sample = (): JsonWorkbook => toJson(sampleWorkbook(YEAR));
function tabOf(workbook: JsonWorkbook, name: string): JsonTab {
  const tab = workbook.tabs.find((t) => t.name === name);
  if (!tab) throw new Error(`no tab ${name}`);
  return tab;
}

function columnOf(tab: JsonTab, header: string): number {
  const index = tab.header.indexOf(header);
  if (index < 0) throw new Error(`no column ${header} in ${tab.name}`);
  return index;
}

/** The activity row whose 记录编号 is `id`. */
function activityRow(workbook: JsonWorkbook, id: string): JsonRow {
  const tab = tabOf(workbook, '活动');
  const row = tab.rows.find((r) => r.cells[columnOf(tab, '记录编号')] === id);
  if (!row) throw new Error(`no activity ${id}`);
  return row;
}

function setCell(workbook: JsonWorkbook, tabName: string, row: JsonRow, header: string, value: JsonCell) {
  row.cells[columnOf(tabOf(workbook, tabName), header)] = value;
}

/** A deterministic shuffle (mulberry32), so a failure reproduces. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

interface MiniActivity {
  id?: string;
  date: string;
  measure: string;
  title: string;
  participants?: number;
}

/** A small plan written from scratch: every cell below is one the validation accepts. */
function miniWorkbook(plan: {
  partners: string[];
  measures: string[];
  activities: MiniActivity[];
  editors?: string[];
}): JsonWorkbook {
  return {
    tabs: [
      {
        name: '设置',
        header: ['项目', '值'],
        rows: [
          { row: 2, cells: ['社区名称', '测试社区'] },
          { row: 3, cells: ['计划年度', YEAR] },
          { row: 4, cells: ['编辑人员', (plan.editors ?? []).join('、')] },
        ],
      },
      {
        name: '共建单位',
        header: ['单位编号', '单位名称', '邮箱'],
        rows: plan.partners.map((id, i) => ({
          row: i + 2,
          cells: [id, `单位 ${i + 1}`, `unit${i + 1}@example.cn`],
        })),
      },
      {
        name: '计划',
        header: ['编号', '类别', '事项'],
        rows: plan.measures.map((id, i) => ({ row: i + 2, cells: [id, '党建共商', `事项 ${i + 1}`] })),
      },
      {
        name: '活动',
        header: ['记录编号', '日期', '关联事项', '活动名称', '参与人数'],
        rows: plan.activities.map((a, i) => ({
          row: i + 2,
          cells: [a.id ?? null, serial(a.date), a.measure, a.title, a.participants ?? null],
        })),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// The API under test, served over real HTTP.

let signer: TestSigner;
let stranger: TestSigner;
let runtime: Runtime;
const runtimeLog: string[] = [];
const apiLog: string[] = [];
const servers: Server[] = [];
/** Every `batch.commit()` of the counting store, with its number of writes. */
const commits: number[] = [];
let urls:
  | { main: string; smallLimit: string; dev: string; counting: string; guarded: string; guardedSmall: string }
  | undefined;

/** The production settings (no development token can be configured there). */
function productionConfig(extra: Record<string, string> = {}): Config {
  return parseConfig({
    GONGJIAN_ENV: 'production',
    GONGJIAN_PROJECT: handle.projectId,
    GONGJIAN_AUDIENCES: AUDIENCE,
    GONGJIAN_ADMINS: `${OWNER},${OTHER_ADMIN}`,
    MAIL_FROM: 'noreply@shequ.example.cn',
    ...extra,
  });
}

/** ApiDeps as buildRuntime makes them from a config, but verifying against the test key. */
function depsFrom(config: Config, store: PlanStore): ApiDeps {
  const verifier = createIdentityVerifier({
    audiences: config.audiences,
    devEmail: config.devEmail,
    ...(config.devToken ? { devToken: config.devToken } : {}),
    certs: async () => signer.certs,
  });
  return {
    store,
    verifyIdentity: (header) => verifier.verify(header),
    admins: config.admins,
    maxBodyBytes: config.maxBodyBytes,
    now: () => NOW,
    sleep: systemClock.sleep,
    log: lineLog((line) => apiLog.push(line)),
  };
}

/** A PlanStore over the runtime's Firestore that records the size of every batch it commits. */
function countingStore(db: Firestore): PlanStore {
  const counting = new Proxy(db, {
    get(target, property) {
      if (property === 'batch') {
        return () => {
          const batch = target.batch();
          let writes = 0;
          return new Proxy(batch, {
            get(b, p) {
              const value = Reflect.get(b, p, b) as unknown;
              if (typeof value !== 'function') return value;
              if (p === 'set' || p === 'delete' || p === 'create' || p === 'update') {
                return (...args: unknown[]) => {
                  writes += 1;
                  (value as (...a: unknown[]) => WriteBatch).apply(b, args);
                  return b;
                };
              }
              if (p === 'commit') {
                return () => {
                  commits.push(writes);
                  return batch.commit();
                };
              }
              return (value as (...a: unknown[]) => unknown).bind(b);
            },
          });
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new PlanStore(counting);
}

async function serve(
  name: string,
  handler: (req: never, res: never) => unknown,
  guard?: (server: Server) => void,
): Promise<string> {
  http(name, handler as Parameters<typeof http>[1]);
  const server = getTestServer(name);
  guard?.(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function guardedServer(name: string, deps: ApiDeps): Promise<string> {
  return serve(name, createApi(deps), (server) => guardServer(server, deps));
}

// The support rethrows a failed emulator start in its own beforeEach (which runs first), so
// building here, lazily, makes a missing emulator fail every test instead of skipping them.
beforeEach(async () => {
  if (urls) return;
  signer = createTestSigner();
  stranger = createTestSigner();
  runtime = testRuntime(handle, {
    env: {
      GONGJIAN_AUDIENCES: AUDIENCE,
      GONGJIAN_ADMINS: `${OWNER},${DEV_EMAIL}`,
      GONGJIAN_DEV_TOKEN: DEV_TOKEN,
      GONGJIAN_DEV_EMAIL: DEV_EMAIL,
    },
    log: lineLog((line) => runtimeLog.push(line)),
  });
  urls = {
    main: await serve('api-main', createApi(depsFrom(productionConfig(), runtime.store))),
    smallLimit: await serve(
      'api-small-limit',
      createApi(depsFrom(productionConfig({ GONGJIAN_MAX_BODY_BYTES: '2000' }), runtime.store)),
    ),
    // The development runtime's own handler, exactly as the local stack serves it.
    dev: await serve(
      'api-dev',
      (req, res) => runtime.api(req, res),
      (server) => runtime.guardApiServer(server),
    ),
    counting: await serve(
      'api-counting',
      createApi(depsFrom(productionConfig(), countingStore(runtime.mailQueue.db))),
    ),
    // The production handler behind the preflight guard, at the default limit and at 2,000 bytes.
    guarded: await guardedServer('api-guarded', depsFrom(productionConfig(), runtime.store)),
    guardedSmall: await guardedServer(
      'api-guarded-small',
      depsFrom(productionConfig({ GONGJIAN_MAX_BODY_BYTES: '2000' }), runtime.store),
    ),
  };
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await runtime?.close();
});

const base = (which: keyof NonNullable<typeof urls> = 'main') => {
  if (!urls) throw new Error('the API is not being served');
  return urls[which];
};

const claims = (email: string, extra: Record<string, unknown> = {}) => ({
  aud: AUDIENCE,
  email,
  email_verified: true,
  ...extra,
});
const bearer = (email: string) => `Bearer ${signer.sign(claims(email))}`;

interface Call {
  method?: string;
  action?: 'sync' | 'validate' | 'stats';
  plan?: string;
  authorization?: string | undefined;
  body?: unknown;
  contentType?: string;
  server?: keyof NonNullable<typeof urls>;
}

async function call({
  method,
  action = 'sync',
  plan = PLAN,
  authorization,
  body,
  contentType = 'application/json',
  server = 'main',
}: Call): Promise<Response> {
  const headers: Record<string, string> = {};
  if (authorization !== undefined) headers.authorization = authorization;
  const init: RequestInit = { method: method ?? (action === 'stats' ? 'GET' : 'POST'), headers };
  if (body !== undefined) {
    headers['content-type'] = contentType;
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return fetch(`${base(server)}/v1/plans/${plan}/${action}`, init);
}

type Writes = SyncResponse['writes'];

/**
 * A 200 answer, parsed with the contract's schema (shared/api.ts): the one the add-on and the local
 * stack parse it with, so every answer this suite reads is one they would understand.
 */
async function ok<S extends z.ZodType = typeof SyncResponse>(
  response: Response,
  schema: S = SyncResponse as unknown as S,
): Promise<z.infer<S>> {
  const text = await response.text();
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${text}`);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return schema.parse(JSON.parse(text));
}

async function sync(body: unknown, email = OWNER, server: Call['server'] = 'main'): Promise<SyncResponse> {
  return ok(await call({ authorization: bearer(email), body, server }));
}

const NONE: Writes = { created: 0, updated: 0, deleted: 0 };
const HAN = /\p{Script=Han}/u;

/** Asserts a refusal: its status, and a JSON body with the code and a Chinese message. */
async function expectRefusal(response: Response, status: number, code: string): Promise<void> {
  const text = await response.text();
  expect({ status: response.status, text }).toMatchObject({ status });
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  // The error body of the contract, which the add-on reads its sentence from.
  const body = ErrorBody.parse(JSON.parse(text));
  expect(body).toEqual({
    error: { code, message: expect.stringMatching(HAN), messageEn: expect.any(String) },
  });
  expect(body.error.messageEn).not.toMatch(HAN);
}

// ---------------------------------------------------------------------------------------------
// Reading the emulator back through the support's own client.

const db = () => handle.firestore();
const stamp = (t: { seconds: number; nanoseconds: number }) =>
  `${t.seconds}.${String(t.nanoseconds).padStart(9, '0')}`;

/**
 * Every existing document in the database, by path, with its update time: one kindless
 * all-descendants query (what recursiveDelete uses) over the emulator's REST API, as admin.
 */
async function allDocuments(): Promise<Map<string, string>> {
  const root = `projects/${handle.projectId}/databases/(default)/documents`;
  const response = await fetch(`http://${handle.host}/v1/${root}:runQuery`, {
    method: 'POST',
    headers: { authorization: 'Bearer owner', 'content-type': 'application/json' },
    body: JSON.stringify({ structuredQuery: { from: [{ allDescendants: true }] } }),
  });
  if (!response.ok) throw new Error(`runQuery: ${response.status} ${await response.text()}`);
  const results = (await response.json()) as { document?: { name: string; updateTime: string } }[];
  const found = new Map<string, string>();
  for (const { document } of results) {
    if (document) found.set(document.name.slice(root.length + 1), document.updateTime);
  }
  return found;
}

/** The record documents of a plan, by path, with their update times. */
async function recordDocuments(plan = PLAN): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const collection of RECORD_COLLECTIONS) {
    const snapshot = await db().collection(`plans/${plan}/${collection}`).get();
    for (const doc of snapshot.docs) found.set(doc.ref.path, stamp(doc.updateTime));
  }
  return found;
}

async function countRecords(plan = PLAN): Promise<Record<(typeof RECORD_COLLECTIONS)[number], number>> {
  const counts = { partners: 0, measures: 0, activities: 0 };
  for (const collection of RECORD_COLLECTIONS) {
    const snapshot = await db().collection(`plans/${plan}/${collection}`).count().get();
    counts[collection] = snapshot.data().count;
  }
  return counts;
}

async function planDoc(plan = PLAN) {
  return (await db().doc(`plans/${plan}`).get()).data();
}

/** Rows of a tab with at least one error, from a sync's issues. */
function rejectedRows(response: SyncResponse, tab: string): Set<number> {
  return new Set(response.issues.filter((i) => i.tab === tab && i.severity === 'error').map((i) => i.row));
}

// ---------------------------------------------------------------------------------------------

describe('the route table', () => {
  it('matches every route of the table by its path, with or without a trailing slash, and nothing else', () => {
    for (const name of Object.keys(ROUTES) as (keyof typeof ROUTES)[]) {
      const url = new URL(routeUrl('http://api.test/', 'plan-1', name));
      expect(matchRoute(url.pathname)).toEqual({ route: name, planId: 'plan-1' });
      expect(matchRoute(`${url.pathname}/`)).toEqual({ route: name, planId: 'plan-1' });
    }
    expect(matchRoute('/v1/plans/plan-1/requests/revoke/extra')).toBeUndefined();
    expect(matchRoute('/v1/plans/plan-1/delete')).toBeUndefined();
    expect(matchRoute('/v1/plans//sync')).toBeUndefined();
    // @ts-expect-error a route the table does not declare has no URL (npm run typecheck)
    expect(() => routeUrl('http://api.test', 'plan-1', 'made_up')).toThrow();
  });
});

describe('the refusal codes', () => {
  it('a refusal takes only a code of the contract, and answers with the status the table gives it', () => {
    expect(new ApiError('sync_in_progress', '忙', 'busy').status).toBe(409);
    expect(new ApiError('workbook_bound', '绑定', 'bound').status).toBe(API_ERRORS.workbook_bound);
    // @ts-expect-error a code the contract does not declare is a compile error (npm run typecheck)
    void new ApiError('made_up_code', '无', 'none');
  });
});

describe('sync: what is written', () => {
  it('the first sync by an admin creates the plan, owned by the caller, with one document per accepted record', async () => {
    const body = sample();
    // The admin list is lower case; the token's email need not be.
    const result = await sync(body, 'Owner@Example.CN');

    expect(result.planId).toBe(PLAN);
    expect(result.asOf).toBe('2026-12-31');
    expect(result.version).toBe(1);
    // Every deliberate mistake of the sample is reported where it is.
    for (const mistake of SAMPLE_MISTAKES) {
      expect(result.issues).toContainEqual(
        expect.objectContaining({ tab: mistake.tab, row: mistake.row, code: mistake.code }),
      );
    }
    for (const issue of result.issues) expect(issue.message).toMatch(HAN);

    // Counts: every data row, and accepted = rows without an error.
    const dataRows = (name: string) => tabOf(body, name).rows.length;
    for (const [key, name] of [
      ['partners', '共建单位'],
      ['plan', '计划'],
      ['activities', '活动'],
    ] as const) {
      const rejected = rejectedRows(result, key).size;
      expect(result.tabs[key], key).toEqual({
        rows: dataRows(name),
        accepted: dataRows(name) - rejected,
        rejected,
      });
    }
    expect(result.tabs.plan.rejected).toBe(1);
    expect(result.tabs.activities.rejected).toBe(4);

    // One document per accepted record, nothing else written as a record.
    const accepted =
      result.tabs.partners.accepted + result.tabs.plan.accepted + result.tabs.activities.accepted;
    expect(result.writes).toEqual({ created: accepted, updated: 0, deleted: 0 });
    expect(await countRecords()).toEqual({
      partners: result.tabs.partners.accepted,
      measures: result.tabs.plan.accepted,
      activities: result.tabs.activities.accepted,
    });

    // An ID for every accepted activity typed without one, and only for those.
    const activities = tabOf(body, '活动');
    const idColumn = columnOf(activities, '记录编号');
    const rejected = rejectedRows(result, 'activities');
    const withoutId = activities.rows
      .filter((r) => r.cells[idColumn] === null && !rejected.has(r.row))
      .map((r) => r.row);
    expect(result.assignedIds.map((a) => a.row)).toEqual(withoutId);
    expect(new Set(result.assignedIds.map((a) => a.activityId)).size).toBe(withoutId.length);
    for (const { activityId } of result.assignedIds) {
      expect(activityId).toMatch(/^A[0-9A-F]{10}$/);
      const stored = await db()
        .doc(`plans/${PLAN}/activities/${docIdOf(activityId)}`)
        .get();
      expect(stored.get('data.activityId')).toBe(activityId);
    }
    // The typed IDs are kept as typed.
    expect((await db().doc(`plans/${PLAN}/activities/A0001`).get()).get('data.title')).toBe(
      '共建工作领导小组成立会议',
    );

    // The whole database now: the plan, its records, one chunk of issues and one of the change
    // log — every record created went in one batch (the listing used below to prove that refused
    // requests write nothing sees every document).
    const records = await recordDocuments();
    const all = [...(await allDocuments()).keys()];
    const changes = all.filter((path) => path.startsWith(`plans/${PLAN}/changes/`));
    expect(changes).toHaveLength(1);
    expect(all.sort()).toEqual(
      [`plans/${PLAN}`, `plans/${PLAN}/issues/0`, ...changes, ...records.keys()].sort(),
    );

    const plan = await planDoc();
    expect(plan).toMatchObject({
      planId: PLAN,
      owner: OWNER,
      syncedBy: OWNER,
      version: 1,
      editors: ['wangfang@example.cn', 'chenjianguo@example.cn', 'liuyang@example.cn', 'zhaomin@example.cn'],
      tabs: result.tabs,
    });
    expect(plan?.settings).toMatchObject({ year: YEAR, community: 'xx社区' });
  });

  it('assigns the same IDs on every request for the same rows: validate, validate again, sync', async () => {
    await sync(sample());
    const first = await ok(await call({ action: 'validate', authorization: bearer(OWNER), body: sample() }));
    const second = await ok(await call({ action: 'validate', authorization: bearer(OWNER), body: sample() }));
    expect(first.assignedIds.length).toBeGreaterThan(0);
    expect(second.assignedIds).toEqual(first.assignedIds);
    const synced = await sync(sample());
    expect(synced.assignedIds).toEqual(first.assignedIds);
  });

  it('re-syncing an unchanged workbook writes no record', async () => {
    const first = await sync(sample());
    const before = await recordDocuments();
    expect(before.size).toBe(first.writes.created);

    const again = await sync(sample());
    expect(again.writes).toEqual(NONE);
    expect(again.version).toBe(first.version);
    expect(again.assignedIds).toEqual(first.assignedIds);
    // Not one record document was touched (a write would move its update time).
    expect(await recordDocuments()).toEqual(before);
    expect((await planDoc())?.version).toBe(1);
  });

  it('writing the assigned IDs back into the sheet, as the add-on does, writes nothing', async () => {
    const body = sample();
    const first = await sync(body);
    const before = await recordDocuments();
    const activities = tabOf(body, '活动');
    for (const { row, activityId } of first.assignedIds) {
      const target = activities.rows.find((r) => r.row === row);
      if (!target) throw new Error(`no row ${row}`);
      setCell(body, '活动', target, '记录编号', activityId);
    }
    const again = await sync(body);
    expect(again.assignedIds).toEqual([]);
    expect(again.writes).toEqual(NONE);
    expect(await recordDocuments()).toEqual(before);
  });

  it('reordered rows with new row numbers write nothing', async () => {
    const first = await sync(sample());
    const before = await recordDocuments();

    const body = sample();
    for (const [i, tab] of body.tabs.entries()) {
      if (tab.name === '设置') continue;
      let order = shuffled(tab.rows, 1000 + i);
      if (tab.name === '活动') {
        // The sample types one training class twice (same date, measure and title): which of two
        // such ID-less rows is "first" is decided by their order, so keep those two in theirs
        // (the next test shows what swapping them does).
        const twins = tab.rows.filter((r) => r.cells.includes('居民文明素养培训班第2期：垃圾分类与绿色生活'));
        expect(twins).toHaveLength(2);
        const slots = order.flatMap((r, at) => (twins.includes(r) ? [at] : []));
        order = order.map((r, at) => (slots.includes(at) ? (twins[slots.indexOf(at)] as JsonRow) : r));
      }
      // New row numbers too, with gaps (blank rows in between).
      tab.rows = order.map((r, at) => ({ row: 2 + at * 2, cells: r.cells }));
    }
    body.tabs.reverse();

    const again = await sync(body);
    expect(again.writes).toEqual(NONE);
    expect(again.tabs).toEqual(first.tabs);
    // The issues now name other rows, so the version moves once (the 校验 tab must point at the
    // right cells); no record is written.
    expect(again.version).toBe(first.version + 1);
    expect(new Set(again.assignedIds.map((a) => a.activityId))).toEqual(
      new Set(first.assignedIds.map((a) => a.activityId)),
    );
    expect(await recordDocuments()).toEqual(before);
  });

  it('two ID-less rows with the same date, measure and title trade IDs when swapped (known limit)', async () => {
    // The assigned ID is content-derived plus "which occurrence": swapping two such rows before
    // their IDs are written back swaps which content each ID holds — two updates, nothing lost.
    await sync(sample());
    const body = sample();
    const activities = tabOf(body, '活动');
    const title = '居民文明素养培训班第2期：垃圾分类与绿色生活';
    const [a, b] = activities.rows.filter((r) => r.cells.includes(title));
    if (!a || !b) throw new Error('the sample lost its twin rows');
    [a.cells, b.cells] = [b.cells, a.cells];
    const again = await sync(body);
    expect(again.writes).toEqual({ created: 0, updated: 2, deleted: 0 });
  });

  it('an edited title updates one record; a removed row deletes one; an added row creates one', async () => {
    await sync(sample());
    const body = sample();

    setCell(body, '活动', activityRow(body, 'A0003'), '活动名称', '1月志愿服务日：迎新春环境大扫除（改）');
    let before = await recordDocuments();
    let result = await sync(body);
    expect(result.writes).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(result.version).toBe(2);
    let after = await recordDocuments();
    const changed = [...after].filter(([path, time]) => before.get(path) !== time).map(([path]) => path);
    expect(changed).toEqual([`plans/${PLAN}/activities/A0003`]);
    expect((await db().doc(`plans/${PLAN}/activities/A0003`).get()).get('data.title')).toBe(
      '1月志愿服务日：迎新春环境大扫除（改）', // free text is kept as typed (§3)
    );

    const activities = tabOf(body, '活动');
    activities.rows = activities.rows.filter((r) => r !== activityRow(body, 'A0005'));
    before = await recordDocuments();
    result = await sync(body);
    expect(result.writes).toEqual({ created: 0, updated: 0, deleted: 1 });
    expect(result.version).toBe(3);
    after = await recordDocuments();
    expect([...before.keys()].filter((path) => !after.has(path))).toEqual([`plans/${PLAN}/activities/A0005`]);

    const last = Math.max(...activities.rows.map((r) => r.row));
    const added = [...activityRow(body, 'A0002').cells];
    added[columnOf(activities, '记录编号')] = 'A9999';
    added[columnOf(activities, '活动名称')] = '新增的一条活动';
    activities.rows.push({ row: last + 1, cells: added });
    before = await recordDocuments();
    result = await sync(body);
    expect(result.writes).toEqual({ created: 1, updated: 0, deleted: 0 });
    after = await recordDocuments();
    expect([...after.keys()].filter((path) => !before.has(path))).toEqual([`plans/${PLAN}/activities/A9999`]);

    // A partner and a measure edit count the same way.
    setCell(body, '共建单位', tabOf(body, '共建单位').rows[0] as JsonRow, '联系人', '周建国');
    setCell(body, '计划', tabOf(body, '计划').rows[1] as JsonRow, '目标值', 5);
    result = await sync(body);
    expect(result.writes).toEqual({ created: 0, updated: 2, deleted: 0 });
  });

  it('a row that becomes invalid loses its record while the sheet keeps it; counts are of accepted rows', async () => {
    const first = await sync(sample());
    const body = sample();
    const row = activityRow(body, 'A0004');
    setCell(body, '活动', row, '参与人数', '十几个');

    const result = await sync(body);
    expect(result.writes).toEqual({ created: 0, updated: 0, deleted: 1 });
    expect(result.issues).toContainEqual(
      expect.objectContaining({ tab: 'activities', row: row.row, code: 'invalid_number', severity: 'error' }),
    );
    expect(result.tabs.activities).toEqual({
      rows: first.tabs.activities.rows,
      accepted: first.tabs.activities.accepted - 1,
      rejected: first.tabs.activities.rejected + 1,
    });
    expect((await db().doc(`plans/${PLAN}/activities/A0004`).get()).exists).toBe(false);
    expect((await countRecords()).activities).toBe(result.tabs.activities.accepted);
    expect((await planDoc())?.tabs).toEqual(result.tabs);
    // What statistics are computed from: the accepted rows only.
    const stored = await runtime.store.getPlan(PLAN);
    if (!stored) throw new Error('no plan');
    const model = await runtime.store.loadModel(stored);
    expect(model.activities).toHaveLength(result.tabs.activities.accepted);
    expect(model.activities.map((a) => a.activityId)).not.toContain('A0004');

    // Fixed again: the record comes back.
    const fixed = await sync(sample());
    expect(fixed.writes).toEqual({ created: 1, updated: 0, deleted: 0 });
  });

  it('more than 500 changes land, committed in batches of at most 500 writes', async () => {
    const activities = (suffix: string): MiniActivity[] =>
      Array.from({ length: 1200 }, (_, i) => ({
        date: `${YEAR}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
        measure: i % 2 === 0 ? '1.1' : '1.2',
        title: `活动 ${i + 1}${suffix}`,
        participants: (i % 40) + 1,
      }));
    const plan = { partners: ['P01'], measures: ['1.1', '1.2'] };

    commits.length = 0;
    const first = await sync(miniWorkbook({ ...plan, activities: activities('') }), OWNER, 'counting');
    expect(first.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(first.writes).toEqual({ created: 1203, updated: 0, deleted: 0 });
    expect(first.assignedIds).toHaveLength(1200);
    expect(await countRecords()).toEqual({ partners: 1, measures: 2, activities: 1200 });
    expect(Math.max(...commits)).toBeLessThanOrEqual(500);
    expect(commits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1203);

    // New titles mean new content-derived IDs: 1,200 creates, and 1,200 deletes — every stored
    // activity, so the guard holds them until the same sync comes with their confirmation.
    const renamedBody = miniWorkbook({ ...plan, activities: activities('（改）') });
    const renamed = await sync(renamedBody, OWNER, 'counting');
    expect(renamed.writes).toEqual({ created: 1200, updated: 0, deleted: 0 });
    expect(renamed.pendingDeletions).toMatchObject([{ tab: 'activities', count: 1200, total: 1200 }]);
    expect(await countRecords()).toEqual({ partners: 1, measures: 2, activities: 2400 });
    commits.length = 0;
    const confirmDeletions = renamed.pendingDeletions.map(({ tab, count, token }) => ({ tab, count, token }));
    const confirmed = await sync({ ...renamedBody, confirmDeletions }, OWNER, 'counting');
    expect(confirmed.writes).toEqual({ created: 0, updated: 0, deleted: 1200 });
    expect(await countRecords()).toEqual({ partners: 1, measures: 2, activities: 1200 });
    expect(commits.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...commits)).toBeLessThanOrEqual(500);

    const again = await sync(miniWorkbook({ ...plan, activities: activities('（改）') }), OWNER, 'counting');
    expect(again.writes).toEqual(NONE);
  }, 60_000);

  it('IDs that are awkward as Firestore document IDs are stored under escaped IDs and round-trip', async () => {
    const partners = ['a/b', 'a%2Fb', '.', '..', '__x__', '党建-01'];
    const measures = ['4.3', '4.30', '__m__', '..'];
    const activities: MiniActivity[] = [
      { id: 'x/y/z', date: `${YEAR}-03-01`, measure: '4.3', title: '一' },
      { id: '.', date: `${YEAR}-03-02`, measure: '4.30', title: '二' },
      { id: '..', date: `${YEAR}-03-03`, measure: '__m__', title: '三' },
      { id: '__id__', date: `${YEAR}-03-04`, measure: '..', title: '四' },
      { id: '活动-甲', date: `${YEAR}-03-05`, measure: '4.3', title: '五' },
      { id: '100%', date: `${YEAR}-03-06`, measure: '4.30', title: '六' },
    ];
    const body = miniWorkbook({ partners, measures, activities });
    const result = await sync(body);
    expect(result.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(result.writes).toEqual({ created: 16, updated: 0, deleted: 0 });

    const stored = async (collection: string, field: string) => {
      const snapshot = await db().collection(`plans/${PLAN}/${collection}`).get();
      return new Map(snapshot.docs.map((doc) => [doc.id, doc.get(`data.${field}`) as string]));
    };
    const expected = (ids: string[]) => new Map(ids.map((id) => [docIdOf(id), id]));
    expect(await stored('partners', 'partnerId')).toEqual(expected(partners));
    expect(await stored('measures', 'measureId')).toEqual(expected(measures));
    expect(await stored('activities', 'activityId')).toEqual(expected(activities.map((a) => a.id as string)));
    // '4.3' and '4.30' are two measures, and each activity kept its own.
    const byId = await stored('activities', 'measureId');
    expect(byId.get(docIdOf('.'))).toBe('4.30');
    expect(byId.get(docIdOf('x/y/z'))).toBe('4.3');
    // Nothing landed outside the plan's three record collections, its issues and its change log
    // (no nested path from a '/').
    const paths = [...(await allDocuments()).keys()];
    for (const path of paths) {
      expect(path).toMatch(/^plans\/xx-2026(\/(partners|measures|activities|issues|changes)\/[^/]+)?$/);
    }

    const before = await recordDocuments();
    const again = await sync(body);
    expect(again.writes).toEqual(NONE);
    expect(await recordDocuments()).toEqual(before);
  });
});

describe('validate', () => {
  it('answers like sync and writes nothing', async () => {
    await sync(sample());
    const before = await allDocuments();
    const body = sample();
    setCell(body, '活动', activityRow(body, 'A0003'), '活动名称', '改了的标题');
    tabOf(body, '活动').rows.pop();

    const result = await ok(await call({ action: 'validate', authorization: bearer(EDITOR), body }));
    expect(result.writes).toEqual(NONE);
    expect(result.version).toBe(1);
    expect(result.tabs.activities.rows).toBe(tabOf(body, '活动').rows.length);
    expect(result.issues.length).toBeGreaterThan(0);
    expect(await allDocuments()).toEqual(before);
  });

  it('an unknown plan is 404 even for an admin, and nothing is created', async () => {
    const response = await call({ action: 'validate', authorization: bearer(OWNER), body: sample() });
    await expectRefusal(response, 404, 'unknown_plan');
    expect((await allDocuments()).size).toBe(0);
  });
});

describe('stats', () => {
  it('is 404 no_stats until statistics exist, then answers them with the plan version', async () => {
    await sync(sample());
    await expectRefusal(await call({ action: 'stats', authorization: bearer(OWNER) }), 404, 'no_stats');

    // Statistics as the trigger would compute them, from what the sync stored.
    const plan = await runtime.store.getPlan(PLAN);
    if (!plan) throw new Error('no plan');
    const stats = {
      asOf: '2026-12-31',
      inputVersion: plan.version,
      computedAt: NOW.toISOString(),
      stats: computeStats(await runtime.store.loadModel(plan), '2026-12-31'),
    };
    await runtime.store.saveStats(PLAN, stats);
    const answer = await ok(await call({ action: 'stats', authorization: bearer(EDITOR) }), StatsResponse);
    expect(answer).toEqual({ planVersion: 1, sync: 'complete', ...stats });
  });

  it('is 404 unknown_plan for an unknown plan, and 403 for a non-editor', async () => {
    await expectRefusal(await call({ action: 'stats', authorization: bearer(OWNER) }), 404, 'unknown_plan');
    await sync(sample());
    await expectRefusal(await call({ action: 'stats', authorization: bearer(STRANGER) }), 403, 'not_editor');
  });
});

describe('auth: refused requests change nothing', () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const cases: { name: string; authorization: () => string | undefined; status: number; code: string }[] = [
    { name: 'no Authorization header', authorization: () => undefined, status: 401, code: 'missing_token' },
    {
      name: 'not a Bearer credential',
      authorization: () => `Basic ${Buffer.from(`${OWNER}:x`).toString('base64')}`,
      status: 401,
      code: 'missing_token',
    },
    { name: 'garbage', authorization: () => 'Bearer not-a-token', status: 401, code: 'invalid_token' },
    {
      name: 'bad signature',
      authorization: () => `Bearer ${stranger.sign(claims(OWNER), { kid: signer.kid })}`,
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'a key we do not know',
      authorization: () => `Bearer ${stranger.sign(claims(OWNER))}`,
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'wrong audience',
      authorization: () => `Bearer ${signer.sign(claims(OWNER, { aud: 'another-client-id' }))}`,
      status: 401,
      code: 'wrong_audience',
    },
    {
      name: 'expired',
      authorization: () => `Bearer ${signer.sign(claims(OWNER, { iat: nowSeconds() - 7200 }))}`,
      status: 401,
      code: 'token_expired',
    },
    {
      name: 'unverified email',
      authorization: () => `Bearer ${signer.sign(claims(OWNER, { email_verified: false }))}`,
      status: 403,
      code: 'email_unverified',
    },
    {
      name: 'no email',
      authorization: () => `Bearer ${signer.sign(claims(OWNER, { email: undefined }))}`,
      status: 401,
      code: 'email_missing',
    },
    {
      name: 'the development token under production settings',
      authorization: () => `Bearer ${DEV_TOKEN}`,
      status: 401,
      code: 'invalid_token',
    },
    {
      name: 'an authenticated stranger',
      authorization: () => bearer(STRANGER),
      status: 403,
      code: 'not_editor',
    },
    {
      name: 'an admin who is neither owner nor editor of this plan',
      authorization: () => bearer(OTHER_ADMIN),
      status: 403,
      code: 'not_editor',
    },
  ];

  it.each(cases)(
    '$name → $status $code on sync, validate and stats',
    async ({ authorization, status, code }) => {
      await sync(sample());
      const changed = sample();
      setCell(changed, '活动', activityRow(changed, 'A0001'), '活动名称', '不该写入的标题');
      const before = await allDocuments();

      await expectRefusal(await call({ authorization: authorization(), body: changed }), status, code);
      await expectRefusal(
        await call({ action: 'validate', authorization: authorization(), body: changed }),
        status,
        code,
      );
      await expectRefusal(await call({ action: 'stats', authorization: authorization() }), status, code);
      expect(await allDocuments()).toEqual(before);
    },
  );

  it.each(cases.slice(0, 10))(
    '$name → $status $code on an unknown plan, and no plan is created',
    async ({ authorization, status, code }) => {
      await expectRefusal(await call({ authorization: authorization(), body: sample() }), status, code);
      expect((await allDocuments()).size).toBe(0);
    },
  );

  it("a non-admin's first sync of an unknown plan is 404 unknown_plan, even if the workbook lists them", async () => {
    await expectRefusal(await call({ authorization: bearer(EDITOR), body: sample() }), 404, 'unknown_plan');
    await expectRefusal(await call({ authorization: bearer(STRANGER), body: sample() }), 404, 'unknown_plan');
    expect((await allDocuments()).size).toBe(0);
  });

  it('an editor listed in 设置 编辑人员 may sync after the first sync, and stays a non-owner', async () => {
    await expectRefusal(await call({ authorization: bearer(EDITOR), body: sample() }), 404, 'unknown_plan');
    await sync(sample());
    const body = sample();
    setCell(body, '活动', activityRow(body, 'A0002'), '参与人数', 9);
    const result = await sync(body, 'WangFang@Example.CN');
    expect(result.writes).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(await planDoc()).toMatchObject({ owner: OWNER, syncedBy: EDITOR, version: 2 });
  });

  it('an editor removed from 编辑人员 is refused on the next request; the owner never is', async () => {
    await sync(sample());
    const body = sample();
    const settings = tabOf(body, '设置');
    const editors = settings.rows.find((r) => r.cells[0] === '编辑人员') as JsonRow;
    editors.cells[1] = 'liuyang@example.cn';
    await sync(body);
    const before = await allDocuments();
    await expectRefusal(await call({ authorization: bearer(EDITOR), body }), 403, 'not_editor');
    expect(await allDocuments()).toEqual(before);
    expect((await sync(body, 'liuyang@example.cn')).writes).toEqual(NONE);
    editors.cells[1] = null;
    expect((await sync(body, OWNER)).writes).toEqual(NONE);
  });

  it('the development token works where configured (development), and production refuses to start with one', async () => {
    const result = await ok(
      await call({ authorization: `Bearer ${DEV_TOKEN}`, body: sample(), server: 'dev' }),
    );
    expect(result.writes.created).toBeGreaterThan(0);
    expect(await planDoc()).toMatchObject({ owner: DEV_EMAIL, syncedBy: DEV_EMAIL });
    // The development runtime logged its configuration without the token.
    expect(runtimeLog.join('\n')).not.toContain(DEV_TOKEN);

    const refuse = () =>
      parseConfig({
        GONGJIAN_ENV: 'production',
        GONGJIAN_PROJECT: handle.projectId,
        GONGJIAN_AUDIENCES: AUDIENCE,
        GONGJIAN_ADMINS: OWNER,
        MAIL_FROM: 'noreply@example.cn',
        GONGJIAN_DEV_TOKEN: DEV_TOKEN,
      });
    expect(refuse).toThrow(ConfigError);
    try {
      refuse();
    } catch (error) {
      expect((error as ConfigError).variable).toBe('GONGJIAN_DEV_TOKEN');
      expect((error as ConfigError).message).not.toContain(DEV_TOKEN);
    }
  });
});

describe('HTTP edges', () => {
  it('413 over the body limit, with nothing written', async () => {
    const body = sample();
    expect(JSON.stringify(body).length).toBeGreaterThan(2000);
    await expectRefusal(
      await call({ authorization: bearer(OWNER), body, server: 'smallLimit' }),
      413,
      'body_too_large',
    );
    await expectRefusal(
      await call({
        authorization: bearer(OWNER),
        body: JSON.stringify(body),
        contentType: 'text/plain',
        server: 'smallLimit',
      }),
      413,
      'body_too_large',
    );
    expect((await allDocuments()).size).toBe(0);
    // The same body under the default limit goes through.
    await sync(body);
  });

  it('405 for the wrong method, 404 for an unknown path, before any credential is looked at', async () => {
    await expectRefusal(await call({ method: 'GET', action: 'sync' }), 405, 'method_not_allowed');
    await expectRefusal(await call({ method: 'PUT', action: 'validate' }), 405, 'method_not_allowed');
    await expectRefusal(
      await call({ method: 'POST', action: 'stats', authorization: bearer(OWNER), body: {} }),
      405,
      'method_not_allowed',
    );
    for (const path of [
      '/',
      '/v1/plans',
      `/v1/plans/${PLAN}`,
      `/v1/plans/${PLAN}/delete`,
      `/v2/plans/${PLAN}/sync`,
    ]) {
      const response = await fetch(`${base()}${path}`, {
        method: 'POST',
        headers: { authorization: bearer(OWNER) },
      });
      await expectRefusal(response, 404, 'not_found');
    }
    expect((await allDocuments()).size).toBe(0);
  });

  it('400 invalid_body for a body of the wrong shape, with nothing written', async () => {
    const bad: unknown[] = [
      { tabs: 'not an array' },
      {},
      [],
      { tabs: [{ name: '活动', header: [], rows: [{ row: 1, cells: [] }] }] },
      { tabs: [{ name: '活动', header: [{ nested: true }], rows: [] }] },
      { tabs: [{ name: '活动', header: [], rows: [] }], spreadsheetId: '../../etc' },
    ];
    for (const body of bad) {
      await expectRefusal(await call({ authorization: bearer(OWNER), body }), 400, 'invalid_body');
    }
    expect((await allDocuments()).size).toBe(0);
    await sync(sample());
    const before = await allDocuments();
    await expectRefusal(await call({ authorization: bearer(OWNER), body: { tabs: 1 } }), 400, 'invalid_body');
    expect(await allDocuments()).toEqual(before);
  });

  it('malformed JSON: as application/json the framework answers 400 itself; as text/plain we do', async () => {
    const asJson = await call({
      authorization: bearer(OWNER),
      body: '{"tabs": [',
      contentType: 'application/json',
    });
    expect(asJson.status).toBe(400);
    expect(asJson.headers.get('content-type')).toMatch(/^text\/html/);
    await asJson.text();

    const asText = await call({
      authorization: bearer(OWNER),
      body: '{"tabs": [',
      contentType: 'text/plain',
    });
    await expectRefusal(asText, 400, 'malformed_json');
    expect((await allDocuments()).size).toBe(0);

    // The same workbook as text/plain is accepted (Apps Script's UrlFetchApp may send either).
    const viaText = await ok(
      await call({ authorization: bearer(OWNER), body: JSON.stringify(sample()), contentType: 'text/plain' }),
    );
    expect(viaText.writes.created).toBeGreaterThan(0);
  });

  it("plan IDs with '/', '..' or other characters are 404 unknown_plan, after authentication", async () => {
    const raw = (path: string, authorization?: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(base());
        const body = JSON.stringify(sample());
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            method: 'POST',
            path,
            agent: false,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              ...(authorization ? { authorization } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const code = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

    for (const path of [
      '/v1/plans/../sync',
      '/v1/plans/./sync',
      '/v1/plans/a%2Fb/sync',
      '/v1/plans/%2E%2E/sync',
      '/v1/plans/..%2Fother/sync',
      '/v1/plans/__x__%2F/sync',
      '/v1/plans/%E5%85%B1%E5%BB%BA/sync',
      `/v1/plans/${'a'.repeat(65)}/sync`,
    ]) {
      const anonymous = await raw(path);
      expect({ path, status: anonymous.status }).toEqual({ path, status: 401 });
      const answer = await raw(path, bearer(OWNER));
      expect({ path, status: answer.status, code: code(answer.body) }).toEqual({
        path,
        status: 404,
        code: 'unknown_plan',
      });
    }
    // A '/' inside the ID is two path segments: no such endpoint.
    const nested = await raw('/v1/plans/a/b/sync', bearer(OWNER));
    expect({ status: nested.status, code: code(nested.body) }).toEqual({ status: 404, code: 'not_found' });
    expect((await allDocuments()).size).toBe(0);
  });

  it("a plan ID that passes the pattern but Firestore reserves ('__x__') is 404 unknown_plan, not a 500", async () => {
    // Found by this test: api.ts accepts /^[A-Za-z0-9_-]{1,64}$/, which lets through __.*__;
    // Firestore refuses such a document ID (INVALID_ARGUMENT, "reserved"), getPlan throws after
    // about 6.5 s of client retries, and any authenticated caller gets 500 internal.
    const response = await call({ plan: '__x__', authorization: bearer(OWNER), body: sample() });
    await expectRefusal(response, 404, 'unknown_plan');
    expect((await allDocuments()).size).toBe(0);
  });
});

describe('the body: checked after authentication, against a deliberate limit', () => {
  const HUNDRED_MIB = 100 * 1024 * 1024;

  it('100 MiB without credentials: 401 JSON before the body is read', async () => {
    const started = performance.now();
    const answer = await postLarge(`${base('guarded')}/v1/plans/${PLAN}/sync`, {}, HUNDRED_MIB);
    expect(answer.status).toBe(401);
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body).error.code).toBe('missing_token');
    // The answer came while the client was still sending: a socket buffer's worth, not the body.
    expect(answer.bytesSent).toBeLessThan(16 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await allDocuments()).size).toBe(0);
  });

  it('100 MiB with credentials: 413 body_too_large, our JSON with the limit in Chinese, body unread', async () => {
    const answer = await postLarge(
      `${base('guarded')}/v1/plans/${PLAN}/sync`,
      { authorization: bearer(OWNER) },
      HUNDRED_MIB,
    );
    expect(answer.status).toBe(413);
    expect(answer.contentType).toMatch(/^application\/json/);
    const { error } = JSON.parse(answer.body) as { error: { code: string; message: string } };
    expect(error.code).toBe('body_too_large');
    expect(error.message).toContain('上限 30.0 MiB');
    expect(answer.bytesSent).toBeLessThan(16 * 1024 * 1024);
    expect((await allDocuments()).size).toBe(0);
  });

  it('a body that does not declare its length is refused (411) before it is read', async () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(JSON.stringify(sample())));
        controller.close();
      },
    });
    const response = await fetch(`${base('guarded')}/v1/plans/${PLAN}/sync`, {
      method: 'POST',
      headers: { authorization: bearer(OWNER), 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectRefusal(response, 411, 'length_required');
    expect((await allDocuments()).size).toBe(0);
  });

  it('the guard lets what passes it through to the same answers (sample sync, small limit, wrong method)', async () => {
    await sync(sample(), OWNER, 'guarded');
    await expectRefusal(
      await call({ authorization: bearer(OWNER), body: sample(), server: 'guardedSmall' }),
      413,
      'body_too_large',
    );
    await expectRefusal(
      await call({ method: 'GET', action: 'sync', server: 'guarded' }),
      405,
      'method_not_allowed',
    );
  });

  it('a workbook of 100,000 activities fits the default limit and is validated whole', async () => {
    await sync(sample(), OWNER, 'guarded');
    const big = toJson(generateWorkbook({ activities: 100_000, measures: 200, partners: 50 }));
    const text = JSON.stringify(big);
    expect(Buffer.byteLength(text)).toBeGreaterThan(15 * 1024 * 1024);
    expect(Buffer.byteLength(text)).toBeLessThan(30 * 1024 * 1024);
    const result = await ok(
      await call({ action: 'validate', authorization: bearer(OWNER), body: text, server: 'guarded' }),
    );
    expect(result.tabs.activities).toEqual({ rows: 100_000, accepted: 100_000, rejected: 0 });
  }, 120_000);
});

describe('an unusable workbook', () => {
  for (const [what, body] of [
    ['no tab at all', { tabs: [] }],
    [
      'no recognisable tab',
      { tabs: [{ name: 'Sheet1', header: ['甲', '乙'], rows: [{ row: 2, cells: [1, 2] }] }] },
    ],
  ] as const) {
    it(`(${what}) is 422 unusable_input with the CLI's sentence, on sync and validate, writing nothing`, async () => {
      for (const action of ['sync', 'validate'] as const) {
        if (action === 'validate') await sync(sample());
        const response = await call({ action, authorization: bearer(OWNER), body });
        expect(response.status).toBe(422);
        expect(await response.json()).toEqual({
          error: {
            code: 'unusable_input',
            reason: 'no_tabs',
            message: '没有找到可识别的工作表（设置、共建单位、计划、活动）',
            messageEn: 'No recognisable tab found (Settings, Partners, Plan, Activities)',
          },
        });
        if (action === 'sync') expect((await allDocuments()).size).toBe(0);
      }
    });
  }
});

describe('composition root', () => {
  it('buildRuntime can build a second runtime for the same project (a local stack started twice)', async () => {
    const env = {
      GONGJIAN_ENV: 'development',
      GONGJIAN_PROJECT: `${handle.projectId}-twice`,
      FIRESTORE_EMULATOR_HOST: handle.host,
    };
    const first = buildRuntime(parseConfig(env), () => {});
    const second = buildRuntime(parseConfig(env), () => {});
    try {
      expect(second.mailQueue.db).not.toBe(first.mailQueue.db);
      await second.mailQueue.db.collection('probe').doc('x').set({ ok: true });
      expect((await first.mailQueue.db.collection('probe').doc('x').get()).get('ok')).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });
});
