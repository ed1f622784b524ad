/**
 * A small plan for the update-request tests: two partner units (one with a name that is markup),
 * an owner's measures (a count and a milestone) and a partner's measure, a few activities; and the
 * pieces around it — the Firestore emulator's runtime, the fake Sheets API holding the same plan.
 */
import { OAuth2Client } from 'google-auth-library';
import { protectSubmitted } from '../../../functions/src/requests/submit';
import type { Runtime } from '../../../functions/src/runtime';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { PLAN_MARKER_KEY } from '../../../shared/marks';
import type { RawWorkbook } from '../../../shared/workbook';
import { pinnedClock } from '../../support/clock';
import {
  addDeveloperMetadata,
  type FakeSheets,
  seedSpreadsheet,
  sheetNamed,
  sheetValues,
} from '../../support/fake-sheets';
import { ACTIVITY_HEADER } from '../../support/headers';
import { testRuntime } from '../../support/runtime';

export const NOW = new Date('2026-06-15T04:00:00Z');
export const TOKEN = 'fake-sheets-token';

/** The plan's workbook; `settings` adds rows to 设置, `activities` replaces the activity rows. */
export function planWorkbook(
  options: { settings?: [string, string][]; activities?: (string | number | null)[][] } = {},
): RawWorkbook {
  const activities = options.activities ?? [
    [
      'A1',
      '2026-03-01',
      'M1',
      'P1',
      '敬老义诊',
      '社区卫生站',
      30,
      null,
      2,
      null,
      '已完成',
      '李四',
      'https://example.cn/album/a1',
      null,
    ],
    [
      'A2',
      '2026-04-10',
      'M3',
      'P2',
      '文明劝导',
      null,
      12,
      null,
      null,
      null,
      '已完成',
      '李四',
      'https://example.cn/album/a2',
      null,
    ],
  ];
  return {
    tabs: [
      {
        name: '设置',
        header: ['项目', '值'],
        rows: [
          { row: 2, cells: ['社区名称', '幸福社区'] },
          { row: 3, cells: ['计划年度', 2026] },
          ...(options.settings ?? []).map((cells, i) => ({ row: 4 + i, cells })),
        ],
      },
      {
        name: '共建单位',
        header: ['单位编号', '单位名称', '单位类型', '邮箱'],
        rows: [
          { row: 2, cells: ['P1', '第一小学', '学校', 'liaison@school.cn'] },
          { row: 3, cells: ['P2', '<b>区税务局</b>', '机关', 'tax@example.cn'] },
        ],
      },
      {
        name: '计划',
        header: [
          '编号',
          '类别',
          '事项',
          '责任人',
          '责任人邮箱',
          '共建单位',
          '计量方式',
          '目标值',
          '截止日期',
        ],
        rows: [
          {
            row: 2,
            cells: ['M1', '实事共办', '为老服务', '张三', 'owner@example.cn', 'P1', '次数', 4, '2026-12-31'],
          },
          {
            row: 3,
            cells: [
              'M2',
              '实事共办',
              '老年活动室加层',
              '张三',
              'owner@example.cn',
              'P1',
              '里程碑',
              null,
              '2026-09-30',
            ],
          },
          {
            row: 4,
            cells: ['M3', '文明共创', '文明劝导', '王五', 'other@example.cn', 'P2', '次数', 2, '2026-12-31'],
          },
        ],
      },
      {
        name: '活动',
        header: ACTIVITY_HEADER,
        rows: activities.map((cells, i) => ({ row: 2 + i, cells })),
      },
    ],
  };
}

/** A runtime on the emulator whose Sheets client talks to the fake. */
export function emulatorRuntime(emulator: { projectId: string; host: string }, fake: FakeSheets): Runtime {
  return testRuntime(emulator, { sheets: { rootUrl: fake.rootUrl, token: TOKEN } });
}

/** Puts the plan in the fake Sheets API (marked for the plan) and syncs it into the store. */
export async function seedPlan(
  runtime: Runtime,
  fake: FakeSheets,
  planId: string,
  workbook: RawWorkbook = planWorkbook(),
): Promise<string> {
  const spreadsheetId = `sheet-${planId}`;
  const spreadsheet = seedSpreadsheet(fake, spreadsheetId, workbook);
  addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: planId });
  await syncSheet(runtime, planId, workbook);
  return spreadsheetId;
}

/** A sync of the given workbook (as the add-on read it) into the store. */
export async function syncSheet(runtime: Runtime, planId: string, workbook: RawWorkbook) {
  return syncPlan(
    workbook,
    {
      planId,
      caller: 'owner@example.cn',
      now: NOW,
      existing: await runtime.store.getPlan(planId),
      workbookLocation: { kind: 'sheets', spreadsheetId: `sheet-${planId}` },
      clock: pinnedClock(NOW),
      keepSubmitted: (inWorkbook) => protectSubmitted(runtime.db, planId, inWorkbook, NOW),
    },
    runtime.store,
  );
}

/** The 活动 tab of the plan's fake spreadsheet, as shown values. */
export function activityRows(fake: FakeSheets, planId: string): (string | number | boolean | null)[][] {
  const spreadsheet = fake.spreadsheets.get(`sheet-${planId}`);
  if (!spreadsheet) throw new Error(`no spreadsheet for ${planId}`);
  return sheetValues(sheetNamed(spreadsheet, '活动')).slice(1);
}

/** What the fake sheet holds now, as a workbook the add-on would send (a sync reads it). */
export async function readSheet(runtime: Runtime, planId: string): Promise<RawWorkbook> {
  const { createSheetsWorkbook } = await import('../../../adapters/workbook/sheets');
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: TOKEN });
  return createSheetsWorkbook({
    spreadsheetId: `sheet-${planId}`,
    auth,
    rootUrl: runtime.config.sheetsRootUrl as string,
  }).read();
}
