/**
 * The spreadsheet as the workbook port sees it: the four data tabs read into the neutral
 * RawWorkbook form (shared/workbook.ts), and the few writes the add-on makes besides marks.
 *
 * Dates. `Range.getValues()` returns a date cell as a Date: the instant of the cell's wall-clock
 * value in the spreadsheet's time zone. The add-on turns it back into that wall clock with
 * `Utilities.formatDate(date, spreadsheetTimeZone, …)` and sends the spreadsheet serial number
 * (days since 1899-12-30, with the time as a fraction) — exactly the UNFORMATTED_VALUE the Sheets
 * API gives the server, so a sheet read either way validates the same. Serials are memoised per
 * instant: a year of activities has a few hundred distinct dates.
 */
import type { ApiCell, ApiRow, ApiTab } from '../../shared/api';
import { recogniseTab, type TabKey } from '../../shared/columns';
import { dayFromParts, serialOf } from '../../shared/dates';
import type { RawTab, RawWorkbook } from '../../shared/workbook';

/** Number formats the add-on sets: dates as ISO dates, IDs and lists as plain text. */
export const DATE_FORMAT = 'yyyy-mm-dd';
export const TEXT_FORMAT = '@';

// The cells and tabs as the API receives them (no Date: dates are serial numbers).
export type { ApiCell, ApiRow, ApiTab };

/** One recognised data tab: its sheet and what was read from it. */
export interface TabHandle {
  key: TabKey;
  sheet: GoogleAppsScript.Spreadsheet.Sheet;
  tab: ApiTab;
}

export interface SheetWorkbook {
  /** Every recognised data tab in sheet order (a second tab of one kind included, so validation can refuse it). */
  tabs: ApiTab[];
  /** The first sheet of each kind. */
  handles: Partial<Record<TabKey, TabHandle>>;
}

/** True for a Date from any realm (the add-on tests hand in Dates made outside the script). */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/** Converts date cells to spreadsheet serials in the spreadsheet's time zone. */
export function serialConverter(timeZone: string): (date: Date) => number | null {
  const memo = new Map<number, number | null>();
  return (date) => {
    const time = date.getTime();
    if (Number.isNaN(time)) return null;
    let serial = memo.get(time);
    if (serial === undefined) {
      serial = wallClockSerial(Utilities.formatDate(date, timeZone, 'yyyy-MM-dd HH:mm:ss'));
      memo.set(time, serial);
    }
    return serial;
  };
}

function wallClockSerial(text: string): number | null {
  const m = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const day = dayFromParts(Number(m[1]), Number(m[2]), Number(m[3]));
  if (day === undefined) return null;
  const seconds = Number(m[4]) * 3600 + Number(m[5]) * 60 + Number(m[6]);
  return serialOf(day) + seconds / 86_400;
}

/** A value from getValues as the API cell it is. */
export function toApiCell(value: unknown, toSerial: (date: Date) => number | null): ApiCell {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (isDate(value)) return toSerial(value);
  return String(value);
}

function isBlank(cell: ApiCell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

function usedWidth(cells: readonly ApiCell[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (!isBlank(cells[i])) return i + 1;
  return 0;
}

/** Reads one sheet: its first row as the header, every non-blank row after it with its row number. */
export function readTab(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  toSerial: (date: Date) => number | null,
): ApiTab {
  const values = sheet.getLastRow() === 0 ? [] : sheet.getDataRange().getValues();
  const header = (values[0] ?? []).map((value) => toApiCell(value, toSerial));
  const rows: ApiRow[] = [];
  let width = usedWidth(header);
  for (let i = 1; i < values.length; i++) {
    const cells = (values[i] ?? []).map((value) => toApiCell(value, toSerial));
    const used = usedWidth(cells);
    if (used === 0) continue;
    width = Math.max(width, used);
    rows.push({ row: i + 1, cells });
  }
  // Rectangular and no wider than what is used: every index from the header addresses every row.
  const padded = (cells: ApiCell[]) => Array.from({ length: width }, (_, i) => cells[i] ?? null);
  return {
    name: sheet.getName(),
    header: padded(header),
    rows: rows.map((r) => ({ row: r.row, cells: padded(r.cells) })),
  };
}

/** Reads every recognised data tab of the spreadsheet. */
export function readWorkbook(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): SheetWorkbook {
  const toSerial = serialConverter(spreadsheet.getSpreadsheetTimeZone());
  const tabs: ApiTab[] = [];
  const handles: Partial<Record<TabKey, TabHandle>> = {};
  for (const sheet of spreadsheet.getSheets()) {
    const key = recogniseTab(sheet.getName());
    if (key === undefined) continue;
    const tab = readTab(sheet, toSerial);
    tabs.push(tab);
    if (!handles[key]) handles[key] = { key, sheet, tab };
  }
  return { tabs, handles };
}

/** The neutral form shared/ validates (API cells are raw cells already). */
export function rawWorkbook(tabs: readonly ApiTab[]): RawWorkbook {
  return { tabs: tabs.map((tab): RawTab => ({ name: tab.name, header: tab.header, rows: tab.rows })) };
}

/** The first sheet whose name is recognised as the given tab. */
export function findTabSheet(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  key: TabKey,
): GoogleAppsScript.Spreadsheet.Sheet | undefined {
  return spreadsheet.getSheets().find((sheet) => recogniseTab(sheet.getName()) === key);
}

/** A header cell as the sheet shows it, the way validation names columns (trimmed text). */
export function headerText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  return typeof cell === 'string' ? cell.trim() : String(cell);
}

/** Runs of consecutive numbers, for writing row blocks with one call each: [[2, 3], [7, 1]]. */
export function runsOf(numbers: readonly number[]): [start: number, length: number][] {
  const sorted = [...new Set(numbers)].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const n of sorted) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === n) last[1] += 1;
    else runs.push([n, 1]);
  }
  return runs;
}
