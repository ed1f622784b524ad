/**
 * One pass of the local stack over a workbook file, exactly as the add-on does it against the
 * deployed API: read the tabs, POST them to /sync, write the assigned IDs and the issue marks back
 * into the workbook, then wait until the trigger has recomputed the statistics (and written the
 * generated tabs).
 */

import { postRoute } from '../adapters/apiClient';
import { ApiRefusalError } from '../adapters/terminal/errors';
import type { WorkbookUpdate } from '../adapters/workbook/port';
import { type Log, logs } from '../functions/src/logs';
import type { StatsDoc } from '../functions/src/store/planStore';
import type { ApiCell, SyncRequest, SyncResponse } from '../shared/api';
import { locateColumns, recogniseTab } from '../shared/columns';
import { dayFromParts, serialOf } from '../shared/dates';
import { type UnusableCode, UnusableInputError } from '../shared/errors';
import { evidenceFolderLink } from '../shared/evidence';
import { cellText } from '../shared/normalize';
import type { CellValue, RawRow, RawWorkbook } from '../shared/workbook';
import type { LocalStack } from './stack';
import type { WriteOutcome } from './workbookFile';

export interface LocalSyncOutcome {
  result: SyncResponse;
  stats: StatsDoc;
  /** The write-back of IDs and marks: done, or held while an office program has the file open. */
  writeBack: WriteOutcome;
  /** Statistics recomputations this sync caused. */
  recomputations: number;
  /** Invocations of the statistics trigger this sync caused. */
  triggerInvocations: number;
}

/** The stages of one local sync, for a progress line. */
export type LocalSyncStage =
  | { stage: 'read'; rows: number }
  | { stage: 'sent' }
  | { stage: 'writtenBack' }
  | { stage: 'statistics' };

/** Syncs a plan's .xlsx workbook through the stack's API, writes back, and waits for fresh statistics. */
export async function syncLocalWorkbook(
  stack: LocalStack,
  planId: string,
  timeoutMs = 120_000,
  onStage: (stage: LocalSyncStage) => void = () => {},
): Promise<LocalSyncOutcome> {
  const file = stack.workbookOf(planId);
  if (!file) throw new Error(`The local stack has no workbook for plan ${planId}`);
  const { store } = stack.runtime;
  const recomputationsBefore = await store.recomputations(planId);
  const invocationsBefore = stack.bridge.invocations('onPlanWritten');
  const { workbook, version } = await file.read();
  // Photos staff dropped in are processed and linked before the sync, so it counts their evidence.
  const evidenceLinks = await linkDroppedPhotos(file.path, workbook, stack.runtime.log);
  const dataRows = workbook.tabs
    .filter((tab) => recogniseTab(tab.name) !== undefined)
    .reduce((sum, tab) => sum + tab.rows.length, 0);
  onStage({ stage: 'read', rows: dataRows });
  const body = await postSync(stack, planId, workbook);
  onStage({ stage: 'sent' });
  file.markSynced(version);
  const writeBack = await file.write({
    activityIds: body.assignedIds,
    issues: body.issues,
    ...(evidenceLinks.length > 0 ? { evidenceLinks } : {}),
  });
  onStage({ stage: 'writtenBack' });
  onStage({ stage: 'statistics' });
  const stats = await waitForFreshStats(stack, planId, body.version, timeoutMs, invocationsBefore);
  return {
    result: body,
    stats,
    writeBack,
    recomputations: (await store.recomputations(planId)) - recomputationsBefore,
    triggerInvocations: stack.bridge.invocations('onPlanWritten') - invocationsBefore,
  };
}

/**
 * Processes the photos dropped into `佐证材料/<记录编号>/` beside the workbook (adapters/photos/
 * dropIns.ts) and links every activity that has photos and an empty 佐证链接 cell: in the workbook
 * as read (so this sync sees the link) and, returned, for the write-back to put in the file.
 */
async function linkDroppedPhotos(
  path: string,
  workbook: RawWorkbook,
  log: Log,
): Promise<NonNullable<WorkbookUpdate['evidenceLinks']>> {
  const tab = workbook.tabs.find((t) => recogniseTab(t.name) === 'activities');
  if (!tab) return [];
  const columns = locateColumns('activities', tab.header);
  const idColumn = columns.get('activityId');
  const evidenceColumn = columns.get('evidence');
  if (idColumn === undefined) return [];
  const rowsById = new Map<string, RawRow>();
  for (const row of tab.rows) {
    const id = cellText(row.cells[idColumn] ?? null);
    if (id !== undefined && !rowsById.has(id)) rowsById.set(id, row);
  }
  const { processDropIns } = await import('../adapters/photos/dropIns');
  const outcome = await processDropIns(path, rowsById.keys());
  for (const { message } of outcome.refused) log(logs.photoLeft(message));
  if (evidenceColumn === undefined) return [];
  const links: NonNullable<WorkbookUpdate['evidenceLinks']> = [];
  for (const activityId of outcome.withPhotos) {
    const row = rowsById.get(activityId) as RawRow;
    if (cellText(row.cells[evidenceColumn] ?? null) !== undefined) continue;
    const link = evidenceFolderLink(activityId);
    row.cells[evidenceColumn] = link;
    links.push({ row: row.row, activityId, link });
  }
  return links;
}

/**
 * POSTs a workbook to the stack's /sync as the add-on does, and parses the answer with the
 * contract the add-on uses (shared/api.ts); a refusal becomes an error.
 */
export async function postSync(
  stack: LocalStack,
  planId: string,
  workbook: RawWorkbook,
): Promise<SyncResponse> {
  // The data tabs only, with date cells as spreadsheet serials: what the Sheets API returns too.
  const tabs: SyncRequest['tabs'] = workbook.tabs
    .filter((tab) => recogniseTab(tab.name) !== undefined)
    .map((tab) => ({
      name: tab.name,
      header: tab.header.map(jsonCell),
      // Cells right of the header have no column and are ignored by validation: a sparse row with
      // one cell in column XFD would otherwise travel as 16,384 nulls.
      rows: tab.rows.map((row) => ({
        row: row.row,
        cells: row.cells.slice(0, tab.header.length).map(jsonCell),
      })),
    }));
  try {
    return await postRoute({ apiUrl: stack.apiUrl, token: stack.devToken, planId }, 'sync', { tabs });
  } catch (error) {
    // The API's word for a workbook it cannot use is the CLI's: the same sentence and exit code 2.
    if (error instanceof ApiRefusalError && error.code === 'unusable_input')
      throw new UnusableInputError(
        (error.reason ?? 'no_tabs') as UnusableCode,
        error.messageZh,
        error.messageEn,
      );
    throw error;
  }
}

function jsonCell(cell: CellValue): ApiCell {
  if (cell instanceof Date) {
    const day = dayFromParts(cell.getUTCFullYear(), cell.getUTCMonth() + 1, cell.getUTCDate());
    return day === undefined ? null : serialOf(day);
  }
  if (typeof cell === 'number' && !Number.isFinite(cell)) return null;
  return cell;
}

/**
 * Waits until the statistics cover the given version and the trigger has finished with the sync
 * (it writes the generated tabs after the statistics): the sync's plan-document write fires one
 * event, which the emulator delivers shortly after; `invocationsBefore` is the count before it.
 * The deadlines are on the monotonic clock, not the stack's: they bound how long we wait in real
 * time, which a pinned test clock must not make endless, nor a wall clock set back make longer.
 */
export async function waitForFreshStats(
  stack: LocalStack,
  planId: string,
  version: number,
  timeoutMs: number,
  invocationsBefore?: number,
): Promise<StatsDoc> {
  const { store } = stack.runtime;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const stats = await store.getStats(planId);
    if (stats && stats.inputVersion >= version) {
      // A lost event is the sweeper's; a few seconds is plenty for one on its way.
      const eventDeadline = Math.min(deadline, performance.now() + EVENT_WAIT_MS);
      while (
        invocationsBefore !== undefined &&
        stack.bridge.invocations('onPlanWritten') <= invocationsBefore &&
        performance.now() < eventDeadline
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await stack.bridge.idle();
      return (await store.getStats(planId)) ?? stats;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `统计在 ${timeoutMs / 1000} 秒内没有更新 / Statistics not refreshed within ${timeoutMs / 1000} s ` +
          `(version ${version}, statistics of version ${stats?.inputVersion ?? 'none'})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const EVENT_WAIT_MS = 5_000;
