/**
 * 本行修改记录 and 恢复此值 (sheets-addon/src/rowHistory.ts, RowHistory.html): the bundled add-on in
 * a vm with the fake Apps Script services (fakes.ts), as addon.test.ts runs it.
 * - Against the routes' schema answers: what the sidebar is opened with (newest first, 恢复此值 only
 *   beside each field's latest change), the request naming the record's tab, the sentences by
 *   outcome and by the API's error code, and the selections refused before any request.
 * - Through the real createApi handler on the Firestore emulator: an activity and a partner unit
 *   that share the ID P01, each row's sidebar showing only its own record, and 恢复此值 putting the
 *   activity's value back in the store — UrlFetchApp is synchronous and the handler is not, so the
 *   add-on's request is recorded first, run through the handler, and its answer replayed.
 * - The sidebar in headless Chromium at 300 px: a hostile value shows as text, and the question
 *   before a restore can be cancelled (nothing sent) or confirmed (sent, then the list read again).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../functions/src/http/api';
import { createVersionMover } from '../../functions/src/requests/submit';
import { PlanStore } from '../../functions/src/store/planStore';
import { syncPlan } from '../../functions/src/sync/syncPlan';
import { HistoryResponse, RestoreRequest } from '../../shared/api';
import { COLUMNS, type RecordTabKey } from '../../shared/columns';
import { sampleWorkbook } from '../../shared/sample';
import type { CellValue, RawWorkbook } from '../../shared/workbook';
import { launchChromium } from '../support/chromium';
import { pinnedClock } from '../support/clock';
import { useFirestoreEmulator } from '../support/firestore';
import { answerOf, apiRequest } from '../support/http';
import { FakeServices, type FetchRequest } from './fakes';

const ROOT = resolve(import.meta.dirname, '../..');
const API_URL = 'https://api.example.cn';
const PLAN_ID = 'xx-2026';
const OWNER = 'owner@example.cn';
const HOSTILE = '<img src=x onerror="window.pwned=1">敬老';

let outdir: string;
let code: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'gongjian-addon-history-'));
  execFileSync(process.execPath, ['scripts/build-addon.mjs', '--outdir', outdir], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  code = readFileSync(join(outdir, 'Code.js'), 'utf8');
});
afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

/** Column (1-based) of a header in a record tab as initSheets writes it. */
const col = (tab: RecordTabKey, zh: string) => COLUMNS[tab].findIndex((column) => column.zh === zh) + 1;

interface Addon {
  services: FakeServices;
  call<T = unknown>(name: string, ...args: unknown[]): T;
}

/** The bundle with an initialised spreadsheet, settings, activity P01 in row 2 and partner P01 in row 2. */
function load(): Addon {
  const services = new FakeServices({ htmlDir: outdir });
  const context = vm.createContext(services.globals(), { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(code, context, { filename: 'Code.js' });
  const call = <T>(name: string, ...args: unknown[]) => (context[name] as (...a: unknown[]) => T)(...args);
  call('initSheets');
  call('saveSettings', { apiUrl: API_URL, planId: PLAN_ID });
  const activities = services.spreadsheet.sheet('活动');
  activities.setValue(2, col('activities', '记录编号'), 'P01');
  activities.setValue(2, col('activities', '活动名称'), HOSTILE);
  activities.setValue(3, col('activities', '活动名称'), '新行（未同步）');
  const partners = services.spreadsheet.sheet('共建单位');
  partners.setValue(2, col('partners', '单位编号'), 'P01');
  partners.setValue(2, col('partners', '单位名称'), '区住建局');
  return { services, call };
}

const select = (addon: Addon, sheet: string, row: number, numRows = 1) => {
  addon.services.spreadsheet.activeRange = { sheet, row, column: 2, numRows, numColumns: 3 };
};

const at = (minute: number) => `2026-03-01T02:${String(minute).padStart(2, '0')}:00.000Z`;

/** The history route's answer for activity P01, newest first: participants edited twice, by a hostile name too. */
const ACTIVITY_HISTORY = HistoryResponse.parse({
  planId: PLAN_ID,
  timezone: 'Asia/Shanghai',
  changes: [
    {
      at: at(30),
      by: HOSTILE,
      source: 'sync',
      tab: 'activities',
      id: 'P01',
      op: 'updated',
      fields: [
        { field: 'participants', old: 12, new: 40 },
        { field: 'location', old: HOSTILE, new: '社区活动室' },
      ],
    },
    {
      at: at(20),
      by: '张三（本地）',
      source: 'sync',
      tab: 'activities',
      id: 'P01',
      op: 'updated',
      fields: [{ field: 'participants', old: 10, new: 12 }],
    },
    {
      at: at(10),
      by: 'staff@example.cn',
      source: 'form',
      tab: 'activities',
      id: 'P01',
      op: 'created',
      fields: [],
      data: { title: HOSTILE, participants: 10 },
    },
  ],
});

interface Change {
  at: string;
  by: string;
  source: string;
  op: string;
  label: string;
  old: string | null;
  new: string | null;
  restoreField?: string;
}
interface SidebarPayload {
  record: { tab: string; id: string };
  tabName: string;
  title: string;
  changes: Change[];
}

describe('本行修改记录 against the routes’ answers', () => {
  it('opens the sidebar for the active row’s record, newest first, 恢复此值 beside each field’s latest change only', () => {
    const addon = load();
    select(addon, '活动', 2);
    addon.services.respond = () => ({ status: 200, body: ACTIVITY_HISTORY });
    addon.call('showRowHistory');
    const [read] = addon.services.requests;
    // The tab is named: partner P01 shares the ID.
    expect(read?.url).toBe(`${API_URL}/v1/plans/${PLAN_ID}/history?row=P01&tab=activities&limit=500`);
    expect(read?.params.method).toBe('get');
    const sidebar = addon.services.sidebars.at(-1);
    expect(sidebar?.title).toBe('本行修改记录');
    const payload = sidebar?.payload<SidebarPayload>() as SidebarPayload;
    expect(payload).toMatchObject({
      record: { tab: 'activities', id: 'P01' },
      tabName: '活动',
      title: HOSTILE,
    });
    expect(payload.changes.map((c) => [c.at, c.source, c.label, c.old, c.new, c.restoreField])).toEqual([
      ['2026-03-01 10:30:00', '同步', '参与人数', '12', '40', 'participants'],
      ['2026-03-01 10:30:00', '同步', '地点', HOSTILE, '社区活动室', 'location'],
      ['2026-03-01 10:20:00', '同步', '参与人数', '10', '12', undefined],
      ['2026-03-01 10:10:00', '填报', '（新增）', null, HOSTILE, undefined],
    ]);
    expect(payload.changes[0]?.by).toBe(HOSTILE);
    // User text reaches the page inside an escaped attribute, never as markup.
    expect(sidebar?.getContent()).not.toContain('<img src=x');
  });

  it('restores a value naming the record’s tab, and says each outcome; refusals by the API’s error code', () => {
    const addon = load();
    const ask = { tab: 'activities', id: 'P01', field: 'participants' };
    const answer = (outcome: string, value?: unknown) => ({
      status: 200,
      body: {
        planId: PLAN_ID,
        results: [{ id: 'P01', tab: 'activities', field: 'participants', outcome, value }],
      },
    });
    addon.services.respond = () => answer('restored', 12);
    expect(addon.call('restoreFieldValue', ask)).toEqual({
      restored: true,
      message:
        '已将「参与人数」恢复为「12」：云端已更新，表格中的这一格稍后由服务器写回，其间的同步不会把它改回。',
    });
    const sent = addon.services.requests.at(-1);
    expect(sent?.url).toBe(`${API_URL}/v1/plans/${PLAN_ID}/restore`);
    expect(RestoreRequest.parse(JSON.parse(sent?.params.payload ?? '{}'))).toEqual({
      ids: ['P01'],
      field: 'participants',
      tab: 'activities',
    });
    const said = (outcome: string) => {
      addon.services.respond = () => answer(outcome);
      return addon.call<{ restored: boolean; message: string }>('restoreFieldValue', ask);
    };
    expect(said('alreadyRestored')).toEqual({
      restored: true,
      message: '「参与人数」已经恢复过，现在的值是「（空）」，没有再次修改。',
    });
    expect(said('deleted')).toMatchObject({
      restored: false,
      message: expect.stringContaining('恢复已删除的记录'),
    });
    expect(said('noChange').message).toBe('「参与人数」自记录新增以来没有修改过，没有可恢复的原值。');
    expect(said('unknown').message).toContain('变更记录中没有这条记录');

    // A refusal: the sentence chosen by its code (403 not_editor), or the server's own (invalid_body).
    addon.services.respond = () => ({
      status: 403,
      body: { error: { code: 'not_editor', message: 'not an editor' } },
    });
    expect(() => addon.call('restoreFieldValue', ask)).toThrow('没有同步该计划的权限');
    addon.services.respond = () => ({
      status: 400,
      body: { error: { code: 'invalid_body', message: 'ids 为要恢复的记录编号列表' } },
    });
    expect(() => addon.call('restoreFieldValue', ask)).toThrow('ids 为要恢复的记录编号列表');
    // What the page sends is checked before anything is sent.
    const count = addon.services.requests.length;
    expect(() => addon.call('restoreFieldValue', { ...ask, tab: 'settings' })).toThrow(
      '要恢复的记录或字段不完整',
    );
    expect(addon.services.requests).toHaveLength(count);
  });

  it('refuses a selection that is not one data row of a record tab with an ID, before any request', () => {
    const addon = load();
    const refusals: [string, () => void, string][] = [
      [
        'nothing selected',
        () => (addon.services.spreadsheet.activeRange = undefined),
        '请先在「活动」「计划」或「共建单位」表中',
      ],
      ['设置', () => select(addon, '设置', 2), '请先在「活动」「计划」或「共建单位」表中'],
      ['the header row', () => select(addon, '活动', 1), '请先在「活动」「计划」或「共建单位」表中'],
      ['two rows', () => select(addon, '活动', 2, 2), '请先在「活动」「计划」或「共建单位」表中'],
      ['a row without 记录编号', () => select(addon, '活动', 3), '这一行没有记录编号'],
      ['an empty row', () => select(addon, '计划', 7), '这一行没有记录编号'],
    ];
    for (const [what, choose, sentence] of refusals) {
      choose();
      addon.call('showRowHistory');
      expect(addon.services.alerts.at(-1)?.prompt, what).toContain(sentence);
    }
    expect(addon.services.sidebars).toHaveLength(0);
    expect(addon.services.requests).toHaveLength(0);
  });
});

describe('本行修改记录 through the real API handler on the emulator', () => {
  const fs = useFirestoreEmulator('addon-row-history', { reset: true });

  it('shows each P01 its own tab’s changes, and 恢复此值 puts the activity’s value back', async () => {
    const db = fs.firestore();
    const store = new PlanStore(db);
    const sample = sampleWorkbook(2026);
    const people = col('activities', '参与人数') - 1;
    const idAt = col('activities', '记录编号') - 1;
    const nameAt = col('partners', '单位名称') - 1;
    // The sample's first activity gets the ID P01, which partner 区住建局 holds too.
    const workbook = (participants: number, partnerName: string): RawWorkbook => ({
      ...sample,
      tabs: sample.tabs.map((tab) => ({
        ...tab,
        rows: tab.rows.map((r, i) => {
          const cells: CellValue[] = [...r.cells];
          if (tab.name === '活动' && i === 0) {
            cells[idAt] = 'P01';
            cells[people] = participants;
          }
          if (tab.name === '共建单位' && cells[0] === 'P01') cells[nameAt] = partnerName;
          return { ...r, cells };
        }),
      })),
    });
    const sync = async (wb: RawWorkbook, minute: number) => {
      const now = new Date(Date.UTC(2026, 5, 30, 4, minute));
      await syncPlan(
        wb,
        {
          planId: PLAN_ID,
          caller: OWNER,
          now,
          existing: await store.getPlan(PLAN_ID),
          clock: pinnedClock(now),
        },
        store,
      );
    };
    // The activity's 参与人数 changes, then the partner's name: the partner's change is the ID's latest.
    await sync(workbook(10, '区住建局'), 0);
    await sync(workbook(35, '区住建局'), 1);
    await sync(workbook(35, '区住建局（新）'), 2);

    const api = createApi({
      store,
      verifyIdentity: async () => ({ email: OWNER, viaDevToken: false }),
      admins: [],
      maxBodyBytes: 1_000_000,
      now: () => new Date(Date.UTC(2026, 5, 30, 4, 3)),
      sleep: async () => {},
      history: { db, moveVersion: createVersionMover(db) },
    });
    /** The request the add-on sent, run through the handler: its status and JSON as the wire carries them. */
    const handle = async (request: FetchRequest) => {
      const url = new URL(request.url);
      const { status, body } = await answerOf(
        api,
        apiRequest(request.params.method?.toUpperCase() ?? 'GET', url.pathname, {
          body: request.params.payload === undefined ? undefined : JSON.parse(request.params.payload),
          query: Object.fromEntries(url.searchParams),
          caller: 'token',
        }),
      );
      return { status, body };
    };
    /** Calls the add-on once to record its request, then again with the handler's answer to it. */
    const throughApi = async <T>(addon: Addon, name: string, ...args: unknown[]): Promise<T> => {
      const sent = addon.services.requests.length;
      addon.services.respond = () => ({ status: 503, body: {} });
      // A sidebar call throws the refusal; a menu action shows it in a message box.
      try {
        addon.call(name, ...args);
      } catch (error) {
        expect(String(error)).toContain('服务器暂时出错');
      }
      expect(addon.services.requests).toHaveLength(sent + 1);
      const request = addon.services.requests.at(-1) as FetchRequest;
      const answer = await handle(request);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      addon.services.respond = (again) => {
        expect(again.url).toBe(request.url);
        return answer;
      };
      return addon.call<T>(name, ...args);
    };

    const addon = load();
    select(addon, '活动', 2);
    await throughApi(addon, 'showRowHistory');
    const activity = addon.services.sidebars.at(-1)?.payload<SidebarPayload>() as SidebarPayload;
    expect(activity.changes.map((c) => [c.label, c.old, c.new, c.restoreField])).toEqual([
      ['参与人数', '10', '35', 'participants'],
      ['（新增）', null, expect.any(String), undefined],
    ]);

    select(addon, '共建单位', 2);
    await throughApi(addon, 'showRowHistory');
    const partner = addon.services.sidebars.at(-1)?.payload<SidebarPayload>() as SidebarPayload;
    expect(partner.changes.map((c) => [c.label, c.old, c.new, c.restoreField])).toEqual([
      ['单位名称', '区住建局', '区住建局（新）', 'name'],
      ['（新增）', null, '区住建局', undefined],
    ]);

    const result = await throughApi(addon, 'restoreFieldValue', {
      tab: 'activities',
      id: 'P01',
      field: 'participants',
    });
    expect(result).toEqual({
      restored: true,
      message: expect.stringContaining('已将「参与人数」恢复为「10」'),
    });
    const stored = await db.collection('plans').doc(PLAN_ID).collection('activities').doc('P01').get();
    expect(stored.get('data.participants')).toBe(10);
    const partnerDoc = await db.collection('plans').doc(PLAN_ID).collection('partners').doc('P01').get();
    expect(partnerDoc.get('data.name')).toBe('区住建局（新）');

    // The refreshed list shows the restore, with no button left beside 参与人数.
    const again = await throughApi<SidebarPayload>(addon, 'getRowHistory', activity.record, activity.title);
    expect(again.changes[0]).toMatchObject({ source: '恢复', label: '参与人数', old: '35', new: '10' });
    expect(again.changes.filter((c) => c.restoreField !== undefined)).toEqual([]);
  }, 120_000);
});

describe('the sidebar in headless Chromium at 300 px', () => {
  it('shows a hostile value as text, fits the width, and restores only once confirmed', async () => {
    const addon = load();
    select(addon, '活动', 2);
    addon.services.respond = () => ({ status: 200, body: ACTIVITY_HISTORY });
    addon.call('showRowHistory');
    const html = (addon.services.sidebars.at(-1)?.getContent() ?? '')
      // Offline: the add-on stylesheet is Google's; the page works without it.
      .replace(/<link rel="stylesheet"[^>]*>/, '')
      .replace(
        '<head>',
        `<head><script>
          window.sent = [];
          window.reads = 0;
          var handlers = {};
          var run = {
            withSuccessHandler(f) { handlers.ok = f; return run; },
            withFailureHandler(f) { handlers.fail = f; return run; },
            restoreFieldValue(request) {
              window.sent.push(request);
              handlers.ok({ restored: true, message: '已将「参与人数」恢复为「12」：云端已更新' });
            },
            getRowHistory(record, title) {
              window.reads++;
              handlers.ok({ record: record, tabName: '活动', title: title, changes: [
                { at: '2026-03-01 10:40:00', by: 'owner@example.cn', source: '恢复', op: 'updated',
                  label: '参与人数', old: '40', new: '12' },
              ] });
            },
          };
          window.google = { script: { run: run, host: { close() {} } } };
        </script>`,
      );
    const dir = mkdtempSync(join(tmpdir(), 'gongjian-row-history-'));
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 300, height: 700 } });
      await page.setContent(html);
      // Page-side code as strings: the tests are compiled without the DOM's types.
      const seen = (await page.evaluate(`({
        images: document.querySelectorAll('img').length,
        pwned: window.pwned,
        heading: document.getElementById('heading').textContent,
        text: document.getElementById('changes').textContent,
        buttons: document.querySelectorAll('button.restore').length,
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      })`)) as {
        images: number;
        pwned?: number;
        heading: string;
        text: string;
        buttons: number;
        overflow: number;
      };
      expect(seen.images).toBe(0);
      expect(seen.pwned).toBeUndefined();
      expect(seen.heading).toBe(`「活动」P01  ${HOSTILE}`);
      expect(seen.text).toContain(`${HOSTILE} · 同步`);
      expect(seen.text).toContain(`地点：${HOSTILE} → 社区活动室`);
      expect(seen.buttons).toBe(2);
      expect(seen.overflow).toBe(0);
      writeFileSync(join(dir, 'shown.png'), await page.screenshot({ fullPage: true }));

      // The question, then 取消: nothing is sent.
      await page.click('button.restore >> nth=0');
      expect(await page.textContent('.ask div')).toBe('将「参与人数」恢复为「12」？');
      await page.click('.confirm-no');
      expect(await page.locator('.ask').count()).toBe(0);
      expect(await page.evaluate('window.sent.length')).toBe(0);

      // Asked again and confirmed: sent once with the record's tab, the answer shown, the list read again.
      await page.click('button.restore >> nth=0');
      writeFileSync(join(dir, 'asked.png'), await page.screenshot({ fullPage: true }));
      await page.click('.confirm-yes');
      await page.waitForFunction('window.reads === 1');
      expect(await page.evaluate('window.sent')).toEqual([
        { tab: 'activities', id: 'P01', field: 'participants' },
      ]);
      expect(await page.textContent('#status')).toBe('已将「参与人数」恢复为「12」：云端已更新');
      expect(await page.textContent('#changes')).toContain('参与人数：40 → 12');
      expect(await page.locator('button.restore').count()).toBe(0);
      if (process.env.KEEP_SCREENSHOTS) console.log(`screenshots in ${dir}`);
    } finally {
      await browser.close();
      if (!process.env.KEEP_SCREENSHOTS) rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
