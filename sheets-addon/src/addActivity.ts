/**
 * 新增活动记录: the sidebar form's data (its fields, accepted measures and partners, today) and the
 * row it sends, validated with the whole workbook exactly as the row would stand in the sheet
 * before it is appended. A row with an error is not written; warnings are written and marked.
 * The fields are the 活动 columns' (shared/entry.ts): the page (AddActivity.html) lays out what it
 * is sent, so a new column with an entry appears in the dialog without a change here, and a new
 * kind of control fails to compile until DIALOG_CONTROLS gives it its markup.
 */
import * as z from 'zod';
import {
  type ActivityField,
  COLUMNS,
  type ColumnDef,
  type ColumnOf,
  locateColumns,
} from '../../shared/columns';
import { dayFromParts, serialOf } from '../../shared/dates';
import { type EntryControl, type EntryField, entryFields } from '../../shared/entry';
import { INVALID, parseNumber } from '../../shared/normalize';
import { AddonError, MESSAGES, parsePageInput } from './errors';
import { withDocumentLock } from './lock';
import { cellIssues, refreshMarks } from './marks';
import { type ApiCell, type ApiTab, DATE_FORMAT, readWorkbook, TEXT_FORMAT } from './sheetIo';
import { todayIn, validateTabs } from './validation';

/** One field of the dialog as the page builds it (with createElement and setAttribute only). */
export interface DialogField {
  /** The form's key (an activity field) and the element's id, which the page's own ids never take. */
  name: ActivityField;
  id: string;
  label: string;
  required: boolean;
  /** `partners`: a box of ticks among the plan's partner units. */
  tag: 'input' | 'select' | 'textarea' | 'partners';
  attributes: Record<string, string>;
  /** A select's options: the plan's measures, or the column's labels. */
  options?: 'measures' | string[];
  /** Kept after a row is added (the next row usually repeats it); the others are cleared. */
  repeats: boolean;
  /** Filled in when the dialog opens. */
  initial?: string;
}

/** What the add-activity sidebar offers. */
export interface SidebarData {
  today: string;
  measures: { id: string; title: string }[];
  partners: { id: string; name: string }[];
  /** The fields, a row of the dialog each: one, or two numbers side by side. */
  rows: DialogField[][];
}

/** Ids of the page's own elements (AddActivity.html), which a field's element must not take. */
const PAGE_IDS = new Set(['payload', 'form', 'fields', 'save', 'status', 'errors', 'warnings']);

/** The dialog's markup for each control: exhaustive, so a control added in entry.ts must be given one here. */
const DIALOG_CONTROLS: Record<EntryControl, (entry: EntryField) => Pick<DialogField, 'tag' | 'attributes'>> =
  {
    date: () => ({ tag: 'input', attributes: { type: 'date' } }),
    measure: () => ({ tag: 'select', attributes: {} }),
    partners: () => ({ tag: 'partners', attributes: {} }),
    line: (entry) => ({
      tag: 'input',
      attributes: entry.maxLength === undefined ? {} : { maxlength: String(entry.maxLength) },
    }),
    lines: () => ({ tag: 'textarea', attributes: { rows: '2' } }),
    integer: () => ({ tag: 'input', attributes: { type: 'number', min: '0', step: '1' } }),
    decimal: () => ({ tag: 'input', attributes: { type: 'number', min: '0', step: 'any' } }),
    url: () => ({ tag: 'input', attributes: { type: 'url', placeholder: 'https://' } }),
    choice: () => ({ tag: 'select', attributes: {} }),
  };

const isNumberControl = (field: DialogField | undefined) => field?.attributes.type === 'number';

/** The dialog's fields, laid out in rows: two numbers in a row share it, as a sheet's figures sit side by side. */
export function dialogRows(initial: Partial<Record<ActivityField, string>>): DialogField[][] {
  const rows: DialogField[][] = [];
  for (const entry of entryFields('staff')) {
    const value = initial[entry.field];
    const field: DialogField = {
      name: entry.field,
      id: PAGE_IDS.has(entry.field) ? `${entry.field}-field` : entry.field,
      label: entry.label,
      required: entry.required,
      ...DIALOG_CONTROLS[entry.control](entry),
      ...(entry.control === 'measure' ? { options: 'measures' as const } : {}),
      ...(entry.options ? { options: entry.options } : {}),
      repeats: entry.repeats,
      ...(value ? { initial: value } : {}),
    };
    const last = rows[rows.length - 1];
    if (last?.length === 1 && isNumberControl(last[0]) && isNumberControl(field)) last.push(field);
    else rows.push([field]);
  }
  return rows;
}

/** The accepted measures and partners (what an activity may name) and today's date. */
export function sidebarData(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): SidebarData {
  const read = readWorkbook(spreadsheet);
  const timeZone = spreadsheet.getSpreadsheetTimeZone();
  let measures: SidebarData['measures'] = [];
  let partners: SidebarData['partners'] = [];
  let today = todayIn(timeZone);
  if (read.tabs.length > 0) {
    const { result, asOf } = validateTabs(read.tabs);
    measures = result.model.measures.map((m) => ({ id: m.measureId, title: m.title }));
    partners = result.model.partners.map((p) => ({ id: p.partnerId, name: p.name }));
    today = asOf;
  }
  let recorder = '';
  try {
    recorder = Session.getActiveUser().getEmail();
  } catch {
    // Consumer accounts may not reveal the email; the field just starts empty.
  }
  return { today, measures, partners, rows: dialogRows({ date: today, recorder }) };
}

const Value = z.union([z.string(), z.number(), z.null()]).optional();

/** The form as the sidebar sends it: every field optional, validation says what is missing. */
export type ActivityForm = {
  [F in ActivityField]?: F extends 'partners' ? string[] : string | number | null;
};
// The dialog's fields, each as the page sends it (partners a list of IDs); keys not a field are dropped.
const ActivityFormSchema = z.object(
  Object.fromEntries(
    entryFields('staff').map((entry) => [
      entry.field,
      entry.control === 'partners' ? z.array(z.string()).optional() : Value,
    ]),
  ),
);

export type AddActivityResult =
  | { ok: true; row: number; warnings: string[]; notSaved: string[] }
  | { ok: false; errors: { field: string; column: string; message: string }[] };

/** A date picker's `YYYY-MM-DD` as a spreadsheet serial; anything else as typed. */
function dateCell(value: string): ApiCell {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = m ? dayFromParts(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
  return day === undefined ? value : serialOf(day);
}

function formCell(column: ColumnOf<'activities'>, form: ActivityForm): ApiCell {
  if (column.field === 'partners') {
    const list = (form.partners ?? []).map((id) => id.trim()).filter((id) => id !== '');
    return list.length === 0 ? null : list.join('、');
  }
  const value = form[column.field];
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return value;
  const text = value.trim();
  if (text === '') return null;
  if (column.kind.type === 'date') return dateCell(text);
  return text;
}

function isNumeric(column: ColumnDef): boolean {
  return column.kind.type === 'number' || column.kind.type === 'integer';
}

/**
 * The number format a written cell gets first. `setValues` reads a string as if typed — `3.5`
 * becomes a number, `1/2` a date, `TRUE` a boolean, `=…` a formula — unless the cell is text, so
 * every column but numbers and dates is made text before the row is written.
 */
function writeFormat(column: ColumnDef): string | undefined {
  if (column.kind.type === 'date') return DATE_FORMAT;
  return isNumeric(column) ? undefined : TEXT_FORMAT;
}

/** The value written to the sheet: numbers as numbers, dates as serials, the rest as the text it is. */
function sheetValue(column: ColumnDef, cell: ApiCell): unknown {
  if (cell === null) return '';
  if (isNumeric(column) && typeof cell === 'string') {
    const number = parseNumber(cell);
    return number === INVALID || number === undefined ? cell : number;
  }
  return cell;
}

/** Validates the form as the next row of 活动 and appends it when it has no error. */
export function appendActivity(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  input: unknown,
): AddActivityResult {
  const form = parsePageInput(
    ActivityFormSchema,
    input,
    '表单内容无法识别，请关闭侧边栏后重新打开。',
    'The form is not understood; close the sidebar and open it again.',
  ) as ActivityForm;
  return withDocumentLock(() => {
    const read = readWorkbook(spreadsheet);
    const handle = read.handles.activities;
    if (!handle) throw new AddonError('not_initialised', ...MESSAGES.notInitialised);
    const { sheet, tab } = handle;
    const located = locateColumns('activities', tab.header);
    const row = Math.max(sheet.getLastRow(), 1) + 1;
    const width = Math.max(tab.header.length, 1);
    const cells: ApiCell[] = Array.from({ length: width }, () => null);
    const notSaved: string[] = [];
    for (const column of COLUMNS.activities) {
      const cell = formCell(column, form);
      const index = located.get(column.field);
      if (index === undefined) {
        if (cell !== null) notSaved.push(column.zh);
      } else {
        cells[index] = cell;
      }
    }
    const candidate: ApiTab = { ...tab, rows: [...tab.rows, { row, cells }] };
    const tabs = read.tabs.map((t) => (t === tab ? candidate : t));
    const { result } = validateTabs(tabs);
    const own = result.issues.filter((issue) => issue.tab === 'activities' && issue.row === row);
    const missingColumns = result.issues.filter(
      (issue) => issue.tab === 'activities' && issue.code === 'missing_column' && issue.row === 1,
    );
    const errors = new Map<string, { field: string; column: string; message: string }>();
    for (const issue of [...missingColumns, ...own]) {
      if (issue.severity === 'error' && !errors.has(issue.message)) {
        errors.set(issue.message, { field: issue.field, column: issue.column, message: issue.message });
      }
    }
    if (errors.size > 0) return { ok: false, errors: [...errors.values()] };

    if (row > sheet.getMaxRows()) sheet.insertRowsAfter(sheet.getMaxRows(), 1);
    for (const column of COLUMNS.activities) {
      const index = located.get(column.field);
      if (index === undefined || cells[index] === null) continue;
      const format = writeFormat(column);
      if (format) sheet.getRange(row, index + 1).setNumberFormat(format);
    }
    const values = cells.map((cell, index) => {
      const column = COLUMNS.activities.find((c) => located.get(c.field) === index);
      return column ? sheetValue(column, cell) : '';
    });
    sheet.getRange(row, 1, 1, width).setValues([values]);
    refreshMarks(
      { key: 'activities', sheet, tab: candidate },
      [row],
      cellIssues(own, 'activities', tab.header),
    );
    return { ok: true, row, warnings: own.map((issue) => issue.message), notSaved };
  });
}
