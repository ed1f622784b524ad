/**
 * Districts (§13) on the real Firestore emulator, with the statistics trigger fired by the
 * emulator itself: admins create a district and add plans (one district per plan, even when two
 * admins race), a member's sync updates its summary and the district's roll-up (from summaries, no
 * record read), redelivered and reordered statistics end in the same roll-up, a burst of changes
 * from several processes costs a handful of recomputations, and a viewer's token reads the roll-up
 * and nothing else — every plan route of the table answers 403 with nothing written.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../cli/run';
import { computeRollup, DistrictRollups } from '../../../functions/src/districts/refresh';
import { createApi } from '../../../functions/src/http/api';
import { createIdentityVerifier } from '../../../functions/src/http/auth';
import type { ApiDeps } from '../../../functions/src/http/handler';
import { installRuntime, type Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import { DistrictStore } from '../../../functions/src/store/districtStore';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { ROUTES, type RouteName, routeUrl } from '../../../shared/api';
import { DISTRICT_ROUTES, districtRouteUrl } from '../../../shared/districtApi';
import { type PlanSummary, type rollUpDistrict, summarisePlan } from '../../../shared/rollup';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import { validateWorkbook } from '../../../shared/validate';
import type { RawWorkbook } from '../../../shared/workbook';
import { TRIGGERS } from '../../../stack/stack';
import { pinnedClock } from '../../support/clock';
import { eventually, useFirestoreEmulator, useFunctionsEnvironment } from '../../support/firestore';
import { createTestSigner, type TestSigner } from '../../support/id-tokens';
import { testRuntime } from '../../support/runtime';

const NOW = new Date('2026-06-30T04:00:00Z');
const ASOF = '2026-06-30';
const AUDIENCE = 'district-test-client';
const ADMIN = 'admin@example.cn';
const OWNER = 'owner@example.cn';
/** In the sample's 编辑人员. */
const EDITOR = 'wangfang@example.cn';
const VIEWER = 'jiedao-leader@example.cn';
const STRANGER = 'stranger@example.cn';

const fs = useFirestoreEmulator('districts', { triggers: TRIGGERS });
let runtime: Runtime;
let signer: TestSigner;
let apiUrl: string;
let server: Server;

beforeAll(async () => {
  useFunctionsEnvironment(fs.projectId);
  signer = createTestSigner();
  runtime = testRuntime(fs, { env: { GONGJIAN_ADMINS: ADMIN }, clock: pinnedClock(NOW) });
  installRuntime(runtime);
  const verifier = createIdentityVerifier({
    audiences: [AUDIENCE],
    devEmail: 'dev@example.cn',
    certs: async () => signer.certs,
  });
  // The runtime's own API dependencies, verifying against the test key.
  const deps: ApiDeps = {
    store: runtime.store,
    verifyIdentity: (header) => verifier.verify(header),
    admins: [ADMIN],
    maxBodyBytes: 30 * 1024 * 1024,
    now: () => NOW,
    sleep: runtime.sleep,
    mailQueue: runtime.mailQueue,
    districts: {
      store: runtime.districts,
      rollups: runtime.rollups,
      ensureSummary: async (planId) => {
        await refreshStats(planId, runtime.refresh, { force: true });
      },
    },
  };
  http('district-api', createApi(deps) as Parameters<typeof http>[1]);
  server = getTestServer('district-api');
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await fs.bridge.idle();
  installRuntime(undefined);
  await runtime?.close();
});

const bearer = (email: string) => `Bearer ${signer.sign({ aud: AUDIENCE, email, email_verified: true })}`;

async function call(
  url: string,
  method: string,
  email: string,
  body?: unknown,
): Promise<{ status: number; json: { error?: { code: string } } & Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: { authorization: bearer(email), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as never };
}

const district = (id: string, route: keyof typeof DISTRICT_ROUTES, email: string, body?: unknown) =>
  call(districtRouteUrl(apiUrl, id, route), DISTRICT_ROUTES[route].method, email, body);

/** The sample with its own community name, so each plan's row is told apart. */
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

/** Waits until the plan's statistics (and so its summary) cover its version. */
async function rolledUpStats(planId: string) {
  return eventually(
    async () => {
      const [plan, stats] = await Promise.all([
        runtime.store.getPlan(planId),
        runtime.store.getStats(planId),
      ]);
      return plan && stats?.inputVersion === plan.version ? plan : undefined;
    },
    { timeoutMs: 60_000, what: `statistics of ${planId}` },
  );
}

/** Waits until the plan's statistics cover its version and the district's roll-up used them. */
async function rolledUp(districtId: string, planId: string) {
  const plan = await rolledUpStats(planId);
  return eventually(
    async () => {
      const state = await runtime.districts.getState(districtId);
      return state.basis[planId]?.inputVersion === plan.version && state.leaseExpiresAt === 0
        ? state
        : undefined;
    },
    { timeoutMs: 30_000, what: `the roll-up of ${districtId} over ${planId}` },
  );
}

/** Every document in the database with its update time (one query): what "nothing written" is checked against. */
async function dump(): Promise<Map<string, string>> {
  const response = await fetch(
    `http://${fs.host}/v1/projects/${fs.projectId}/databases/(default)/documents:runQuery`,
    {
      method: 'POST',
      // The emulator's admin credential, as firebase-admin sends it.
      headers: { authorization: 'Bearer owner', 'content-type': 'application/json' },
      body: JSON.stringify({ structuredQuery: { from: [{ allDescendants: true }] } }),
    },
  );
  const results = (await response.json()) as { document?: { name: string; updateTime: string } }[];
  return new Map(results.flatMap(({ document }) => (document ? [[document.name, document.updateTime]] : [])));
}

describe('districts', () => {
  it('admins create a district and add plans; a plan belongs to one district even when two admins race', async () => {
    await sync('race-plan', workbookOf('竞争社区'));
    expect((await district('d-race-a', 'districtCreate', ADMIN, { name: '甲街道' })).status).toBe(201);
    expect((await district('d-race-b', 'districtCreate', ADMIN, { name: '乙街道' })).status).toBe(201);
    // The ID is taken; a non-admin creates nothing.
    expect((await district('d-race-a', 'districtCreate', ADMIN, { name: '甲' })).json.error?.code).toBe(
      'district_exists',
    );
    const refused = await district('d-race-c', 'districtCreate', OWNER, { name: '丙街道' });
    expect([refused.status, refused.json.error?.code]).toEqual([403, 'not_district_admin']);
    expect(await runtime.districts.getDistrict('d-race-c')).toBeUndefined();

    const [a, b] = await Promise.all([
      district('d-race-a', 'districtAddPlan', ADMIN, { planId: 'race-plan' }),
      district('d-race-b', 'districtAddPlan', ADMIN, { planId: 'race-plan' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.json.error?.code).toBe('plan_in_other_district');
    const [da, db] = await Promise.all([
      runtime.districts.getDistrict('d-race-a'),
      runtime.districts.getDistrict('d-race-b'),
    ]);
    expect([...(da?.plans ?? []), ...(db?.plans ?? [])]).toEqual(['race-plan']);

    // Removed from the winner, it may join the other.
    const winner = a.status === 200 ? 'd-race-a' : 'd-race-b';
    const other = winner === 'd-race-a' ? 'd-race-b' : 'd-race-a';
    expect((await district(winner, 'districtRemovePlan', ADMIN, { planId: 'race-plan' })).json.plans).toEqual(
      [],
    );
    expect((await district(other, 'districtAddPlan', ADMIN, { planId: 'race-plan' })).json.plans).toEqual([
      'race-plan',
    ]);
    // An unknown plan is not added.
    expect(
      (await district(other, 'districtAddPlan', ADMIN, { planId: 'no-such-plan' })).json.error?.code,
    ).toBe('unknown_plan');
  });

  it("a member's sync updates its summary and the roll-up, whose row is the plan's statistics exactly", async () => {
    await district('d-sync', 'districtCreate', ADMIN, { name: '和平街道', viewers: [VIEWER] });
    await sync('sync-a', workbookOf('东风社区'));
    await sync('sync-b', workbookOf('红星社区'));
    for (const planId of ['sync-a', 'sync-b']) {
      await district('d-sync', 'districtAddPlan', ADMIN, { planId });
    }
    await rolledUp('d-sync', 'sync-b');

    // A change in one plan: its summary and the roll-up follow, through the trigger alone.
    const changed = workbookOf('东风社区');
    const activities = changed.tabs.find((tab) => tab.name === '活动');
    activities?.rows.pop();
    const { version } = await sync('sync-a', changed);
    const state = await rolledUp('d-sync', 'sync-a');
    expect(state.basis['sync-a']?.inputVersion).toBe(version);

    const answer = await district('d-sync', 'districtRollup', VIEWER);
    expect(answer.status).toBe(200);
    const rollup = answer.json.rollup as ReturnType<typeof rollUpDistrict>;
    const expected = computeStats(validateWorkbook(changed, { asOf: ASOF }).model, ASOF);
    const row = rollup.communities.find((c) => c.community === '东风社区');
    expect(row?.plan).toEqual(expected.plan);
    expect(row?.categories).toEqual(expected.categories);
    expect(rollup.communities.map((c) => c.community)).toEqual(['东风社区', '红星社区']);
  });

  it('redelivered and out-of-order statistics events end in the same roll-up', async () => {
    await district('d-order', 'districtCreate', ADMIN, { name: '顺序街道' });
    await sync('order-a', workbookOf('顺序社区'));
    await district('d-order', 'districtAddPlan', ADMIN, { planId: 'order-a' });
    const first = await rolledUp('d-order', 'order-a');
    const newer = workbookOf('顺序社区');
    newer.tabs.find((tab) => tab.name === '活动')?.rows.splice(0, 3);
    await sync('order-a', newer);
    const fresh = await rolledUp('d-order', 'order-a');
    expect(fresh.basis['order-a']?.inputVersion).toBeGreaterThan(first.basis['order-a']?.inputVersion ?? 0);
    const orderDistrict = await runtime.districts.getDistrict('d-order');
    if (!orderDistrict) throw new Error('no district d-order');
    const expected = await computeRollup(orderDistrict, runtime.store);

    // A late event of the old version: its statistics and summary are older than the stored ones.
    const old = validateWorkbook(workbookOf('顺序社区'), { asOf: ASOF }).model;
    const oldStats = computeStats(old, ASOF);
    const stale = summarisePlan(old, oldStats, { name: 'order-a', path: 'order-a' });
    const saved = await runtime.store.saveStats(
      'order-a',
      {
        asOf: ASOF,
        inputVersion: first.basis['order-a']?.inputVersion ?? 0,
        computedAt: NOW.toISOString(),
        stats: oldStats,
      },
      stale,
    );
    expect(saved).toBe(false);
    // Redelivered events of the current version, several at once.
    await Promise.all([1, 2, 3].map(() => refreshStats('order-a', runtime.refresh, { force: true })));
    await runtime.rollups.changed('d-order');
    const after = await computeRollup(orderDistrict, runtime.store);
    expect(after.rollup).toEqual(expected.rollup);
    expect(after.basis).toEqual(expected.basis);
  });

  it('a burst of 30 member changes, each from its own process, costs a handful of recomputations', async () => {
    const model = validateWorkbook(workbookOf('批量社区'), { asOf: ASOF }).model;
    const stats = computeStats(model, ASOF);
    const store = new DistrictStore(fs.firestore());
    await store.create(
      'd-burst',
      { name: '批量街道', timezone: 'Asia/Shanghai', viewers: [], admins: [] },
      ADMIN,
      NOW,
    );
    const plans = Array.from({ length: 30 }, (_, i) => `burst-${String(i).padStart(2, '0')}`);
    for (const planId of plans) {
      await fs.firestore().collection('plans').doc(planId).set({ planId });
      await store.addPlan('d-burst', planId);
      const summary: PlanSummary = summarisePlan(model, stats, { name: planId, path: planId });
      await runtime.store.saveStats(
        planId,
        { asOf: ASOF, inputVersion: 1, computedAt: NOW.toISOString(), stats },
        { ...summary, community: planId },
      );
    }
    const before = (await store.getState('d-burst')).recomputations;
    // Each change in a process of its own (a function instance per event), all at once: only the
    // lease on the roll-up's state coalesces them.
    await Promise.all(
      plans.map((planId) =>
        new DistrictRollups({
          districts: new DistrictStore(fs.firestore()),
          store: runtime.store,
          now: () => new Date(),
        }).planChanged(planId),
      ),
    );
    const state = await store.getState('d-burst');
    const recomputations = state.recomputations - before;
    expect(recomputations).toBeGreaterThanOrEqual(1);
    expect(recomputations).toBeLessThanOrEqual(8);
    expect(state.computedGeneration).toBe(state.generation);
    expect(state.leaseExpiresAt).toBe(0);
    expect(Object.keys(state.basis).sort()).toEqual(plans);
  }, 120_000);

  it('a roll-up left behind by a holder that died is recomputed by the sweeper, not before its lease ends', async () => {
    const store = new DistrictStore(fs.firestore());
    await store.create(
      'd-dead',
      { name: '断线街道', timezone: 'Asia/Shanghai', viewers: [], admins: [] },
      ADMIN,
      NOW,
    );
    await sync('dead-plan', workbookOf('断线社区'));
    await rolledUpStats('dead-plan');
    await store.addPlan('d-dead', 'dead-plan');
    // A holder took the lease for the change and died: the generation moved, nothing was computed.
    const at = Date.now();
    expect(await store.markChanged('d-dead', 'dead-holder', at, 60_000)).toBeGreaterThan(0);
    // The sync's own statistics events may have recomputed it before the holder took the lease
    // (late under load): what counts is that the holder's generation stays uncomputed.
    const left = await store.getState('d-dead');
    expect(left.computedGeneration).toBeLessThan(left.generation);
    const rollups = (now: number) =>
      new DistrictRollups({ districts: store, store: runtime.store, now: () => new Date(now) });
    // While the lease lives the sweeper leaves it to its holder…
    expect(await rollups(at + 1_000).sweep()).not.toContain('d-dead');
    expect((await store.getState('d-dead')).computedGeneration).toBe(left.computedGeneration);
    // …and once it has run out, recomputes.
    expect(await rollups(at + 61_000).sweep()).toContain('d-dead');
    const state = await store.getState('d-dead');
    expect(state.computedGeneration).toBe(state.generation);
    expect(state.basis['dead-plan']).toBeDefined();
    expect(state.leaseExpiresAt).toBe(0);
  }, 120_000);

  it("gongjian district: an admin creates a district and adds a plan; a refusal is the server's sentence, exit 2", async () => {
    await sync('cli-plan', workbookOf('命令社区'));
    const cli = async (email: string, ...argv: string[]) => {
      const lines: string[] = [];
      const ctx = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), now: () => NOW };
      const saved = process.env.GONGJIAN_TOKEN;
      process.env.GONGJIAN_TOKEN = bearer(email).slice('Bearer '.length);
      try {
        return { code: await runCli(['district', ...argv, '--api', apiUrl], ctx), text: lines.join('\n') };
      } finally {
        if (saved === undefined) delete process.env.GONGJIAN_TOKEN;
        else process.env.GONGJIAN_TOKEN = saved;
      }
    };
    const created = await cli(ADMIN, 'd-cli', '--create', '命令街道', '--viewer', VIEWER);
    expect(created).toMatchObject({ code: 0 });
    expect(created.text).toContain('已创建街道「命令街道」');
    expect((await cli(ADMIN, 'd-cli', '--add', 'cli-plan')).text).toContain('cli-plan');
    expect((await runtime.districts.getDistrict('d-cli'))?.viewers).toEqual([VIEWER]);
    const refused = await cli(VIEWER, 'd-cli', '--remove', 'cli-plan');
    expect(refused.code).toBe(2);
    expect(refused.text).toContain('你不是该街道的管理员');
    expect((await runtime.districts.getDistrict('d-cli'))?.plans).toEqual(['cli-plan']);
  });

  it('its admins edit viewers and admins (route and gongjian district); anyone else is refused in Chinese, nothing changed', async () => {
    const DEPUTY = 'deputy@jiedao.example.cn';
    expect(
      (await district('d-people', 'districtCreate', ADMIN, { name: '人员街道', viewers: [VIEWER] })).status,
    ).toBe(201);
    // A new viewer reads the roll-up only once added, and no longer once removed.
    expect((await district('d-people', 'districtRollup', STRANGER)).status).toBe(403);
    const added = await district('d-people', 'districtPeople', ADMIN, {
      addViewers: [STRANGER.toUpperCase()],
      addAdmins: [DEPUTY],
    });
    expect(added.status).toBe(200);
    expect([added.json.viewers, added.json.admins]).toEqual([[VIEWER, STRANGER], [DEPUTY]]);
    expect((await district('d-people', 'districtRollup', STRANGER)).status).toBe(200);
    // The district's own admin may now edit; a viewer may not, and nothing changes.
    const removed = await district('d-people', 'districtPeople', DEPUTY, { removeViewers: [STRANGER] });
    expect([removed.status, removed.json.viewers]).toEqual([200, [VIEWER]]);
    expect((await district('d-people', 'districtRollup', STRANGER)).status).toBe(403);
    const before = await runtime.districts.getDistrict('d-people');
    const refused = await call(districtRouteUrl(apiUrl, 'd-people', 'districtPeople'), 'POST', VIEWER, {
      addAdmins: [VIEWER],
    });
    expect([refused.status, refused.json.error?.code]).toEqual([403, 'not_district_admin']);
    expect(JSON.stringify(refused.json)).toContain('你不是该街道的管理员');
    // An empty change, or one email both added and removed, is a 400 saying so in Chinese.
    for (const body of [{}, { addViewers: [DEPUTY], removeViewers: [DEPUTY] }]) {
      const bad = await district('d-people', 'districtPeople', ADMIN, body);
      expect(bad.status).toBe(400);
      expect(JSON.stringify(bad.json)).toContain('至少一个邮箱');
    }
    expect(await runtime.districts.getDistrict('d-people')).toEqual(before);

    // The same through the CLI, several changes in one request.
    const lines: string[] = [];
    const ctx = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t), now: () => NOW };
    const saved = process.env.GONGJIAN_TOKEN;
    process.env.GONGJIAN_TOKEN = bearer(DEPUTY).slice('Bearer '.length);
    try {
      const argv = [
        'district',
        'd-people',
        '--add-viewer',
        OWNER,
        '--add-viewer',
        EDITOR,
        '--remove-admin',
        DEPUTY,
      ];
      expect(await runCli([...argv, '--api', apiUrl], ctx)).toBe(0);
      expect(lines.join('\n')).toContain('已更新街道「人员街道」的查看人与管理员');
      // The deputy removed themselves: a second try is refused, exit 2, the server's sentence.
      expect(await runCli(['district', 'd-people', '--add-admin', DEPUTY, '--api', apiUrl], ctx)).toBe(2);
      expect(lines.join('\n')).toContain('你不是该街道的管理员');
    } finally {
      if (saved === undefined) delete process.env.GONGJIAN_TOKEN;
      else process.env.GONGJIAN_TOKEN = saved;
    }
    const after = await runtime.districts.getDistrict('d-people');
    expect([after?.viewers, after?.admins]).toEqual([[VIEWER, OWNER, EDITOR], []]);
  });

  describe('access', () => {
    const PLAN = 'access-plan';
    beforeAll(async () => {
      await district('d-access', 'districtCreate', ADMIN, { name: '门禁街道', viewers: [VIEWER] });
      await sync(PLAN, workbookOf('门禁社区'));
      await district('d-access', 'districtAddPlan', ADMIN, { planId: PLAN });
      await rolledUp('d-access', PLAN);
      await fs.bridge.idle();
    });

    const bodies: Record<RouteName, unknown> = {
      sync: { tabs: [] },
      validate: { tabs: [] },
      stats: undefined,
      report: { requestId: 'viewer-report-1' },
      requests: { to: [EDITOR] },
      revoke: { email: EDITOR },
      confirmDeletions: {},
      history: undefined,
      restore: { ids: ['A0001'] },
      evidence: { activityId: 'A0001', photos: [{ name: 'a.jpg', data: '' }] },
      ledger: {},
    };

    it("a viewer's token gets the roll-up, and every plan route answers 403 with nothing written", async () => {
      expect((await district('d-access', 'districtRollup', VIEWER)).status).toBe(200);
      const before = await dump();
      expect(before.size).toBeGreaterThan(50);
      for (const name of Object.keys(ROUTES) as RouteName[]) {
        const answer = await call(routeUrl(apiUrl, PLAN, name), ROUTES[name].method, VIEWER, bodies[name]);
        expect([name, answer.status, answer.json.error?.code]).toEqual([name, 403, 'not_editor']);
      }
      // Nor may the viewer change the district.
      const add = await district('d-access', 'districtAddPlan', VIEWER, { planId: PLAN });
      expect([add.status, add.json.error?.code]).toEqual([403, 'not_district_admin']);
      expect(await dump()).toEqual(before);
    }, 120_000);

    it("a plan's editor cannot read a district they do not view; a stranger learns nothing of one", async () => {
      for (const email of [EDITOR, OWNER, STRANGER]) {
        const answer = await district('d-access', 'districtRollup', email);
        expect([email, answer.status, answer.json.error?.code]).toEqual([email, 403, 'not_district_viewer']);
      }
      // An unknown district answers a stranger as a known one does.
      const unknown = await district('d-none', 'districtRollup', STRANGER);
      expect([unknown.status, unknown.json.error?.code]).toEqual([403, 'not_district_viewer']);
      // The editor still works on their plan.
      expect((await call(routeUrl(apiUrl, PLAN, 'stats'), 'GET', EDITOR)).status).toBe(200);
    });

    it('the roll-up carries no partner contact', async () => {
      const answer = await district('d-access', 'districtRollup', VIEWER);
      const text = JSON.stringify(answer.json);
      // Every contact the sample's partners tab holds (emails, phone numbers), and no email at all.
      const partners = workbookOf('门禁社区').tabs.find((tab) => tab.name === '共建单位');
      const contacts = (partners?.rows ?? [])
        .flatMap((row) => row.cells)
        .filter((cell): cell is string => typeof cell === 'string' && /@|^\+?\d[\d -]{6,}$/.test(cell));
      expect(contacts.length).toBeGreaterThan(3);
      for (const contact of contacts) expect(text).not.toContain(contact);
      expect(text).not.toMatch(/@example\.(cn|com)/);
    });
  });
});
