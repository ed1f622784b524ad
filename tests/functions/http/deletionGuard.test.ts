/**
 * The mass-deletion guard against the real Cloud Firestore emulator, through the HTTP API exactly
 * as the local stack calls it (the development runtime's handler behind its preflight guard, the
 * Node client adapters/apiClient.ts parsing every answer with the contract's schemas): a sync that
 * would delete a tab's rows en masse deletes nothing there while its other edits land; the answer,
 * the plan document, the statistics and the generated tabs say so; a confirmation of exactly that
 * set — in the sync request (the add-on) or by deletions/confirm (`gongjian confirm-deletions`) —
 * lets the next sync delete, and a confirmation of another set deletes nothing.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { postRoute } from '../../../adapters/apiClient';
import { ApiRefusalError } from '../../../adapters/terminal/errors';
import { systemClock } from '../../../functions/src/clock';
import type { Runtime } from '../../../functions/src/runtime';
import { refreshStats } from '../../../functions/src/stats/refresh';
import type { ApiTab, SyncRequest, SyncResponse } from '../../../shared/api';
import { PENDING_DELETION_CODE, PENDING_DELETION_KEY } from '../../../shared/summary';
import type { Table } from '../../../shared/workbook';
import { useFirestoreEmulator } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';

const handle = useFirestoreEmulator('guard', { reset: true });

const PLAN = 'guard-2026';
const DEV_TOKEN = 'dev-token-for-the-guard-test-0123456789';
const DEV_EMAIL = 'dev@example.cn';
const NOW = new Date('2026-12-31T04:00:00Z');
const SHEET_ID = 'guard-test-spreadsheet-0123456789';

let runtime: Runtime;
let server: Server | undefined;
let apiUrl = '';

beforeEach(async () => {
  if (server) return;
  runtime = testRuntime(handle, {
    env: { GONGJIAN_ADMINS: DEV_EMAIL, GONGJIAN_DEV_TOKEN: DEV_TOKEN, GONGJIAN_DEV_EMAIL: DEV_EMAIL },
    clock: { now: () => NOW, sleep: systemClock.sleep },
  });
  http('api-guard', (req, res) => runtime.api(req, res));
  server = getTestServer('api-guard');
  runtime.guardApiServer(server);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  }
  await runtime?.close();
});

const target = () => ({ apiUrl, token: DEV_TOKEN, planId: PLAN });

interface Plan {
  partners: string[];
  measures: string[];
  /** Activity IDs; each row is a valid activity on measure 1. */
  activities: string[];
}

const ids = (prefix: string, from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${prefix}${String(from + i).padStart(3, '0')}`);

/** A workbook as the add-on sends it; a partner's name can be changed to make an edit. */
function workbook(plan: Plan, partnerName = (id: string) => `单位 ${id}`): SyncRequest['tabs'] {
  const tab = (name: string, header: string[], rows: (string | number)[][]): ApiTab => ({
    name,
    header,
    rows: rows.map((cells, i) => ({ row: i + 2, cells })),
  });
  return [
    tab('设置', ['项目', '值'], [['计划年度', 2026]]),
    tab(
      '共建单位',
      ['单位编号', '单位名称'],
      plan.partners.map((id) => [id, partnerName(id)]),
    ),
    tab(
      '计划',
      ['编号', '类别', '事项'],
      plan.measures.map((id) => [id, '党建共商', `事项 ${id}`]),
    ),
    tab(
      '活动',
      ['记录编号', '日期', '关联事项', '活动名称', '参与人数'],
      // 2026-03-01 is serial 46082.
      plan.activities.map((id, i) => [id, 46082 + (i % 200), plan.measures[0] ?? '', `活动 ${id}`, 10]),
    ),
  ];
}

async function sync(
  plan: Plan,
  extra: Partial<SyncRequest> = {},
  partnerName?: (id: string) => string,
): Promise<SyncResponse> {
  return postRoute(target(), 'sync', {
    tabs: workbook(plan, partnerName),
    spreadsheetId: SHEET_ID,
    ...extra,
  });
}

async function stored(collection: 'partners' | 'measures' | 'activities'): Promise<string[]> {
  const snapshot = await handle.firestore().collection(`plans/${PLAN}/${collection}`).get();
  return snapshot.docs.map((doc) => doc.id).sort();
}

async function planDoc(): Promise<Record<string, unknown>> {
  return (await handle.firestore().doc(`plans/${PLAN}`).get()).data() ?? {};
}

/** Recomputes the statistics as the trigger does, capturing the generated tabs it writes. */
async function generatedTabs(): Promise<{ overview: Table; validation: Table; activities: number }> {
  let tabs: { overview: Table; validation: Table } | undefined;
  await refreshStats(
    PLAN,
    {
      ...runtime.refresh,
      writeGeneratedTabs: async (_plan, _where, written) => {
        tabs = { overview: written.generated.overview ?? [], validation: written.generated.validation ?? [] };
      },
    },
    { force: true },
  );
  const stats = await runtime.store.getStats(PLAN);
  if (!tabs || !stats) throw new Error('no statistics were computed');
  return { ...tabs, activities: stats.stats.plan.activities };
}

const SENTENCE_30 = '本次同步将删除「活动」中的 30 行（共 30 行）。如确属有意，请确认后再同步。';

describe('the mass-deletion guard', () => {
  it('clearing 活动 deletes nothing there, the other edits land, and a confirmed sync deletes', async () => {
    const full: Plan = { partners: ['P01', 'P02'], measures: ['1', '2'], activities: ids('A', 1, 30) };
    const first = await sync(full);
    expect(first.writes).toEqual({ created: 34, updated: 0, deleted: 0 });
    expect(first.pendingDeletions).toEqual([]);

    // 活动 cleared; meanwhile a partner renamed and a measure added.
    const cleared: Plan = { ...full, measures: ['1', '2', '3'], activities: [] };
    const renamed = (id: string) => (id === 'P01' ? '改名单位' : `单位 ${id}`);
    const held = await sync(cleared, {}, renamed);
    expect(held.applied).toBe(true);
    expect(held.writes).toEqual({ created: 1, updated: 1, deleted: 0 });
    expect(held.pendingDeletions).toEqual([
      {
        tab: 'activities',
        count: 30,
        total: 30,
        token: expect.stringMatching(/^[0-9a-f]{32}$/),
        changed: false,
        message: SENTENCE_30,
        messageEn: expect.stringContaining('30 of the 30 rows'),
      },
    ]);
    expect(await stored('activities')).toHaveLength(30);
    expect(await stored('measures')).toEqual(['1', '2', '3']);
    const partner = await handle.firestore().doc(`plans/${PLAN}/partners/P01`).get();
    expect(partner.get('data.name')).toBe('改名单位');
    expect((await planDoc()).pendingDeletions).toEqual([
      { tab: 'activities', count: 30, total: 30, token: held.pendingDeletions[0]?.token },
    ]);

    // The statistics still count the held rows, and the generated tabs say so.
    const tabs = await generatedTabs();
    expect(tabs.activities).toBe(30);
    expect(tabs.overview.find((row) => row[0] === PENDING_DELETION_KEY)?.[1]).toContain(
      '统计数字仍包含这些行',
    );
    expect(tabs.validation[1]?.[4]).toBe(PENDING_DELETION_CODE);
    expect(String(tabs.validation[1]?.[5])).toContain(SENTENCE_30);

    // Syncing again unconfirmed holds the same set, under the same token.
    const again = await sync(cleared, {}, renamed);
    expect(again.writes).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(again.pendingDeletions.map((p) => p.token)).toEqual(held.pendingDeletions.map((p) => p.token));

    // Confirmed as the add-on does: the same request with the held deletion named.
    const pending = held.pendingDeletions[0];
    if (!pending) throw new Error('nothing held');
    const confirmed = await sync(
      cleared,
      { confirmDeletions: [{ tab: pending.tab, count: pending.count, token: pending.token }] },
      renamed,
    );
    expect(confirmed.writes).toEqual({ created: 0, updated: 0, deleted: 30 });
    expect(confirmed.pendingDeletions).toEqual([]);
    expect(await stored('activities')).toEqual([]);
    expect((await planDoc()).pendingDeletions).toBeUndefined();
    const after = await generatedTabs();
    expect(after.activities).toBe(0);
    expect(after.overview.some((row) => row[0] === PENDING_DELETION_KEY)).toBe(false);
    expect(after.validation.some((row) => row[4] === PENDING_DELETION_CODE)).toBe(false);
  }, 60_000);

  it('deletes at once below the thresholds: 10 rows of 30, 11 rows of 60', async () => {
    const plan: Plan = { partners: ['P01'], measures: ['1'], activities: ids('A', 1, 60) };
    await sync({ ...plan, activities: ids('A', 1, 30) });
    const ten = await sync({ ...plan, activities: ids('A', 11, 30) });
    expect(ten.writes.deleted).toBe(10);
    expect(ten.pendingDeletions).toEqual([]);

    await sync(plan);
    expect(await stored('activities')).toHaveLength(60);
    const eleven = await sync({ ...plan, activities: ids('A', 12, 60) }); // 18.3 %
    expect(eleven.writes.deleted).toBe(11);
    expect(eleven.pendingDeletions).toEqual([]);

    // 12 of 60 is exactly 20 %: held.
    await sync(plan);
    const twelve = await sync({ ...plan, activities: ids('A', 13, 60) });
    expect(twelve.writes.deleted).toBe(0);
    expect(twelve.pendingDeletions).toMatchObject([{ tab: 'activities', count: 12, total: 60 }]);
    expect(await stored('activities')).toHaveLength(60);
  }, 60_000);

  it('follows 设置 → 删除确认比例, and guards every record tab', async () => {
    const plan: Plan = { partners: ids('P', 1, 12), measures: ['1'], activities: ids('A', 1, 100) };
    const withRatio = (ratio: string) => {
      const tabs = workbook(plan);
      tabs[0]?.rows.push({ row: 3, cells: ['删除确认比例', ratio] });
      return tabs;
    };
    await postRoute(target(), 'sync', { tabs: withRatio('50%') });
    // 40 of 100 under 50 %: deleted at once.
    const tabs = withRatio('50%');
    const activities = tabs[3];
    if (activities) activities.rows = activities.rows.slice(40);
    const answer = await postRoute(target(), 'sync', { tabs });
    expect(answer.writes.deleted).toBe(40);
    expect(answer.pendingDeletions).toEqual([]);

    // Every partner gone: held (and their activities' references with them are errors, not deletions).
    const noPartners = workbook({ ...plan, partners: [], activities: ids('A', 41, 100) });
    const held = await postRoute(target(), 'sync', { tabs: noPartners });
    expect(held.pendingDeletions).toMatchObject([{ tab: 'partners', count: 12, total: 12 }]);
    expect(await stored('partners')).toHaveLength(12);
  }, 60_000);

  it('a confirmation of one set never deletes another', async () => {
    const plan: Plan = { partners: ['P01'], measures: ['1'], activities: ids('A', 1, 30) };
    await sync(plan);
    const first = await sync({ ...plan, activities: ids('A', 16, 30) });
    const pending = first.pendingDeletions[0];
    expect(pending).toMatchObject({ tab: 'activities', count: 15, total: 30 });
    if (!pending) throw new Error('nothing held');

    // One row more went before the confirmation arrived: another set, so nothing is deleted.
    const changed = await sync(
      { ...plan, activities: ids('A', 17, 30) },
      { confirmDeletions: [{ tab: 'activities', count: pending.count, token: pending.token }] },
    );
    expect(changed.writes.deleted).toBe(0);
    expect(changed.pendingDeletions).toMatchObject([
      { tab: 'activities', count: 16, total: 30, changed: true },
    ]);
    expect(changed.pendingDeletions[0]?.message).toMatch(
      /^要删除的行在确认之后有了变化，没有删除。本次同步将删除「活动」中的 16 行/,
    );
    expect(changed.pendingDeletions[0]?.token).not.toBe(pending.token);
    expect(await stored('activities')).toHaveLength(30);
  }, 60_000);

  it('deletions/confirm records the pending set for the next sync, and refuses in Chinese otherwise', async () => {
    const plan: Plan = { partners: ['P01'], measures: ['1'], activities: ids('A', 1, 30) };
    await sync(plan);
    const refusal = await postRoute(target(), 'confirmDeletions', {}).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiRefusalError);
    expect(refusal).toMatchObject({
      code: 'no_pending_deletion',
      messageZh: expect.stringContaining('没有待确认的删除'),
    });

    const cleared = { ...plan, activities: [] };
    const held = await sync(cleared);
    const token = held.pendingDeletions[0]?.token;
    const wrong = await postRoute(target(), 'confirmDeletions', { token: 'f'.repeat(32) }).catch(
      (error: unknown) => error,
    );
    expect(wrong).toMatchObject({
      code: 'deletions_changed',
      messageZh: expect.stringContaining('要删除的行已经变化'),
    });
    expect((await planDoc()).confirmedDeletions).toBeUndefined();

    const answer = await postRoute(target(), 'confirmDeletions', {});
    expect(answer).toEqual({
      planId: PLAN,
      confirmed: [{ tab: 'activities', count: 30, total: 30, token }],
    });
    expect((await planDoc()).confirmedDeletions).toEqual([{ tab: 'activities', token }]);
    const next = await sync(cleared);
    expect(next.writes.deleted).toBe(30);
    expect(next.pendingDeletions).toEqual([]);
    expect(await stored('activities')).toEqual([]);
    // The confirmation was used up.
    expect((await planDoc()).confirmedDeletions).toBeUndefined();
  }, 60_000);

  it('a recorded confirmation of a set that has since changed deletes nothing and is dropped', async () => {
    const plan: Plan = { partners: ['P01'], measures: ['1'], activities: ids('A', 1, 30) };
    await sync(plan);
    await sync({ ...plan, activities: ids('A', 16, 30) });
    await postRoute(target(), 'confirmDeletions', { tab: 'activities' });
    const changed = await sync({ ...plan, activities: ids('A', 20, 30) });
    expect(changed.writes.deleted).toBe(0);
    expect(changed.pendingDeletions).toMatchObject([{ count: 19, changed: true }]);
    expect((await planDoc()).confirmedDeletions).toBeUndefined();
    // Rows put back: nothing pending any more, and nothing to confirm.
    const restored = await sync(plan);
    expect(restored.pendingDeletions).toEqual([]);
    expect((await planDoc()).pendingDeletions).toBeUndefined();
    await expect(postRoute(target(), 'confirmDeletions', {})).rejects.toMatchObject({
      code: 'no_pending_deletion',
    });
  }, 60_000);
});
