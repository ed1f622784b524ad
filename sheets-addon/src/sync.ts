/**
 * 同步到云端: the spreadsheet marked for its plan (planMarker.ts), the data tabs sent to the API
 * under the document lock (two editors syncing at once would race on the ID write-back), the IDs the server assigned written back to 记录编号, and the
 * server's issues marked in the sheet — both only on rows that still hold what was sent.
 */

import type { ApiPendingDeletion, SyncRequest, SyncResponse } from '../../shared/api';
import { locateColumns, TAB_KEYS, type TabKey } from '../../shared/columns';
import { TAB_LABELS } from '../../shared/i18n';
import { ID_HEADER, planIdWrites } from '../../shared/idWrites';

import { recogniseTabs } from '../../shared/validate';
import { identityToken, postWorkbook } from './api';
import { withDocumentLock } from './lock';
import { markSpreadsheetForPlan } from './planMarker';
import type { AddonSettings } from './settings';
import {
  type ApiCell,
  rawWorkbook,
  readWorkbook,
  runsOf,
  type SheetWorkbook,
  type TabHandle,
  TEXT_FORMAT,
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
  /** Data rows edited while the server worked: they keep the marks onEdit gave their new content. */
  changedRows: number;
}

/**
 * Sends the workbook to the API and applies the answer to the sheet. `confirmDeletions` names held
 * deletions the person confirmed (a previous answer's pendingDeletions).
 */
export function syncSpreadsheet(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  settings: AddonSettings,
  confirmDeletions?: SyncRequest['confirmDeletions'],
): SyncOutcome {
  return withDocumentLock(() => {
    const read = readWorkbook(spreadsheet);
    // Refuse here what the server could not use (no data tab, one tab twice), with the same words.
    recogniseTabs(rawWorkbook(read.tabs));
    const token = identityToken();
    // Before anything is sent: the server writes its tabs only into a sheet marked for the plan.
    markSpreadsheetForPlan(spreadsheet, settings.planId);
    const response = postWorkbook(
      settings,
      'sync',
      {
        tabs: read.tabs,
        spreadsheetId: spreadsheet.getId(),
        ...(confirmDeletions ? { confirmDeletions } : {}),
      },
      token,
    );
    // The lock keeps other syncs out, not typing: onEdit has marked what was edited meanwhile, and
    // the answer, about what was sent, applies only to rows that still hold it.
    const now = readWorkbook(spreadsheet);
    const assigned = new Map(response.assignedIds.map(({ row, activityId }) => [row, activityId]));
    const unchanged = unchangedRows(read, now, assigned);
    const ids = writeAssignedIds(read.handles.activities, now.handles.activities, unchanged.rows, assigned);
    markIssues(read, response.issues, unchanged.rows);
    return { read, response, ids, changedRows: unchanged.changed };
  });
}

function sameCell(a: ApiCell | undefined, b: ApiCell | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

export interface UnchangedRows {
  /** Per tab, the data rows that hold what was sent (a row blank then and now included). */
  rows: Partial<Record<TabKey, number[]>>;
  /** Rows sent with content that hold something else now. */
  changed: number;
}

/**
 * Which data rows still hold what was sent. A tab that lost its sheet or changed its header has
 * none. In 记录编号 the ID the server assigned, written by the server itself meanwhile, is no edit.
 */
export function unchangedRows(
  sent: SheetWorkbook,
  now: SheetWorkbook,
  assigned: ReadonlyMap<number, string>,
): UnchangedRows {
  const result: UnchangedRows = { rows: {}, changed: 0 };
  for (const key of TAB_KEYS) {
    const before = sent.handles[key];
    if (!before) continue;
    const rows: number[] = [];
    result.rows[key] = rows;
    const after = now.handles[key];
    const sameSheet = after !== undefined && after.sheet.getSheetId() === before.sheet.getSheetId();
    if (!after || !sameSheet || !sameCells(before.tab.header, after.tab.header)) {
      result.changed += before.tab.rows.length;
      continue;
    }
    const idIndex =
      key === 'activities' ? locateColumns('activities', before.tab.header).get('activityId') : undefined;
    const sentRows = new Map(before.tab.rows.map((row) => [row.row, row.cells]));
    const nowRows = new Map(after.tab.rows.map((row) => [row.row, row.cells]));
    const last = Math.max(before.tab.rows[before.tab.rows.length - 1]?.row ?? 1, after.sheet.getLastRow());
    for (let row = 2; row <= last; row++) {
      const cells = sentRows.get(row) ?? [];
      const id = assigned.get(row);
      const serverId = (i: number, cell: ApiCell | undefined) =>
        i === idIndex && id !== undefined && cells[i] == null && cell === id;
      if (sameCells(cells, nowRows.get(row) ?? [], serverId)) rows.push(row);
      else if (sentRows.has(row)) result.changed += 1;
    }
  }
  return result;
}

/** Cell by cell, blank equal to blank; `exempt` lets a cell differ. */
function sameCells(
  a: readonly ApiCell[],
  b: readonly ApiCell[],
  exempt: (index: number, now: ApiCell | undefined) => boolean = () => false,
): boolean {
  const width = Math.max(a.length, b.length);
  for (let i = 0; i < width; i++) {
    if (!sameCell(a[i], b[i]) && !exempt(i, b[i])) return false;
  }
  return true;
}

/**
 * Writes assigned activity IDs into the 记录编号 column (added at the end when the tab has none),
 * only into rows that still hold what was sent: a row edited, inserted above or deleted during the
 * sync is skipped, and since IDs derive from the row's content the next sync assigns it again.
 */
export function writeAssignedIds(
  sent: TabHandle | undefined,
  now: TabHandle | undefined,
  unchanged: UnchangedRows['rows'],
  assigned: ReadonlyMap<number, string>,
): IdWrites {
  if (!sent || assigned.size === 0) return { written: 0, skipped: 0 };
  const { sheet, tab } = sent;
  const kept = new Set(unchanged.activities);
  const current = new Map((now?.tab.rows ?? []).map((row) => [row.row, row.cells]));
  const ids = [...assigned]
    .filter(([row]) => kept.has(row))
    .map(([row, activityId]) => ({ row, activityId }));
  // Which cells may be written is shared/marks.ts's rule, as on the server (whose own Sheets
  // adapter may have written the same IDs already: those count as written).
  const plan = planIdWrites(ids, {
    header: tab.header,
    value: (row, column) => current.get(row)?.[column] ?? null,
    nextFreeColumn: () => Math.max(tab.header.length, sheet.getLastColumn()),
  });
  const { column } = plan;
  if (column !== undefined) {
    if (plan.added) {
      if (column + 1 > sheet.getMaxColumns()) sheet.insertColumnsAfter(sheet.getMaxColumns(), 1);
      sheet.getRange(1, column + 1).setValues([[ID_HEADER]]);
    }
    for (const [start, length] of runsOf([...plan.writes.keys()])) {
      const range = sheet.getRange(start, column + 1, length, 1);
      range.setNumberFormat(TEXT_FORMAT);
      range.setValues(Array.from({ length }, (_, i) => [plan.writes.get(start + i) ?? '']));
    }
  }
  const written = ids.length - plan.skipped.length;
  return { written, skipped: assigned.size - written };
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
  for (const pending of response.pendingDeletions) {
    lines.push(`${pending.message}在确认之前这些行仍保留在云端，统计数字包含它们。`);
  }
  if (ids.written > 0) lines.push(`已写回 ${ids.written} 个记录编号。`);
  if (ids.skipped > 0) {
    lines.push(`有 ${ids.skipped} 行在同步期间被修改，未写回记录编号；请再同步一次。`);
  }
  if (outcome.changedRows > 0) {
    lines.push(
      `有 ${outcome.changedRows} 行在同步期间被修改：它们的标记是修改后的即时校验结果，云端尚未收到这些修改，请再同步一次。`,
    );
  }
  return lines;
}

/** What the confirmation dialog asks of the deletions a sync held back. */
export function deletionQuestion(pending: readonly ApiPendingDeletion[]): string {
  return [
    ...pending.map((p) => p.message),
    '其他修改已经同步；这些行暂时仍保留在云端，统计数字包含它们。',
    '确认删除吗？点「是」删除并再次同步；点「否」暂不删除（可在表格中恢复这些行，或下次同步时再确认）。',
  ].join('\n');
}
