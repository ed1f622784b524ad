/**
 * The Google Sheets adapter of the workbook port, the twin of the .xlsx one (xlsxPort.ts): reads
 * the four data tabs as raw cells, rewrites the generated tabs whole, writes assigned activity IDs
 * into empty ID cells and marks invalid cells with a fill and a note — in a number of API calls
 * that does not depend on the row count.
 *
 * Calls (retried on 429, 5xx and network failures, see `retrier`):
 * - read: `spreadsheets.get` for the tab titles (properties only), then one `values.batchGet` of the
 *   recognised data tabs, unformatted, dates as serial numbers. 2 calls (1 when no tab is recognised).
 * - update: `spreadsheets.get` of the structure (properties, protected ranges, charts, merges);
 *   one `spreadsheets.batchUpdate` for the generated tabs, values included; and, when IDs or issues
 *   are given, one `spreadsheets.get` of the data tabs' cells (values, notes, fills) and one
 *   `spreadsheets.batchUpdate` of IDs and marks. 2 calls for generated tabs alone, 4 at most.
 * - plan markers: one `developerMetadata.search` (a read; the add-on writes the marker).
 *
 * No half-written generated tab. Google applies the requests of one `spreadsheets.batchUpdate`
 * atomically: "if any request is not valid, then no requests will be applied", and the updates
 * "are applied together atomically". So every generated tab is added, resized, cleared, filled with
 * its values, formatted, protected and charted by requests of that one call: the values go in as
 * `updateCells` rows (a `stringValue` is stored as text whatever it starts with, exactly what
 * `valueInputOption: RAW` does), not in a separate `values.batchUpdate`. With a second call for the
 * values, a failure between the two (a 429 storm outlasting the retries, a timeout, a crash) would
 * leave tabs already cleared or re-laid out but not refilled; with one call, the spreadsheet holds
 * either the previous generated tabs or the new ones. IDs and marks touch the staff's own tabs and
 * go in a batch of their own, after the generated tabs: a data tab protected against the service
 * account then costs the marks, not the statistics, and that batch is atomic on its own too.
 *
 * A retried write is planned again from a fresh `spreadsheets.get`: a request that timed out may
 * have been applied, and replaying its plan (add a sheet that now exists, delete a protection that
 * is gone) would fail; planned afresh, the retry rewrites the same content, so writes are
 * idempotent.
 *
 * Between the caller's read and this update staff may edit the sheet: an ID goes only into a cell
 * found empty, on a row that still holds something (like the .xlsx adapter). A row moved in the
 * seconds between this adapter's own read of the cells and its write cannot be detected: Sheets has
 * no conditional write.
 */
import { sheets, type sheets_v4 } from '@googleapis/sheets';
import { type AuthClient, GoogleAuth } from 'google-auth-library';
import stringWidth from 'string-width';
import { activityRowCells } from '../../../shared/activityRow';
import { headerKey, locateColumns, recogniseTab, type TabKey } from '../../../shared/columns';
import { GENERATED_TAB_LABELS, type GeneratedTab, SEVERITY_LABELS } from '../../../shared/i18n';
import type { Issue, Severity } from '../../../shared/issues';
import { GENERATED_TAB_PROTECTION, PLAN_MARKER_KEY } from '../../../shared/marks';
import { cellText } from '../../../shared/normalize';
import { percentCells } from '../../../shared/summary';
import type { CellValue, RawRow, RawTab, RawWorkbook, Table } from '../../../shared/workbook';
import { shapeTab } from './common';
import {
  GENERATED_TAB_ORDER,
  generatedTabOf,
  ID_HEADER,
  ISSUE_FILL_ARGB,
  ISSUE_NOTE_MARKER,
  insertionIndex,
  isQuantity,
  type SkippedId,
  STATUS_FILLS,
  type WorkbookUpdate,
  type WorkbookUpdateResult,
} from './port';

/** The OAuth scope the functions' service account needs (the spreadsheet is shared with it). */
export const SHEETS_SCOPE = 'https://www.googleapis.com/auth/spreadsheets';

/** Credentials: a GoogleAuth (the service account) or any auth client, e.g. an OAuth2Client. */
export type SheetsAuth = GoogleAuth | AuthClient;

/**
 * The credentials of the environment: on Cloud Functions the function's service account (from the
 * metadata server), locally application default credentials. Nothing is fetched until the first call.
 */
export function serviceAccountAuth(): GoogleAuth {
  return new GoogleAuth({ scopes: [SHEETS_SCOPE] });
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  tries?: number;
  /** The first retry waits up to this long; each further one up to twice as long (default 500 ms). */
  baseMs?: number;
  /** No wait is longer (default 16 s). */
  maxMs?: number;
  /** [0, 1) — the jitter; injectable for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SheetsWorkbookOptions {
  spreadsheetId: string;
  auth: SheetsAuth;
  /** Another API root (the fake in tests); passed per client, the global option is ignored. */
  rootUrl?: string;
  retry?: RetryOptions;
  /** Per HTTP request (default 60 s). */
  timeoutMs?: number;
}

/** The same outcome as the .xlsx adapter's (a shared `WorkbookUpdateResult` would name both). */
export type SheetsUpdateResult = WorkbookUpdateResult;

export interface SheetsWorkbook {
  /** The recognised data tabs, in workbook order, as raw cells (dates as serial numbers). */
  read(): Promise<RawWorkbook>;
  /** Generated tabs, then assigned IDs and issue marks; see the module comment. */
  update(update: WorkbookUpdate): Promise<SheetsUpdateResult>;
  /** The values of the spreadsheet's plan markers (store/binding.ts), in no particular order. */
  planMarkers(): Promise<string[]>;
}

/** A Sheets API call that failed for good: not retryable, or still failing after every try. */
export class SheetsApiError extends Error {
  override readonly name = 'SheetsApiError';
  constructor(
    /** The HTTP status, undefined when no response came (network failure). */
    readonly status: number | undefined,
    /** Google's status name (`RESOURCE_EXHAUSTED`, `PERMISSION_DENIED`…) or the network error code. */
    readonly reason: string | undefined,
    /** How many attempts were made. */
    readonly attempts: number,
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn);
  }
}

// ---------------------------------------------------------------------------------------------
// Retries.

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface Failure {
  status: number | undefined;
  reason: string | undefined;
  detail: string;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** What went wrong in a client call, or undefined for an error that is not the API's (a bug). */
function failureOf(error: unknown): Failure | undefined {
  if (!(error instanceof Error)) return undefined;
  const response = field(error, 'response');
  const status = Number(field(response, 'status') ?? field(error, 'status')) || undefined;
  const body = field(field(response, 'data'), 'error');
  const detail = String(field(body, 'message') ?? error.message);
  if (status !== undefined) {
    const headers = field(response, 'headers');
    const retryAfter =
      headers instanceof Headers
        ? headers.get('retry-after')
        : (field(headers, 'retry-after') as string | undefined);
    const seconds = retryAfter === null || retryAfter === undefined ? Number.NaN : Number(retryAfter);
    return {
      status,
      reason: typeof field(body, 'status') === 'string' ? (field(body, 'status') as string) : undefined,
      detail,
      retryable: status === 429 || status >= 500,
      retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
    };
  }
  // No response: the connection failed or was dropped. gaxios names such errors GaxiosError and
  // carries the socket's code, on the error or on its cause (fetch wraps it).
  const code = field(error, 'code') ?? field(field(error, 'cause'), 'code');
  const network =
    error.name === 'GaxiosError' ||
    error.name === 'AbortError' ||
    (typeof code === 'string' && NETWORK_CODES.has(code));
  if (!network) return undefined;
  return {
    status: undefined,
    reason: typeof code === 'string' ? code : undefined,
    detail,
    retryable: true,
    retryAfterMs: undefined,
  };
}

function apiError(failure: Failure, attempts: number, spreadsheetId: string): SheetsApiError {
  const { status, reason, detail } = failure;
  const tried = attempts > 1 ? `，已尝试 ${attempts} 次` : '';
  const triedEn = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (status === 403) {
    return new SheetsApiError(
      status,
      reason,
      attempts,
      `没有权限编辑这份 Google 表格（${spreadsheetId}）：请把表格共享给云函数的服务账号（编辑者）。${detail}`,
      `No permission to edit the Google Sheet ${spreadsheetId}: share it with the functions' service account as an editor. ${detail}`,
    );
  }
  if (status === 404) {
    return new SheetsApiError(
      status,
      reason,
      attempts,
      `找不到这份 Google 表格（${spreadsheetId}），请检查表格链接。`,
      `Google Sheet ${spreadsheetId} not found; check its link.`,
    );
  }
  if (status === 429) {
    return new SheetsApiError(
      status,
      reason,
      attempts,
      `Google 表格接口请求过于频繁，被限流${tried}，请稍后再试。`,
      `The Google Sheets API kept rate-limiting the requests${triedEn}; try again later.`,
    );
  }
  if (status === undefined || status >= 500) {
    const what = status === undefined ? `网络错误 ${reason ?? ''}`.trim() : `HTTP ${status}`;
    return new SheetsApiError(
      status,
      reason,
      attempts,
      `Google 表格服务暂时不可用（${what}${tried}），请稍后再试。${detail}`,
      `The Google Sheets service is unavailable (${status === undefined ? `network error ${reason ?? ''}`.trim() : `HTTP ${status}`}${triedEn}); try again later. ${detail}`,
    );
  }
  return new SheetsApiError(
    status,
    reason,
    attempts,
    `Google 表格拒绝了请求（HTTP ${status}）：${detail}`,
    `The Google Sheets API refused the request (HTTP ${status}): ${detail}`,
  );
}

type Retrying = <T>(attempt: (n: number) => Promise<T>) => Promise<T>;

/**
 * Runs an attempt until it succeeds, retrying 429, 5xx and network failures with exponential
 * backoff and full jitter (a uniform wait below a ceiling that doubles each time, up to `maxMs`, so
 * clients throttled together do not retry together) for `tries` attempts in all. Other failures
 * (400, 403, 404…) are not retried. Google's retry-after, when sent, is waited at least (capped).
 */
function retrier(options: RetryOptions, spreadsheetId: string): Retrying {
  const tries = Math.max(1, Math.floor(options.tries ?? 5));
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 16_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (attempt) => {
    for (let n = 1; ; n++) {
      try {
        return await attempt(n);
      } catch (error) {
        const failure = failureOf(error);
        if (failure === undefined) throw error;
        if (!failure.retryable || n >= tries) throw apiError(failure, n, spreadsheetId);
        const ceiling = Math.min(maxMs, baseMs * 2 ** (n - 1));
        const jittered = Math.min(ceiling, Math.max(0, random()) * ceiling);
        await sleep(Math.min(maxMs, Math.max(jittered, failure.retryAfterMs ?? 0)));
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Names, ranges, colours.

/** A sheet title as a range: always quoted, so names like `A1` or `By category` read right. */
function wholeSheet(title: string): string {
  return `'${title.replaceAll("'", "''")}'`;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const letter of letters.toUpperCase()) n = n * 26 + letter.charCodeAt(0) - 64;
  return n;
}

/** The 0-based first row and column of a returned A1 range (`'活动'!A1:N1000`, `活动!B3`). */
function rangeStart(range: string | null | undefined): { row: number; column: number } {
  const cells = range?.slice(range.lastIndexOf('!') + 1) ?? '';
  const match = /^([A-Z]*)(\d*)/i.exec(cells);
  const column = match?.[1] ? columnNumber(match[1]) - 1 : 0;
  const row = match?.[2] ? Number(match[2]) - 1 : 0;
  return { row, column };
}

function rgb(argb: string): sheets_v4.Schema$Color {
  const channel = (at: number) => Number.parseInt(argb.slice(at, at + 2), 16) / 255;
  return { red: channel(2), green: channel(4), blue: channel(6) };
}

/** A colour as `FFRRGGBB`, the form ISSUE_FILL_ARGB uses (channels Google omits are 0). */
function argbOf(color: sheets_v4.Schema$Color | null | undefined): string | undefined {
  if (!color) return undefined;
  const hex = (value: number | null | undefined) =>
    Math.round((value ?? 0) * 255)
      .toString(16)
      .padStart(2, '0')
      .toUpperCase();
  return `FF${hex(color.red)}${hex(color.green)}${hex(color.blue)}`;
}

/** A fill as two fields: Google reads the style first; older clients read the plain colour. */
function fill(argb: string): Pick<sheets_v4.Schema$CellFormat, 'backgroundColor' | 'backgroundColorStyle'> {
  return { backgroundColor: rgb(argb), backgroundColorStyle: { rgbColor: rgb(argb) } };
}

/** A cell's own fill (`FFRRGGBB`), a theme colour as `theme`, or undefined when it has none. */
function fillOf(cell: sheets_v4.Schema$CellData | undefined): string | undefined {
  const format = cell?.userEnteredFormat;
  if (!format) return undefined;
  if (format.backgroundColorStyle?.themeColor) return 'theme';
  return argbOf(format.backgroundColorStyle?.rgbColor ?? format.backgroundColor);
}

function isOurFill(argb: string | undefined): boolean {
  return argb === ISSUE_FILL_ARGB.error || argb === ISSUE_FILL_ARGB.warning;
}

/** A cell's value as the sheet shows it. */
function shownValueOf(cell: sheets_v4.Schema$CellData | undefined): CellValue {
  const value = cell?.effectiveValue;
  if (!value) return null;
  if (typeof value.stringValue === 'string') return value.stringValue === '' ? null : value.stringValue;
  if (typeof value.numberValue === 'number') return value.numberValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.errorValue) return value.errorValue.message ?? '#ERROR!';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Reading.

type SheetMeta = sheets_v4.Schema$Sheet & { properties: sheets_v4.Schema$SheetProperties };

const READ_FIELDS = 'sheets.properties(sheetId,title,index,sheetType)';

const UPDATE_FIELDS =
  'sheets(properties(sheetId,title,index,sheetType,gridProperties(rowCount,columnCount)),' +
  'protectedRanges(protectedRangeId,description),charts(chartId),merges)';

/** Only the cells' values, notes and fills: all that IDs and marks need. */
const CELL_FIELDS =
  'sheets(properties(sheetId,title),data(startRow,startColumn,' +
  'rowData(values(effectiveValue,note,' +
  'userEnteredFormat(backgroundColor,backgroundColorStyle)))))';

/** Grid sheets in workbook order. */
function gridSheets(spreadsheet: sheets_v4.Schema$Spreadsheet): SheetMeta[] {
  return (spreadsheet.sheets ?? [])
    .filter((sheet): sheet is SheetMeta => !!sheet.properties)
    .filter((sheet) => (sheet.properties.sheetType ?? 'GRID') === 'GRID')
    .sort((a, b) => (a.properties.index ?? 0) - (b.properties.index ?? 0));
}

function titleOf(sheet: SheetMeta): string {
  return sheet.properties.title ?? '';
}

function idOf(sheet: SheetMeta): number {
  return sheet.properties.sheetId ?? 0;
}

/** One tab from a value range: sheet row numbers kept, fully empty rows skipped. */
function tabFromValues(name: string, range: sheets_v4.Schema$ValueRange | undefined): RawTab {
  const start = rangeStart(range?.range);
  const pad: null[] = Array.from({ length: start.column }, () => null);
  const rows: RawRow[] = [];
  let header: CellValue[] = [];
  (range?.values ?? []).forEach((values, i) => {
    const row = start.row + i + 1;
    const cells = [...pad, ...(values as CellValue[]).map((value) => (value === '' ? null : value))];
    if (row === 1) header = cells;
    else if (cells.some((cell) => cell !== null && cell !== undefined)) rows.push({ row, cells });
  });
  return shapeTab(name, header, rows);
}

// ---------------------------------------------------------------------------------------------
// Generated tabs.

/** Every protected range we add says so; the next run replaces exactly these. */

/** Google Sheets holds at most this many characters in a cell. */
const MAX_CELL_TEXT = 50_000;
const MIN_WIDTH = 8;
const MAX_WIDTH = 60;
/** Pixels per width unit (about one Latin digit at the default font), plus the cell's padding. */
const PIXELS_PER_UNIT = 7;
const PIXEL_PADDING = 12;
/** Empty columns kept right of a charted table for the chart to sit over. */
const CHART_COLUMNS = 8;

// The .xlsx adapter's status fills (xlsxPort keeps them private; the same colours here).

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function textWidth(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) {
    widest = Math.max(widest, PRINTABLE_ASCII.test(line) ? line.length : stringWidth(line));
  }
  return widest;
}

function shownWidth(value: string | number, percent: boolean): number {
  if (typeof value === 'string') return textWidth(value);
  if (percent) return `${(value * 100).toFixed(1)}%`.length;
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 }).length;
}

/**
 * The link of a validation row's cell reference (`活动!C7`, `'By category'!A1`) to that cell in
 * this spreadsheet, or undefined when the tab is not found.
 */
function cellLink(reference: string, sheetIds: ReadonlyMap<string, number>): string | undefined {
  const match = /^(?:'((?:[^']|'')*)'|([^'!]+))!([A-Z]+\d+)$/.exec(reference);
  if (!match) return undefined;
  const title = match[1] !== undefined ? match[1].replaceAll("''", "'") : (match[2] ?? '');
  const sheetId = sheetIds.get(title);
  return sheetId === undefined ? undefined : `#gid=${sheetId}&range=${match[3]}`;
}

/** A generated table as grid rows: values as typed values (text stays text), formats inline. */
function tableRows(
  tab: GeneratedTab,
  table: Table,
  sheetIds: ReadonlyMap<string, number>,
): { rows: sheets_v4.Schema$RowData[]; widths: number[] } {
  const percent = new Set(percentCells(tab, table).map(([r, c]) => `${r}:${c}`));
  const header = table[0] ?? [];
  const linkColumn = tab === 'validation' ? header.indexOf('单元格') : -1;
  const widths: number[] = [];
  const rows = table.map((cells, r) => ({
    values: cells.map((value, c): sheets_v4.Schema$CellData => {
      const format: sheets_v4.Schema$CellFormat = {};
      const data: sheets_v4.Schema$CellData = {};
      if (r === 0) format.textFormat = { bold: true };
      if (typeof value === 'string') {
        const text = value.length > MAX_CELL_TEXT ? `${value.slice(0, MAX_CELL_TEXT - 1)}…` : value;
        data.userEnteredValue = { stringValue: text };
        const link = r > 0 && c === linkColumn ? cellLink(value, sheetIds) : undefined;
        if (link !== undefined) format.textFormat = { link: { uri: link } };
      } else if (typeof value === 'number' && Number.isFinite(value)) {
        data.userEnteredValue = { numberValue: value };
        if (r > 0 && percent.has(`${r}:${c}`)) format.numberFormat = { type: 'PERCENT', pattern: '0.0%' };
        else if (r > 0 && Math.abs(value) >= 1000 && isQuantity(tab, cells)) {
          format.numberFormat = { type: 'NUMBER', pattern: Number.isInteger(value) ? '#,##0' : '#,##0.0#' };
        }
      }
      const status = STATUS_FILLS[String(header[c] ?? '')]?.[String(value)];
      if (r > 0 && status !== undefined) Object.assign(format, fill(status));
      if (Object.keys(format).length > 0) data.userEnteredFormat = format;
      if (data.userEnteredValue && value !== null) {
        const width = shownWidth(value, percent.has(`${r}:${c}`));
        if (width > (widths[c] ?? 0)) widths[c] = width;
      }
      return data;
    }),
  }));
  return { rows, widths };
}

interface ChartPlan {
  title: string;
  type: 'COLUMN' | 'BAR';
  /** Header of the value column. */
  series: string;
  axis: string;
  /** The table's last row is a total, not a category. */
  total?: string;
}

/** The leaders' charts: monthly activities, completion rate by category. */
const CHARTS: Partial<Record<GeneratedTab, ChartPlan>> = {
  byMonth: { title: '每月活动次数', type: 'COLUMN', series: '活动次数', axis: '活动次数', total: '合计' },
  byCategory: { title: '各类别完成率', type: 'BAR', series: '完成率', axis: '完成率' },
};

function chartRequest(
  sheetId: number,
  table: Table,
  plan: ChartPlan,
  width: number,
): sheets_v4.Schema$Request | undefined {
  const column = (table[0] ?? []).indexOf(plan.series);
  const last = table[table.length - 1];
  const end = plan.total !== undefined && last?.[0] === plan.total ? table.length - 1 : table.length;
  if (column < 0 || end < 2) return undefined;
  const source = (index: number): sheets_v4.Schema$ChartData => ({
    sourceRange: {
      sources: [
        { sheetId, startRowIndex: 0, endRowIndex: end, startColumnIndex: index, endColumnIndex: index + 1 },
      ],
    },
  });
  return {
    addChart: {
      chart: {
        spec: {
          title: plan.title,
          basicChart: {
            chartType: plan.type,
            legendPosition: 'NO_LEGEND',
            headerCount: 1,
            axis: [
              { position: plan.type === 'BAR' ? 'BOTTOM_AXIS' : 'LEFT_AXIS', title: plan.axis },
              {
                position: plan.type === 'BAR' ? 'LEFT_AXIS' : 'BOTTOM_AXIS',
                title: String(table[0]?.[0] ?? ''),
              },
            ],
            domains: [{ domain: source(0) }],
            series: [
              { series: source(column), targetAxis: plan.type === 'BAR' ? 'BOTTOM_AXIS' : 'LEFT_AXIS' },
            ],
          },
        },
        position: {
          overlayPosition: {
            anchorCell: { sheetId, rowIndex: 0, columnIndex: width + 1 },
            widthPixels: 640,
            heightPixels: 360,
          },
        },
      },
    },
  };
}

/** A sheet ID no sheet has, for a tab added in this batch (later requests must name it). */
function freshSheetId(used: Set<number>, tab: GeneratedTab): number {
  let id = 1_740_000_000 + GENERATED_TAB_ORDER.indexOf(tab);
  while (used.has(id)) id += GENERATED_TAB_ORDER.length;
  used.add(id);
  return id;
}

/**
 * The requests that rewrite the given generated tabs whole. Per tab: add it (new) or strip it (our
 * protection, every chart, merges) and size its grid to the table, then one `updateCells` over the
 * whole sheet with `fields: '*'`, which writes the table and clears every other cell, format, note
 * and validation; then column widths, a warning-only protection and the chart.
 */
function generatedRequests(
  spreadsheet: sheets_v4.Schema$Spreadsheet,
  generated: Partial<Record<GeneratedTab, Table>>,
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
    const chart = CHARTS[tab];
    const width = Math.max(1, ...table.map((row) => row.length));
    const grid = {
      rowCount: Math.max(2, table.length),
      columnCount: width + (chart ? CHART_COLUMNS : 0),
      frozenRowCount: 1,
      frozenColumnCount: 0,
    };
    const existing = all.find((sheet) => generatedTabOf(titleOf(sheet)) === tab);
    let sheetId: number;
    if (existing) {
      sheetId = idOf(existing);
      for (const protection of existing.protectedRanges ?? []) {
        if (protection.description === GENERATED_TAB_PROTECTION && protection.protectedRangeId != null) {
          requests.push({ deleteProtectedRange: { protectedRangeId: protection.protectedRangeId } });
        }
      }
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
    const { rows, widths } = tableRows(tab, table, sheetIds);
    requests.push({ updateCells: { range: { sheetId }, rows, fields: '*' } });
    for (let c = 0; c < width; c++) {
      const units = Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, (widths[c] ?? 0) + 2));
      requests.push({
        updateDimensionProperties: {
          range: { sheetId, dimension: 'COLUMNS', startIndex: c, endIndex: c + 1 },
          properties: { pixelSize: units * PIXELS_PER_UNIT + PIXEL_PADDING },
          fields: 'pixelSize',
        },
      });
    }
    // Warning-only: staff who edit get a warning, not a refusal, and need no permissions set up.
    requests.push({
      addProtectedRange: {
        protectedRange: { range: { sheetId }, description: GENERATED_TAB_PROTECTION, warningOnly: true },
      },
    });
    const chartAdd = chart ? chartRequest(sheetId, table, chart, width) : undefined;
    if (chartAdd) requests.push(chartAdd);
  }
  return requests;
}

// ---------------------------------------------------------------------------------------------
// IDs and marks on the data tabs.

/** One sheet's cells as fetched: 0-based rows and columns. */
class Grid {
  constructor(
    readonly sheet: SheetMeta,
    private readonly data: sheets_v4.Schema$GridData | undefined,
  ) {}

  get rowCount(): number {
    return this.sheet.properties.gridProperties?.rowCount ?? 0;
  }

  get columnCount(): number {
    return this.sheet.properties.gridProperties?.columnCount ?? 0;
  }

  cell(row: number, column: number): sheets_v4.Schema$CellData | undefined {
    const data = this.data;
    if (!data) return undefined;
    const r = row - (data.startRow ?? 0);
    const c = column - (data.startColumn ?? 0);
    if (r < 0 || c < 0) return undefined;
    return data.rowData?.[r]?.values?.[c] ?? undefined;
  }

  value(row: number, column: number): CellValue {
    return shownValueOf(this.cell(row, column));
  }

  /** Row 1 as written: trimmed text per column. */
  header(): string[] {
    const header: string[] = [];
    const data = this.data;
    const width =
      (data?.startRow ?? 0) > 0 ? 0 : (data?.startColumn ?? 0) + (data?.rowData?.[0]?.values?.length ?? 0);
    for (let c = 0; c < width; c++) {
      const value = this.value(0, c);
      header.push(value === null ? '' : typeof value === 'string' ? value.trim() : (cellText(value) ?? ''));
    }
    while (header.length > 0 && header[header.length - 1] === '') header.pop();
    return header;
  }

  /** Every fetched cell with its 0-based position. */
  *cells(): Generator<{ row: number; column: number; cell: sheets_v4.Schema$CellData }> {
    const startRow = this.data?.startRow ?? 0;
    const startColumn = this.data?.startColumn ?? 0;
    const rows = this.data?.rowData ?? [];
    for (let r = 0; r < rows.length; r++) {
      const values = rows[r]?.values ?? [];
      for (let c = 0; c < values.length; c++) {
        const cell = values[c];
        if (cell) yield { row: startRow + r, column: startColumn + c, cell };
      }
    }
  }

  /** 1 + the last column holding a value in any row, so an added column never lands on data. */
  usedWidth(): number {
    let width = 0;
    for (const { column, cell } of this.cells())
      if (column >= width && shownValueOf(cell) !== null) width = column + 1;
    return width;
  }
}

/** The header of an activities tab that lacks an ID column gets this one (as in the .xlsx). */
const TEXT_FORMAT: sheets_v4.Schema$NumberFormat = { type: 'TEXT' };

/** Consecutive rows as one `updateCells`, the rest one each. */
function idWrites(
  sheetId: number,
  column: number,
  written: ReadonlyMap<number, string>,
): sheets_v4.Schema$Request[] {
  const rows = [...written.keys()].sort((a, b) => a - b);
  const requests: sheets_v4.Schema$Request[] = [];
  for (let i = 0; i < rows.length; ) {
    const first = rows[i] as number;
    const run: sheets_v4.Schema$RowData[] = [];
    let row = first;
    while (rows[i] === row) {
      const activityId = written.get(row) ?? '';
      run.push({
        values: [
          { userEnteredValue: { stringValue: activityId }, userEnteredFormat: { numberFormat: TEXT_FORMAT } },
        ],
      });
      i++;
      row++;
    }
    requests.push({
      updateCells: {
        start: { sheetId, rowIndex: first - 1, columnIndex: column },
        rows: run,
        fields: 'userEnteredValue,userEnteredFormat.numberFormat',
      },
    });
  }
  return requests;
}

function writeActivityIds(
  grid: Grid | undefined,
  ids: readonly { row: number; activityId: string }[],
  requests: sheets_v4.Schema$Request[],
): SkippedId[] {
  if (grid === undefined) return ids.map((id) => ({ ...id, reason: 'no_tab' }));
  const skipped: SkippedId[] = [];
  const sheetId = idOf(grid.sheet);
  const located = locateColumns('activities', grid.header());
  const others = [...located.entries()].filter(([field]) => field !== 'activityId').map(([, index]) => index);
  let column = located.get('activityId');
  const added = column === undefined;
  const written = new Map<number, string>();
  for (const { row, activityId } of ids) {
    const wanted = typeof activityId === 'string' ? cellText(activityId) : undefined;
    if (!Number.isInteger(row) || row < 2 || wanted === undefined) {
      skipped.push({ row, activityId, reason: 'invalid' });
      continue;
    }
    // A row emptied since the read is not given an ID: it would become a record of its own.
    if (!others.some((c) => grid.value(row - 1, c) !== null)) {
      skipped.push({ row, activityId, reason: 'empty_row' });
      continue;
    }
    column ??= grid.usedWidth();
    const already = written.get(row);
    const existing =
      already !== undefined ? cellText(already) : added ? undefined : cellText(grid.value(row - 1, column));
    if (existing === wanted) continue;
    if (existing !== undefined) {
      skipped.push({ row, activityId, reason: 'occupied', existing });
      continue;
    }
    written.set(row, activityId);
  }
  if (column === undefined || written.size === 0) return skipped;
  if (added) {
    if (column >= grid.columnCount) {
      requests.push({
        appendDimension: { sheetId, dimension: 'COLUMNS', length: column + 1 - grid.columnCount },
      });
    }
    // The header looks like its neighbour; the column is text so IDs typed later stay text (4.30).
    if (column > 0) {
      requests.push({
        copyPaste: {
          source: {
            sheetId,
            startRowIndex: 0,
            endRowIndex: 1,
            startColumnIndex: column - 1,
            endColumnIndex: column,
          },
          destination: {
            sheetId,
            startRowIndex: 0,
            endRowIndex: 1,
            startColumnIndex: column,
            endColumnIndex: column + 1,
          },
          pasteType: 'PASTE_FORMAT',
        },
      });
    }
    requests.push({
      updateCells: {
        start: { sheetId, rowIndex: 0, columnIndex: column },
        rows: [{ values: [{ userEnteredValue: { stringValue: ID_HEADER } }] }],
        fields: 'userEnteredValue',
      },
    });
    if (grid.rowCount > 1) {
      requests.push({
        repeatCell: {
          range: {
            sheetId,
            startRowIndex: 1,
            endRowIndex: grid.rowCount,
            startColumnIndex: column,
            endColumnIndex: column + 1,
          },
          cell: { userEnteredFormat: { numberFormat: TEXT_FORMAT } },
          fields: 'userEnteredFormat.numberFormat',
        },
      });
    }
  }
  requests.push(...idWrites(sheetId, column, written));
  return skipped;
}

/** A note without our part (from the marker on, and the blank line before it), or undefined. */
function withoutOurPart(note: string): string | undefined {
  const at = note.indexOf(ISSUE_NOTE_MARKER);
  const kept = (at < 0 ? note : note.slice(0, at)).replace(/\s+$/, '');
  return kept === '' ? undefined : kept;
}

/** The 0-based column an issue names: the header as written, else the same header by headerKey. */
function issueColumn(header: readonly string[], column: string): number {
  const written = column.trim();
  if (written === '') return -1;
  const exact = header.indexOf(written);
  if (exact >= 0) return exact;
  const key = headerKey(written);
  return header.findIndex((text) => text !== '' && headerKey(text) === key);
}

/**
 * Replaces the previous run's marks by the issues' (as the .xlsx adapter): our note part and our
 * fill leave every cell that has them; each cell an issue names gets a light red (error) or yellow
 * (warning) fill unless staff gave it one, and a note listing every message, after staff's note.
 * Only cells whose note or fill changes are written.
 */
function markIssues(
  grids: ReadonlyMap<TabKey, Grid>,
  issues: readonly Issue[],
  requests: sheets_v4.Schema$Request[],
): Issue[] {
  interface Target {
    grid: Grid;
    row: number;
    column: number;
    issues: Issue[];
  }
  const unmarked: Issue[] = [];
  const headers = new Map([...grids].map(([tab, grid]) => [tab, grid.header()]));
  const targets = new Map<string, Target>();
  for (const issue of issues) {
    const grid = grids.get(issue.tab);
    const header = headers.get(issue.tab);
    const column =
      grid && header && Number.isInteger(issue.row) && issue.row >= 2 && issue.row <= grid.rowCount
        ? issueColumn(header, issue.column)
        : -1;
    if (!grid || column < 0 || column >= grid.columnCount) {
      unmarked.push(issue);
      continue;
    }
    const key = `${idOf(grid.sheet)}:${issue.row - 1}:${column}`;
    const target = targets.get(key) ?? { grid, row: issue.row - 1, column, issues: [] };
    targets.set(key, target);
    target.issues.push(issue);
  }
  // Cells marked last time, whether or not they are marked again.
  const touched = new Map<string, { grid: Grid; row: number; column: number }>();
  for (const grid of grids.values()) {
    for (const { row, column, cell } of grid.cells()) {
      if (cell.note?.includes(ISSUE_NOTE_MARKER) || isOurFill(fillOf(cell))) {
        touched.set(`${idOf(grid.sheet)}:${row}:${column}`, { grid, row, column });
      }
    }
  }
  for (const [key, target] of targets) touched.set(key, target);
  for (const [key, { grid, row, column }] of touched) {
    const cell = grid.cell(row, column);
    const note = cell?.note ?? undefined;
    const before = fillOf(cell);
    let nextNote = note === undefined ? undefined : withoutOurPart(note);
    let nextFill = isOurFill(before) ? undefined : before;
    const here = targets.get(key)?.issues;
    if (here) {
      const severity: Severity = here.some((issue) => issue.severity === 'error') ? 'error' : 'warning';
      nextFill ??= ISSUE_FILL_ARGB[severity];
      const lines = here.map((issue) => `${SEVERITY_LABELS[issue.severity]}：${issue.message}`);
      const ours = `${ISSUE_NOTE_MARKER}校验结果（下次同步时自动更新）\n${lines.join('\n')}`;
      nextNote = nextNote === undefined ? ours : `${nextNote}\n\n${ours}`;
    }
    const fields: string[] = [];
    const data: sheets_v4.Schema$CellData = {};
    if (nextNote !== note) {
      fields.push('note');
      if (nextNote !== undefined) data.note = nextNote;
    }
    if (nextFill !== before) {
      fields.push('userEnteredFormat.backgroundColor', 'userEnteredFormat.backgroundColorStyle');
      if (nextFill !== undefined) data.userEnteredFormat = fill(nextFill);
    }
    if (fields.length === 0) continue;
    requests.push({
      updateCells: {
        start: { sheetId: idOf(grid.sheet), rowIndex: row, columnIndex: column },
        rows: [{ values: [data] }],
        fields: fields.join(','),
      },
    });
  }
  return unmarked;
}

// ---------------------------------------------------------------------------------------------
// The adapter.

/** A workbook port over one Google Sheet; see the module comment for the calls it makes. */
export function createSheetsWorkbook(options: SheetsWorkbookOptions): SheetsWorkbook {
  const { spreadsheetId } = options;
  // Retries are ours (counted, jittered, bounded): the client's own are switched off.
  const api = sheets({
    version: 'v4',
    // googleapis-common types `auth` with its own nested copy of google-auth-library (10.5 beside
    // the root's 10.x): the classes differ only in their TypeScript private fields; at run time the
    // client merely calls `request()` on it.
    auth: options.auth as unknown as NonNullable<sheets_v4.Options['auth']>,
    ...(options.rootUrl !== undefined ? { rootUrl: options.rootUrl } : {}),
    retry: false,
    timeout: options.timeoutMs ?? 60_000,
  });
  const retrying = retrier(options.retry ?? {}, spreadsheetId);
  // One update at a time through this adapter: two interleaved plans would undo each other's marks.
  let queue: Promise<unknown> = Promise.resolve();

  const structure = async (fields: string): Promise<sheets_v4.Schema$Spreadsheet> =>
    (await api.spreadsheets.get({ spreadsheetId, fields })).data;

  const batch = async (requests: sheets_v4.Schema$Request[]): Promise<void> => {
    await api.spreadsheets.batchUpdate({ spreadsheetId, requestBody: { requests } });
  };

  async function read(): Promise<RawWorkbook> {
    const spreadsheet = await retrying(() => structure(READ_FIELDS));
    const recognised = gridSheets(spreadsheet).filter((sheet) => recogniseTab(titleOf(sheet)) !== undefined);
    if (recognised.length === 0) return { tabs: [] };
    const response = await retrying(() =>
      api.spreadsheets.values.batchGet({
        spreadsheetId,
        ranges: recognised.map((sheet) => wholeSheet(titleOf(sheet))),
        majorDimension: 'ROWS',
        valueRenderOption: 'UNFORMATTED_VALUE',
        dateTimeRenderOption: 'SERIAL_NUMBER',
      }),
    );
    const ranges = response.data.valueRanges ?? [];
    return { tabs: recognised.map((sheet, i) => tabFromValues(titleOf(sheet), ranges[i])) };
  }

  /** The data tabs' cells, for IDs (the activities tab) and marks (every data tab). */
  async function dataGrids(
    spreadsheet: sheets_v4.Schema$Spreadsheet,
    all: boolean,
  ): Promise<Map<TabKey, Grid>> {
    const wanted = new Map<TabKey, SheetMeta>();
    for (const sheet of gridSheets(spreadsheet)) {
      const tab = recogniseTab(titleOf(sheet));
      if (tab !== undefined && !wanted.has(tab) && (all || tab === 'activities')) wanted.set(tab, sheet);
    }
    const grids = new Map<TabKey, Grid>();
    if (wanted.size === 0) return grids;
    const response = await api.spreadsheets.get({
      spreadsheetId,
      ranges: [...wanted.values()].map((sheet) => wholeSheet(titleOf(sheet))),
      fields: CELL_FIELDS,
    });
    const byId = new Map(
      (response.data.sheets ?? []).map((sheet) => [sheet.properties?.sheetId ?? 0, sheet]),
    );
    for (const [tab, sheet] of wanted) grids.set(tab, new Grid(sheet, byId.get(idOf(sheet))?.data?.[0]));
    return grids;
  }

  async function applyUpdate(update: WorkbookUpdate): Promise<SheetsUpdateResult> {
    let spreadsheet = await retrying(() => structure(UPDATE_FIELDS));
    const refreshed = async (attempt: number) => {
      // A retried write may follow one that was applied after all (a timeout): plan it again.
      if (attempt > 1) spreadsheet = await structure(UPDATE_FIELDS);
      return spreadsheet;
    };
    const generated = update.generated ?? {};
    if (GENERATED_TAB_ORDER.some((tab) => generated[tab] !== undefined)) {
      await retrying(async (attempt) => batch(generatedRequests(await refreshed(attempt), generated)));
    }
    const inWorkbook = update.appendActivities
      ? await retrying(async (attempt) =>
          appendActivities(await refreshed(attempt), update.appendActivities ?? []),
        )
      : undefined;
    const appended = inWorkbook ? { inWorkbook } : {};
    const ids = update.activityIds ?? [];
    if (ids.length === 0 && update.issues === undefined)
      return { skippedIds: [], unmarkedIssues: [], ...appended };
    const marked = await retrying(async (attempt) => {
      const grids = await dataGrids(await refreshed(attempt), update.issues !== undefined);
      const requests: sheets_v4.Schema$Request[] = [];
      const skippedIds = writeActivityIds(grids.get('activities'), ids, requests);
      const unmarkedIssues = update.issues ? markIssues(grids, update.issues, requests) : [];
      if (requests.length > 0) await batch(requests);
      return { skippedIds, unmarkedIssues };
    });
    return { ...marked, ...appended };
  }

  /**
   * Appends submitted rows to 活动 with RAW values (text stays text, never a formula), after
   * reading which activity IDs the tab holds: a retry after a lost response finds its rows there
   * and appends nothing twice. Returns the IDs now in the tab.
   */
  async function appendActivities(
    spreadsheet: sheets_v4.Schema$Spreadsheet,
    rows: NonNullable<WorkbookUpdate['appendActivities']>,
  ): Promise<string[]> {
    const sheet = gridSheets(spreadsheet).find((s) => recogniseTab(titleOf(s)) === 'activities');
    if (sheet === undefined || rows.length === 0) return [];
    const title = titleOf(sheet);
    const response = await api.spreadsheets.values.get({
      spreadsheetId,
      range: wholeSheet(title),
      valueRenderOption: 'UNFORMATTED_VALUE',
    });
    const values = (response.data.values ?? []) as CellValue[][];
    const header = values[0] ?? [];
    const idColumn = locateColumns('activities', header).get('activityId');
    if (idColumn === undefined) {
      throw new Error(`「${title}」表没有「记录编号」列，无法写入填报的活动 / the tab has no ID column`);
    }
    const present = new Set(values.slice(1).flatMap((row) => cellText(row[idColumn]) ?? []));
    const missing = rows.filter((row) => !present.has(row.activityId));
    if (missing.length > 0) {
      await api.spreadsheets.values.append({
        spreadsheetId,
        range: `${wholeSheet(title)}!A1`,
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: {
          values: missing.map(({ activityId, activity }) =>
            activityRowCells(header, { ...activity, activityId }).map((cell) => cell ?? ''),
          ),
        },
      });
    }
    return rows.map((row) => row.activityId);
  }

  async function planMarkers(): Promise<string[]> {
    // On the spreadsheet itself only: a key on a sheet, row or column is no marker of the document.
    const response = await retrying(() =>
      api.spreadsheets.developerMetadata.search({
        spreadsheetId,
        requestBody: {
          dataFilters: [
            {
              developerMetadataLookup: {
                metadataKey: PLAN_MARKER_KEY,
                locationType: 'SPREADSHEET',
                visibility: 'DOCUMENT',
              },
            },
          ],
        },
      }),
    );
    // Google leaves an empty list out of the response altogether.
    return (response.data.matchedDeveloperMetadata ?? []).map(
      (match) => match.developerMetadata?.metadataValue ?? '',
    );
  }

  return {
    read,
    planMarkers,
    update(update) {
      const run = queue.then(() => applyUpdate(update));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
