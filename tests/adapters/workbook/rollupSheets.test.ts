/**
 * A district's roll-up in its Google Sheet (§13) against the strict fake Sheets v4 server: the real
 * `@googleapis/sheets` client writes the four roll-up tabs with the very cells the .xlsx writer
 * writes for the same roll-up (compared cell by cell with the .xlsx read back: values, number
 * formats, bold header, fills), native charts from the one chart definition over their figures,
 * a hostile community name as text, in one batchUpdate; a re-run writes the same, and a tab of the
 * district's own is left alone.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import ExcelJS from 'exceljs';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLUP_CHART_OF, rollupWorkbook } from '../../../adapters/workbook/port';
import { rollupXlsxBytes } from '../../../adapters/workbook/rollupXlsx';
import { createSheetsWorkbook, SheetsApiError } from '../../../adapters/workbook/sheets';
import { argbOf } from '../../../adapters/workbook/sheetsGrid';
import { CHART_COLOURS, ROLLUP_CHARTS, rollupChartSeries } from '../../../shared/charts';
import { ROLLUP_TAB_LABELS, ROLLUP_TABS } from '../../../shared/i18n';
import { type DistrictRollup, rollUpDistrict, summarisePlan } from '../../../shared/rollup';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import { validateWorkbook } from '../../../shared/validate';
import type { RawWorkbook } from '../../../shared/workbook';
import {
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

const TOKEN = 'ya29.rollup-test-token';
const AS_OF = '2026-06-30';
const HOSTILE = '=HYPERLINK("http://evil.example/steal","点我")';

let fake: FakeSheets;
beforeAll(async () => {
  fake = await startFakeSheets({ token: TOKEN });
});
afterAll(async () => {
  await fake.stop();
});

function tokenAuth(): OAuth2Client {
  const auth = new OAuth2Client();
  auth.setCredentials({ access_token: TOKEN });
  return auth;
}

/** The sample plan as one community, its 社区名称 replaced; `behind` drops its activities, so ranks differ. */
function community(name: string, file: string, behind: boolean) {
  const workbook: RawWorkbook = sampleWorkbook(2026);
  for (const tab of workbook.tabs) {
    for (const row of tab.rows) if (row.cells[0] === '社区名称') row.cells[1] = name;
  }
  const { model } = validateWorkbook(workbook, { asOf: AS_OF });
  const plan = behind ? { ...model, activities: [] } : model;
  return summarisePlan(plan, computeStats(plan, AS_OF), { name: file, path: file });
}

function districtRollup(): DistrictRollup {
  return rollUpDistrict([
    community('东风社区', 'dongfeng.xlsx', false),
    community(HOSTILE, 'evil.xlsx', true),
    community('红旗社区', 'hongqi.xlsx', false),
  ]);
}

let nextId = 0;
function freshSpreadsheet(): FakeSpreadsheet {
  // The district's own tab, which the roll-up must leave as it is.
  return seedSpreadsheet(fake, `district-${process.pid}-${++nextId}`, {
    tabs: [{ name: '说明', header: ['街道汇总说明'], rows: [{ row: 2, cells: ['每月初报领导'] }] }],
  });
}

function workbookOf(spreadsheet: FakeSpreadsheet) {
  return createSheetsWorkbook({
    spreadsheetId: spreadsheet.spreadsheetId,
    auth: tokenAuth(),
    rootUrl: fake.rootUrl,
    retry: { tries: 1 },
  });
}

function requestsFor(spreadsheet: FakeSpreadsheet) {
  return fake.requests.filter((r) => r.path.startsWith(`/v4/spreadsheets/${spreadsheet.spreadsheetId}`));
}

/** What one cell shows, in terms both writers can be read in. */
interface Shown {
  value: string | number | boolean | null;
  format: string | undefined;
  bold: boolean;
  fill: string | undefined;
}

function sheetCell(sheet: FakeSheet, r: number, c: number): Shown {
  const cell = cellAt(sheet, r, c);
  const format = cell?.userEnteredFormat;
  return {
    value: shownValue(cell),
    format: format?.numberFormat?.pattern ?? undefined,
    bold: format?.textFormat?.bold === true,
    fill: argbOf(format?.backgroundColorStyle?.rgbColor ?? format?.backgroundColor),
  };
}

function xlsxCell(sheet: ExcelJS.Worksheet, r: number, c: number): Shown {
  const cell = sheet.getCell(r + 1, c + 1);
  const fill =
    cell.fill?.type === 'pattern' && cell.fill.pattern === 'solid' ? cell.fill.fgColor?.argb : undefined;
  const value = cell.value;
  return {
    value: value === undefined || value === '' ? null : (value as string | number | boolean | null),
    format: cell.numFmt || undefined,
    bold: cell.font?.bold === true,
    fill: fill?.toUpperCase(),
  };
}

/** A sheet's cells, values and formats, charts and protections: what a re-run must leave equal. */
function snapshot(spreadsheet: FakeSpreadsheet) {
  return spreadsheet.sheets.map((sheet) => ({
    // The fake keeps a frozenColumnCount of 0 only once a resize names it: 0 either way.
    properties: {
      ...sheet.properties,
      gridProperties: { frozenColumnCount: 0, ...sheet.properties.gridProperties },
    },
    cells: JSON.stringify(sheet.cells),
    charts: sheet.charts.map((chart) => chart.spec),
    protections: sheet.protectedRanges.length,
  }));
}

describe("a district's roll-up in its Google Sheet", () => {
  const rollup = districtRollup();
  const workbook = rollupWorkbook(rollup);

  it('writes the four tabs with the cells the .xlsx has, in one get and one batchUpdate', async () => {
    const spreadsheet = freshSpreadsheet();
    // The district's own tab, but for its place (the roll-up's tabs go first).
    const own = () => {
      const { properties, ...rest } = sheetNamed(spreadsheet, '说明');
      return JSON.stringify({ ...rest, grid: properties.gridProperties, id: properties.sheetId });
    };
    const before = own();
    await workbookOf(spreadsheet).writeRollup(workbook);

    const calls = requestsFor(spreadsheet).map(
      (r) => `${r.method} ${r.path.replace(/^.*\/spreadsheets\/[^/:]+/, '')}`,
    );
    expect(calls).toEqual(['GET ', 'POST :batchUpdate']);
    const inOrder = spreadsheet.sheets.slice().sort((a, b) => a.properties.index - b.properties.index);
    expect(inOrder.map((s) => s.properties.title)).toEqual([
      ...ROLLUP_TABS.map((tab) => ROLLUP_TAB_LABELS[tab].zh),
      '说明',
    ]);
    // Only generated tabs are touched.
    expect(own()).toBe(before);

    const xlsx = new ExcelJS.Workbook();
    await xlsx.xlsx.load((await rollupXlsxBytes(workbook)) as unknown as ArrayBuffer);
    let compared = 0;
    let percents = 0;
    let fills = 0;
    for (const tab of ROLLUP_TABS) {
      const title = ROLLUP_TAB_LABELS[tab].zh;
      const table = workbook.tables[tab];
      const sheet = sheetNamed(spreadsheet, title);
      const page = xlsx.getWorksheet(title);
      if (!page) throw new Error(`no ${title} in the .xlsx`);
      expect(sheet.properties.gridProperties.frozenRowCount).toBe(1);
      const width = Math.max(...table.map((row) => row.length));
      for (let r = 0; r < table.length; r++) {
        for (let c = 0; c < width; c++) {
          const shown = sheetCell(sheet, r, c);
          expect(shown, `${title} row ${r + 1} column ${c + 1}`).toEqual(xlsxCell(page, r, c));
          compared += 1;
          if (shown.format === '0.0%') percents += 1;
          if (shown.fill !== undefined) fills += 1;
        }
      }
      // Nothing else in the table's columns: the charts' figures stand right of the charts.
      const values = sheetValues(sheet);
      expect(values.length).toBe(Math.max(table.length, values.length));
      for (let r = table.length; r < values.length; r++) {
        expect(values[r]?.slice(0, width).every((v) => v === null)).toBe(true);
      }
    }
    // The comparison saw what it is about: rates as percentages, 关注事项's coloured 类型 cells.
    expect(compared).toBeGreaterThan(300);
    expect(percents).toBeGreaterThan(20);
    expect(fills).toBeGreaterThan(2);
  });

  it('draws each chart from the one definition over its figures; 关注事项 has none', async () => {
    const spreadsheet = freshSpreadsheet();
    await workbookOf(spreadsheet).writeRollup(workbook);
    for (const tab of ROLLUP_TABS) {
      const sheet = sheetNamed(spreadsheet, ROLLUP_TAB_LABELS[tab].zh);
      const kind = ROLLUP_CHART_OF[tab];
      if (kind === undefined) {
        expect(sheet.charts).toEqual([]);
        continue;
      }
      const definition = ROLLUP_CHARTS[kind];
      const { labels, values } = rollupChartSeries(kind, workbook.charts);
      expect(labels.length).toBeGreaterThan(0);
      expect(sheet.charts).toHaveLength(1);
      const spec = sheet.charts[0]?.spec;
      const basic = spec?.basicChart;
      expect(spec?.title).toBe(definition.title);
      expect(basic?.chartType).toBe(definition.type === 'stackedBars' ? 'BAR' : 'COLUMN');
      expect(basic?.series?.map((s) => argbOf(s.colorStyle?.rgbColor))).toEqual(
        definition.series.map((s) => `FF${CHART_COLOURS[s.colour].slice(1).toUpperCase()}`),
      );
      // Each range holds the header and then the figures chartSeries gives, in the sheet's cells.
      const column = (range: sheets_v4.Schema$ChartData | undefined) => {
        const source = range?.sourceRange?.sources?.[0];
        if (!source) throw new Error('a chart range without a source');
        expect(source.sheetId).toBe(sheet.properties.sheetId);
        const cells: unknown[] = [];
        for (let r = source.startRowIndex ?? 0; r < (source.endRowIndex ?? 0); r++) {
          cells.push(shownValue(cellAt(sheet, r, source.startColumnIndex ?? 0)));
        }
        return cells;
      };
      expect(column(basic?.domains?.[0]?.domain)).toEqual([definition.domain, ...labels]);
      basic?.series?.forEach((series, k) => {
        expect(column(series.series)).toEqual([definition.series[k]?.label, ...(values[k] ?? [])]);
      });
    }
    // The per-community chart: one bar per community in 社区总览's order, labelled by 排名.
    const communities = rollupChartSeries('communities', workbook.charts);
    expect(communities.labels).toHaveLength(3);
    expect(communities.labels.every((label) => /^第\d+名(-\d+)?$/.test(label))).toBe(true);
  });

  it('writes a hostile community name as text, never a formula', async () => {
    const spreadsheet = freshSpreadsheet();
    await workbookOf(spreadsheet).writeRollup(workbook);
    let seen = 0;
    for (const sheet of spreadsheet.sheets) {
      for (const row of sheet.cells) {
        for (const cell of row ?? []) {
          expect(cell?.userEnteredValue?.formulaValue).toBeUndefined();
          if (cell?.userEnteredValue?.stringValue === HOSTILE) seen += 1;
        }
      }
    }
    // 社区总览, 关注事项 (its behind measures) and 按月 each name it.
    expect(seen).toBeGreaterThanOrEqual(3);
  });

  it('a re-run writes the same: one protection and one chart a tab, the district’s own tab untouched', async () => {
    const spreadsheet = freshSpreadsheet();
    const sheets = workbookOf(spreadsheet);
    await sheets.writeRollup(workbook);
    const first = snapshot(spreadsheet);
    await sheets.writeRollup(workbook);
    expect(snapshot(spreadsheet)).toEqual(first);
    expect(requestsFor(spreadsheet).filter((r) => r.path.endsWith(':batchUpdate'))).toHaveLength(2);
    for (const tab of ROLLUP_TABS) {
      expect(sheetNamed(spreadsheet, ROLLUP_TAB_LABELS[tab].zh).protectedRanges).toHaveLength(1);
    }
  });

  it('a tab staff renamed to its English name is rewritten in place, not duplicated', async () => {
    const spreadsheet = freshSpreadsheet();
    const sheets = workbookOf(spreadsheet);
    await sheets.writeRollup(workbook);
    const byMonth = sheetNamed(spreadsheet, ROLLUP_TAB_LABELS.byMonth.zh);
    byMonth.properties.title = ROLLUP_TAB_LABELS.byMonth.en;
    await sheets.writeRollup(workbook);
    expect(spreadsheet.sheets).toHaveLength(5);
    expect(sheetValues(sheetNamed(spreadsheet, ROLLUP_TAB_LABELS.byMonth.en))[0]?.[0]).toBe('社区');
  });

  it('a sheet not shared with the service account: a 403 becomes the Chinese sheets_forbidden error', async () => {
    const spreadsheet = freshSpreadsheet();
    fake.failNext(403, 1, { path: new RegExp(spreadsheet.spreadsheetId) });
    const error = await workbookOf(spreadsheet)
      .writeRollup(workbook)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SheetsApiError);
    expect((error as SheetsApiError).code).toBe('sheets_forbidden');
    expect((error as SheetsApiError).messageZh).toContain('共享给云函数的服务账号');
    expect(spreadsheet.sheets).toHaveLength(1);
  });
});
