/**
 * The generated tabs of a Google Sheet as `spreadsheets.batchUpdate` requests: a plan's (§6) and a
 * district's roll-up tabs (§13), each added or stripped and rewritten whole by one function
 * (rewriteTab), with its column widths, a warning-only protection, and the charts beside their
 * table (sheetsCharts.ts: 汇总's two; a roll-up tab's one, as the .xlsx shows it).
 * sheets.ts sends each set in one atomic call (its module comment says why).
 */
import type { sheets_v4 } from '@googleapis/sheets';
import { cellLink, parseCellReference } from '../../shared/a1';
import { headerKey } from '../../shared/columns';
import { GENERATED_TAB_LABELS, ROLLUP_TAB_LABELS, ROLLUP_TABS, type RollupTab } from '../../shared/i18n';
import { GENERATED_TAB_PROTECTION } from '../../shared/marks';
import { columnWidth } from '../../shared/widths';
import type { Table } from '../../shared/workbook';
import {
  GENERATED_TAB_ORDER,
  generatedTabOf,
  insertionIndex,
  numberFormats,
  PERCENT_FORMAT,
  ROLLUP_CHART_OF,
  type RollupWorkbook,
  rollupTabLook,
  shownWidth,
  statusFills,
  type WorkbookUpdate,
} from './port';
import {
  type ChartBlock,
  chartBlock,
  chartBlockWidth,
  overviewChartRequests,
  rollupChartBlock,
} from './sheetsCharts';
import { fill, gridSheets, idOf, type SheetMeta, titleOf } from './sheetsGrid';

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

/** How one generated table shows: each number cell's format, the status fills, the link column. */
interface TableLook {
  formatOf: (row: number, column: number) => string | undefined;
  /** ARGB fills by `row:column` (port.ts statusFills). */
  fills: ReadonlyMap<string, string>;
  /** The 校验 tab's column of cell references, each linked to its cell; -1 for none. */
  linkColumn: number;
}

/** A generated table as grid rows: values as typed values (text stays text), formats inline. */
function tableRows(
  table: Table,
  { formatOf, fills, linkColumn }: TableLook,
  sheetIds: ReadonlyMap<string, number>,
): { rows: sheets_v4.Schema$RowData[]; widths: number[] } {
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
function freshSheetId(used: Set<number>, rank: number): number {
  let id = 1_740_000_000 + rank;
  while (used.has(id)) id += 100;
  used.add(id);
  return id;
}

/** What a spreadsheet holds as the rewrite plans it: its sheets, their order and IDs. */
interface Layout {
  all: SheetMeta[];
  /** Sheet titles in index order, new tabs spliced in as they are planned. */
  order: string[];
  usedIds: Set<number>;
  sheetIds: Map<string, number>;
}

function layoutOf(spreadsheet: sheets_v4.Schema$Spreadsheet): Layout {
  const all = gridSheets(spreadsheet);
  return {
    all,
    order: (spreadsheet.sheets ?? [])
      .slice()
      .sort((a, b) => (a.properties?.index ?? 0) - (b.properties?.index ?? 0))
      .map((sheet) => sheet.properties?.title ?? ''),
    usedIds: new Set((spreadsheet.sheets ?? []).map((sheet) => sheet.properties?.sheetId ?? 0)),
    sheetIds: new Map(all.map((sheet) => [titleOf(sheet), idOf(sheet)])),
  };
}

/** Where a generated tab is: the sheet holding it, or the title, rank and index of a new one. */
interface Placement {
  existing: SheetMeta | undefined;
  title: string;
  /** Its place among the generated tabs (keeps fresh sheet IDs apart). */
  rank: number;
  index: () => number;
}

/**
 * The requests that rewrite one generated tab whole. Add it (new) or strip it (every chart, merges)
 * and size its grid to the table, then one `updateCells` over the whole sheet with `fields: '*'`,
 * which writes the table and clears every other cell, format, note and validation; then column
 * widths, a warning-only protection unless the tab has one (ours or an admin's), and the charts
 * over their block of figures right of the table.
 */
function rewriteTab(
  requests: sheets_v4.Schema$Request[],
  layout: Layout,
  place: Placement,
  table: Table,
  look: TableLook,
  block: ChartBlock | undefined,
): void {
  const width = Math.max(1, ...table.map((row) => row.length));
  const grid = {
    rowCount: Math.max(2, table.length, block?.table.length ?? 0),
    columnCount: width + (block ? chartBlockWidth(block) : 0),
    frozenRowCount: 1,
    frozenColumnCount: 0,
  };
  const { existing } = place;
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
    sheetId = freshSheetId(layout.usedIds, place.rank);
    const index = place.index();
    layout.order.splice(index, 0, place.title);
    layout.sheetIds.set(place.title, sheetId);
    requests.push({ addSheet: { properties: { sheetId, title: place.title, index, gridProperties: grid } } });
  }
  const { rows, widths } = tableRows(table, look, layout.sheetIds);
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

/** The requests that rewrite the given generated tabs whole (rewriteTab); 汇总 with its charts. */
export function generatedRequests(
  spreadsheet: sheets_v4.Schema$Spreadsheet,
  { generated = {}, statuses = {}, charts }: Pick<WorkbookUpdate, 'generated' | 'statuses' | 'charts'>,
): sheets_v4.Schema$Request[] {
  const layout = layoutOf(spreadsheet);
  const requests: sheets_v4.Schema$Request[] = [];
  for (const tab of GENERATED_TAB_ORDER) {
    const table = generated[tab];
    if (table === undefined) continue;
    const look: TableLook = {
      formatOf: numberFormats(tab, table),
      fills: statusFills(tab, statuses[tab]),
      linkColumn: tab === 'validation' ? (table[0] ?? []).indexOf('单元格') : -1,
    };
    const place: Placement = {
      existing: layout.all.find((sheet) => generatedTabOf(titleOf(sheet)) === tab),
      title: GENERATED_TAB_LABELS[tab].zh,
      rank: GENERATED_TAB_ORDER.indexOf(tab),
      index: () => insertionIndex(layout.order, tab),
    };
    rewriteTab(
      requests,
      layout,
      place,
      table,
      look,
      tab === 'overview' && charts ? chartBlock(charts) : undefined,
    );
  }
  return requests;
}

/** Which roll-up tab a sheet is, by its Chinese or English name. */
function rollupTabOf(title: string): RollupTab | undefined {
  const key = headerKey(title);
  return ROLLUP_TABS.find(
    (tab) => headerKey(ROLLUP_TAB_LABELS[tab].zh) === key || headerKey(ROLLUP_TAB_LABELS[tab].en) === key,
  );
}

/**
 * The requests that rewrite a district's roll-up tabs (§13) whole in its Google Sheet: the tables
 * and status cells the .xlsx writer takes (port.ts rollupWorkbook), shown as its number shapes say,
 * each tab's chart from the same definition (shared/charts.ts ROLLUP_CHARTS) beside it. A roll-up
 * tab missing is added after the roll-up tabs before it (else first); no other tab is touched.
 */
export function rollupRequests(
  spreadsheet: sheets_v4.Schema$Spreadsheet,
  rollup: RollupWorkbook,
): sheets_v4.Schema$Request[] {
  const layout = layoutOf(spreadsheet);
  const requests: sheets_v4.Schema$Request[] = [];
  ROLLUP_TABS.forEach((tab, rank) => {
    const table = rollup.tables[tab];
    const look: TableLook = { ...rollupTabLook(rollup, tab), linkColumn: -1 };
    const place: Placement = {
      existing: layout.all.find((sheet) => rollupTabOf(titleOf(sheet)) === tab),
      title: ROLLUP_TAB_LABELS[tab].zh,
      rank,
      index: () => {
        let after = -1;
        layout.order.forEach((title, i) => {
          const other = rollupTabOf(title);
          if (other !== undefined && ROLLUP_TABS.indexOf(other) < rank) after = i;
        });
        return after + 1;
      },
    };
    const chart = ROLLUP_CHART_OF[tab];
    rewriteTab(requests, layout, place, table, look, chart && rollupChartBlock(chart, rollup.charts));
  });
  return requests;
}
