/**
 * A fake Google Sheets v4 REST server for tests: an HTTP server on 127.0.0.1 answering the paths
 * and bodies the real `@googleapis/sheets` client sends, over an in-memory grid per sheet (values,
 * formulas, formats, notes), with protected ranges and charts. Every request is recorded with its
 * raw path (still percent-encoded: the client expands `{range}` with RFC 6570, so `活动!A1` arrives
 * as `%E6%B4%BB%E5%8A%A8%21A1`, while the `:append`/`:clear` suffixes stay literal colons).
 *
 * What it models of Google, because the adapter's correctness depends on it:
 * - `spreadsheets.batchUpdate` is atomic: requests apply in order to a copy that replaces the
 *   spreadsheet only when every request succeeded; an unknown request type, a range beyond the grid,
 *   a duplicate sheet title, a missing protected range / chart, or a second protection of a whole
 *   sheet ("already has sheet protection", as Google answers) answers 400 and changes nothing.
 * - `values.*` with `RAW` stores strings as strings (`=HYPERLINK(…)` stays text); `USER_ENTERED`
 *   parses them as typed in the UI (a leading `=` makes a formula, numbers become numbers).
 * - `spreadsheets.get` honours the `fields` mask (including `a(b,c)` and `a.b` forms) and returns
 *   grid data only when the mask asks for it (or `includeGridData` without a mask), limited to the
 *   `ranges` given; with ranges, only the sheets they name are returned.
 * - Missing or malformed `Authorization: Bearer …` answers 401; errors have Google's JSON shape.
 * - Developer metadata (`developerMetadata:search`, `developerMetadata/{id}`, and `spreadsheets.get`
 *   with `developerMetadata` fields): a lookup matches the entries that agree with every field it
 *   sets, across every location (spreadsheet, sheets) unless `locationType` narrows it; an entry of
 *   PROJECT visibility is seen only by callers of the Cloud project that wrote it (`project`), while
 *   DOCUMENT entries are seen by everyone who can read the sheet; a search that matches nothing
 *   answers `{}` (Google leaves empty lists out). Location filters (`a1Range`, `gridRange`,
 *   `metadataLocation`) are not modelled and answer 400, so a client relying on them is noticed.
 *
 * `failNext(status, times, match?)` answers the next matching requests with that status instead
 * (status 0 drops the connection; `afterApplying` applies the request first, as when a response is
 * lost), to test retries; failed requests are recorded too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { sheets_v4 } from '@googleapis/sheets';
import { columnLetter, parseCell, quoteTabName, splitRange } from '../../shared/a1';
import type { CellValue, RawWorkbook } from '../../shared/workbook';

type Json = unknown;

/** One cell as the fake stores it: the API's CellData subset that can be written. */
export interface FakeCell {
  userEnteredValue?: sheets_v4.Schema$ExtendedValue;
  /** A formula's computed value, when a test seeds one (the fake does not evaluate formulas). */
  effectiveValue?: sheets_v4.Schema$ExtendedValue;
  userEnteredFormat?: sheets_v4.Schema$CellFormat;
  note?: string;
  dataValidation?: Json;
  textFormatRuns?: Json;
}

export interface FakeSheet {
  properties: {
    sheetId: number;
    title: string;
    index: number;
    sheetType: 'GRID';
    gridProperties: sheets_v4.Schema$GridProperties & { rowCount: number; columnCount: number };
  };
  /** Sparse rows × columns, 0-based. */
  cells: (FakeCell | undefined)[][];
  protectedRanges: sheets_v4.Schema$ProtectedRange[];
  charts: sheets_v4.Schema$EmbeddedChart[];
  merges: sheets_v4.Schema$GridRange[];
  /** Pixel sizes set through updateDimensionProperties, by 0-based column. */
  columnWidths: Map<number, number>;
}

export interface FakeSpreadsheet {
  spreadsheetId: string;
  title: string;
  sheets: FakeSheet[];
  nextObjectId: number;
  developerMetadata: FakeDeveloperMetadata[];
}

/** One developer metadata entry, and the Cloud project whose credentials wrote it. */
export interface FakeDeveloperMetadata {
  metadata: sheets_v4.Schema$DeveloperMetadata & {
    metadataId: number;
    metadataKey: string;
    visibility: 'DOCUMENT' | 'PROJECT';
    location: sheets_v4.Schema$DeveloperMetadataLocation & {
      locationType: 'SPREADSHEET' | 'SHEET';
    };
  };
  project: string;
}

export interface RecordedRequest {
  method: string;
  /** The path as received, percent-encoding intact. */
  path: string;
  /** The query string as received (without `?`). */
  rawQuery: string;
  /** The decoded query, every parameter as the list of its values. */
  query: Record<string, string[]>;
  body: Json;
  authorization: string | undefined;
  /** The status the fake answered. */
  status: number;
}

export interface FailureMatch {
  method?: string;
  /** Tested against the raw path. */
  path?: RegExp;
  /** Apply the request, then answer the failure: a response lost on its way back. */
  afterApplying?: boolean;
}

export interface FakeSheets {
  rootUrl: string;
  /** The Cloud project of the callers' credentials (the functions' service account). */
  project: string;
  requests: RecordedRequest[];
  spreadsheets: Map<string, FakeSpreadsheet>;
  /** Answers the next `times` requests (that match) with `status`; 0 drops the connection. */
  failNext(status: number, times?: number, match?: FailureMatch): void;
  stop(): Promise<void>;
}

/** Google's status names for the error body. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new ApiError(400, message);

// ---------------------------------------------------------------------------------------------
// Seeding and inspecting (for tests).

/** Days since 1899-12-30, the spreadsheet serial of a date cell (UTC fields = wall clock). */
export function serialOf(date: Date): number {
  return (date.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000;
}

function seedCell(value: CellValue): FakeCell | undefined {
  if (value === null || value === '') return undefined;
  if (value instanceof Date) {
    return {
      userEnteredValue: { numberValue: serialOf(value) },
      userEnteredFormat: { numberFormat: { type: 'DATE', pattern: 'yyyy-mm-dd' } },
    };
  }
  if (typeof value === 'number') return { userEnteredValue: { numberValue: value } };
  if (typeof value === 'boolean') return { userEnteredValue: { boolValue: value } };
  return { userEnteredValue: { stringValue: value } };
}

/** A sheet of the given size (at least Google's default 1000 × 26). */
function blankSheet(sheetId: number, title: string, index: number, rows = 1000, columns = 26): FakeSheet {
  return {
    properties: {
      sheetId,
      title,
      index,
      sheetType: 'GRID',
      gridProperties: { rowCount: rows, columnCount: columns },
    },
    cells: [],
    protectedRanges: [],
    charts: [],
    merges: [],
    columnWidths: new Map(),
  };
}

/**
 * Adds a spreadsheet holding a workbook as staff would keep it: each tab's header in row 1 and
 * each data row at its sheet row number; date cells become serial numbers with a date format.
 * Sheet IDs are 0 for the first tab and arbitrary large numbers after, as Google assigns them.
 */
export function seedSpreadsheet(
  fake: FakeSheets,
  spreadsheetId: string,
  workbook: RawWorkbook,
): FakeSpreadsheet {
  const spreadsheet: FakeSpreadsheet = {
    spreadsheetId,
    title: '共建计划',
    sheets: [],
    nextObjectId: 1_234_567,
    developerMetadata: [],
  };
  workbook.tabs.forEach((tab, index) => {
    const lastRow = Math.max(1, ...tab.rows.map((row) => row.row));
    const sheet = blankSheet(
      index === 0 ? 0 : 100_000_007 * index,
      tab.name,
      index,
      Math.max(1000, lastRow + 10),
      Math.max(26, tab.header.length),
    );
    const put = (row: number, cells: readonly CellValue[]) => {
      sheet.cells[row - 1] = cells.map(seedCell);
    };
    put(1, tab.header);
    for (const row of tab.rows) put(row.row, row.cells);
    spreadsheet.sheets.push(sheet);
  });
  fake.spreadsheets.set(spreadsheetId, spreadsheet);
  return spreadsheet;
}

/** The Cloud project the add-on's Apps Script runs in: not the functions' own. */
export const ADDON_PROJECT = 'apps-script-addon-project';

/**
 * Adds developer metadata as the add-on's `addDeveloperMetadata` would (another Cloud project than
 * the fake's callers unless `project` says otherwise): on the spreadsheet, or on a sheet by ID.
 */
export function addDeveloperMetadata(
  spreadsheet: FakeSpreadsheet,
  entry: {
    key: string;
    value?: string;
    visibility?: 'DOCUMENT' | 'PROJECT';
    sheetId?: number;
    project?: string;
  },
): FakeDeveloperMetadata {
  const added: FakeDeveloperMetadata = {
    metadata: {
      metadataId: spreadsheet.nextObjectId++,
      metadataKey: entry.key,
      ...(entry.value !== undefined ? { metadataValue: entry.value } : {}),
      visibility: entry.visibility ?? 'DOCUMENT',
      location:
        entry.sheetId === undefined
          ? { locationType: 'SPREADSHEET', spreadsheet: true }
          : { locationType: 'SHEET', sheetId: entry.sheetId },
    },
    project: entry.project ?? ADDON_PROJECT,
  };
  spreadsheet.developerMetadata.push(added);
  return added;
}

/** The sheet with this title; throws when there is none. */
export function sheetNamed(spreadsheet: FakeSpreadsheet, title: string): FakeSheet {
  const sheet = spreadsheet.sheets.find((s) => s.properties.title === title);
  if (!sheet) throw new Error(`No sheet "${title}" in ${spreadsheet.spreadsheetId}`);
  return sheet;
}

/** A cell by 0-based row and column, or undefined. */
export function cellAt(sheet: FakeSheet, row: number, column: number): FakeCell | undefined {
  return sheet.cells[row]?.[column];
}

/** The value a cell shows (a formula's seeded result), as a plain value. */
export function shownValue(cell: FakeCell | undefined): string | number | boolean | null {
  const value =
    cell?.userEnteredValue?.formulaValue !== undefined ? cell.effectiveValue : cell?.userEnteredValue;
  if (!value) return null;
  if (value.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (typeof value.numberValue === 'number') return value.numberValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.errorValue) return '#ERROR!';
  return null;
}

/** Every row of a sheet as shown values, trailing empty rows and cells dropped. */
export function sheetValues(sheet: FakeSheet): (string | number | boolean | null)[][] {
  const rows = sheet.cells.map((row) => {
    // Array.from, not map: a sparse row's holes must read as empty cells too.
    const values = Array.from(row ?? [], shownValue);
    while (values.length > 0 && values[values.length - 1] === null) values.pop();
    return values;
  });
  while (rows.length > 0 && (rows[rows.length - 1]?.length ?? 0) === 0) rows.pop();
  return rows;
}

// ---------------------------------------------------------------------------------------------
// A1 notation and field masks.

interface Bounds {
  sheet: FakeSheet;
  startRow: number;
  endRow: number;
  startColumn: number;
  endColumn: number;
}

/** Parses `'Sheet name'!A1:B2`, `Sheet!A:C`, `Sheet`, `A1:B2` (first sheet) the way Sheets reads them. */
function parseA1(spreadsheet: FakeSpreadsheet, range: string): Bounds {
  let { tab: title, cells } = splitRange(range);
  if (title === undefined && spreadsheet.sheets.some((s) => s.properties.title === range)) {
    title = range;
    cells = '';
  }
  const sheet =
    title === undefined
      ? spreadsheet.sheets.find((s) => s.properties.index === 0)
      : spreadsheet.sheets.find((s) => s.properties.title === title);
  if (!sheet) throw invalid(`Unable to parse range: ${range}`);
  const { rowCount, columnCount } = sheet.properties.gridProperties;
  const bounds: Bounds = { sheet, startRow: 0, endRow: rowCount, startColumn: 0, endColumn: columnCount };
  if (cells === '') return bounds;
  const [from, to, extra] = cells.split(':');
  const a = parseCell(from ?? '');
  const b = to === undefined ? a : parseCell(to);
  if (!a || !b || extra !== undefined) throw invalid(`Unable to parse range: ${range}`);
  if (a.column !== undefined) bounds.startColumn = a.column;
  if (a.row !== undefined) bounds.startRow = a.row - 1;
  if (b.column !== undefined) bounds.endColumn = b.column + 1;
  if (b.row !== undefined) bounds.endRow = b.row;
  // A single cell `B3` is B3:B3; `B` alone is the whole column.
  if (to === undefined && a.row !== undefined && a.column !== undefined) {
    bounds.endRow = bounds.startRow + 1;
    bounds.endColumn = bounds.startColumn + 1;
  }
  if (bounds.startRow < 0 || bounds.endRow <= bounds.startRow || bounds.endColumn <= bounds.startColumn) {
    throw invalid(`Unable to parse range: ${range}`);
  }
  return bounds;
}

function a1Of(bounds: Bounds): string {
  const start = `${columnLetter(bounds.startColumn)}${bounds.startRow + 1}`;
  const end = `${columnLetter(bounds.endColumn - 1)}${bounds.endRow}`;
  return `${quoteTabName(bounds.sheet.properties.title)}!${start === end ? start : `${start}:${end}`}`;
}

/** A field mask as a tree: `a(b,c.d),e` → {a: {b: true, c: {d: true}}, e: true}. */
type Mask = Map<string, Mask | true>;

function parseMask(text: string): Mask {
  let at = 0;
  const list = (): Mask => {
    const mask: Mask = new Map();
    for (;;) {
      const name = /^[\w*]+(?:\.[\w*]+)*/.exec(text.slice(at));
      if (!name) throw invalid(`Invalid field selection ${text}`);
      at += name[0].length;
      let leaf: Mask | true = true;
      if (text[at] === '(') {
        at++;
        leaf = list();
        if (text[at] !== ')') throw invalid(`Invalid field selection ${text}`);
        at++;
      }
      const parts = name[0].split('.');
      let node = mask;
      parts.forEach((part, i) => {
        if (i === parts.length - 1) {
          const existing = node.get(part);
          node.set(
            part,
            existing instanceof Map && leaf instanceof Map ? new Map([...existing, ...leaf]) : leaf,
          );
        } else {
          let next = node.get(part);
          if (next === true) return;
          if (next === undefined) {
            next = new Map();
            node.set(part, next);
          }
          node = next;
        }
      });
      if (text[at] !== ',') return mask;
      at++;
      while (text[at] === ' ') at++;
    }
  };
  const mask = list();
  if (at !== text.length) throw invalid(`Invalid field selection ${text}`);
  return mask;
}

function applyMask(value: Json, mask: Mask | true): Json {
  if (mask === true || mask.has('*')) return value;
  if (Array.isArray(value)) return value.map((item) => applyMask(item, mask));
  if (typeof value !== 'object' || value === null) return value;
  const kept: Record<string, Json> = {};
  for (const [key, sub] of mask) {
    const field = (value as Record<string, Json>)[key];
    if (field !== undefined) kept[key] = applyMask(field, sub);
  }
  return kept;
}

/** Whether a mask selects anything under the path `sheets.data`. */
function maskWantsGridData(mask: Mask): boolean {
  const sheets = mask.get('sheets');
  return sheets === true || (sheets instanceof Map && (sheets.has('data') || sheets.has('*')));
}

/**
 * Writes `source` into `target` for the paths of a `fields` mask of an update request: each named
 * field is replaced by the source's (or removed when the source lacks it), `*` replaces all.
 */
function maskedAssign(target: Record<string, Json>, source: Record<string, Json>, mask: Mask): void {
  if (mask.has('*')) {
    for (const key of Object.keys(target)) delete target[key];
    Object.assign(target, structuredClone(source));
    return;
  }
  for (const [key, sub] of mask) {
    const from = source[key];
    if (sub === true) {
      if (from === undefined) delete target[key];
      else target[key] = structuredClone(from);
      continue;
    }
    const into = (target[key] ?? {}) as Record<string, Json>;
    maskedAssign(into, (from ?? {}) as Record<string, Json>, sub);
    if (Object.keys(into).length === 0) delete target[key];
    else target[key] = into;
  }
}

const CELL_FIELDS = new Set([
  'userEnteredValue',
  'userEnteredFormat',
  'note',
  'dataValidation',
  'textFormatRuns',
]);

function checkFields(mask: Mask, allowed: Set<string>, what: string): void {
  for (const key of mask.keys()) {
    if (key !== '*' && !allowed.has(key))
      throw invalid(`Invalid field mask for ${what}: unknown field "${key}"`);
  }
}

// ---------------------------------------------------------------------------------------------
// Cell values through the values API.

type Rendered = string | number | boolean;

function formatNumber(
  value: number,
  format: sheets_v4.Schema$NumberFormat | undefined,
  dates: string,
): Rendered {
  if (format?.type === 'DATE' || format?.type === 'DATE_TIME') {
    if (dates === 'FORMATTED_STRING') {
      const date = new Date(Date.UTC(1899, 11, 30) + Math.round(value * 86_400_000));
      return date.toISOString().slice(0, 10);
    }
  }
  return value;
}

function renderCell(cell: FakeCell | undefined, render: string, dates: string): Rendered | undefined {
  if (!cell?.userEnteredValue) return undefined;
  const entered = cell.userEnteredValue;
  if (entered.formulaValue !== undefined && entered.formulaValue !== null) {
    if (render === 'FORMULA') return entered.formulaValue;
    const shown = shownValue(cell);
    return shown === null ? undefined : shown;
  }
  const value = shownValue(cell);
  if (value === null) return undefined;
  if (typeof value === 'number') {
    const format = cell.userEnteredFormat?.numberFormat;
    if (render === 'FORMATTED_VALUE') {
      if (format?.type === 'PERCENT') return `${(value * 100).toFixed(1)}%`;
      return String(formatNumber(value, format, 'FORMATTED_STRING'));
    }
    return formatNumber(value, format, dates);
  }
  if (typeof value === 'boolean' && render === 'FORMATTED_VALUE') return value ? 'TRUE' : 'FALSE';
  return value;
}

/** A value as the values API stores it: RAW keeps strings; USER_ENTERED parses them as typed. */
function enteredValue(value: Json, input: string): sheets_v4.Schema$ExtendedValue | undefined {
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value !== 'string') throw invalid(`Invalid value: ${JSON.stringify(value)}`);
  if (value === '') return undefined;
  if (input === 'RAW') return { stringValue: value };
  if (value.startsWith("'")) return { stringValue: value.slice(1) };
  if (value.startsWith('=')) return { formulaValue: value };
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value.trim())) return { numberValue: Number(value) };
  if (/^(true|false)$/i.test(value)) return { boolValue: value.toUpperCase() === 'TRUE' };
  return { stringValue: value };
}

function cellSlot(sheet: FakeSheet, row: number, column: number): FakeCell {
  sheet.cells[row] ??= [];
  const cells = sheet.cells[row] as (FakeCell | undefined)[];
  cells[column] ??= {};
  return cells[column] as FakeCell;
}

function ensureGrid(sheet: FakeSheet, rows: number, columns: number): void {
  const grid = sheet.properties.gridProperties;
  grid.rowCount = Math.max(grid.rowCount, rows);
  grid.columnCount = Math.max(grid.columnCount, columns);
}

function writeValues(
  bounds: Bounds,
  values: Json,
  input: string,
  majorDimension: string | undefined,
): number {
  if (input !== 'RAW' && input !== 'USER_ENTERED') {
    throw invalid(`Invalid valueInputOption: '${input}' (RAW or USER_ENTERED required)`);
  }
  if (!Array.isArray(values)) throw invalid('values must be a list of lists');
  let rows = values as Json[][];
  if (majorDimension === 'COLUMNS') {
    const width = Math.max(0, ...rows.map((r) => r.length));
    rows = Array.from({ length: width }, (_, c) => rows.map((r) => r[c] ?? null));
  }
  let written = 0;
  rows.forEach((row, r) => {
    if (!Array.isArray(row)) throw invalid('values must be a list of lists');
    row.forEach((value, c) => {
      // Null means "leave as is"; an empty string clears.
      if (value === null || value === undefined) return;
      const at = { row: bounds.startRow + r, column: bounds.startColumn + c };
      if (at.row >= bounds.endRow || at.column >= bounds.endColumn) {
        throw invalid(`Requested writing within range [${a1Of(bounds)}], but tried writing beyond it`);
      }
      ensureGrid(bounds.sheet, at.row + 1, at.column + 1);
      const cell = cellSlot(bounds.sheet, at.row, at.column);
      const entered = enteredValue(value, input);
      delete cell.effectiveValue;
      if (entered === undefined) delete cell.userEnteredValue;
      else cell.userEnteredValue = entered;
      written++;
    });
  });
  return written;
}

function readValues(bounds: Bounds, render: string, dates: string): sheets_v4.Schema$ValueRange {
  const values: Rendered[][] = [];
  const lastRow = Math.min(bounds.endRow, bounds.sheet.cells.length);
  for (let r = bounds.startRow; r < lastRow; r++) {
    const row: Rendered[] = [];
    const cells = bounds.sheet.cells[r] ?? [];
    const lastColumn = Math.min(bounds.endColumn, cells.length);
    for (let c = bounds.startColumn; c < lastColumn; c++) row.push(renderCell(cells[c], render, dates) ?? '');
    while (row.length > 0 && row[row.length - 1] === '') row.pop();
    values.push(row);
  }
  while (values.length > 0 && values[values.length - 1]?.length === 0) values.pop();
  const result: sheets_v4.Schema$ValueRange = { range: a1Of(bounds), majorDimension: 'ROWS' };
  if (values.length > 0) result.values = values;
  return result;
}

// ---------------------------------------------------------------------------------------------
// spreadsheets.get

function gridDataOf(bounds: Bounds): sheets_v4.Schema$GridData {
  const rowData: sheets_v4.Schema$RowData[] = [];
  const lastRow = Math.min(bounds.endRow, bounds.sheet.cells.length);
  for (let r = bounds.startRow; r < lastRow; r++) {
    const cells = bounds.sheet.cells[r] ?? [];
    const values: sheets_v4.Schema$CellData[] = [];
    for (let c = bounds.startColumn; c < Math.min(bounds.endColumn, cells.length); c++) {
      const cell = cells[c];
      const data: sheets_v4.Schema$CellData = {};
      if (cell) {
        Object.assign(data, structuredClone(cell));
        delete (data as FakeCell).effectiveValue;
        const effective =
          cell.userEnteredValue?.formulaValue !== undefined ? cell.effectiveValue : cell.userEnteredValue;
        if (effective) data.effectiveValue = structuredClone(effective);
        const shown = renderCell(cell, 'FORMATTED_VALUE', 'FORMATTED_STRING');
        if (shown !== undefined) data.formattedValue = String(shown);
      }
      values.push(data);
    }
    while (values.length > 0 && Object.keys(values[values.length - 1] ?? {}).length === 0) values.pop();
    rowData.push(values.length > 0 ? { values } : {});
  }
  while (rowData.length > 0 && Object.keys(rowData[rowData.length - 1] ?? {}).length === 0) rowData.pop();
  const data: sheets_v4.Schema$GridData = { rowData };
  if (bounds.startRow > 0) data.startRow = bounds.startRow;
  if (bounds.startColumn > 0) data.startColumn = bounds.startColumn;
  return data;
}

function sheetJson(sheet: FakeSheet): sheets_v4.Schema$Sheet {
  const json: sheets_v4.Schema$Sheet = { properties: structuredClone(sheet.properties) };
  if (sheet.protectedRanges.length > 0) json.protectedRanges = structuredClone(sheet.protectedRanges);
  if (sheet.charts.length > 0) json.charts = structuredClone(sheet.charts);
  if (sheet.merges.length > 0) json.merges = structuredClone(sheet.merges);
  return json;
}

function getSpreadsheet(spreadsheet: FakeSpreadsheet, query: URLSearchParams, project: string): Json {
  const fields = query.get('fields');
  const mask = fields ? parseMask(fields) : undefined;
  const withData = mask ? maskWantsGridData(mask) : query.get('includeGridData') === 'true';
  const ranges = query.getAll('ranges').map((range) => parseA1(spreadsheet, range));
  const sheets = [...spreadsheet.sheets]
    .sort((a, b) => a.properties.index - b.properties.index)
    .filter((sheet) => ranges.length === 0 || ranges.some((bounds) => bounds.sheet === sheet))
    .map((sheet) => {
      const json = sheetJson(sheet);
      const own = visibleMetadata(spreadsheet, project).filter(
        (m) => m.location.locationType === 'SHEET' && m.location.sheetId === sheet.properties.sheetId,
      );
      if (own.length > 0) json.developerMetadata = own;
      if (withData) {
        const own = ranges.filter((bounds) => bounds.sheet === sheet);
        const whole: Bounds = {
          sheet,
          startRow: 0,
          startColumn: 0,
          endRow: sheet.properties.gridProperties.rowCount,
          endColumn: sheet.properties.gridProperties.columnCount,
        };
        json.data = (own.length > 0 ? own : [whole]).map(gridDataOf);
      }
      return json;
    });
  const documentLevel = visibleMetadata(spreadsheet, project).filter(
    (m) => m.location.locationType === 'SPREADSHEET',
  );
  const json = {
    spreadsheetId: spreadsheet.spreadsheetId,
    properties: { title: spreadsheet.title, locale: 'zh_CN', timeZone: 'Asia/Shanghai' },
    sheets,
    spreadsheetUrl: `https://docs.google.com/spreadsheets/d/${spreadsheet.spreadsheetId}/edit`,
    ...(documentLevel.length > 0 ? { developerMetadata: documentLevel } : {}),
  };
  return mask ? applyMask(json, mask) : json;
}

// ---------------------------------------------------------------------------------------------
// Developer metadata

/** The entries a caller of `project` may see: DOCUMENT ones, and PROJECT ones of its own project. */
function visibleMetadata(spreadsheet: FakeSpreadsheet, project: string): FakeDeveloperMetadata['metadata'][] {
  return spreadsheet.developerMetadata
    .filter((entry) => entry.metadata.visibility === 'DOCUMENT' || entry.project === project)
    .map((entry) => structuredClone(entry.metadata));
}

const LOOKUP_ENUMS: Record<string, readonly string[]> = {
  visibility: ['DOCUMENT', 'PROJECT'],
  locationType: ['ROW', 'COLUMN', 'SHEET', 'SPREADSHEET'],
  locationMatchingStrategy: ['EXACT_LOCATION', 'INTERSECTING_LOCATION'],
};

/** Refuses a lookup Google would refuse (or the fake does not model), whether or not anything matches. */
function checkLookup(lookup: Record<string, Json>, where: string): void {
  const fields = Object.keys(lookup);
  if (fields.length === 0) throw invalid(`Invalid ${where}: the lookup must set at least one field`);
  for (const field of fields) {
    const value = lookup[field];
    const allowed = LOOKUP_ENUMS[field];
    if (allowed && !allowed.includes(String(value))) {
      throw invalid(`Invalid value at '${where}.${field}' (${String(value)})`);
    }
  }
  if ('metadataLocation' in lookup) {
    throw invalid(`${where}.metadataLocation is not modelled by the fake`);
  }
}

/** Whether an entry agrees with every field a DeveloperMetadataLookup sets. */
function lookupMatches(lookup: Record<string, Json>, metadata: FakeDeveloperMetadata['metadata']): boolean {
  return (
    (lookup.metadataId === undefined || Number(lookup.metadataId) === metadata.metadataId) &&
    (lookup.metadataKey === undefined || lookup.metadataKey === metadata.metadataKey) &&
    (lookup.metadataValue === undefined || lookup.metadataValue === metadata.metadataValue) &&
    (lookup.visibility === undefined || lookup.visibility === metadata.visibility) &&
    (lookup.locationType === undefined || lookup.locationType === metadata.location.locationType)
  );
}

/** developerMetadata:search — every visible entry some filter matches, with the filters it matched. */
function searchDeveloperMetadata(spreadsheet: FakeSpreadsheet, body: Json, project: string): Json {
  const filters = (body as { dataFilters?: unknown } | undefined)?.dataFilters;
  if (!Array.isArray(filters) || filters.length === 0) throw invalid('dataFilters must not be empty');
  const lookups = filters.map((filter, i) => {
    const kinds = typeof filter === 'object' && filter !== null ? Object.keys(filter) : [];
    if (kinds.length !== 1) throw invalid(`dataFilters[${i}] must set exactly one kind of filter`);
    if (kinds[0] !== 'developerMetadataLookup') {
      throw invalid(`dataFilters[${i}].${kinds[0]} is not modelled by the fake`);
    }
    const lookup = (filter as { developerMetadataLookup: Json }).developerMetadataLookup;
    if (typeof lookup !== 'object' || lookup === null) throw invalid(`dataFilters[${i}] is not a lookup`);
    checkLookup(lookup as Record<string, Json>, `data_filters[${i}].developer_metadata_lookup`);
    return lookup as Record<string, Json>;
  });
  const matched = visibleMetadata(spreadsheet, project).flatMap((metadata) => {
    const dataFilters = filters.filter((_, i) => lookupMatches(lookups[i] as Record<string, Json>, metadata));
    return dataFilters.length > 0 ? [{ developerMetadata: metadata, dataFilters }] : [];
  });
  return matched.length > 0 ? { matchedDeveloperMetadata: matched } : {};
}

// ---------------------------------------------------------------------------------------------
// spreadsheets.batchUpdate

function sheetById(spreadsheet: FakeSpreadsheet, sheetId: unknown): FakeSheet {
  const sheet = spreadsheet.sheets.find((s) => s.properties.sheetId === (sheetId ?? 0));
  if (!sheet) throw invalid(`No grid with id: ${String(sheetId)}`);
  return sheet;
}

/** A range with no row or column bound: the whole sheet, what "protect sheet" protects. */
function isWholeSheet(range: sheets_v4.Schema$GridRange | undefined | null): boolean {
  return (
    range != null &&
    range.startRowIndex == null &&
    range.endRowIndex == null &&
    range.startColumnIndex == null &&
    range.endColumnIndex == null
  );
}

function gridBounds(spreadsheet: FakeSpreadsheet, range: sheets_v4.Schema$GridRange | undefined): Bounds {
  if (!range) throw invalid('range is required');
  const sheet = sheetById(spreadsheet, range.sheetId);
  const { rowCount, columnCount } = sheet.properties.gridProperties;
  const bounds: Bounds = {
    sheet,
    startRow: range.startRowIndex ?? 0,
    endRow: range.endRowIndex ?? rowCount,
    startColumn: range.startColumnIndex ?? 0,
    endColumn: range.endColumnIndex ?? columnCount,
  };
  checkInGrid(bounds);
  return bounds;
}

function checkInGrid(bounds: Bounds): void {
  const { rowCount, columnCount } = bounds.sheet.properties.gridProperties;
  if (
    bounds.endRow > rowCount ||
    bounds.endColumn > columnCount ||
    bounds.startRow < 0 ||
    bounds.startColumn < 0
  ) {
    throw invalid(
      `Range (${a1Of(bounds)}) exceeds grid limits. Max rows: ${rowCount}, max columns: ${columnCount}`,
    );
  }
}

function reindex(spreadsheet: FakeSpreadsheet): void {
  spreadsheet.sheets.sort((a, b) => a.properties.index - b.properties.index);
  spreadsheet.sheets.forEach((sheet, i) => {
    sheet.properties.index = i;
  });
}

function moveSheet(spreadsheet: FakeSpreadsheet, sheet: FakeSheet, index: number): void {
  const rest = spreadsheet.sheets
    .filter((s) => s !== sheet)
    .sort((a, b) => a.properties.index - b.properties.index);
  rest.splice(Math.max(0, Math.min(index, rest.length)), 0, sheet);
  // Numbered by position, not re-sorted by the old indices: the moved sheet's old index would
  // otherwise put it back (a sheet added at index 0 ended up last).
  rest.forEach((s, i) => {
    s.properties.index = i;
  });
  spreadsheet.sheets = rest;
}

function checkTitle(spreadsheet: FakeSpreadsheet, title: string, except?: FakeSheet): void {
  if (title.trim() === '') throw invalid('Sheet title must not be empty');
  if (
    spreadsheet.sheets.some((s) => s !== except && s.properties.title.toLowerCase() === title.toLowerCase())
  ) {
    throw invalid(`A sheet with the name "${title}" already exists. Please enter another name.`);
  }
}

function checkFrozen(sheet: FakeSheet): void {
  const grid = sheet.properties.gridProperties;
  if ((grid.frozenRowCount ?? 0) >= grid.rowCount) {
    throw invalid("You can't freeze all visible rows on the sheet.");
  }
  if ((grid.frozenColumnCount ?? 0) >= grid.columnCount) {
    throw invalid("You can't freeze all visible columns on the sheet.");
  }
}

/** Drops cells beyond the grid after it shrank. */
function truncate(sheet: FakeSheet): void {
  const { rowCount, columnCount } = sheet.properties.gridProperties;
  sheet.cells.length = Math.min(sheet.cells.length, rowCount);
  for (const row of sheet.cells) if (row) row.length = Math.min(row.length, columnCount);
}

function writeCells(bounds: Bounds, rows: sheets_v4.Schema$RowData[], mask: Mask, fill: boolean): void {
  const lastRow = fill ? bounds.endRow : bounds.startRow + rows.length;
  for (let r = bounds.startRow; r < lastRow; r++) {
    const values = rows[r - bounds.startRow]?.values ?? [];
    const lastColumn = fill ? bounds.endColumn : bounds.startColumn + values.length;
    for (let c = bounds.startColumn; c < lastColumn; c++) {
      const source = (values[c - bounds.startColumn] ?? {}) as Record<string, Json>;
      const entered = source.userEnteredValue as Record<string, Json> | undefined;
      if (entered && Object.keys(entered).length > 1)
        throw invalid('Only one value kind may be set per cell');
      if (!fill) checkInGrid({ ...bounds, startRow: r, endRow: r + 1, startColumn: c, endColumn: c + 1 });
      const existing = bounds.sheet.cells[r]?.[c];
      if (!existing && Object.keys(source).length === 0) continue;
      const cell = cellSlot(bounds.sheet, r, c) as Record<string, Json>;
      maskedAssign(cell, source, mask);
      if (mask.has('*') || mask.has('userEnteredValue')) delete cell.effectiveValue;
    }
  }
}

type Reply = Record<string, Json>;

function applyRequest(spreadsheet: FakeSpreadsheet, request: Record<string, Json>, position: number): Reply {
  const kinds = Object.keys(request);
  if (kinds.length !== 1) throw invalid(`requests[${position}]: exactly one kind of request must be set`);
  const kind = kinds[0] as string;
  const body = request[kind] as Record<string, Json>;
  switch (kind) {
    case 'addSheet': {
      const properties = (body.properties ?? {}) as sheets_v4.Schema$SheetProperties;
      const sheetId = properties.sheetId ?? spreadsheet.nextObjectId++;
      if (spreadsheet.sheets.some((s) => s.properties.sheetId === sheetId)) {
        throw invalid(
          `Invalid requests[${position}].addSheet: A sheet with the id ${sheetId} already exists.`,
        );
      }
      const title = properties.title ?? `Sheet${spreadsheet.sheets.length + 1}`;
      checkTitle(spreadsheet, title);
      const grid = properties.gridProperties ?? {};
      const sheet = blankSheet(
        sheetId,
        title,
        spreadsheet.sheets.length,
        grid.rowCount ?? 1000,
        grid.columnCount ?? 26,
      );
      if (grid.frozenRowCount) sheet.properties.gridProperties.frozenRowCount = grid.frozenRowCount;
      if (grid.frozenColumnCount) sheet.properties.gridProperties.frozenColumnCount = grid.frozenColumnCount;
      checkFrozen(sheet);
      spreadsheet.sheets.push(sheet);
      moveSheet(spreadsheet, sheet, properties.index ?? spreadsheet.sheets.length);
      return { addSheet: { properties: structuredClone(sheet.properties) } };
    }
    case 'deleteSheet': {
      const sheet = sheetById(spreadsheet, body.sheetId);
      if (spreadsheet.sheets.length === 1) throw invalid("You can't remove all the sheets in a document.");
      spreadsheet.sheets = spreadsheet.sheets.filter((s) => s !== sheet);
      reindex(spreadsheet);
      return {};
    }
    case 'updateSheetProperties': {
      const properties = (body.properties ?? {}) as Record<string, Json>;
      if (typeof body.fields !== 'string' || body.fields === '') throw invalid('fields is required');
      const sheet = sheetById(spreadsheet, properties.sheetId);
      const mask = parseMask(body.fields);
      checkFields(
        mask,
        new Set(['title', 'index', 'gridProperties', 'hidden', 'tabColor', 'tabColorStyle']),
        kind,
      );
      const before = sheet.properties.index;
      const merged = structuredClone(sheet.properties) as unknown as Record<string, Json>;
      maskedAssign(merged, properties, mask);
      const next = merged as unknown as FakeSheet['properties'];
      next.sheetId = sheet.properties.sheetId;
      next.gridProperties.rowCount ??= 0;
      next.gridProperties.columnCount ??= 0;
      if (next.gridProperties.rowCount < 1 || next.gridProperties.columnCount < 1) {
        throw invalid('A sheet must have at least one row and one column');
      }
      if (next.title !== sheet.properties.title) checkTitle(spreadsheet, next.title, sheet);
      sheet.properties = next;
      checkFrozen(sheet);
      truncate(sheet);
      if (next.index !== before) {
        sheet.properties.index = before;
        moveSheet(spreadsheet, sheet, next.index);
      }
      return {};
    }
    case 'updateCells': {
      if (typeof body.fields !== 'string' || body.fields === '') throw invalid('fields is required');
      const mask = parseMask(body.fields);
      checkFields(mask, CELL_FIELDS, kind);
      const rows = (body.rows ?? []) as sheets_v4.Schema$RowData[];
      if ((body.start === undefined) === (body.range === undefined)) {
        throw invalid(`requests[${position}].updateCells: exactly one of start and range must be set`);
      }
      if (body.range) {
        writeCells(gridBounds(spreadsheet, body.range as sheets_v4.Schema$GridRange), rows, mask, true);
      } else {
        const start = body.start as sheets_v4.Schema$GridCoordinate;
        const sheet = sheetById(spreadsheet, start.sheetId);
        const bounds: Bounds = {
          sheet,
          startRow: start.rowIndex ?? 0,
          startColumn: start.columnIndex ?? 0,
          endRow: sheet.properties.gridProperties.rowCount,
          endColumn: sheet.properties.gridProperties.columnCount,
        };
        writeCells(bounds, rows, mask, false);
      }
      return {};
    }
    case 'repeatCell': {
      if (typeof body.fields !== 'string' || body.fields === '') throw invalid('fields is required');
      const mask = parseMask(body.fields);
      checkFields(mask, CELL_FIELDS, kind);
      const bounds = gridBounds(spreadsheet, body.range as sheets_v4.Schema$GridRange);
      const cell = (body.cell ?? {}) as sheets_v4.Schema$CellData;
      const rows = Array.from({ length: bounds.endRow - bounds.startRow }, () => ({
        values: Array.from({ length: bounds.endColumn - bounds.startColumn }, () => cell),
      }));
      writeCells(bounds, rows, mask, true);
      return {};
    }
    case 'copyPaste': {
      const source = gridBounds(spreadsheet, body.source as sheets_v4.Schema$GridRange);
      const destination = gridBounds(spreadsheet, body.destination as sheets_v4.Schema$GridRange);
      const type = (body.pasteType as string | undefined) ?? 'PASTE_NORMAL';
      const height = source.endRow - source.startRow;
      const width = source.endColumn - source.startColumn;
      const copies = new Map<string, FakeCell | undefined>();
      for (let r = source.startRow; r < source.endRow; r++) {
        for (let c = source.startColumn; c < source.endColumn; c++) {
          copies.set(`${r}:${c}`, structuredClone(source.sheet.cells[r]?.[c]));
        }
      }
      for (let r = destination.startRow; r < destination.endRow; r++) {
        for (let c = destination.startColumn; c < destination.endColumn; c++) {
          const from = copies.get(
            `${source.startRow + ((r - destination.startRow) % height)}:${source.startColumn + ((c - destination.startColumn) % width)}`,
          );
          const cell = cellSlot(destination.sheet, r, c);
          if (type === 'PASTE_FORMAT') {
            if (from?.userEnteredFormat) cell.userEnteredFormat = structuredClone(from.userEnteredFormat);
            else delete cell.userEnteredFormat;
          } else if (type === 'PASTE_NORMAL') {
            destination.sheet.cells[r] ??= [];
            (destination.sheet.cells[r] as (FakeCell | undefined)[])[c] = structuredClone(from);
          } else {
            throw invalid(`pasteType ${type} is not supported by the fake`);
          }
        }
      }
      return {};
    }
    case 'appendDimension': {
      const sheet = sheetById(spreadsheet, body.sheetId);
      const length = Number(body.length);
      if (!Number.isInteger(length) || length < 1) throw invalid('length must be positive');
      const grid = sheet.properties.gridProperties;
      if (body.dimension === 'ROWS') grid.rowCount += length;
      else if (body.dimension === 'COLUMNS') grid.columnCount += length;
      else throw invalid('dimension must be ROWS or COLUMNS');
      return {};
    }
    case 'updateDimensionProperties': {
      const range = (body.range ?? {}) as sheets_v4.Schema$DimensionRange;
      const sheet = sheetById(spreadsheet, range.sheetId);
      if (typeof body.fields !== 'string' || body.fields === '') throw invalid('fields is required');
      const properties = (body.properties ?? {}) as sheets_v4.Schema$DimensionProperties;
      const limit =
        range.dimension === 'COLUMNS'
          ? sheet.properties.gridProperties.columnCount
          : sheet.properties.gridProperties.rowCount;
      const start = range.startIndex ?? 0;
      const end = range.endIndex ?? limit;
      if (end > limit || start < 0 || end <= start) throw invalid(`Invalid dimension range ${start}:${end}`);
      if (range.dimension === 'COLUMNS' && typeof properties.pixelSize === 'number') {
        for (let c = start; c < end; c++) sheet.columnWidths.set(c, properties.pixelSize);
      }
      return {};
    }
    case 'unmergeCells': {
      const bounds = gridBounds(spreadsheet, body.range as sheets_v4.Schema$GridRange);
      bounds.sheet.merges = bounds.sheet.merges.filter(
        (merge) =>
          (merge.startRowIndex ?? 0) < bounds.startRow ||
          (merge.endRowIndex ?? 0) > bounds.endRow ||
          (merge.startColumnIndex ?? 0) < bounds.startColumn ||
          (merge.endColumnIndex ?? 0) > bounds.endColumn,
      );
      return {};
    }
    case 'mergeCells': {
      const bounds = gridBounds(spreadsheet, body.range as sheets_v4.Schema$GridRange);
      bounds.sheet.merges.push({
        sheetId: bounds.sheet.properties.sheetId,
        startRowIndex: bounds.startRow,
        endRowIndex: bounds.endRow,
        startColumnIndex: bounds.startColumn,
        endColumnIndex: bounds.endColumn,
      });
      return {};
    }
    case 'addProtectedRange': {
      const protectedRange = structuredClone((body.protectedRange ?? {}) as sheets_v4.Schema$ProtectedRange);
      const bounds = gridBounds(spreadsheet, protectedRange.range ?? undefined);
      if (protectedRange.warningOnly && protectedRange.editors) {
        throw invalid('Editors cannot be set on a warning-only protected range');
      }
      // Google's rule (and its words): a sheet has at most one protection of the whole sheet —
      // a range without any bound — whoever set it and whether it only warns.
      if (
        isWholeSheet(protectedRange.range) &&
        bounds.sheet.protectedRanges.some((p) => isWholeSheet(p.range))
      ) {
        throw invalid(
          `Invalid requests[${position}].addProtectedRange: Sheet "${bounds.sheet.properties.title}" already has sheet protection.`,
        );
      }
      protectedRange.protectedRangeId ??= spreadsheet.nextObjectId++;
      bounds.sheet.protectedRanges.push(protectedRange);
      return { addProtectedRange: { protectedRange: structuredClone(protectedRange) } };
    }
    case 'deleteProtectedRange': {
      const id = body.protectedRangeId;
      const sheet = spreadsheet.sheets.find((s) => s.protectedRanges.some((p) => p.protectedRangeId === id));
      if (!sheet) throw invalid(`No protected range with id: ${String(id)}`);
      sheet.protectedRanges = sheet.protectedRanges.filter((p) => p.protectedRangeId !== id);
      return {};
    }
    case 'addChart': {
      const chart = structuredClone((body.chart ?? {}) as sheets_v4.Schema$EmbeddedChart);
      const anchor = chart.position?.overlayPosition?.anchorCell;
      if (!anchor) throw invalid('Only overlay charts are supported by the fake');
      const sheet = sheetById(spreadsheet, anchor.sheetId);
      checkInGrid({
        sheet,
        startRow: anchor.rowIndex ?? 0,
        endRow: (anchor.rowIndex ?? 0) + 1,
        startColumn: anchor.columnIndex ?? 0,
        endColumn: (anchor.columnIndex ?? 0) + 1,
      });
      const basic = chart.spec?.basicChart;
      if (!basic) throw invalid('Only basic charts are supported by the fake');
      const sources = [
        ...(basic.domains ?? []).map((d) => d.domain),
        ...(basic.series ?? []).map((s) => s.series),
      ].flatMap((data) => data?.sourceRange?.sources ?? []);
      if (sources.length === 0) throw invalid('A chart needs a domain and a series');
      for (const source of sources) gridBounds(spreadsheet, source);
      const taken = spreadsheet.sheets.flatMap((s) => s.charts.map((c) => c.chartId));
      if (chart.chartId !== undefined && chart.chartId !== null && taken.includes(chart.chartId)) {
        throw invalid(`An object with id ${chart.chartId} already exists`);
      }
      chart.chartId ??= spreadsheet.nextObjectId++;
      sheet.charts.push(chart);
      return { addChart: { chart: structuredClone(chart) } };
    }
    case 'deleteEmbeddedObject': {
      const id = body.objectId;
      const sheet = spreadsheet.sheets.find((s) => s.charts.some((c) => c.chartId === id));
      if (!sheet) throw invalid(`No embedded object with id: ${String(id)}`);
      sheet.charts = sheet.charts.filter((c) => c.chartId !== id);
      return {};
    }
    default:
      throw invalid(
        `Invalid JSON payload received. Unknown name "${kind}" at 'requests[${position}]': Cannot find field.`,
      );
  }
}

function cloneSpreadsheet(spreadsheet: FakeSpreadsheet): FakeSpreadsheet {
  return structuredClone(spreadsheet);
}

function batchUpdate(spreadsheet: FakeSpreadsheet, body: Json): Json {
  const requests = (body as { requests?: unknown }).requests;
  if (!Array.isArray(requests) || requests.length === 0) throw invalid('requests must not be empty');
  // Atomic like Google: work on a copy, replace the original only when every request applied.
  const copy = cloneSpreadsheet(spreadsheet);
  const replies = requests.map((request, i) => {
    if (typeof request !== 'object' || request === null) throw invalid(`requests[${i}] must be an object`);
    return applyRequest(copy, request as Record<string, Json>, i);
  });
  // In place, so a test's reference to the spreadsheet sees the change (sheets are new objects).
  Object.assign(spreadsheet, copy);
  return { spreadsheetId: spreadsheet.spreadsheetId, replies };
}

// ---------------------------------------------------------------------------------------------
// values.*

function valuesBatchUpdate(spreadsheet: FakeSpreadsheet, body: Json): Json {
  const { valueInputOption, data } = body as {
    valueInputOption?: string;
    data?: { range?: string; values?: Json; majorDimension?: string }[];
  };
  if (!Array.isArray(data)) throw invalid('data must be a list of value ranges');
  const copy = cloneSpreadsheet(spreadsheet);
  const responses = data.map((entry) => {
    const bounds = parseA1(copy, entry.range ?? '');
    const cells = writeValues(bounds, entry.values ?? [], valueInputOption ?? '', entry.majorDimension);
    return { spreadsheetId: spreadsheet.spreadsheetId, updatedRange: a1Of(bounds), updatedCells: cells };
  });
  Object.assign(spreadsheet, copy);
  return {
    spreadsheetId: spreadsheet.spreadsheetId,
    totalUpdatedCells: responses.reduce((sum, r) => sum + r.updatedCells, 0),
    responses,
  };
}

function clearValues(bounds: Bounds): void {
  const lastRow = Math.min(bounds.endRow, bounds.sheet.cells.length);
  for (let r = bounds.startRow; r < lastRow; r++) {
    const row = bounds.sheet.cells[r];
    if (!row) continue;
    for (let c = bounds.startColumn; c < Math.min(bounds.endColumn, row.length); c++) {
      const cell = row[c];
      if (cell) {
        delete cell.userEnteredValue;
        delete cell.effectiveValue;
      }
    }
  }
}

/** values/{range}:append — after the last row holding a value in the range's columns. */
function appendValues(bounds: Bounds, body: Json, input: string): Json {
  const values = ((body as { values?: Json[][] }).values ?? []) as Json[][];
  let last = -1;
  for (let r = 0; r < bounds.sheet.cells.length; r++) {
    const row = bounds.sheet.cells[r] ?? [];
    for (let c = bounds.startColumn; c < Math.min(bounds.endColumn, row.length); c++) {
      if (row[c]?.userEnteredValue) last = r;
    }
  }
  const startRow = Math.max(last + 1, bounds.startRow);
  const width = Math.max(1, ...values.map((row) => row.length));
  ensureGrid(bounds.sheet, startRow + values.length, bounds.startColumn + width);
  const target: Bounds = {
    sheet: bounds.sheet,
    startRow,
    endRow: startRow + values.length,
    startColumn: bounds.startColumn,
    endColumn: bounds.startColumn + width,
  };
  const cells = writeValues(target, values, input, undefined);
  return { tableRange: a1Of(bounds), updates: { updatedRange: a1Of(target), updatedCells: cells } };
}

// ---------------------------------------------------------------------------------------------
// The server.

function errorBody(status: number, message: string): Json {
  return { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
}

async function readBody(request: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('Invalid JSON payload received.');
  }
}

function route(fake: FakeSheets, method: string, path: string, query: URLSearchParams, body: Json): Json {
  const match = /^\/v4\/spreadsheets\/([^/:]+)(.*)$/.exec(path);
  if (!match) throw new ApiError(404, `Not found: ${path}`);
  const spreadsheetId = decodeURIComponent(match[1] ?? '');
  const rest = match[2] ?? '';
  const spreadsheet = fake.spreadsheets.get(spreadsheetId);
  if (!spreadsheet) throw new ApiError(404, 'Requested entity was not found.');
  const render = query.get('valueRenderOption') ?? 'FORMATTED_VALUE';
  const dates = query.get('dateTimeRenderOption') ?? 'SERIAL_NUMBER';
  if (method === 'GET' && rest === '') return getSpreadsheet(spreadsheet, query, fake.project);
  if (method === 'POST' && rest === '/developerMetadata:search') {
    return searchDeveloperMetadata(spreadsheet, body, fake.project);
  }
  const metadataId = /^\/developerMetadata\/(\d+)$/.exec(rest);
  if (method === 'GET' && metadataId) {
    const found = visibleMetadata(spreadsheet, fake.project).find(
      (m) => m.metadataId === Number(metadataId[1]),
    );
    if (!found) throw new ApiError(404, `No developer metadata with ID ${metadataId[1]}.`);
    return found;
  }
  if (method === 'POST' && rest === ':batchUpdate') return batchUpdate(spreadsheet, body);
  if (method === 'GET' && rest === '/values:batchGet') {
    return {
      spreadsheetId,
      valueRanges: query
        .getAll('ranges')
        .map((range) => readValues(parseA1(spreadsheet, range), render, dates)),
    };
  }
  if (method === 'POST' && rest === '/values:batchUpdate') return valuesBatchUpdate(spreadsheet, body);
  if (method === 'POST' && rest === '/values:batchClear') {
    const ranges = ((body as { ranges?: string[] }).ranges ?? []).map((range) => parseA1(spreadsheet, range));
    for (const bounds of ranges) clearValues(bounds);
    return { spreadsheetId, clearedRanges: ranges.map(a1Of) };
  }
  // The range is one path segment, fully percent-encoded (its own colons too), so the first literal
  // colon starts the method suffix.
  const single = /^\/values\/([^/:]+)(?::(append|clear))?$/.exec(rest);
  if (single) {
    const range = decodeURIComponent(single[1] ?? '');
    const bounds = parseA1(spreadsheet, range);
    const suffix = single[2];
    if (method === 'GET' && suffix === undefined) return readValues(bounds, render, dates);
    if (method === 'PUT' && suffix === undefined) {
      const entry = body as { values?: Json; majorDimension?: string };
      const cells = writeValues(
        bounds,
        entry.values ?? [],
        query.get('valueInputOption') ?? '',
        entry.majorDimension,
      );
      return { spreadsheetId, updatedRange: a1Of(bounds), updatedCells: cells };
    }
    if (method === 'POST' && suffix === 'append') {
      return {
        spreadsheetId,
        ...(appendValues(bounds, body, query.get('valueInputOption') ?? '') as object),
      };
    }
    if (method === 'POST' && suffix === 'clear') {
      clearValues(bounds);
      return { spreadsheetId, clearedRange: a1Of(bounds) };
    }
  }
  throw new ApiError(404, `Method not found: ${method} ${path}`);
}

/** Starts the fake on 127.0.0.1 on a free port. */
export async function startFakeSheets(
  options: { token?: string; project?: string } = {},
): Promise<FakeSheets> {
  const failures: { status: number; times: number; match: FailureMatch | undefined }[] = [];
  const fake: FakeSheets = {
    rootUrl: '',
    project: options.project ?? 'functions-project',
    requests: [],
    spreadsheets: new Map(),
    failNext(status, times = 1, match) {
      failures.push({ status, times, match });
    },
    stop: async () => {},
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const raw = request.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    const rawQuery = q < 0 ? '' : raw.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const method = request.method ?? 'GET';
    const record: RecordedRequest = {
      method,
      path,
      rawQuery,
      query: {},
      body: undefined,
      authorization: request.headers.authorization,
      status: 0,
    };
    for (const key of new Set(query.keys())) record.query[key] = query.getAll(key);
    fake.requests.push(record);
    const send = (status: number, json: Json) => {
      record.status = status;
      const text = JSON.stringify(json);
      response.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(text);
    };
    try {
      record.body = await readBody(request);
      const failure = failures.find(
        (f) =>
          f.times > 0 &&
          (f.match?.method === undefined || f.match.method === method) &&
          (f.match?.path === undefined || f.match.path.test(path)),
      );
      if (failure) {
        failure.times--;
        if (failure.times === 0) failures.splice(failures.indexOf(failure), 1);
        if (failure.match?.afterApplying) route(fake, method, path, query, record.body);
        if (failure.status === 0) {
          request.socket.destroy();
          return;
        }
        send(failure.status, errorBody(failure.status, `Injected failure ${failure.status}`));
        return;
      }
      const auth = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
      if (!auth || (options.token !== undefined && auth[1] !== options.token)) {
        throw new ApiError(
          401,
          'Request is missing required authentication credential. Expected OAuth 2 access token.',
        );
      }
      send(200, route(fake, method, path, query, record.body));
    } catch (error) {
      if (error instanceof ApiError) send(error.status, errorBody(error.status, error.message));
      else send(500, errorBody(500, error instanceof Error ? error.message : String(error)));
    }
  };

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.rootUrl = `http://127.0.0.1:${port}/`;
  fake.stop = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return fake;
}
