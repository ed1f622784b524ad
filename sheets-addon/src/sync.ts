/**
 * 同步到云端: the data tabs sent to the API under the document lock (two editors syncing at once
 * would race on the ID write-back), the IDs the server assigned written back to 记录编号, and the
 * server's issues marked in the sheet.
 */
import { locateColumns } from '../../shared/columns';
import { TAB_LABELS } from '../../shared/i18n';
import { recogniseTabs } from '../../shared/validate';
import { identityToken, postWorkbook, type SyncResponse } from './api';
import { withDocumentLock } from './lock';
import type { AddonSettings } from './settings';
import {
  type ApiCell,
  rawWorkbook,
  readTab,
  readWorkbook,
  runsOf,
  type SheetWorkbook,
  serialConverter,
  type TabHandle,
} from './sheetIo';
import { markIssues } from './validation';

export interface IdWrites {
  /** IDs now in the sheet (written here, or found already written by the server). */
  written: number;
  /** Rows changed (or moved) while the server worked: their IDs are assigned again next sync. */
  skipped: number;
}

export interface SyncOutcome {
  read: SheetWorkbook;
  response: SyncResponse;
  ids: IdWrites;
}

/** Sends the workbook to the API and applies the answer to the sheet. */
export function syncSpreadsheet(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  settings: AddonSettings,
): SyncOutcome {
  return withDocumentLock(() => {
    const read = readWorkbook(spreadsheet);
    // Refuse here what the server could not use (no data tab, one tab twice), with the same words.
    recogniseTabs(rawWorkbook(read.tabs));
    const token = identityToken();
    const response = postWorkbook(
      settings,
      'sync',
      { tabs: read.tabs, spreadsheetId: spreadsheet.getId() },
      token,
    );
    const ids = writeAssignedIds(spreadsheet, read.handles.activities, response.assignedIds);
    markIssues(read, response.issues);
    return { read, response, ids };
  });
}

function isBlank(cell: ApiCell | undefined): boolean {
  return cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '');
}

/**
 * Writes assigned activity IDs into the 记录编号 column (added at the end when the tab has none).
 * A row gets its ID only if it still holds what was sent and its ID cell is still empty: a row
 * edited, inserted above or deleted during the sync is skipped, and since IDs derive from the
 * row's content the next sync assigns it again.
 */
export function writeAssignedIds(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  handle: TabHandle | undefined,
  assigned: readonly { row: number; activityId: string }[],
): IdWrites {
  if (!handle || assigned.length === 0) return { written: 0, skipped: 0 };
  const { sheet, tab } = handle;
  let idIndex = locateColumns('activities', tab.header).get('activityId');
  if (idIndex === undefined) {
    idIndex = Math.max(tab.header.length, sheet.getLastColumn());
    if (idIndex + 1 > sheet.getMaxColumns()) sheet.insertColumnsAfter(sheet.getMaxColumns(), 1);
    sheet.getRange(1, idIndex + 1).setValues([['记录编号']]);
  }
  const current = readTab(sheet, serialConverter(spreadsheet.getSpreadsheetTimeZone()));
  const now = new Map(current.rows.map((row) => [row.row, row.cells]));
  const sent = new Map(tab.rows.map((row) => [row.row, row.cells]));
  const toWrite = new Map<number, string>();
  let already = 0;
  let skipped = 0;
  for (const { row, activityId } of assigned) {
    const before = sent.get(row);
    const after = now.get(row);
    const width = Math.max(before?.length ?? 0, after?.length ?? 0);
    let unchanged = before !== undefined && after !== undefined;
    for (let i = 0; unchanged && i < width; i++) {
      if (i !== idIndex && (before?.[i] ?? null) !== (after?.[i] ?? null)) unchanged = false;
    }
    const cell = after?.[idIndex];
    // The server's own Sheets adapter may have written the same ID already.
    if (unchanged && typeof cell === 'string' && cell.trim() === activityId) already += 1;
    else if (unchanged && isBlank(cell)) toWrite.set(row, activityId);
    else skipped += 1;
  }
  for (const [start, length] of runsOf([...toWrite.keys()])) {
    const range = sheet.getRange(start, idIndex + 1, length, 1);
    range.setNumberFormat('@');
    range.setValues(Array.from({ length }, (_, i) => [toWrite.get(start + i) ?? '']));
  }
  return { written: toWrite.size + already, skipped };
}

/** The result as lines for the sidebar. */
export function syncSummary(outcome: SyncOutcome): string[] {
  const { response, ids } = outcome;
  const lines = response.applied
    ? [`同步完成：统计日期 ${response.asOf}，云端版本 ${response.version}。`]
    : [`已校验，但「${TAB_LABELS.settings.zh}」表有错误，本次没有写入云端；请改正后再同步。`];
  if (response.applied) {
    const { created, updated, deleted } = response.writes;
    lines.push(`云端记录：新增 ${created} 条，更新 ${updated} 条，删除 ${deleted} 条。`);
  }
  if (ids.written > 0) lines.push(`已写回 ${ids.written} 个记录编号。`);
  if (ids.skipped > 0) {
    lines.push(`有 ${ids.skipped} 行在同步期间被修改，未写回记录编号；请再同步一次。`);
  }
  return lines;
}
