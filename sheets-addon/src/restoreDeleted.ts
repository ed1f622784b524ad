/**
 * 恢复已删除的记录 (§12): the dialog lists the records the change log shows deleted now — each
 * record's latest change is its deletion, so one restored or typed back since is not offered —
 * newest first, and restores the ticked ones through POST …/restore, which appends each row to
 * its tab (活动, 共建单位 or 计划) with its ID and last values; restoring twice gives one row. The
 * page builds its list with textContent only (ui.ts), so a title is never markup.
 */
import * as z from 'zod';
import type { HistoryResponse, RestoreResponse } from '../../shared/api';
import { changeRows } from '../../shared/history';
import { TAB_LABELS } from '../../shared/i18n';
import { parsePageInput } from './errors';

/** How many of the latest changes the dialog reads to find deletions. */
export const DELETION_SCAN = 1000;
/** How many deletions the dialog lists at most (the newest). */
export const DELETIONS_SHOWN = 100;

/** A deleted record as the dialog shows it. */
export interface DeletedItem {
  id: string;
  /** The tab's Chinese name. */
  tab: string;
  /** Its title (activity, measure) or name (partner) when it was deleted. */
  title: string;
  /** When, in the plan's zone where the runtime knows it (else UTC, said so). */
  at: string;
  by: string;
}

/** The records whose latest change in the history is their deletion, newest first. */
export function deletedItems(history: HistoryResponse, limit = DELETIONS_SHOWN): DeletedItem[] {
  const seen = new Set<string>();
  const items: DeletedItem[] = [];
  for (const entry of history.changes) {
    const key = `${entry.tab}\u0000${entry.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (entry.op !== 'deleted') continue;
    const row = shownRows(entry, history.timezone)[0] ?? [];
    items.push({
      id: entry.id,
      tab: TAB_LABELS[entry.tab].zh,
      title: String(row[6] ?? ''),
      at: String(row[0] ?? ''),
      by: entry.by,
    });
    if (items.length >= limit) break;
  }
  return items;
}

/**
 * The change as the 变更记录 tab shows it (a row per changed field; 本行修改记录 shows them too).
 * Apps Script's V8 may lack time-zone data: then UTC, said so beside the time.
 */
export function shownRows(entry: HistoryResponse['changes'][number], timezone: string): (string | null)[][] {
  try {
    return changeRows(entry, timezone);
  } catch {
    return changeRows(entry, 'UTC').map((row) => [`${row[0] ?? ''} UTC`, ...row.slice(1)]);
  }
}

const RestoreIds = z.array(z.string().trim().min(1).max(64)).min(1).max(100);

/** The IDs the page sends, checked, or a Chinese sentence. */
export function parseRestoreIds(ids: unknown): string[] {
  return parsePageInput(
    RestoreIds,
    ids,
    '请至少勾选一条要恢复的记录（一次最多 100 条）。',
    'Tick at least one record to restore (at most 100 at a time).',
  );
}

/** What the dialog says after a restore: how many came back, and which could not. */
export function restoreSentence(answer: RestoreResponse): string {
  const back = answer.results.filter((r) => r.outcome === 'restored' || r.outcome === 'alreadyRestored');
  const others = answer.results.filter((r) => !back.includes(r));
  const lines = [`已恢复 ${back.length} 条记录，将写回表格中原来的工作表（编号与内容不变），统计随之更新。`];
  if (others.length > 0)
    lines.push(`以下编号未恢复（未被删除，或变更记录中没有其删除）：${others.map((r) => r.id).join('、')}`);
  return lines.join('\n');
}
