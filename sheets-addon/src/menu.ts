/**
 * The 共建助手 menu. Built with createAddonMenu() from a fixed list, so onOpen works in
 * AuthMode.NONE (before the add-on is enabled in a document): it reads no property and no cell.
 */

/** Menu captions and the global functions they call (main.ts exports each of them). */
export const MENU_ITEMS = [
  { caption: '初始化表格', functionName: 'initSheets' },
  { caption: '校验本表', functionName: 'validateSheet' },
  { caption: '同步到云端', functionName: 'syncToCloud' },
  { caption: '生成年度总结', functionName: 'requestYearReport' },
  { caption: '生成活动台账', functionName: 'showLedger' },
  null,
  { caption: '发送填报请求', functionName: 'showSendRequests' },
  { caption: '撤销填报链接', functionName: 'showRevokeLinks' },
  { caption: '恢复已删除的记录', functionName: 'showRestoreDeleted' },
  { caption: '本行修改记录', functionName: 'showRowHistory' },
  null,
  { caption: '新增活动记录', functionName: 'showAddActivity' },
  { caption: '上传佐证照片', functionName: 'showUploadEvidence' },
  { caption: '设置', functionName: 'showSettings' },
] as const;

/** Adds the add-on menu (Extensions → 共建助手). */
export function buildMenu(ui: GoogleAppsScript.Base.Ui): void {
  let menu = ui.createAddonMenu();
  for (const item of MENU_ITEMS) {
    menu = item === null ? menu.addSeparator() : menu.addItem(item.caption, item.functionName);
  }
  menu.addToUi();
}
