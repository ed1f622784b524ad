/**
 * The optional 节假日 / Holidays tab (SPEC §3) through every reader of a workbook: the streaming
 * .xlsx reader (a real file written by exceljs, with date cells), a folder of CSV files, and the
 * Google Sheets adapter against the fake Sheets API (dates as serial numbers, as Sheets answers).
 * Each yields the same calendar days in the settings, and a bad row's issue names its cell —
 * which the Sheets adapter then marks like any data tab's.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWorkbook, writeCsvFolder } from '../../../adapters/workbook';
import { createSheetsWorkbook } from '../../../adapters/workbook/sheets';
import { validateSourceAsOf } from '../../../adapters/workbook/validateToday';
import { writeXlsx } from '../../../adapters/workbook/xlsx';
import { validateWorkbook } from '../../../shared/validate';
import type { CellValue, RawWorkbook } from '../../../shared/workbook';
import {
  cellAt,
  type FakeSheets,
  type FakeSpreadsheet,
  seedSpreadsheet,
  sheetNamed,
  startFakeSheets,
} from '../../support/fake-sheets';

const TOKEN = 'ya29.holidays-test';
const NOW = new Date('2027-01-04T02:00:00Z');
/** A date cell as exceljs reads one: UTC midnight of the calendar day. */
const dateCell = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** A 2027 plan with a 节假日 tab of a date cell, two text dates (one bad) and a bad type. */
function workbook(dates: 'cells' | 'text' | 'serial'): RawWorkbook {
  const first: CellValue =
    dates === 'cells' ? dateCell('2027-02-08') : dates === 'serial' ? 46426 : '2027-02-08';
  return {
    tabs: [
      {
        name: '设置',
        header: ['项目', '值'],
        rows: [{ row: 2, cells: ['计划年度', 2027] }],
      },
      {
        name: '计划',
        header: ['编号', '类别', '事项'],
        rows: [{ row: 2, cells: ['M1', '党建共商', '召开联席会议'] }],
      },
      {
        name: '节假日',
        header: ['日期', '类型', '名称'],
        rows: [
          { row: 2, cells: [first, '休', '春节'] },
          { row: 3, cells: ['2027/2/20', '班', '春节调休'] },
          { row: 4, cells: ['2027-02-30', '休', null] },
          { row: 5, cells: ['2027-02-09', '半天', null] },
        ],
      },
    ],
  };
}

const EXPECTED_DAYS = [
  { date: '2027-02-08', kind: 'off', name: '春节' },
  { date: '2027-02-20', kind: 'work', name: '春节调休' },
];

const holidayIssues = (issues: { tab: string; row: number; column: string; code: string }[]) =>
  issues.filter((i) => i.tab === 'holidays').map(({ row, column, code }) => ({ row, column, code }));

const EXPECTED_ISSUES = [
  { row: 4, column: '日期', code: 'invalid_date' },
  { row: 5, column: '类型', code: 'invalid_enum' },
];

let dir: string;
let fake: FakeSheets;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gongjian-holidays-'));
  fake = await startFakeSheets({ token: TOKEN });
});
afterAll(async () => {
  await fake?.stop();
  await rm(dir, { recursive: true, force: true });
});

function toWriteTabs(source: RawWorkbook) {
  return source.tabs.map((tab) => ({
    name: tab.name,
    header: tab.header.map(String),
    rows: tab.rows.map((row) => row.cells),
  }));
}

describe('the 节假日 tab through each reader', () => {
  it('.xlsx (streaming reader): date cells and text dates become the plan calendar', async () => {
    const path = join(dir, 'plan.xlsx');
    // 节假日 first in the file: the reader opens it last, after the tabs validation needs first.
    const tabs = toWriteTabs(workbook('cells'));
    await writeXlsx(path, [...tabs.slice(2), ...tabs.slice(0, 2)]);
    const { result } = await validateSourceAsOf(await openWorkbook(path), undefined, NOW);
    expect(result.model.settings.holidays).toEqual(EXPECTED_DAYS);
    expect(holidayIssues(result.issues)).toEqual(EXPECTED_ISSUES);
    // 2027 is covered by the tab: no unknown_calendar warning.
    expect(result.issues.filter((i) => i.code === 'unknown_calendar')).toEqual([]);
    expect(result.sources.holidays?.name).toBe('节假日');
  });

  it('a folder of CSV files: 节假日.csv is read like any tab', async () => {
    const folder = join(dir, 'csv');
    await writeCsvFolder(folder, toWriteTabs(workbook('text')));
    const { result } = await validateSourceAsOf(await openWorkbook(folder), undefined, NOW);
    expect(result.model.settings.holidays).toEqual(EXPECTED_DAYS);
    expect(holidayIssues(result.issues)).toEqual(EXPECTED_ISSUES);
  });

  it('the Google Sheets adapter reads it (serial dates) and marks its bad cells', async () => {
    const spreadsheetId = `holidays-${process.pid}`;
    seedSpreadsheet(fake, spreadsheetId, workbook('serial'));
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: TOKEN });
    const sheets = createSheetsWorkbook({ spreadsheetId, auth, rootUrl: fake.rootUrl });
    const read = await sheets.read();
    expect(read.tabs.map((tab) => tab.name)).toEqual(['设置', '计划', '节假日']);
    const result = validateWorkbook(read, { asOf: '2027-01-04' });
    expect(result.model.settings.holidays).toEqual(EXPECTED_DAYS);
    expect(holidayIssues(result.issues)).toEqual(EXPECTED_ISSUES);

    const { unmarkedIssues } = await sheets.update({ issues: result.issues });
    expect(unmarkedIssues.filter((i) => i.tab === 'holidays')).toEqual([]);
    const tab = sheetNamed(fake.spreadsheets.get(spreadsheetId) as FakeSpreadsheet, '节假日');
    expect(cellAt(tab, 3, 0)?.note).toContain('日期无法识别：2027-02-30');
    expect(cellAt(tab, 4, 1)?.note).toContain('半天');
    expect(cellAt(tab, 1, 0)?.note ?? '').toBe('');
  });
});
