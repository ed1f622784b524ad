/**
 * The add-on's composition root and its only entry points. Every export becomes a top-level
 * function of the Apps Script project (scripts/build-addon.mjs writes one declaration per export),
 * which is what menus, simple triggers and google.script.run can call. Nothing runs at load time.
 *
 * Failures are turned into one Chinese sentence here and nowhere else: menu actions show it in a
 * message box, sidebar calls rethrow it for the page's failure handler, onEdit logs it.
 */
import { recogniseTab } from '../../shared/columns';
import {
  type ActivityForm,
  type AddActivityResult,
  appendActivity,
  type SidebarData,
  sidebarData,
} from './addActivity';
import {
  getHistory,
  identityToken,
  postReportRequest,
  postRestore,
  postRevokeLinks,
  postUpdateRequests,
} from './api';
import { AddonError, describeFailure } from './errors';
import { initialiseSpreadsheet } from './initSheets';
import { ledgerDialogData, requestLedger } from './ledger';
import { dataRows } from './marks';
import { buildMenu } from './menu';
import { markSpreadsheetForPlan } from './planMarker';
import { parseRequestForm, requestDialogData } from './requests';
import { DELETION_SCAN, deletedItems, parseRestoreIds, restoreSentence } from './restoreDeleted';
import {
  parseRowRecord,
  type RestoreValueResult,
  type RowHistoryData,
  restoreValue,
  rowHistoryData,
  selectedRecord,
} from './rowHistory';
import {
  configuredSettings,
  parseSettingsForm,
  requireSettings,
  type SettingsFormResult,
  storedSettings,
  storeSettings,
} from './settings';
import { readWorkbook } from './sheetIo';
import { deletionQuestion, syncSpreadsheet, syncSummary } from './sync';
import { alert, confirm, showDialog, showIssues, showSidebar } from './ui';
import { selectedActivity, type UploadPhotoResult, uploadPhoto } from './uploadEvidence';
import { countLines, issueCountLine, markIssues, validateTabs } from './validation';

/** Runs a menu action; a failure becomes a message box in Chinese. */
function fromMenu(action: () => void): void {
  try {
    action();
  } catch (error) {
    alert(describeFailure(error));
  }
}

/** Runs a call from a sidebar; a failure reaches the page's failure handler as a Chinese sentence. */
function fromSidebar<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw new Error(describeFailure(error));
  }
}

/** Simple trigger: adds the menu. Safe in AuthMode.NONE (no properties, no cells). */
export function onOpen(_e?: GoogleAppsScript.Events.SheetsOnOpen): void {
  buildMenu(SpreadsheetApp.getUi());
}

/** Runs when the add-on is installed from the Marketplace: the menu at once, without reopening. */
export function onInstall(e?: GoogleAppsScript.Events.SheetsOnOpen): void {
  onOpen(e);
}

/**
 * Simple trigger: validates the edited rows at once (a pasted block included) and refreshes their
 * marks. The whole workbook is validated, since a row's validity depends on the other tabs (its
 * measure, its partners, duplicates), but only the edited rows are marked; an edit of the header
 * row refreshes the whole tab.
 */
export function onEdit(e: GoogleAppsScript.Events.SheetsOnEdit): void {
  try {
    const range = e.range;
    const sheet = range.getSheet();
    const key = recogniseTab(sheet.getName());
    if (key === undefined) return;
    const spreadsheet = e.source ?? SpreadsheetApp.getActive();
    const read = readWorkbook(spreadsheet);
    const handle = read.handles[key];
    if (!handle || handle.sheet.getSheetId() !== sheet.getSheetId()) return;
    const { result } = validateTabs(read.tabs);
    const first = range.getRow();
    const last = range.getLastRow();
    const rows = first <= 1 ? dataRows(sheet) : Array.from({ length: last - first + 1 }, (_, i) => first + i);
    markIssues(read, result.issues, { [key]: rows });
  } catch (error) {
    // A simple trigger has no UI to report to; the next 校验本表 shows the problem.
    console.error(`共建助手 onEdit：${describeFailure(error)}`);
  }
}

/** Menu 初始化表格. */
export function initSheets(): void {
  fromMenu(() => {
    const spreadsheet = SpreadsheetApp.getActive();
    const result = initialiseSpreadsheet(spreadsheet);
    const settings = configuredSettings();
    if (settings) markSpreadsheetForPlan(spreadsheet, settings.planId);
    const lines = ['表格已初始化：表头、冻结首行、下拉列表和格式均已设置。'];
    if (result.created.length > 0) lines.push(`新建工作表：${result.created.join('、')}。`);
    if (result.columnsAdded.length > 0) lines.push(`补充的列：${result.columnsAdded.join('、')}。`);
    lines.push(
      settings
        ? `本表已标记为计划「${settings.planId}」的表格，云端只向标记了该计划的表格写入汇总。`
        : '尚未设置计划编号：在「设置」中填写后，同步时会把本表标记为该计划的表格。',
    );
    lines.push('请在「设置」表填写社区名称和计划年度，再录入共建单位、计划和活动。');
    alert(lines.join('\n'));
  });
}

/** Menu 校验本表: validates every data tab, marks the cells, lists the issues in the sidebar. */
export function validateSheet(): void {
  fromMenu(() => {
    const spreadsheet = SpreadsheetApp.getActive();
    const read = readWorkbook(spreadsheet);
    const { result, asOf } = validateTabs(read.tabs);
    markIssues(read, result.issues);
    showIssues(spreadsheet, read, result.issues, '校验结果', [
      `校验日期：${asOf}`,
      ...countLines(result.tabs),
      issueCountLine(result.issues),
    ]);
  });
}

/** Menu 同步到云端. */
export function syncToCloud(): void {
  fromMenu(() => {
    const settings = requireSettings();
    const spreadsheet = SpreadsheetApp.getActive();
    spreadsheet.toast('正在同步到云端……', '共建助手', 10);
    let outcome = syncSpreadsheet(spreadsheet, settings);
    // A mass deletion was held back: ask, and sync again naming exactly what was confirmed.
    const pending = outcome.response.pendingDeletions;
    if (pending.length > 0 && confirm(deletionQuestion(pending))) {
      spreadsheet.toast('正在删除并再次同步……', '共建助手', 10);
      const confirmed = pending.map(({ tab, count, token }) => ({ tab, count, token }));
      outcome = syncSpreadsheet(spreadsheet, settings, confirmed);
    }
    const issues = outcome.response.issues;
    showIssues(spreadsheet, outcome.read, issues, '同步结果', [
      ...syncSummary(outcome),
      ...countLines(outcome.response.tabs),
      issueCountLine(issues),
    ]);
  });
}

/**
 * Menu 生成年度总结: the server builds the year-end summary (年度共建工作总结, .docx) from what was
 * last synced and emails it to the caller.
 */
export function requestYearReport(): void {
  fromMenu(() => {
    const settings = requireSettings();
    SpreadsheetApp.getActive().toast('正在生成年度总结……', '共建助手', 10);
    const answer = postReportRequest(settings, Utilities.getUuid(), identityToken());
    alert(
      [
        `《${answer.year}年共建工作总结》已生成（统计截至 ${answer.asOf}，${Math.ceil(answer.bytes / 1024)} KB），` +
          `将作为 Word 附件发送到 ${answer.to.join('、')}，请查收邮件。`,
        '总结依据最近一次「同步到云端」的数据；如刚修改过表格，请先同步再生成。',
        '文中黄色底纹处（下一步打算、原因分析、成文日期）需要填写。',
      ].join('\n'),
    );
  });
}

/** Menu 发送填报请求: the dialog to pick owners and partner units, a message and a date. */
export function showSendRequests(): void {
  fromMenu(() => {
    requireSettings();
    const data = requestDialogData(SpreadsheetApp.getActive(), Utilities.getUuid());
    showDialog('SendRequests', '发送填报请求', data, 520, 640);
  });
}

/**
 * From the request dialog: asks the server to email each person their link. Answers the lines the
 * dialog shows; a refusal (someone unreachable, the form not configured) comes back as a sentence.
 */
export function sendUpdateRequests(form: unknown): string[] {
  return fromSidebar(() => {
    const settings = requireSettings();
    const request = parseRequestForm(form);
    const answer = postUpdateRequests(settings, request, identityToken());
    const lines = answer.sent.map((person) => {
      const who =
        person.kind === 'partner' ? `共建单位 ${person.partnerId ?? ''}` : `责任人 ${person.email ?? ''}`;
      return `${person.duplicate ? '已发过' : '已发送'}：${who} → ${person.to.join('、')}`;
    });
    return [`已发出 ${answer.sent.length} 封填报请求，邮件中附有每人专用的填报链接。`, ...lines];
  });
}

/** Menu 撤销填报链接: the dialog asking whose links to revoke. */
export function showRevokeLinks(): void {
  fromMenu(() => {
    requireSettings();
    showDialog('RevokeLinks', '撤销填报链接', {}, 420, 260);
  });
}

/** From the revoke dialog: revokes every link of one person; answers the sentence to show. */
export function revokeUpdateLinks(email: unknown): string {
  return fromSidebar(() => {
    const settings = requireSettings();
    const address = typeof email === 'string' ? email.trim() : '';
    if (!/^[^\s@]+@[^\s@]+$/.test(address))
      throw new AddonError(
        'invalid_form',
        '请输入要撤销链接的人的邮箱。',
        'Enter the email of the person whose links to revoke.',
      );
    const answer = postRevokeLinks(settings, address, identityToken());
    return answer.revoked === 0
      ? `${answer.email} 没有仍然有效的填报链接。`
      : `已撤销 ${answer.email} 的 ${answer.revoked} 个填报链接，这些链接从现在起无法再打开。`;
  });
}

/** Menu 恢复已删除的记录: the records the change log shows deleted, to tick and restore. */
export function showRestoreDeleted(): void {
  fromMenu(() => {
    const settings = requireSettings();
    const items = deletedItems(getHistory(settings, { limit: DELETION_SCAN }, identityToken()));
    showDialog('RestoreDeleted', '恢复已删除的记录', { items }, 560, 440);
  });
}

/** From the restore dialog: restores the ticked records; answers the sentence to show. */
export function restoreDeletedRecords(ids: unknown): string {
  return fromSidebar(() => {
    const settings = requireSettings();
    return restoreSentence(postRestore(settings, { ids: parseRestoreIds(ids) }, identityToken()));
  });
}

/** Menu 本行修改记录: the sidebar with the changes of the record on the active cell's row (rowHistory.ts). */
export function showRowHistory(): void {
  fromMenu(() => {
    const settings = requireSettings();
    const { title, ...record } = selectedRecord(SpreadsheetApp.getActive());
    showSidebar('RowHistory', '本行修改记录', rowHistoryData(settings, record, title));
  });
}

/** From the history sidebar: its record's changes, read again (after a restore, or 刷新). */
export function getRowHistory(record: unknown, title: unknown): RowHistoryData {
  return fromSidebar(() =>
    rowHistoryData(requireSettings(), parseRowRecord(record), typeof title === 'string' ? title : ''),
  );
}

/** From the history sidebar, once staff confirmed: 恢复此值 (the server writes the cell). */
export function restoreFieldValue(request: unknown): RestoreValueResult {
  return fromSidebar(() => restoreValue(requireSettings(), request));
}

/** Menu 新增活动记录: the form in the sidebar. */
export function showAddActivity(): void {
  fromMenu(() => showSidebar('AddActivity', '新增活动记录', sidebarData(SpreadsheetApp.getActive())));
}

/** From the form: validates and appends one activity row. */
export function addActivity(form: ActivityForm): AddActivityResult {
  return fromSidebar(() => appendActivity(SpreadsheetApp.getActive(), form));
}

/** From the form: the measures and partners it offers, fresh. */
export function getSidebarData(): SidebarData {
  return fromSidebar(() => sidebarData(SpreadsheetApp.getActive()));
}

/** Menu 上传佐证照片: the photo dialog for the selected 活动 row, or why the selection will not do. */
export function showUploadEvidence(): void {
  fromMenu(() => {
    requireSettings();
    showDialog('UploadEvidence', '上传佐证照片', selectedActivity(SpreadsheetApp.getActive()), 460, 420);
  });
}

/** From the photo dialog: sends one photo and links the activity's row (uploadEvidence.ts). */
export function uploadEvidencePhoto(photo: unknown): UploadPhotoResult {
  return fromSidebar(() => uploadPhoto(SpreadsheetApp.getActive(), requireSettings(), photo));
}

/** Menu 生成活动台账: the period and partner dialog (ledger.ts). */
export function showLedger(): void {
  fromMenu(() => {
    requireSettings();
    showDialog('Ledger', '生成活动台账', ledgerDialogData(SpreadsheetApp.getActive()), 420, 400);
  });
}

/** From the ledger dialog: asks the server to build it; answers the lines to show. */
export function generateLedger(form: unknown): string[] {
  return fromSidebar(() => requestLedger(requireSettings(), form, identityToken()));
}

/** Menu 设置: the API address and plan ID. */
export function showSettings(): void {
  fromMenu(() => showDialog('Settings', '共建助手设置', storedSettings()));
}

/** From the settings dialog: stores valid settings, or says what is wrong with each field. */
export function saveSettings(form: unknown): SettingsFormResult {
  return fromSidebar(() => {
    const result = parseSettingsForm(form);
    if (result.ok) storeSettings(result.settings);
    return result;
  });
}

/** From the issues sidebar: selects the cell an issue points at. */
export function goToCell(sheetName: string, a1: string): void {
  fromSidebar(() => {
    const sheet = SpreadsheetApp.getActive().getSheetByName(String(sheetName));
    if (sheet && /^[A-Z]{1,3}\d{1,7}$/.test(String(a1))) sheet.getRange(String(a1)).activate();
  });
}
