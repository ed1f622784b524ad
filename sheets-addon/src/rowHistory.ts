/**
 * 本行修改记录 and 恢复此值 (§12): the sidebar showing the changes of the record on the active
 * cell's row of 活动, 计划 or 共建单位, newest first, and a button beside a field's change that puts
 * the field back to its value before that change.
 *
 * The record is named by its tab and its 记录编号, never by its row: IDs are unique within a tab
 * only (a partner and an activity may both be P01), so both the history read and the restore name
 * the tab (the routes' `tab`), and the sidebar's refresh finds the record wherever staff have since
 * moved its row.
 *
 * 恢复此值 is offered only beside each field's latest change, and not when that change was itself a
 * restore: the route restores a field to its value before the field's latest change (restoreField.ts),
 * so a button beside an older change would restore a value other than the one it shows. The cell is
 * not written here: the server writes it through its queued write (requests/restoreCell.ts), which
 * also keeps a sync of the sheet read before that write from undoing the restore; the sidebar only
 * reads the list again. A deleted record (its latest change is its deletion) offers no button: the
 * route refuses (restore the record first, 恢复已删除的记录).
 *
 * The page builds its list with textContent only (partials/dialogHead.html `el`), so a hostile value
 * is shown as the text it is.
 */
import * as z from 'zod';
import type { HistoryResponse, RestoreResponse } from '../../shared/api';
import {
  locateColumns,
  RECORD_ID_FIELD,
  RECORD_TABS,
  type RecordTabKey,
  recogniseTab,
} from '../../shared/columns';
import { fieldLabel, showValue } from '../../shared/history';
import { TAB_LABELS } from '../../shared/i18n';
import { getHistory, identityToken, postRestore } from './api';
import { AddonError } from './errors';
import { shownRows } from './restoreDeleted';
import type { AddonSettings } from './settings';
import { headerText } from './sheetIo';

/** How many of the record's changes the sidebar reads (newest first): years of a busy row. */
export const ROW_HISTORY_LIMIT = 500;

/** The record the sidebar is about. */
export const RowRecord = z.object({
  tab: z.enum(RECORD_TABS as [RecordTabKey, ...RecordTabKey[]]),
  id: z.string().trim().min(1).max(64),
});
export type RowRecord = z.infer<typeof RowRecord>;

/** One line of the sidebar: a field's change, or a whole record's creation or deletion. */
export interface RowChange {
  /** When, in the plan's zone (or UTC, said so). */
  at: string;
  by: string;
  /** 同步 · 填报 · 恢复 · 接口. */
  source: string;
  /** A field's change, or the whole record's creation or deletion (label and one value only). */
  op: 'created' | 'updated' | 'deleted';
  /** The column's header, or 「（新增）」/「（删除）」. */
  label: string;
  old: string | null;
  new: string | null;
  /** The stored field 恢复此值 names; absent where no button is offered (see the module comment). */
  restoreField?: string;
}

/** What the sidebar is opened (and refreshed) with. */
export interface RowHistoryData {
  record: RowRecord;
  /** The tab's Chinese name. */
  tabName: string;
  /** The row's title or name as the sheet shows it now (may be empty). */
  title: string;
  changes: RowChange[];
}

const WRONG_SELECTION = [
  '请先在「活动」「计划」或「共建单位」表中单击要查看的那一行（任一单元格），再打开「本行修改记录」。',
  'Click a cell of the row to look at in 活动, 计划 or 共建单位 first, then open 本行修改记录.',
] as const;

const NO_ID = [
  '这一行没有记录编号，还没有修改记录：新行请先「同步到云端」取得编号。',
  'This row has no 记录编号 and so no history yet: sync a new row to give it one.',
] as const;

/** The record on the active cell's row: a data row of a record tab that holds an ID; else why not. */
export function selectedRecord(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): RowRecord & {
  title: string;
} {
  const range = spreadsheet.getActiveRange();
  const sheet = range?.getSheet();
  const key = sheet ? recogniseTab(sheet.getName()) : undefined;
  const tab = RECORD_TABS.find((t) => t === key);
  if (!range || !sheet || tab === undefined || range.getNumRows() !== 1 || range.getRow() < 2)
    throw new AddonError('wrong_selection', ...WRONG_SELECTION);
  const width = sheet.getLastColumn();
  const header = width === 0 ? [] : (sheet.getRange(1, 1, 1, width).getValues()[0] ?? []).map(headerText);
  const columns = locateColumns(tab, header);
  const cells = width === 0 ? [] : (sheet.getRange(range.getRow(), 1, 1, width).getValues()[0] ?? []);
  const text = (field: string) => {
    const index = columns.get(field);
    return index === undefined ? '' : headerText(cells[index]);
  };
  const id = text(RECORD_ID_FIELD[tab]);
  if (id === '') throw new AddonError('wrong_selection', ...NO_ID);
  return { tab, id, title: text(tab === 'partners' ? 'name' : 'title') };
}

/** The record's changes as the sidebar lists them, newest first (see the module comment). */
export function rowChanges(history: HistoryResponse, record: RowRecord): RowChange[] {
  const mine = history.changes.filter((entry) => entry.tab === record.tab && entry.id === record.id);
  const deleted = mine[0]?.op === 'deleted';
  const seen = new Set<string>();
  const out: RowChange[] = [];
  for (const entry of mine) {
    const rows = shownRows(entry, history.timezone);
    rows.forEach((row, i) => {
      const field = entry.op === 'updated' ? entry.fields[i]?.field : undefined;
      const latest = field !== undefined && !seen.has(field);
      if (field !== undefined) seen.add(field);
      out.push({
        at: String(row[0] ?? ''),
        by: String(row[1] ?? ''),
        source: String(row[2] ?? ''),
        op: entry.op,
        label: String(row[5] ?? ''),
        old: row[6] ?? null,
        new: row[7] ?? null,
        ...(latest && !deleted && entry.source !== 'restore' && { restoreField: field }),
      });
    });
  }
  return out;
}

/** Reads the record's changes from the API: what the sidebar shows. */
export function rowHistoryData(settings: AddonSettings, record: RowRecord, title = ''): RowHistoryData {
  const history = getHistory(
    settings,
    { row: record.id, tab: record.tab, limit: ROW_HISTORY_LIMIT },
    identityToken(),
  );
  return { record, tabName: TAB_LABELS[record.tab].zh, title, changes: rowChanges(history, record) };
}

/** What the page sends to refresh its list, checked. */
export function parseRowRecord(input: unknown): RowRecord {
  const parsed = RowRecord.safeParse(input);
  if (!parsed.success) throw new AddonError('invalid_form', ...WRONG_SELECTION);
  return parsed.data;
}

const RestoreValue = RowRecord.extend({ field: z.string().trim().min(1).max(64) });

/** What 恢复此值 answers the page: whether the value is back, and the sentence to show. */
export interface RestoreValueResult {
  restored: boolean;
  message: string;
}

/** 恢复此值: asks the route to put the field back (one record of one tab); answers the sentence. */
export function restoreValue(settings: AddonSettings, input: unknown): RestoreValueResult {
  const parsed = RestoreValue.safeParse(input);
  if (!parsed.success)
    throw new AddonError(
      'invalid_form',
      '要恢复的记录或字段不完整，请关闭侧边栏后重新打开「本行修改记录」。',
      'The record or field to restore is incomplete; close the sidebar and open 本行修改记录 again.',
    );
  const { tab, id, field } = parsed.data;
  const answer = postRestore(settings, { ids: [id], field, tab }, identityToken());
  return restoreValueSentence(answer, tab, field);
}

/** The sentence for the route's answer to a field restore, by its outcome. */
export function restoreValueSentence(
  answer: RestoreResponse,
  tab: RecordTabKey,
  asked: string,
): RestoreValueResult {
  const result = answer.results[0];
  if (result === undefined) return { restored: false, message: '服务器没有答复恢复的结果，请刷新后查看。' };
  const value = showValue(result.value) ?? '（空）';
  const name = fieldLabel(tab, result.field ?? asked);
  switch (result.outcome) {
    case 'restored':
      return {
        restored: true,
        message: `已将「${name}」恢复为「${value}」：云端已更新，表格中的这一格稍后由服务器写回，其间的同步不会把它改回。`,
      };
    case 'alreadyRestored':
      return { restored: true, message: `「${name}」已经恢复过，现在的值是「${value}」，没有再次修改。` };
    case 'deleted':
      return {
        restored: false,
        message: '这条记录已被删除：请先用「恢复已删除的记录」恢复整条记录，再恢复其中的值。',
      };
    case 'unknownField':
      return { restored: false, message: `「${TAB_LABELS[tab].zh}」表没有「${asked}」这一列。` };
    case 'noChange':
      return { restored: false, message: `「${name}」自记录新增以来没有修改过，没有可恢复的原值。` };
    case 'unknown':
    case 'present':
      return { restored: false, message: '变更记录中没有这条记录（可能已超过保留期限），无法恢复。' };
  }
}
