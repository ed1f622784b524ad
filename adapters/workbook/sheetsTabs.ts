/**
 * The generated tabs of a Google Sheet (§6) as `spreadsheets.batchUpdate` requests: each tab added
 * or stripped and rewritten whole, its column widths, a warning-only protection, and on 汇总 the
 * charts (sheetsCharts.ts).
 * sheets.ts sends them in one atomic call (its module comment says why).
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { cellLink, parseCellReference } from '../../shared/a1';
import { GENERATED_TAB_LABELS, type GeneratedTab } from '../../shared/i18n';
import { GENERATED_TAB_PROTECTION } from '../../shared/marks';
import type { StatusCell } from '../../shared/summary';
import { columnWidth } from '../../shared/widths';
import type { Table } from '../../shared/workbook';
import {
  GENERATED_TAB_ORDER,
  generatedTabOf,
  insertionIndex,
  numberFormats,
  PERCENT_FORMAT,
  shownWidth,
  statusFills,
  type WorkbookUpdate,
} from './port';
import { chartBlock, chartBlockWidth, overviewChartRequests } from './sheetsCharts';
import { fill, gridSheets, idOf, titleOf } from './sheetsGrid';

/** Google Sheets holds at most this many characters in a cell. */
const MAX_CELL_TEXT = 50_000;
/** Pixels per width unit (about one Latin digit at the default font), plus the cell's padding. */
const PIXELS_PER_UNIT = 7;
const PIXEL_PADDING = 12;

/**
 * The link of a validation row's cell reference (`活动!C7`, `'By category'!A1`) to that cell in
 * this spreadsheet, or undefined when the tab is not found.
 */
function referenceLink(reference: string, sheetIds: ReadonlyMap<string, number>): string | undefined {
  const cell = parseCellReference(reference);
  const sheetId = cell && sheetIds.get(cell.tab);
  return cell === undefined || sheetId === undefined ? undefined : cellLink(sheetId, cell.row, cell.column);
}

/** A generated table as grid rows: values as typed values (text stays text), formats inline. */
function tableRows(
  tab: GeneratedTab,
  table: Table,
  statuses: readonly StatusCell[] | undefined,
  sheetIds: ReadonlyMap<string, number>,
): { rows: sheets_v4.Schema$RowData[]; widths: number[] } {
  const formatOf = numberFormats(tab, table);
  const fills = statusFills(tab, statuses);
  const header = table[0] ?? [];
  const linkColumn = tab === 'validation' ? header.indexOf('单元格') : -1;
  const widths: number[] = [];
  const rows = table.map((cells, r) => ({
    values: cells.map((value, c): sheets_v4.Schema$CellData => {
      const format: sheets_v4.Schema$CellFormat = {};
      const data: sheets_v4.Schema$CellData = {};
      const pattern = formatOf(r, c);
      if (r === 0) format.textFormat = { bold: true };
      if (typeof value === 'string') {
        const text = value.length > MAX_CELL_TEXT ? `${value.slice(0, MAX_CELL_TEXT - 1)}…` : value;
        data.userEnteredValue = { stringValue: text };
        const link = r > 0 && c === linkColumn ? referenceLink(value, sheetIds) : undefined;
        if (link !== undefined) format.textFormat = { link: { uri: link } };
      } else if (typeof value === 'number' && Number.isFinite(value)) {
        data.userEnteredValue = { numberValue: value };
        if (pattern !== undefined) {
          format.numberFormat = { type: pattern === PERCENT_FORMAT ? 'PERCENT' : 'NUMBER', pattern };
        }
      }
      const status = fills.get(`${r}:${c}`);
      if (status !== undefined) Object.assign(format, fill(status));
      if (Object.keys(format).length > 0) data.userEnteredFormat = format;
      if (data.userEnteredValue && value !== null) {
        const width = shownWidth(value, pattern);
        if (width > (widths[c] ?? 0)) widths[c] = width;
      }
      return data;
    }),
  }));
  return { rows, widths };
}

/** A sheet ID no sheet has, for a tab added in this batch (later requests must name it). */
function freshSheetId(used: Set<number>, tab: GeneratedTab): number {
  let id = 1_740_000_000 + GENERATED_TAB_ORDER.indexOf(tab);
  while (used.has(id)) id += GENERATED_TAB_ORDER.length;
  used.add(id);
  return id;
}

/**
 * The requests that rewrite the given generated tabs whole. Per tab: add it (new) or strip it (every
 * chart, merges) and size its grid to the table, then one `updateCells` over the whole sheet with
 * `fields: '*'`, which writes the table and clears every other cell, format, note and validation;
 * then column widths, a warning-only protection unless the tab has one (ours or an admin's), and the
 * chart.
 */
export function generatedRequests(
  spreadsheet: sheets_v4.Schema$Spreadsheet,
  { generated = {}, statuses = {}, charts }: Pick<WorkbookUpdate, 'generated' | 'statuses' | 'charts'>,
): sheets_v4.Schema$Request[] {
  const all = gridSheets(spreadsheet);
  const order = (spreadsheet.sheets ?? [])
    .slice()
    .sort((a, b) => (a.properties?.index ?? 0) - (b.properties?.index ?? 0))
    .map((sheet) => sheet.properties?.title ?? '');
  const usedIds = new Set((spreadsheet.sheets ?? []).map((sheet) => sheet.properties?.sheetId ?? 0));
  const sheetIds = new Map(all.map((sheet) => [titleOf(sheet), idOf(sheet)]));
  const requests: sheets_v4.Schema$Request[] = [];
  for (const tab of GENERATED_TAB_ORDER) {
    const table = generated[tab];
    if (table === undefined) continue;
    const block = tab === 'overview' && charts ? chartBlock(charts) : undefined;
    const width = Math.max(1, ...table.map((row) => row.length));
    const grid = {
      rowCount: Math.max(2, table.length, block?.table.length ?? 0),
      columnCount: width + (block ? chartBlockWidth(block) : 0),
      frozenRowCount: 1,
      frozenColumnCount: 0,
    };
    const existing = all.find((sheet) => generatedTabOf(titleOf(sheet)) === tab);
    let sheetId: number;
    // A tab that is protected already — ours from an earlier write, or an admin's own (say, editable
    // by staff only) — keeps that protection, and gets no second one: Google allows one protection
    // of a whole sheet ("already has sheet protection" fails the whole batch), and an admin's
    // choice is not ours to weaken or duplicate. Protections do not hang on cells, so rewriting the
    // cells leaves them in place.
    let protect = true;
    if (existing) {
      sheetId = idOf(existing);
      protect = (existing.protectedRanges ?? []).length === 0;
      // The tab is rewritten whole, as the .xlsx adapter rebuilds its sheet: charts go too.
      for (const old of existing.charts ?? []) {
        if (old.chartId != null) requests.push({ deleteEmbeddedObject: { objectId: old.chartId } });
      }
      if ((existing.merges ?? []).length > 0) requests.push({ unmergeCells: { range: { sheetId } } });
      requests.push({
        updateSheetProperties: {
          properties: { sheetId, gridProperties: grid },
          fields: [
            'gridProperties.rowCount',
            'gridProperties.columnCount',
            'gridProperties.frozenRowCount',
            'gridProperties.frozenColumnCount',
          ].join(','),
        },
      });
    } else {
      sheetId = freshSheetId(usedIds, tab);
      const title = GENERATED_TAB_LABELS[tab].zh;
      const index = insertionIndex(order, tab);
      order.splice(index, 0, title);
      sheetIds.set(title, sheetId);
      requests.push({ addSheet: { properties: { sheetId, title, index, gridProperties: grid } } });
    }
    const { rows, widths } = tableRows(tab, table, statuses[tab], sheetIds);
    requests.push({ updateCells: { range: { sheetId }, rows, fields: '*' } });
    for (let c = 0; c < width; c++) {
      const units = columnWidth(widths[c] ?? 0);
      requests.push({
        updateDimensionProperties: {
          range: { sheetId, dimension: 'COLUMNS', startIndex: c, endIndex: c + 1 },
          properties: { pixelSize: units * PIXELS_PER_UNIT + PIXEL_PADDING },
          fields: 'pixelSize',
        },
      });
    }
    // Warning-only: staff who edit get a warning, not a refusal, and need no permissions set up.
    if (protect) {
      requests.push({
        addProtectedRange: {
          protectedRange: { range: { sheetId }, description: GENERATED_TAB_PROTECTION, warningOnly: true },
        },
      });
    }
    if (block) requests.push(...overviewChartRequests(sheetId, width, block));
  }
  return requests;
}
