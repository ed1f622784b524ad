/**
 * 初始化表格: the four data tabs with their headers (existing tabs keep every column and row;
 * only missing required columns are appended), a frozen header row, text format for ID and list
 * columns (so `4.30` stays `4.30`), date format for date columns, dropdowns from the spec's
 * enumerations and from the partner and measure ID columns, and the generated tabs protected.
 *
 * Dropdowns allow other values (`setAllowInvalid(true)`): the validator also accepts English keys
 * and short forms, and a list column holds several IDs; nothing staff type is ever refused by
 * the sheet itself — 校验本表 says what is wrong.
 */
import {
  COLUMNS,
  type ColumnDef,
  headerKey,
  locateColumns,
  RECORD_TABS,
  type RecordTabKey,
  SETTING_KEYS,
  SETTINGS_COLUMNS,
  type TabKey,
} from '../../shared/columns';
import {
  DIGEST_FREQUENCY_LABELS,
  GENERATED_TAB_LABELS,
  type GeneratedTab,
  TAB_LABELS,
} from '../../shared/i18n';
import { GENERATED_TAB_PROTECTION } from '../../shared/marks';
import { DEFAULT_REMINDER_DAYS, DEFAULT_STALE_DAYS, DEFAULT_TIMEZONE } from '../../shared/model';
import { enumOptions } from '../../shared/normalize';
import { SUMMARY_HEADERS } from '../../shared/summary';
import { DATE_FORMAT, findTabSheet, headerText, TEXT_FORMAT } from './sheetIo';
import { todayIn } from './validation';

/**
 * The description the server's Sheets adapter gives its protection of a generated tab
 * (adapters/workbook/sheets.ts): with the same text, the server's next rewrite replaces this
 * protection instead of adding a second one.
 */
export const PROTECTION_DESCRIPTION = GENERATED_TAB_PROTECTION;

export interface InitResult {
  created: string[];
  columnsAdded: string[];
}

/** Sets up the spreadsheet; safe to run again (it never removes or moves anything). */
export function initialiseSpreadsheet(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): InitResult {
  const result: InitResult = { created: [], columnsAdded: [] };
  const timeZone = spreadsheet.getSpreadsheetTimeZone() || DEFAULT_TIMEZONE;
  const sheetOf = (key: TabKey): GoogleAppsScript.Spreadsheet.Sheet => {
    const existing = findTabSheet(spreadsheet, key);
    if (existing) return existing;
    result.created.push(TAB_LABELS[key].zh);
    return spreadsheet.insertSheet(TAB_LABELS[key].zh);
  };

  setUpSettings(sheetOf('settings'), timeZone);
  const sheets = {} as Record<RecordTabKey, GoogleAppsScript.Spreadsheet.Sheet>;
  const headers = {} as Record<RecordTabKey, Map<string, number>>;
  for (const key of RECORD_TABS) {
    sheets[key] = sheetOf(key);
    headers[key] = ensureHeader(sheets[key], key, result);
  }
  for (const key of RECORD_TABS) {
    formatRecordTab(sheets[key], key, headers[key], {
      partnerIds: idColumn(sheets.partners, headers.partners.get('partnerId')),
      measureIds: idColumn(sheets.plan, headers.plan.get('measureId')),
    });
  }
  for (const tab of Object.keys(GENERATED_TAB_LABELS) as GeneratedTab[]) {
    setUpGeneratedTab(spreadsheet, tab, result);
  }
  return result;
}

function headerRow(sheet: GoogleAppsScript.Spreadsheet.Sheet): string[] {
  const width = sheet.getLastColumn();
  if (width === 0) return [];
  return (sheet.getRange(1, 1, 1, width).getValues()[0] ?? []).map(headerText);
}

function writeHeader(sheet: GoogleAppsScript.Spreadsheet.Sheet, column: number, names: string[]): void {
  if (names.length === 0) return;
  const needed = column + names.length - 1 - sheet.getMaxColumns();
  if (needed > 0) sheet.insertColumnsAfter(sheet.getMaxColumns(), needed);
  const range = sheet.getRange(1, column, 1, names.length);
  range.setValues([names]);
}

/** Writes the header of a new tab, or appends the required columns an existing one lacks. */
function ensureHeader(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  key: RecordTabKey,
  result: InitResult,
): Map<string, number> {
  const existing = headerRow(sheet);
  if (existing.every((text) => text === '')) {
    writeHeader(
      sheet,
      1,
      COLUMNS[key].map((column) => column.zh),
    );
  } else {
    const located = locateColumns(key, existing);
    const missing = COLUMNS[key].filter(
      (column) => !located.has(column.field) && (column.requiredColumn || column.field === 'activityId'),
    );
    writeHeader(
      sheet,
      existing.length + 1,
      missing.map((column) => column.zh),
    );
    for (const column of missing) result.columnsAdded.push(`${TAB_LABELS[key].zh}：${column.zh}`);
  }
  const header = headerRow(sheet);
  sheet.getRange(1, 1, 1, Math.max(header.length, 1)).setFontWeight('bold');
  sheet.setFrozenRows(1);
  return locateColumns(key, header);
}

/** The data cells of one column: row 2 to the sheet's last row. */
function columnRange(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  index0: number,
): GoogleAppsScript.Spreadsheet.Range {
  return sheet.getRange(2, index0 + 1, Math.max(sheet.getMaxRows() - 1, 1), 1);
}

function idColumn(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  index0: number | undefined,
): GoogleAppsScript.Spreadsheet.Range | undefined {
  return index0 === undefined ? undefined : columnRange(sheet, index0);
}

function dropdown(values: string[], help: string): GoogleAppsScript.Spreadsheet.DataValidation {
  return SpreadsheetApp.newDataValidation()
    .requireValueInList(values, true)
    .setAllowInvalid(true)
    .setHelpText(help)
    .build();
}

function rangeDropdown(
  range: GoogleAppsScript.Spreadsheet.Range,
  help: string,
): GoogleAppsScript.Spreadsheet.DataValidation {
  return SpreadsheetApp.newDataValidation()
    .requireValueInRange(range, true)
    .setAllowInvalid(true)
    .setHelpText(help)
    .build();
}

function formatRecordTab(
  sheet: GoogleAppsScript.Spreadsheet.Sheet,
  key: RecordTabKey,
  located: Map<string, number>,
  lists: {
    partnerIds: GoogleAppsScript.Spreadsheet.Range | undefined;
    measureIds: GoogleAppsScript.Spreadsheet.Range | undefined;
  },
): void {
  for (const column of COLUMNS[key]) {
    const index = located.get(column.field);
    if (index === undefined) continue;
    const range = columnRange(sheet, index);
    const format = formatOf(column);
    if (format) range.setNumberFormat(format);
    const rule = ruleOf(key, column, lists);
    if (rule) range.setDataValidation(rule);
  }
}

function formatOf(column: ColumnDef): string | undefined {
  switch (column.kind.type) {
    case 'id':
    case 'list':
    case 'phone':
      return TEXT_FORMAT;
    case 'date':
      return DATE_FORMAT;
    default:
      return undefined;
  }
}

function ruleOf(
  key: RecordTabKey,
  column: ColumnDef,
  lists: {
    partnerIds: GoogleAppsScript.Spreadsheet.Range | undefined;
    measureIds: GoogleAppsScript.Spreadsheet.Range | undefined;
  },
): GoogleAppsScript.Spreadsheet.DataValidation | undefined {
  if (column.kind.type === 'enum') {
    const options = enumOptions(column.kind.of).zh;
    return dropdown(options, `可选：${options.join('、')}`);
  }
  if (key !== 'partners' && column.field === 'partners' && lists.partnerIds) {
    return rangeDropdown(lists.partnerIds, '从「共建单位」表选择单位编号；多个单位用顿号或逗号分隔');
  }
  if (key === 'activities' && column.field === 'measureId' && lists.measureIds) {
    return rangeDropdown(lists.measureIds, '从「计划」表选择事项编号');
  }
  return undefined;
}

/** The settings tab: 项目/值 with every key and its default, written only into an empty tab. */
function setUpSettings(sheet: GoogleAppsScript.Spreadsheet.Sheet, timeZone: string): void {
  if (sheet.getLastRow() === 0) {
    const defaults: Record<string, string | number> = {
      year: Number(todayIn(timeZone).slice(0, 4)),
      timezone: timeZone,
      digestFrequency: DIGEST_FREQUENCY_LABELS.monthly,
      staleDays: DEFAULT_STALE_DAYS,
      reminderDays: DEFAULT_REMINDER_DAYS,
    };
    const rows = [
      [SETTINGS_COLUMNS.key.zh, SETTINGS_COLUMNS.value.zh],
      ...SETTING_KEYS.map((key) => [key.zh, defaults[key.field] ?? '']),
    ];
    sheet.getRange(1, 1, rows.length, 2).setValues(rows);
    sheet.getRange(1, 1, 1, 2).setFontWeight('bold');
    const frequencyRow = SETTING_KEYS.findIndex((key) => key.field === 'digestFrequency') + 2;
    const options = Object.values(DIGEST_FREQUENCY_LABELS);
    sheet.getRange(frequencyRow, 2).setDataValidation(dropdown(options, `可选：${options.join('、')}`));
  }
  sheet.setFrozenRows(1);
}

/** A generated tab: created with its header when absent, protected (warning only) unless it is already. */
function setUpGeneratedTab(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  tab: GeneratedTab,
  result: InitResult,
): void {
  const names = [GENERATED_TAB_LABELS[tab].zh, GENERATED_TAB_LABELS[tab].en].map(headerKey);
  let sheet = spreadsheet.getSheets().find((s) => names.includes(headerKey(s.getName())));
  if (!sheet) {
    sheet = spreadsheet.insertSheet(GENERATED_TAB_LABELS[tab].zh);
    result.created.push(GENERATED_TAB_LABELS[tab].zh);
    const header = [...SUMMARY_HEADERS[tab]];
    writeHeader(sheet, 1, header);
    sheet.getRange(1, 1, 1, header.length).setFontWeight('bold');
    sheet.setFrozenRows(1);
  }
  // protect() on a protected sheet returns its existing protection: setting ours on it would turn
  // an admin's editor list into a warning. A tab protected by anyone is left as it is.
  if (sheet.getProtections(SpreadsheetApp.ProtectionType.SHEET).length === 0) {
    // Warning only: the functions' service account rewrites these tabs through the Sheets API,
    // and an editor list would have to name it; staff get a warning before editing by hand.
    sheet.protect().setDescription(PROTECTION_DESCRIPTION).setWarningOnly(true);
  }
}
