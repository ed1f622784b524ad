/**
 * The Google Sheets adapter of the workbook port against the fake Sheets v4 server: the real
 * `@googleapis/sheets` client sends its real paths and bodies (ranges fully percent-encoded,
 * Chinese tab names and quotes included), the fake answers and counts them.
 */
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATED_TAB_ORDER, ISSUE_FILL_ARGB, ISSUE_NOTE_MARKER } from '../../../adapters/workbook/port';
import { createSheetsWorkbook, type RetryOptions, SheetsApiError } from '../../../adapters/workbook/sheets';
import { CHARTS, type ChartData, chartData, chartSeries } from '../../../shared/charts';
import { COLUMNS } from '../../../shared/columns';
import { historyTable } from '../../../shared/history';
import { GENERATED_TAB_LABELS, type GeneratedTab, TAB_LABELS } from '../../../shared/i18n';
import type { Issue } from '../../../shared/issues';
import { PLAN_MARKER_KEY } from '../../../shared/marks';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import {
  percentCells,
  type StatusCell,
  SUMMARY_HEADERS,
  summaryStatuses,
  summaryTables,
} from '../../../shared/summary';
import { validateWorkbook } from '../../../shared/validate';
import type { CellValue, RawTab, RawWorkbook, Table } from '../../../shared/workbook';
import {
  ADDON_PROJECT,
  addDeveloperMetadata,
  cellAt,
  type FakeSheet,
  type FakeSheets,
  type FakeSpreadsheet,
  seedSpreadsheet,
  sheetNamed,
  sheetValues,
  shownValue,
  startFakeSheets,
} from '../../support/fake-sheets';

const TOKEN = 'ya29.test-access-token';
const YEAR = 2026;
const AS_OF = `${YEAR}-12-31`;
const ACTIVITY_ID_COLUMN = COLUMNS.activities.findIndex((column) => column.field === 'activityId');
const TITLE_COLUMN = COLUMNS.activities.findIndex((column) => column.field === 'title');

let fake: FakeSheets;
beforeAll(async () => {
  fake = await startFakeSheets({ token: TOKEN });
});
afterAll(async () => {
  await fake.stop();
});

/** An OAuth2 client holding a fixed access token: no network, the fake checks the bearer. */
function tokenAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: TOKEN });
  return auth;
}

let nextId = 0;
/** A fresh spreadsheet ID, so each test counts only its own requests. */
function freshId(): string {
  return `sheet-${process.pid}-${++nextId}`;
}

function requestsFor(spreadsheetId: string) {
  return fake.requests.filter((request) => request.path.startsWith(`/v4/spreadsheets/${spreadsheetId}`));
}

interface Delays {
  delays: number[];
}

function workbookFor(
  spreadsheetId: string,
  retry: RetryOptions = {},
): ReturnType<typeof createSheetsWorkbook> & Delays {
  const delays: number[] = [];
  const adapter = createSheetsWorkbook({
    spreadsheetId,
    auth: tokenAuth(),
    rootUrl: fake.rootUrl,
    retry: {
      sleep: async (ms) => {
        delays.push(ms);
      },
      ...retry,
    },
  });
  return Object.assign(adapter, { delays });
}

/** The sample workbook with `count` activity rows (the sample's, cycled, titles made unique). */
function scaledSample(count: number): RawWorkbook {
  const sample = sampleWorkbook(YEAR);
  return {
    tabs: sample.tabs.map((tab): RawTab => {
      if (tab.name !== '活动') return tab;
      const base = tab.rows;
      return {
        ...tab,
        rows: Array.from({ length: count }, (_, i) => {
          const cells = [...(base[i % base.length]?.cells ?? [])];
          const title = cells[TITLE_COLUMN];
          if (i >= base.length && typeof title === 'string') cells[TITLE_COLUMN] = `${title}（${i + 1}）`;
          // Only the sample's own IDs in its first cycle: later rows wait for an assigned one.
          if (i >= base.length) cells[ACTIVITY_ID_COLUMN] = null;
          return { row: i + 2, cells };
        }),
      };
    }),
  };
}

function tablesOf(workbook: RawWorkbook) {
  const result = validateWorkbook(workbook, { asOf: AS_OF });
  const stats = computeStats(result.model, AS_OF);
  return {
    result,
    tables: { ...summaryTables(result, stats), history: historyTable([], 'Asia/Shanghai') },
    statuses: summaryStatuses(result, stats),
    charts: chartData(stats),
  };
}

/** A table as the sheet shows it: trailing empty cells and rows dropped. */
function shown(
  table: readonly (readonly (string | number | boolean | null)[])[],
): (string | number | boolean | null)[][] {
  const rows = table.map((row) => {
    const cells = [...row];
    while (cells.length > 0 && cells[cells.length - 1] === null) cells.pop();
    return cells;
  });
  while (rows.length > 0 && rows[rows.length - 1]?.length === 0) rows.pop();
  return rows;
}

/**
 * A native chart as the sheet holds it: title, type, the header of each series' column, and the
 * figures it draws — its domain's and series' cells read back from the sheet under its header row.
 */
function nativeChart(sheet: FakeSheet, chart: sheets_v4.Schema$EmbeddedChart) {
  const basic = chart.spec?.basicChart;
  const cells = (data: sheets_v4.Schema$ChartData | undefined) => {
    const range = data?.sourceRange?.sources?.[0] ?? {};
    const column = range.startColumnIndex ?? 0;
    const rows = Array.from(
      { length: (range.endRowIndex ?? 0) - (range.startRowIndex ?? 0) },
      (_, i) => (range.startRowIndex ?? 0) + i,
    );
    return rows.map((row) => shownValue(cellAt(sheet, row, column)));
  };
  const series = (basic?.series ?? []).map((s) => cells(s.series));
  return {
    title: chart.spec?.title,
    type: basic?.chartType,
    series: series.map((column) => column[0]),
    figures: {
      labels: cells(basic?.domains?.[0]?.domain).slice(1),
      values: series.map((column) => column.slice(1)),
    } satisfies Record<keyof ReturnType<typeof chartSeries>, unknown>,
  };
}

function generatedTitles(spreadsheet: FakeSpreadsheet): string[] {
  return spreadsheet.sheets.map((sheet) => sheet.properties.title);
}

function argb(
  color: { red?: number | null; green?: number | null; blue?: number | null } | undefined | null,
) {
  if (!color) return undefined;
  const hex = (v: number | null | undefined) =>
    Math.round((v ?? 0) * 255)
      .toString(16)
      .padStart(2, '0')
      .toUpperCase();
  return `FF${hex(color.red)}${hex(color.green)}${hex(color.blue)}`;
}

describe('read', () => {
  it('reads the data tabs in one get and one batchGet, ranges fully encoded, dates as serial numbers', async () => {
    const id = freshId();
    const sample = sampleWorkbook(YEAR);
    // A blank row in the activities tab: skipped, and the rows after it keep their sheet numbers.
    const gapped: RawWorkbook = {
      tabs: [
        ...sample.tabs.map((tab) =>
          tab.name === '活动'
            ? { ...tab, rows: tab.rows.map((row) => ({ ...row, row: row.row >= 5 ? row.row + 1 : row.row })) }
            : tab,
        ),
        { name: '说明', header: ['这不是数据表'], rows: [] },
        { name: '汇总', header: ['指标', '数值'], rows: [{ row: 2, cells: ['事项总数', 12] }] },
      ],
    };
    seedSpreadsheet(fake, id, gapped);

    const read = await workbookFor(id).read();

    const requests = requestsFor(id);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v4/spreadsheets/${id}`,
      `GET /v4/spreadsheets/${id}/values:batchGet`,
    ]);
    for (const request of requests) expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    const batchGet = requests[1];
    // '活动' quoted and UTF-8 percent-encoded, quotes included, exactly as Google receives it.
    expect(batchGet?.rawQuery).toContain(`ranges=${encodeURIComponent("'活动'").replaceAll("'", '%27')}`);
    expect(batchGet?.rawQuery).toContain('ranges=%27%E6%B4%BB%E5%8A%A8%27');
    expect(batchGet?.query.ranges).toEqual(["'设置'", "'共建单位'", "'计划'", "'活动'"]);
    expect(batchGet?.query.valueRenderOption).toEqual(['UNFORMATTED_VALUE']);
    expect(batchGet?.query.dateTimeRenderOption).toEqual(['SERIAL_NUMBER']);

    expect(read.tabs.map((tab) => tab.name)).toEqual(['设置', '共建单位', '计划', '活动']);
    const activities = read.tabs[3] as RawTab;
    const expectedRows = (gapped.tabs[3] as RawTab).rows.map((row) => row.row);
    expect(activities.rows.map((row) => row.row)).toEqual(expectedRows);
    expect(expectedRows).not.toContain(5);
    const dateColumn = COLUMNS.activities.findIndex((column) => column.field === 'date');
    expect(typeof activities.rows[0]?.cells[dateColumn]).toBe('number');

    // The domain reads the serial numbers as the same dates: the whole model matches the source's.
    const fromSheet = validateWorkbook(read, { asOf: AS_OF });
    const fromSource = validateWorkbook(gapped, { asOf: AS_OF });
    expect(fromSheet.model).toEqual(fromSource.model);
    expect(fromSheet.issues).toEqual(fromSource.issues);
    expect(fromSheet.model.activities[0]?.date).toMatch(/^2026-\d\d-\d\d$/);
  });

  it('costs one call when no tab is recognised', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, { tabs: [{ name: 'Sheet1', header: ['a'], rows: [] }] });
    expect(await workbookFor(id).read()).toEqual({ tabs: [] });
    expect(requestsFor(id)).toHaveLength(1);
  });
});

describe.each([10, 10_000])('update with the generated tabs of %i activities', (count) => {
  const id = freshId();
  let source: RawWorkbook;
  let tables: Record<GeneratedTab, Table>;
  let statuses: Partial<Record<GeneratedTab, StatusCell[]>>;
  let charts: ChartData;
  let issues: Issue[];
  let assigned: { row: number; activityId: string }[];
  /** An issue that names a cell, where it is, and a note of staff's own placed there. */
  let target: { issue: Issue; sheet: string; row: number; column: number };
  const STAFF_NOTE = '张老师：这条待核实';

  beforeAll(async () => {
    source = scaledSample(count);
    // Staff typed an ID into row 3 of an otherwise unnumbered row; the system assigns another.
    const activities = source.tabs[3] as RawTab;
    const row3 = activities.rows[1] as { cells: CellValue[] };
    row3.cells[ACTIVITY_ID_COLUMN] = 'STAFF-7';
    seedSpreadsheet(fake, id, source);
    const read = await workbookFor(id).read();
    ({ tables, statuses, charts } = tablesOf(read));
    const result = validateWorkbook(read, { asOf: AS_OF });
    issues = result.issues;
    const issue = issues.find((i) => i.column !== '' && i.row >= 2) as Issue;
    const tab = read.tabs.find((t) => t.name === TAB_LABELS[issue.tab].zh) as RawTab;
    target = { issue, sheet: tab.name, row: issue.row - 1, column: tab.header.indexOf(issue.column) };
    expect(target.column).toBeGreaterThanOrEqual(0);
    assigned = (read.tabs[3] as RawTab).rows
      .filter((row) => row.row === 3 || row.cells[ACTIVITY_ID_COLUMN] === null)
      .map((row) => ({ row: row.row, activityId: `G${String(row.row).padStart(5, '0')}` }));
  }, 60_000);

  it('writes the generated tabs alone in 2 calls', async () => {
    const before = requestsFor(id).length;
    await workbookFor(id).update({ generated: tables, statuses, charts });
    const calls = requestsFor(id).slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v4/spreadsheets/${id}`,
      `POST /v4/spreadsheets/${id}:batchUpdate`,
    ]);
  }, 60_000);

  it('writes generated tabs, IDs and marks in at most 4 calls, whatever the row count', async () => {
    const spreadsheet = fake.spreadsheets.get(id) as FakeSpreadsheet;
    // A note of staff's own on a cell that gets an issue: it must survive marking and unmarking.
    const staffCell = cellAt(sheetNamed(spreadsheet, target.sheet), target.row, target.column);
    if (staffCell) staffCell.note = STAFF_NOTE;

    const before = requestsFor(id).length;
    const result = await workbookFor(id).update({
      generated: tables,
      statuses,
      charts,
      activityIds: assigned,
      issues,
    });
    const calls = requestsFor(id).slice(before);
    expect(calls.length).toBeLessThanOrEqual(4);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v4/spreadsheets/${id}`,
      `POST /v4/spreadsheets/${id}:batchUpdate`,
      `GET /v4/spreadsheets/${id}`,
      `POST /v4/spreadsheets/${id}:batchUpdate`,
    ]);
    // The cell read is limited to the data tabs, encoded like every range.
    expect(calls[2]?.rawQuery).toContain('ranges=%27%E6%B4%BB%E5%8A%A8%27');

    // IDs: only into empty cells; staff's STAFF-7 stays.
    expect(result.skippedIds).toEqual([
      { row: 3, activityId: 'G00003', reason: 'occupied', existing: 'STAFF-7' },
    ]);
    const after = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '活动');
    expect(cellAt(after, 2, ACTIVITY_ID_COLUMN)?.userEnteredValue).toEqual({ stringValue: 'STAFF-7' });
    for (const { row, activityId } of assigned.filter((a) => a.row !== 3).slice(0, 50)) {
      const cell = cellAt(after, row - 1, ACTIVITY_ID_COLUMN);
      expect(cell?.userEnteredValue).toEqual({ stringValue: activityId });
      expect(cell?.userEnteredFormat?.numberFormat?.type).toBe('TEXT');
    }
    // Rows the sample numbered keep their IDs.
    expect(cellAt(after, 1, ACTIVITY_ID_COLUMN)?.userEnteredValue).toEqual({ stringValue: 'A0001' });

    // Marks: every issue on a cell gets our note; staff's note stays in front of it.
    expect(result.unmarkedIssues.every((issue) => issue.column === '' || issue.row < 2)).toBe(true);
    const marked = cellAt(
      sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, target.sheet),
      target.row,
      target.column,
    );
    expect(marked?.note?.startsWith(`${STAFF_NOTE}\n\n${ISSUE_NOTE_MARKER}`)).toBe(true);
    expect(marked?.note).toContain(target.issue.message);
    const fill = argb(marked?.userEnteredFormat?.backgroundColorStyle?.rgbColor);
    expect([ISSUE_FILL_ARGB.error, ISSUE_FILL_ARGB.warning]).toContain(fill);
  }, 60_000);

  it('lays the generated tabs out: values, formats, frozen bold header, warning-only protection, two charts', () => {
    const spreadsheet = fake.spreadsheets.get(id) as FakeSpreadsheet;
    const titles = GENERATED_TAB_ORDER.map((tab) => GENERATED_TAB_LABELS[tab].zh);
    expect(generatedTitles(spreadsheet)).toEqual(['设置', '共建单位', '计划', '活动', ...titles]);
    for (const tab of GENERATED_TAB_ORDER) {
      const sheet = sheetNamed(spreadsheet, GENERATED_TAB_LABELS[tab].zh);
      // 汇总 carries the charts' figures right of its table (sheetsCharts.ts): its table is on the left.
      const width = Math.max(...tables[tab].map((row) => row.length));
      expect(shown(sheetValues(sheet).map((row) => row.slice(0, width)))).toEqual(shown(tables[tab]));
      expect(sheet.properties.gridProperties.frozenRowCount).toBe(1);
      expect(cellAt(sheet, 0, 0)?.userEnteredFormat?.textFormat?.bold).toBe(true);
      expect(sheet.protectedRanges).toHaveLength(1);
      expect(sheet.protectedRanges[0]?.warningOnly).toBe(true);
      expect(sheet.protectedRanges[0]?.range).toEqual({ sheetId: sheet.properties.sheetId });
    }
    // Percentages exactly where percentCells says, and nowhere else in the tab.
    const byCategory = sheetNamed(spreadsheet, '按类别');
    const percent = percentCells('byCategory', tables.byCategory);
    expect(percent.length).toBeGreaterThan(0);
    // The evidence coverage is one of the rates shown as percentages, on every category row.
    const coverage = SUMMARY_HEADERS.byCategory.indexOf('佐证覆盖率');
    expect(coverage).toBeGreaterThan(0);
    for (let r = 1; r < tables.byCategory.length; r++) {
      expect(typeof cellAt(byCategory, r, coverage)?.userEnteredValue?.numberValue).toBe('number');
      expect(percent).toContainEqual([r, coverage]);
    }
    for (const [r, c] of percent) {
      expect(cellAt(byCategory, r, c)?.userEnteredFormat?.numberFormat).toEqual({
        type: 'PERCENT',
        pattern: '0.0%',
      });
    }
    const percentKeys = new Set(percent.map(([r, c]) => `${r}:${c}`));
    byCategory.cells.forEach((row, r) => {
      row?.forEach((cell, c) => {
        if (!percentKeys.has(`${r}:${c}`))
          expect(cell?.userEnteredFormat?.numberFormat?.type).not.toBe('PERCENT');
      });
    });
    const overview = sheetNamed(spreadsheet, '汇总');
    for (const [r, c] of percentCells('overview', tables.overview)) {
      expect(cellAt(overview, r, c)?.userEnteredFormat?.numberFormat?.pattern).toBe('0.0%');
    }
    // Thousands separators on large quantities of the by-month tab (its total row at least).
    const byMonth = sheetNamed(spreadsheet, '按月');
    const totalRow = tables.byMonth.length - 1;
    const totalFunds = tables.byMonth[totalRow]?.[5];
    if (typeof totalFunds === 'number' && totalFunds >= 1000) {
      expect(cellAt(byMonth, totalRow, 5)?.userEnteredFormat?.numberFormat?.pattern).toMatch(/^#,##0/);
    }
    // Status colours on the validation tab's severity column.
    const validation = sheetNamed(spreadsheet, '校验');
    const severity = tables.validation[0]?.indexOf('级别') ?? -1;
    const errorRow = tables.validation.findIndex((row) => row[severity] === '错误');
    expect(
      argb(cellAt(validation, errorRow, severity)?.userEnteredFormat?.backgroundColorStyle?.rgbColor),
    ).toBe('FFFFC7CE');
    // The validation tab links each cell reference to that cell of this spreadsheet.
    const reference = tables.validation[0]?.indexOf('单元格') ?? -1;
    const linkedRow = tables.validation[errorRow] ?? [];
    const target = linkedRow[reference];
    expect(typeof target).toBe('string');
    const [tabName, cellName] = String(target).split('!');
    const gid = sheetNamed(spreadsheet, String(tabName)).properties.sheetId;
    expect(cellAt(validation, errorRow, reference)?.userEnteredFormat?.textFormat?.link?.uri).toBe(
      `#gid=${gid}&range=${cellName}`,
    );
    // Two charts on 汇总, as CHARTS defines them, over the figures of the statistics (not the tables).
    const drawn = spreadsheet.sheets.flatMap((sheet) =>
      sheet.charts.map((chart) => ({ sheet: sheet.properties.title, ...nativeChart(sheet, chart) })),
    );
    expect(drawn).toEqual(
      (['months', 'categories'] as const).map((kind) => ({
        sheet: '汇总',
        title: CHARTS[kind].title,
        type: CHARTS[kind].type === 'stackedBars' ? 'BAR' : 'COLUMN',
        series: CHARTS[kind].series.map((series) => series.label),
        figures: chartSeries(kind, charts),
      })),
    );
  });

  it('rewrites in place next time: same sheets, one protection and one chart each, old marks cleared', async () => {
    const before = fake.spreadsheets.get(id) as FakeSpreadsheet;
    const sheetIds = before.sheets.map((sheet) => sheet.properties.sheetId);

    await workbookFor(id).update({ generated: tables, charts, issues: [] });

    const spreadsheet = fake.spreadsheets.get(id) as FakeSpreadsheet;
    expect(spreadsheet.sheets.map((sheet) => sheet.properties.sheetId)).toEqual(sheetIds);
    expect(spreadsheet.sheets.flatMap((sheet) => sheet.charts)).toHaveLength(2);
    for (const tab of GENERATED_TAB_ORDER) {
      expect(sheetNamed(spreadsheet, GENERATED_TAB_LABELS[tab].zh).protectedRanges).toHaveLength(1);
    }
    const cell = cellAt(sheetNamed(spreadsheet, target.sheet), target.row, target.column);
    expect(cell?.note).toBe(STAFF_NOTE);
    expect(cell?.userEnteredFormat?.backgroundColorStyle).toBeUndefined();
    const activities = sheetNamed(spreadsheet, '活动');
    const leftovers = activities.cells
      .flat()
      .filter(
        (c) =>
          c?.note?.includes(ISSUE_NOTE_MARKER) ||
          [ISSUE_FILL_ARGB.error, ISSUE_FILL_ARGB.warning].includes(
            argb(c?.userEnteredFormat?.backgroundColorStyle?.rgbColor) ?? '',
          ),
      );
    expect(leftovers).toEqual([]);
  }, 60_000);
});

describe('protection of the generated tabs', () => {
  const ADMIN = 'admin@example.cn';
  /** Every addProtectedRange the adapter sent to this spreadsheet. */
  const protectionsAdded = (spreadsheetId: string) =>
    requestsFor(spreadsheetId)
      .filter((r) => r.method === 'POST' && r.path.endsWith(':batchUpdate'))
      .flatMap((r) => (r.body as { requests?: Record<string, unknown>[] }).requests ?? [])
      .filter((request) => 'addProtectedRange' in request).length;

  it('keeps an admin’s own protection of a generated tab and adds no second one', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    const { tables } = tablesOf(sampleWorkbook(YEAR));
    await workbookFor(id).update({ generated: tables });
    expect(protectionsAdded(id)).toBe(GENERATED_TAB_ORDER.length);

    // An admin makes 汇总 editable by themselves only, in place of our warning.
    const summary = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '汇总');
    const [ours] = summary.protectedRanges;
    const api = sheets({
      version: 'v4',
      auth: tokenAuth() as unknown as NonNullable<sheets_v4.Options['auth']>,
      rootUrl: fake.rootUrl,
      retry: false,
    });
    await api.spreadsheets.batchUpdate({
      spreadsheetId: id,
      requestBody: {
        requests: [
          { deleteProtectedRange: { protectedRangeId: ours?.protectedRangeId ?? -1 } },
          {
            addProtectedRange: {
              protectedRange: {
                range: { sheetId: summary.properties.sheetId },
                description: '仅管理员可改',
                editors: { users: [ADMIN] },
              },
            },
          },
        ],
      },
    });
    const before = protectionsAdded(id);

    await workbookFor(id).update({ generated: tables });

    const spreadsheet = fake.spreadsheets.get(id) as FakeSpreadsheet;
    // Nothing added this time: every generated tab had a protection, ours or the admin's.
    expect(protectionsAdded(id)).toBe(before);
    expect(sheetNamed(spreadsheet, '汇总').protectedRanges).toEqual([
      expect.objectContaining({ description: '仅管理员可改', editors: { users: [ADMIN] } }),
    ]);
    for (const tab of GENERATED_TAB_ORDER) {
      expect(sheetNamed(spreadsheet, GENERATED_TAB_LABELS[tab].zh).protectedRanges, tab).toHaveLength(1);
    }
    expect(sheetValues(sheetNamed(spreadsheet, '汇总'))).toEqual(shown(tables.overview));
  });
});

describe('assigned IDs', () => {
  it('adds an ID column after the last used one when the tab has none, growing the grid', async () => {
    const id = freshId();
    const sample = sampleWorkbook(YEAR);
    const activities = sample.tabs[3] as RawTab;
    const withoutIds: RawTab = {
      ...activities,
      header: activities.header.filter((_, c) => c !== ACTIVITY_ID_COLUMN),
      rows: activities.rows.map((row) => ({
        ...row,
        cells: row.cells.filter((_, c) => c !== ACTIVITY_ID_COLUMN),
      })),
    };
    const spreadsheet = seedSpreadsheet(fake, id, { tabs: [...sample.tabs.slice(0, 3), withoutIds] });
    const seeded = sheetNamed(spreadsheet, '活动');
    const width = withoutIds.header.length;
    seeded.properties.gridProperties.columnCount = width;
    const header = cellAt(seeded, 0, width - 1) as { userEnteredFormat?: object };
    header.userEnteredFormat = { textFormat: { bold: true } };

    const result = await workbookFor(id).update({
      activityIds: [
        { row: 2, activityId: '4.30' },
        { row: 3, activityId: 'A-3' },
        { row: 500, activityId: 'A-500' },
      ],
    });

    expect(result.skippedIds).toEqual([{ row: 500, activityId: 'A-500', reason: 'empty_row' }]);
    const sheet = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '活动');
    expect(sheet.properties.gridProperties.columnCount).toBe(width + 1);
    expect(cellAt(sheet, 0, width)?.userEnteredValue).toEqual({ stringValue: '记录编号' });
    expect(cellAt(sheet, 0, width)?.userEnteredFormat).toEqual({ textFormat: { bold: true } });
    expect(cellAt(sheet, 1, width)?.userEnteredValue).toEqual({ stringValue: '4.30' });
    expect(cellAt(sheet, 2, width)?.userEnteredValue).toEqual({ stringValue: 'A-3' });
    // The whole column is text, so an ID typed later (4.30) is not read as the number 4.3.
    expect(cellAt(sheet, 40, width)?.userEnteredFormat?.numberFormat?.type).toBe('TEXT');
    // 3 calls: structure, cells, one batch.
    expect(requestsFor(id)).toHaveLength(3);
  });

  it('reports every ID as unwritten when there is no activities tab', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, { tabs: sampleWorkbook(YEAR).tabs.slice(0, 3) });
    const result = await workbookFor(id).update({ activityIds: [{ row: 2, activityId: 'A-2' }] });
    expect(result.skippedIds).toEqual([{ row: 2, activityId: 'A-2', reason: 'no_tab' }]);
    expect(requestsFor(id).filter((r) => r.method === 'POST')).toHaveLength(0);
  });
});

describe('text stays text', () => {
  it('writes formula-like strings as strings, never formulas', async () => {
    const id = freshId();
    const sample = sampleWorkbook(YEAR);
    seedSpreadsheet(fake, id, sample);
    const evil = ['=HYPERLINK("http://evil")', '+1', '@x', '-2', "=cmd|' /C calc'!A0"];
    const overview: Table = [['指标', '数值'], ...evil.map((text) => [text, text])];
    await workbookFor(id).update({ generated: { overview } });
    const sheet = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '汇总');
    evil.forEach((text, i) => {
      for (const c of [0, 1]) {
        const cell = cellAt(sheet, i + 1, c);
        expect(cell?.userEnteredValue).toEqual({ stringValue: text });
        expect(cell?.userEnteredValue?.formulaValue).toBeUndefined();
      }
    });
  });

  it('writes a formula-like measure title from the sample pipeline as text', async () => {
    const id = freshId();
    const sample = sampleWorkbook(YEAR);
    const partners = sample.tabs[1] as RawTab;
    const nameColumn = COLUMNS.partners.findIndex((column) => column.field === 'name');
    (partners.rows[0] as { cells: CellValue[] }).cells[nameColumn] = '=HYPERLINK("http://evil")';
    seedSpreadsheet(fake, id, sample);
    const adapter = workbookFor(id);
    const { tables } = tablesOf(await adapter.read());
    await adapter.update({ generated: tables });
    const byPartner = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '按单位');
    const found = byPartner.cells
      .flat()
      .filter((cell) => JSON.stringify(cell?.userEnteredValue).includes('evil'));
    expect(found.length).toBeGreaterThan(0);
    for (const cell of found)
      expect(cell?.userEnteredValue).toEqual({ stringValue: '=HYPERLINK("http://evil")' });
  });
});

describe('failures', () => {
  const small = () => tablesOf(sampleWorkbook(YEAR)).tables;
  const smallCharts = () => tablesOf(sampleWorkbook(YEAR)).charts;

  it('rides out a storm of 429s with growing, jittered, bounded delays', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    fake.failNext(429, 3, { method: 'POST', path: /:batchUpdate$/ });
    const adapter = workbookFor(id, { tries: 5, baseMs: 500, maxMs: 16_000, random: () => 0.5 });
    await adapter.update({ generated: small() });
    const writes = requestsFor(id).filter((r) => r.method === 'POST');
    expect(writes.map((r) => r.status)).toEqual([429, 429, 429, 200]);
    expect(adapter.delays).toEqual([250, 500, 1000]);
    expect(sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '汇总').protectedRanges).toHaveLength(1);
  });

  it('keeps every jittered delay under a doubling ceiling and the maximum', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    fake.failNext(503, 4, { method: 'GET' });
    const adapter = workbookFor(id, { tries: 5, baseMs: 100, maxMs: 300 });
    await adapter.read();
    expect(adapter.delays).toHaveLength(4);
    adapter.delays.forEach((delay, n) => {
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(Math.min(300, 100 * 2 ** n));
    });
  });

  it('retries a dropped connection', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    fake.failNext(0, 2, { method: 'GET' });
    const adapter = workbookFor(id, { random: () => 0 });
    const read = await adapter.read();
    expect(read.tabs).toHaveLength(4);
    expect(adapter.delays).toHaveLength(2);
  });

  it('plans a retried write again when the lost attempt was applied after all', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    // The first batch adds the six tabs, then its answer is lost: replaying it would add them twice.
    fake.failNext(503, 1, { method: 'POST', path: /:batchUpdate$/, afterApplying: true });
    await workbookFor(id).update({ generated: small(), charts: smallCharts() });
    const spreadsheet = fake.spreadsheets.get(id) as FakeSpreadsheet;
    expect(requestsFor(id).map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 200',
      'POST 503',
      'GET 200',
      'POST 200',
    ]);
    expect(generatedTitles(spreadsheet)).toHaveLength(4 + GENERATED_TAB_ORDER.length);
    expect(spreadsheet.sheets.flatMap((sheet) => sheet.protectedRanges)).toHaveLength(
      GENERATED_TAB_ORDER.length,
    );
    expect(spreadsheet.sheets.flatMap((sheet) => sheet.charts)).toHaveLength(2);
  });

  it('gives up after the tries with a SheetsApiError and leaves the previous generated tabs whole', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    const first = small();
    await workbookFor(id).update({ generated: first });
    const snapshot = structuredClone((fake.spreadsheets.get(id) as FakeSpreadsheet).sheets);

    // The next run has other tables (fewer rows, other values) and every write fails.
    const next: Partial<Record<GeneratedTab, Table>> = {
      ...first,
      overview: [
        ['指标', '数值'],
        ['只有一行', 1],
      ],
      validation: [
        ['工作表', '行'],
        ['计划', 2],
      ],
    };
    fake.failNext(500, 3, { method: 'POST', path: /:batchUpdate$/ });
    const adapter = workbookFor(id, { tries: 3 });
    const error = await adapter.update({ generated: next }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SheetsApiError);
    expect((error as SheetsApiError).code).toBe('sheets_unavailable');
    expect((error as SheetsApiError).status).toBe(500);
    expect((error as SheetsApiError).attempts).toBe(3);
    expect((error as SheetsApiError).messageZh).toContain('已尝试 3 次');
    expect(adapter.delays).toHaveLength(2);
    expect((fake.spreadsheets.get(id) as FakeSpreadsheet).sheets).toEqual(snapshot);
    expect(sheetValues(sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '汇总'))).toEqual(
      shown(first.overview),
    );
  });

  it('does not retry a 400', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    fake.failNext(400, 1, { method: 'POST' });
    const adapter = workbookFor(id);
    const error = await adapter.update({ generated: small() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SheetsApiError);
    expect((error as SheetsApiError).code).toBe('sheets_refused');
    expect((error as SheetsApiError).status).toBe(400);
    expect((error as SheetsApiError).attempts).toBe(1);
    expect(adapter.delays).toEqual([]);
    expect(requestsFor(id).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('explains a 403: the sheet is not shared with the service account', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    fake.failNext(403, 1, { method: 'GET' });
    const error = await workbookFor(id)
      .read()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SheetsApiError);
    expect((error as SheetsApiError).code).toBe('sheets_forbidden');
    expect((error as SheetsApiError).messageZh).toContain('服务账号');
    expect(requestsFor(id)).toHaveLength(1);
  });
});

describe('plan markers', () => {
  it('reads the DOCUMENT markers on the spreadsheet itself with one developerMetadata.search', async () => {
    const id = freshId();
    const spreadsheet = seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'plan-a' });
    addDeveloperMetadata(spreadsheet, { key: 'someone.else', value: 'plan-b' });
    expect(await workbookFor(id).planMarkers()).toEqual(['plan-a']);
    const requests = requestsFor(id);
    expect(requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      `POST /v4/spreadsheets/${id}/developerMetadata:search 200`,
    ]);
    expect(requests[0]?.body).toEqual({
      dataFilters: [
        {
          developerMetadataLookup: {
            metadataKey: PLAN_MARKER_KEY,
            locationType: 'SPREADSHEET',
            visibility: 'DOCUMENT',
          },
        },
      ],
    });
  });

  it('finds none where there is none, on a sheet only, or hidden in another project', async () => {
    const id = freshId();
    const spreadsheet = seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    expect(await workbookFor(id).planMarkers()).toEqual([]);
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'plan-a', sheetId: 0 });
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'plan-a', visibility: 'PROJECT' });
    expect(await workbookFor(id).planMarkers()).toEqual([]);
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'plan-b' });
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'plan-a' });
    expect((await workbookFor(id).planMarkers()).sort()).toEqual(['plan-a', 'plan-b']);
  });
});

describe('the fake answers like Google', () => {
  // The raw client, as the adapter builds it (its auth type is a nested copy of google-auth-library).
  const client = () =>
    sheets({
      version: 'v4',
      auth: tokenAuth() as unknown as NonNullable<sheets_v4.Options['auth']>,
      rootUrl: fake.rootUrl,
      retry: false,
    });

  it('stores RAW strings as text and USER_ENTERED ones as typed, with :append and :clear literal', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, { tabs: [{ name: '活动 记录', header: ['a', 'b'], rows: [] }] });
    const api = client();
    await api.spreadsheets.values.append({
      spreadsheetId: id,
      range: "'活动 记录'!A:B",
      valueInputOption: 'RAW',
      requestBody: { values: [['=1+1', '+1']] },
    });
    await api.spreadsheets.values.append({
      spreadsheetId: id,
      range: "'活动 记录'!A:B",
      valueInputOption: 'USER_ENTERED',
      requestBody: { values: [['=1+1', '+1']] },
    });
    const sheet = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '活动 记录');
    expect(cellAt(sheet, 1, 0)?.userEnteredValue).toEqual({ stringValue: '=1+1' });
    expect(cellAt(sheet, 1, 1)?.userEnteredValue).toEqual({ stringValue: '+1' });
    expect(cellAt(sheet, 2, 0)?.userEnteredValue).toEqual({ formulaValue: '=1+1' });
    expect(cellAt(sheet, 2, 1)?.userEnteredValue).toEqual({ numberValue: 1 });
    await api.spreadsheets.values.clear({ spreadsheetId: id, range: "'活动 记录'!A2:B2" });
    expect(cellAt(sheet, 1, 0)?.userEnteredValue).toBeUndefined();

    const paths = requestsFor(id).map((r) => r.path);
    const encoded = '%27%E6%B4%BB%E5%8A%A8%20%E8%AE%B0%E5%BD%95%27%21';
    expect(paths).toEqual([
      `/v4/spreadsheets/${id}/values/${encoded}A%3AB:append`,
      `/v4/spreadsheets/${id}/values/${encoded}A%3AB:append`,
      `/v4/spreadsheets/${id}/values/${encoded}A2%3AB2:clear`,
    ]);
  });

  it('applies a batchUpdate atomically: one bad request and nothing changes', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    const before = structuredClone((fake.spreadsheets.get(id) as FakeSpreadsheet).sheets);
    const error = await client()
      .spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: {
          requests: [
            { addSheet: { properties: { title: '新表' } } },
            {
              updateCells: {
                start: { sheetId: 0, rowIndex: 5000, columnIndex: 0 },
                rows: [{ values: [{}] }],
                fields: '*',
              },
            },
          ],
        },
      })
      .catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect((fake.spreadsheets.get(id) as FakeSpreadsheet).sheets).toEqual(before);
  });

  it('refuses a second protection of a whole sheet with Google’s words; a range beside it is fine', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    const sheet = (fake.spreadsheets.get(id) as FakeSpreadsheet)
      .sheets[0] as FakeSpreadsheet['sheets'][number];
    const sheetId = sheet.properties.sheetId;
    const protect = (range: sheets_v4.Schema$GridRange) =>
      client().spreadsheets.batchUpdate({
        spreadsheetId: id,
        requestBody: { requests: [{ addProtectedRange: { protectedRange: { range, warningOnly: true } } }] },
      });
    await protect({ sheetId });
    await protect({ sheetId, startRowIndex: 0, endRowIndex: 1 });
    const error = await protect({ sheetId }).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect(String((error as Error).message)).toContain(
      `Invalid requests[0].addProtectedRange: Sheet "${sheet.properties.title}" already has sheet protection.`,
    );
    const after = (fake.spreadsheets.get(id) as FakeSpreadsheet).sheets[0];
    expect(after?.protectedRanges).toHaveLength(2);
  });

  it('answers developer metadata as the API does: search, get by ID, and spreadsheets.get fields', async () => {
    const id = freshId();
    const spreadsheet = seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    const marker = addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'plan-a' });
    addDeveloperMetadata(spreadsheet, { key: PLAN_MARKER_KEY, value: 'on-a-sheet', sheetId: 0 });
    addDeveloperMetadata(spreadsheet, {
      key: PLAN_MARKER_KEY,
      value: 'own',
      visibility: 'PROJECT',
      project: fake.project,
    });
    addDeveloperMetadata(spreadsheet, {
      key: PLAN_MARKER_KEY,
      value: 'hidden',
      visibility: 'PROJECT',
      project: ADDON_PROJECT,
    });
    const api = client();
    const byKey = { developerMetadataLookup: { metadataKey: PLAN_MARKER_KEY } };
    const found = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: id,
      requestBody: { dataFilters: [byKey] },
    });
    // Every location and this project's PROJECT entry; never another project's.
    expect(found.data.matchedDeveloperMetadata?.map((m) => m.developerMetadata?.metadataValue)).toEqual([
      'plan-a',
      'on-a-sheet',
      'own',
    ]);
    expect(found.data.matchedDeveloperMetadata?.[0]).toEqual({
      developerMetadata: {
        metadataId: marker.metadata.metadataId,
        metadataKey: PLAN_MARKER_KEY,
        metadataValue: 'plan-a',
        visibility: 'DOCUMENT',
        location: { locationType: 'SPREADSHEET', spreadsheet: true },
      },
      dataFilters: [byKey],
    });
    const none = await api.spreadsheets.developerMetadata.search({
      spreadsheetId: id,
      requestBody: { dataFilters: [{ developerMetadataLookup: { metadataKey: 'nothing.here' } }] },
    });
    expect(none.data).toEqual({});
    const one = await api.spreadsheets.developerMetadata.get({
      spreadsheetId: id,
      metadataId: marker.metadata.metadataId,
    });
    expect(one.data.metadataValue).toBe('plan-a');
    const got = await api.spreadsheets.get({ spreadsheetId: id, fields: 'developerMetadata' });
    expect(got.data.developerMetadata?.map((m) => m.metadataValue)).toEqual(['plan-a', 'own']);
    for (const dataFilters of [[], [{ developerMetadataLookup: {} }], [{ a1Range: 'A1' }]]) {
      const error = await api.spreadsheets.developerMetadata
        .search({ spreadsheetId: id, requestBody: { dataFilters } })
        .catch((e: unknown) => e);
      expect((error as { status?: number }).status).toBe(400);
    }
    expect(requestsFor(id).map((r) => `${r.method} ${r.path}`)).toContain(
      `GET /v4/spreadsheets/${id}/developerMetadata/${marker.metadata.metadataId}`,
    );
  });

  it('refuses requests without a bearer token', async () => {
    const id = freshId();
    seedSpreadsheet(fake, id, sampleWorkbook(YEAR));
    const api = sheets({ version: 'v4', rootUrl: fake.rootUrl, retry: false });
    const error = await api.spreadsheets.get({ spreadsheetId: id }).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(401);
  });
});
