/**
 * The Google Sheets adapter of the workbook port, the twin of the .xlsx one (xlsxPort.ts): reads
 * the four data tabs as raw cells, rewrites the generated tabs whole, writes assigned activity IDs
 * into empty ID cells and marks invalid cells with a fill and a note — in a number of API calls
 * that does not depend on the row count.
 *
 * The seams: retries and error mapping in sheetsRetry.ts, the generated tabs and their charts in
 * sheetsTabs.ts, the data tabs' cells, IDs and marks in sheetsGrid.ts (marks and IDs as
 * shared/marks.ts plans them, like the .xlsx adapter and the add-on); this file is the adapter.
 *
 * Calls (retried on 429, 5xx and network failures, see `retrier`):
 * - read: `spreadsheets.get` for the tab titles (properties only), then one `values.batchGet` of the
 *   recognised data tabs, unformatted, dates as serial numbers. 2 calls (1 when no tab is recognised).
 * - update: `spreadsheets.get` of the structure (properties, protected ranges, charts, merges);
 *   one `spreadsheets.batchUpdate` for the generated tabs, values included; and, when IDs or issues
 *   are given, one `spreadsheets.get` of the data tabs' cells (values, notes, fills) and one
 *   `spreadsheets.batchUpdate` of IDs and marks. 2 calls for generated tabs alone, 4 at most.
 * - plan markers: one `developerMetadata.search` (a read; the add-on writes the marker).
 * - a district's roll-up (§13, writeRollup): `spreadsheets.get` of the structure and one
 *   `spreadsheets.batchUpdate` of its four tabs with their charts — the generated tabs' 2 calls.
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
import { parseCell, quotedTabName, splitRange } from '../../shared/a1';
import { recordDateColumns, recordFieldColumn, recordRowCells } from '../../shared/activityRow';
import {
  locateColumns,
  RECORD_ID_FIELD,
  type RecordTabKey,
  recogniseTab,
  type TabKey,
} from '../../shared/columns';
import { dayOf, parseIsoDate, serialOf } from '../../shared/dates';
import { PLAN_MARKER_KEY } from '../../shared/marks';
import { cellText } from '../../shared/normalize';
import type { CellValue, RawRow, RawTab, RawWorkbook } from '../../shared/workbook';
import { shapeTab } from './common';
import {
  DATE_CELL_FORMAT,
  GENERATED_TAB_ORDER,
  type RestoredCell,
  type RollupWorkbook,
  type WorkbookUpdate,
  type WorkbookUpdateResult,
} from './port';
import {
  CELL_FIELDS,
  Grid,
  gridSheets,
  idOf,
  markIssues,
  type SheetMeta,
  titleOf,
  writeActivityIds,
} from './sheetsGrid';
import { type RetryOptions, retrier } from './sheetsRetry';
import { generatedRequests, rollupRequests } from './sheetsTabs';

export { type RetryOptions, SheetsApiError } from './sheetsRetry';

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
  /**
   * A district's roll-up tabs (§13) rewritten whole, as the plan's generated tabs are: one
   * `spreadsheets.get` of the structure and one atomic `spreadsheets.batchUpdate`; no other tab
   * is touched (sheetsTabs.ts rollupRequests).
   */
  writeRollup(rollup: RollupWorkbook): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Reading.

const READ_FIELDS = 'sheets.properties(sheetId,title,index,sheetType)';

const UPDATE_FIELDS =
  'sheets(properties(sheetId,title,index,sheetType,gridProperties(rowCount,columnCount)),' +
  'protectedRanges(protectedRangeId,description),charts(chartId),merges)';

/** The 0-based first row and column of a returned A1 range (`'活动'!A1:N1000`, `活动!B3`). */
function rangeStart(range: string | null | undefined): { row: number; column: number } {
  const start = parseCell(splitRange(range ?? '').cells.split(':')[0] ?? '');
  return { row: (start?.row ?? 1) - 1, column: start?.column ?? 0 };
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
        ranges: recognised.map((sheet) => quotedTabName(titleOf(sheet))),
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
      ranges: [...wanted.values()].map((sheet) => quotedTabName(titleOf(sheet))),
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
      await retrying(async (attempt) => batch(generatedRequests(await refreshed(attempt), update)));
    }
    const inWorkbook = update.appendActivities
      ? await retrying(async (attempt) =>
          appendActivities(await refreshed(attempt), update.appendActivities ?? []),
        )
      : undefined;
    const recordsInWorkbook = update.appendRecords
      ? await retrying(async (attempt) => appendRecords(await refreshed(attempt), update.appendRecords ?? []))
      : undefined;
    const cells = update.restoreCells ?? [];
    if (cells.length > 0) await retrying(async (attempt) => restoreCells(await refreshed(attempt), cells));
    const appended = {
      ...(inWorkbook ? { inWorkbook } : {}),
      ...(recordsInWorkbook ? { recordsInWorkbook } : {}),
      ...(update.restoreCells ? { cellsDone: cells.map(({ tab, id, field }) => ({ tab, id, field })) } : {}),
    };
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
   * and appends nothing twice. Returns the IDs now in the tab. Restored partner and measure rows
   * (§12) go to their tabs the same way (appendRows).
   *
   * Dates go in as date cells, as a date typed in Sheets is stored: the serial number (RAW keeps a
   * number a number), then, in a second call, a date format on those cells — never USER_ENTERED,
   * which would parse the row's text too (a title `=1+1` would become a formula). The format is
   * applied to the date cells of every row the update names, found or appended, so a retry after
   * the first call succeeded and the second failed formats them then; should every try fail, the
   * cell holds the right date shown as a number until the next submission's write.
   */
  async function appendActivities(
    spreadsheet: sheets_v4.Schema$Spreadsheet,
    rows: NonNullable<WorkbookUpdate['appendActivities']>,
  ): Promise<string[]> {
    return appendRows(
      spreadsheet,
      'activities',
      rows.map(({ activityId, activity }) => ({ id: activityId, data: { ...activity, activityId } })),
    );
  }

  /** Appends restored partner and measure rows to their tabs; returns those now there. */
  async function appendRecords(
    spreadsheet: sheets_v4.Schema$Spreadsheet,
    rows: NonNullable<WorkbookUpdate['appendRecords']>,
  ): Promise<NonNullable<SheetsUpdateResult['recordsInWorkbook']>> {
    const present: NonNullable<SheetsUpdateResult['recordsInWorkbook']> = [];
    for (const tab of ['partners', 'plan'] as const) {
      const mine = rows.filter((row) => row.tab === tab);
      if (mine.length === 0) continue;
      for (const id of await appendRows(spreadsheet, tab, mine)) present.push({ tab, id });
    }
    return present;
  }

  async function appendRows(
    spreadsheet: sheets_v4.Schema$Spreadsheet,
    tab: RecordTabKey,
    rows: readonly { id: string; data: Record<string, unknown> }[],
  ): Promise<string[]> {
    const sheet = gridSheets(spreadsheet).find((s) => recogniseTab(titleOf(s)) === tab);
    if (sheet === undefined || rows.length === 0) return [];
    const title = titleOf(sheet);
    const response = await api.spreadsheets.values.get({
      spreadsheetId,
      range: quotedTabName(title),
      valueRenderOption: 'UNFORMATTED_VALUE',
    });
    const values = (response.data.values ?? []) as CellValue[][];
    const header = values[0] ?? [];
    const idColumn = locateColumns(tab, header).get(RECORD_ID_FIELD[tab]);
    if (idColumn === undefined) {
      throw new Error(`「${title}」表没有编号列，无法写入行 / the tab has no ID column`);
    }
    const firstRow = rangeStart(response.data.range).row;
    /** Record ID → its 0-based row in the sheet. */
    const rowOf = new Map<string, number>();
    values.forEach((row, i) => {
      const id = i === 0 ? undefined : cellText(row[idColumn]);
      if (id !== undefined && !rowOf.has(id)) rowOf.set(id, firstRow + i);
    });
    const dateColumns = recordDateColumns(tab, header);
    const missing = rows.filter((row) => !rowOf.has(row.id));
    if (missing.length > 0) {
      const appended = await api.spreadsheets.values.append({
        spreadsheetId,
        range: `${quotedTabName(title)}!A1`,
        valueInputOption: 'RAW',
        insertDataOption: 'INSERT_ROWS',
        requestBody: {
          values: missing.map(({ data }) => {
            const cells: (string | number)[] = recordRowCells(tab, header, data).map((cell) => cell ?? '');
            for (const c of dateColumns) {
              const date = typeof cells[c] === 'string' ? parseIsoDate(cells[c]) : undefined;
              if (date !== undefined) cells[c] = serialOf(dayOf(date));
            }
            return cells;
          }),
        },
      });
      const start = rangeStart(appended.data.updates?.updatedRange).row;
      missing.forEach((row, k) => {
        rowOf.set(row.id, start + k);
      });
    }
    const sheetId = idOf(sheet);
    const formats = rows.flatMap(({ id }) => {
      const row = rowOf.get(id);
      if (row === undefined) return [];
      return dateColumns.map(
        (column): sheets_v4.Schema$Request => ({
          repeatCell: {
            range: {
              sheetId,
              startRowIndex: row,
              endRowIndex: row + 1,
              startColumnIndex: column,
              endColumnIndex: column + 1,
            },
            cell: { userEnteredFormat: { numberFormat: { type: 'DATE', pattern: DATE_CELL_FORMAT } } },
            fields: 'userEnteredFormat.numberFormat',
          },
        }),
      );
    });
    if (formats.length > 0) await batch(formats);
    return rows.map((row) => row.id);
  }

  /**
   * Restored field values (§12): each into the cell of the row holding its ID, under its field's
   * column, in one batch of updateCells — a string as stringValue (never parsed: no formula), a
   * date as its serial with the date format, an absent value clearing the cell. A row or column
   * the tab no longer has takes nothing. Rewriting the same value is harmless, so a retry may.
   */
  async function restoreCells(
    spreadsheet: sheets_v4.Schema$Spreadsheet,
    cells: readonly RestoredCell[],
  ): Promise<void> {
    const requests: sheets_v4.Schema$Request[] = [];
    for (const tab of new Set(cells.map((cell) => cell.tab))) {
      const sheet = gridSheets(spreadsheet).find((s) => recogniseTab(titleOf(s)) === tab);
      if (sheet === undefined) continue;
      const response = await api.spreadsheets.values.get({
        spreadsheetId,
        range: quotedTabName(titleOf(sheet)),
        valueRenderOption: 'UNFORMATTED_VALUE',
      });
      const values = (response.data.values ?? []) as CellValue[][];
      const header = values[0] ?? [];
      const idColumn = locateColumns(tab, header).get(RECORD_ID_FIELD[tab]);
      if (idColumn === undefined) continue;
      const firstRow = rangeStart(response.data.range).row;
      const dates = recordDateColumns(tab, header);
      for (const { id, field, value } of cells.filter((cell) => cell.tab === tab)) {
        const column = recordFieldColumn(tab, header, field);
        const i = values.findIndex((row, k) => k > 0 && cellText(row[idColumn]) === id);
        if (column === undefined || i < 0) continue;
        const shown = recordRowCells(tab, header, { [field]: value })[column] ?? null;
        const date = dates.includes(column) && typeof shown === 'string' ? parseIsoDate(shown) : undefined;
        const cell: sheets_v4.Schema$CellData =
          shown === null
            ? {}
            : date !== undefined
              ? {
                  userEnteredValue: { numberValue: serialOf(dayOf(date)) },
                  userEnteredFormat: { numberFormat: { type: 'DATE', pattern: DATE_CELL_FORMAT } },
                }
              : {
                  userEnteredValue:
                    typeof shown === 'number' ? { numberValue: shown } : { stringValue: shown },
                };
        requests.push({
          updateCells: {
            range: {
              sheetId: idOf(sheet),
              startRowIndex: firstRow + i,
              endRowIndex: firstRow + i + 1,
              startColumnIndex: column,
              endColumnIndex: column + 1,
            },
            rows: [{ values: [cell] }],
            fields:
              date !== undefined ? 'userEnteredValue,userEnteredFormat.numberFormat' : 'userEnteredValue',
          },
        });
      }
    }
    if (requests.length > 0) await batch(requests);
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

  async function applyRollup(rollup: RollupWorkbook): Promise<void> {
    let spreadsheet = await retrying(() => structure(UPDATE_FIELDS));
    await retrying(async (attempt) => {
      // As applyUpdate: a retry after a lost response plans again from what is there now.
      if (attempt > 1) spreadsheet = await structure(UPDATE_FIELDS);
      await batch(rollupRequests(spreadsheet, rollup));
    });
  }

  /** One write at a time through this adapter: two interleaved plans would undo each other. */
  const queued = <T>(write: () => Promise<T>): Promise<T> => {
    const run = queue.then(write);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    read,
    planMarkers,
    update: (update) => queued(() => applyUpdate(update)),
    writeRollup: (rollup) => queued(() => applyRollup(rollup)),
  };
}
