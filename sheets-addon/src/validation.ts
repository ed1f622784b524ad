/**
 * Validation inside the sheet with the bundled shared/ code: the same rules the server applies,
 * as of today in the plan's time zone, with the plan year required as in the Google Sheet.
 */

import { cellLink, cellReference, columnLetter } from '../../shared/a1';
import { RECORD_TABS, type RecordTabKey, TAB_KEYS, type TabKey } from '../../shared/columns';
import { TAB_LABELS } from '../../shared/i18n';
import type { Issue } from '../../shared/issues';
import type { IsoDate } from '../../shared/model';
import { type ValidationResult, validateAsOfToday } from '../../shared/validate';
import { cellIssues, dataRows, issueColumnIndex, type MarkIssue, refreshMarks } from './marks';
import { type ApiTab, rawWorkbook, type SheetWorkbook } from './sheetIo';

/** Today's calendar date in a time zone (Apps Script's formatter; no Intl time-zone data needed). */
export function todayIn(timeZone: string, now: Date = new Date()): IsoDate {
  return Utilities.formatDate(now, timeZone, 'yyyy-MM-dd');
}

/** Validates the workbook as of today in the plan's time zone, as the server does (shared/validate.ts). */
export function validateTabs(tabs: readonly ApiTab[]): { result: ValidationResult; asOf: IsoDate } {
  return validateAsOfToday(rawWorkbook(tabs), (timeZone) => todayIn(timeZone), { requireYear: true });
}

/** Refreshes the marks of the given rows of every data tab (all data rows when `rows` is absent). */
export function markIssues(
  read: SheetWorkbook,
  issues: readonly MarkIssue[],
  rows?: Partial<Record<TabKey, readonly number[]>>,
): { marked: number; cleared: number } {
  const total = { marked: 0, cleared: 0 };
  for (const key of TAB_KEYS) {
    const handle = read.handles[key];
    if (!handle) continue;
    const scope = rows ? rows[key] : dataRows(handle.sheet);
    if (!scope || scope.length === 0) continue;
    const counts = refreshMarks(handle, scope, cellIssues(issues, key, handle.tab.header));
    total.marked += counts.marked;
    total.cleared += counts.cleared;
  }
  return total;
}

/** One issue as the issues sidebar lists it. */
export interface IssueItem {
  tab: string;
  row: number;
  severity: Issue['severity'];
  message: string;
  /** `活动!B3`, or empty when the issue names no cell. */
  reference: string;
  sheetName: string;
  a1: string;
  href: string;
}

/** The most issues a sidebar lists (the rest are counted); the 校验 tab has them all. */
export const SIDEBAR_ISSUE_LIMIT = 300;

/** The issues as sidebar items with links to their cells (`…#gid=…&range=B3`). */
export function issueItems(
  read: SheetWorkbook,
  issues: readonly MarkIssue[],
  spreadsheetUrl: string,
): IssueItem[] {
  const base = spreadsheetUrl.replace(/#.*$/, '');
  return issues.slice(0, SIDEBAR_ISSUE_LIMIT).map((issue) => {
    const handle = read.handles[issue.tab];
    const column = handle && issue.row > 1 ? issueColumnIndex(handle.tab.header, issue.column) : -1;
    const sheetName = handle?.tab.name ?? '';
    // An issue about the whole row points at its column A.
    const shown = Math.max(column, 0);
    const a1 = handle ? `${columnLetter(shown)}${issue.row}` : '';
    return {
      tab: sheetName,
      row: issue.row,
      severity: issue.severity,
      message: issue.message,
      reference: handle && column >= 0 ? cellReference(sheetName, issue.row, column) : sheetName,
      sheetName,
      a1,
      href: handle ? base + cellLink(handle.sheet.getSheetId(), issue.row, shown) : '',
    };
  });
}

/** `共建单位：12 行，通过 11 行，未通过 1 行` for each record tab. */
export function countLines(
  tabs: Record<RecordTabKey, { rows: number; accepted: number; rejected: number }>,
): string[] {
  return RECORD_TABS.map((key) => {
    const t = tabs[key];
    return `${TAB_LABELS[key].zh}：${t.rows} 行，通过 ${t.accepted} 行，未通过 ${t.rejected} 行`;
  });
}

/** `错误 2 条，警告 5 条`. */
export function issueCountLine(issues: readonly MarkIssue[]): string {
  const errors = issues.filter((issue) => issue.severity === 'error').length;
  return `错误 ${errors} 条，警告 ${issues.length - errors} 条`;
}
