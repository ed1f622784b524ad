/**
 * Sidebars and dialogs. Every page is an HtmlService template that receives one variable,
 * `payload` (JSON), printed with `<?= payload ?>` into an attribute — so Apps Script escapes it —
 * and read by the page's script, which builds the DOM with textContent only.
 */
import type { MarkIssue } from './marks';
import type { SheetWorkbook } from './sheetIo';
import { type IssueItem, issueItems, SIDEBAR_ISSUE_LIMIT } from './validation';

export type Page =
  | 'Issues'
  | 'AddActivity'
  | 'Settings'
  | 'SendRequests'
  | 'RevokeLinks'
  | 'RestoreDeleted'
  | 'RowHistory'
  | 'UploadEvidence'
  | 'Ledger';

function render(page: Page, title: string, payload: unknown): GoogleAppsScript.HTML.HtmlOutput {
  const template = HtmlService.createTemplateFromFile(page);
  template.payload = JSON.stringify(payload);
  return template.evaluate().setTitle(title);
}

/** Opens a page in the sidebar. */
export function showSidebar(page: Page, title: string, payload: unknown): void {
  SpreadsheetApp.getUi().showSidebar(render(page, title, payload));
}

/** Opens a page as a modal dialog. */
export function showDialog(page: Page, title: string, payload: unknown, width = 460, height = 320): void {
  SpreadsheetApp.getUi().showModalDialog(
    render(page, title, payload).setWidth(width).setHeight(height),
    title,
  );
}

/** What the issues sidebar shows. */
export interface IssuesPayload {
  summary: string[];
  items: IssueItem[];
  total: number;
  limit: number;
}

/** Shows the issues sidebar: summary lines, then each issue with a link to its cell. */
export function showIssues(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  read: SheetWorkbook,
  issues: readonly MarkIssue[],
  title: string,
  summary: string[],
): IssuesPayload {
  const payload: IssuesPayload = {
    summary,
    items: issueItems(read, issues, spreadsheet.getUrl()),
    total: issues.length,
    limit: SIDEBAR_ISSUE_LIMIT,
  };
  showSidebar('Issues', title, payload);
  return payload;
}

/** Shows a message box (menu actions report here). */
export function alert(message: string): void {
  const ui = SpreadsheetApp.getUi();
  ui.alert('共建助手', message, ui.ButtonSet.OK);
}

/** Asks a yes/no question in a message box; true when the person answers 是 (Yes). */
export function confirm(message: string): boolean {
  const ui = SpreadsheetApp.getUi();
  return ui.alert('共建助手', message, ui.ButtonSet.YES_NO) === ui.Button.YES;
}
