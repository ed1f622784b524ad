/**
 * One pass of the local stack over a workbook file, exactly as the add-on does it against the
 * deployed API: read the tabs, POST them to /sync, write the assigned IDs and the issue marks back
 * into the workbook, then wait until the triggers have refreshed the statistics (and written the
 * generated tabs).
 */
import { recogniseTab } from '../../../shared/columns';
import { dayFromParts, serialOf } from '../../../shared/dates';
import type { Issue } from '../../../shared/issues';
import type { CellValue } from '../../../shared/workbook';
import { statsRefreshState } from '../stats/refresh';
import type { StatsDoc } from '../store/planStore';
import type { SyncResult } from '../sync/syncPlan';
import type { LocalStack } from './stack';
import type { WriteOutcome } from './workbookFile';

export interface LocalSyncOutcome {
  result: SyncResult;
  stats: StatsDoc;
  /** The write-back of IDs and marks: done, or held while an office program has the file open. */
  writeBack: WriteOutcome;
  /** Statistics recomputations so far (coalesced from the trigger events). */
  recomputations: number;
}

/** Syncs the stack's .xlsx workbook through the API, writes back, and waits for fresh statistics. */
export async function syncLocalWorkbook(
  stack: LocalStack,
  planId: string,
  timeoutMs = 60_000,
): Promise<LocalSyncOutcome> {
  const file = stack.workbook;
  if (!file) throw new Error('The local stack was started without a workbook');
  const { workbook, version } = await file.read();
  // The data tabs only, with date cells as spreadsheet serials: what the Sheets API returns too.
  const tabs = workbook.tabs
    .filter((tab) => recogniseTab(tab.name) !== undefined)
    .map((tab) => ({
      name: tab.name,
      header: tab.header.map(jsonCell),
      rows: tab.rows.map((row) => ({ row: row.row, cells: row.cells.map(jsonCell) })),
    }));
  const response = await fetch(`${stack.apiUrl}/v1/plans/${planId}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.devToken}`, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ tabs }),
  });
  const body = (await response.json()) as (SyncResult & { planId: string }) | ApiFailure;
  if (!response.ok || 'error' in body) {
    const error = 'error' in body ? body.error : { message: `HTTP ${response.status}`, messageEn: '' };
    throw new Error(`同步失败：${error.message} / Sync failed: ${error.messageEn}`);
  }
  file.markSynced(version);
  const writeBack = await file.write({ activityIds: body.assignedIds, issues: body.issues as Issue[] });
  const stats = await waitForFreshStats(stack, planId, body.version, timeoutMs);
  const { recomputations } = await statsRefreshState(stack.runtime.store.db, planId);
  return { result: body, stats, writeBack, recomputations };
}

interface ApiFailure {
  error: { code: string; message: string; messageEn: string };
}

function jsonCell(cell: CellValue): string | number | boolean | null {
  if (cell instanceof Date) {
    const day = dayFromParts(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
    return day === undefined ? null : serialOf(day);
  }
  if (typeof cell === 'number' && !Number.isFinite(cell)) return null;
  return cell;
}

/** Waits until the statistics are computed from the given version and no refresh is pending. */
export async function waitForFreshStats(
  stack: LocalStack,
  planId: string,
  version: number,
  timeoutMs: number,
): Promise<StatsDoc> {
  const { store } = stack.runtime;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [stats, state] = await Promise.all([store.getStats(planId), statsRefreshState(store.db, planId)]);
    const idle = state.requested === state.computed && state.leaseOwner === null;
    if (stats && stats.inputVersion >= version && idle) return stats;
    if (Date.now() > deadline) {
      throw new Error(
        `统计在 ${timeoutMs / 1000} 秒内没有更新 / Statistics not refreshed within ${timeoutMs / 1000} s ` +
          `(version ${version}, stats ${stats?.inputVersion ?? 'none'}, requested ${state.requested}, computed ${state.computed})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
