/**
 * Sync: the workbook as sent by the add-on (or the local stack) is validated whole with shared/,
 * activity rows without an ID get one, and the store is brought to exactly the accepted rows,
 * writing only what changed. Validate-only requests run the same path without writing.
 *
 * The write path, and why it needs one recomputation (stats/refresh.ts has the whole argument):
 * claim the plan (plans/{id}/syncs/current), read the stored hashes (one query per collection),
 * commit the changed records and issues in parallel batches, then save the plan document —
 * moving its version if anything changed — and drop the claim in one transaction. That last
 * write is the only one the statistics trigger listens to. Each record batch carries its chunk of
 * the change log (§12, store/changeLog.ts), so what this sync changed is logged exactly once.
 */
import { randomUUID } from 'node:crypto';
import { validateAsOf } from '../../../adapters/workbook/validateToday';
import type { SyncResponse } from '../../../shared/api';
import { historyDays } from '../../../shared/model';
import type { RawWorkbook } from '../../../shared/workbook';
import type { Clock } from '../clock';
import {
  type PendingWrite,
  type PlanDoc,
  type PlanStore,
  SYNC_CLAIM_MS,
  type WorkbookLocation,
  type WriteCounts,
} from '../store/planStore';
import {
  contentHash,
  RECORD_COLLECTIONS,
  type RecordCollection,
  type RecordDoc,
  recordDoc,
} from '../store/records';
import { assignActivityIds } from './assignIds';

/** How far a sync has got, for a progress line (the local stack). */
export type SyncProgress =
  | { phase: 'validated'; rows: number }
  | { phase: 'writing'; written: number; total: number }
  | { phase: 'saved'; version: number };

export interface SyncOptions {
  planId: string;
  /** Who asked: becomes the owner when the sync creates the plan. */
  caller: string;
  /**
   * Who the change log names for this sync's changes (§12): the caller's verified email, or the
   * local stack's 「<OS user>（本地）」. Absent: the caller.
   */
  author?: string;
  now: Date;
  /** The plan as stored, or undefined for the first sync (which creates it). */
  existing: PlanDoc | undefined;
  workbookLocation?: WorkbookLocation;
  /**
   * Checked again on the plan as it is once the sync holds it: the caller was authorised against
   * the plan read before, and another sync may have created or changed it meanwhile.
   */
  authorize?: (plan: PlanDoc) => void;
  progress?: (progress: SyncProgress) => void;
  /**
   * The activity records a sync must keep although its workbook lacks their rows: those submitted
   * through update requests that the workbook may predate (requests/submit.ts protectSubmitted).
   */
  keepSubmitted?: (inWorkbook: ReadonlySet<string>) => Promise<ReadonlySet<string>>;
  /** The clock of the claim's expiry and of the wait for another sync's claim. */
  clock: Clock;
}

/** What a sync answers, the API adding the plan's ID (shared/api.ts SyncResponse). */
export type SyncResult = Omit<SyncResponse, 'planId'>;

const NO_WRITES: WriteCounts = { created: 0, updated: 0, deleted: 0 };

/** Validates a workbook for a plan and, when a store is given, writes what changed. */
export async function syncPlan(
  workbook: RawWorkbook,
  options: SyncOptions,
  store: PlanStore | undefined,
): Promise<SyncResult> {
  // The Google Sheet must name its plan year; a guess would silently shift every statistic.
  const { result, asOf } = validateAsOf(workbook, undefined, options.now, { requireYear: true });
  const { model } = result;
  const { ids, assigned } = assignActivityIds(model.activities);
  options.progress?.({
    phase: 'validated',
    rows: Object.values(result.tabs).reduce((sum, tab) => sum + tab.rows, 0),
  });
  // A settings error (no plan year, say) would skew every statistic: keep the store as it was.
  const applied =
    store !== undefined && !result.issues.some((i) => i.tab === 'settings' && i.severity === 'error');
  const base = { asOf, tabs: result.tabs, issues: result.issues, assignedIds: assigned, applied };
  if (!store || !applied) return { ...base, writes: NO_WRITES, version: options.existing?.version ?? 0 };

  const records: Record<RecordCollection, RecordDoc[]> = {
    partners: model.partners.map((p) => recordDoc(p.partnerId, p)),
    measures: model.measures.map((m) => recordDoc(m.measureId, m)),
    activities: model.activities.map((a, i) => recordDoc(ids[i] as string, { ...a, activityId: ids[i] })),
  };
  const inputHash = contentHash({
    settings: model.settings,
    tabs: result.tabs,
    sources: result.sources,
    issues: result.issues,
  });
  const { clock } = options;
  const syncId = randomUUID();
  const { tookOver } = await store.claimSync(
    options.planId,
    {
      syncId,
      caller: options.caller,
      startedAt: clock.now().toISOString(),
      expiresAt: clock.now().getTime() + SYNC_CLAIM_MS,
    },
    clock,
  );
  let wrote = false;
  try {
    // What is stored now, not what the caller was authorised against: another sync may have run.
    const existing = await store.getPlan(options.planId);
    if (existing) options.authorize?.(existing);
    // Rows submitted through update requests that this workbook may predate are kept.
    const inWorkbook = new Set(ids as string[]);
    const { keepSubmitted } = options;
    const diffs = await Promise.all(
      RECORD_COLLECTIONS.map((collection) =>
        store.recordWrites(
          options.planId,
          collection,
          records[collection],
          collection === 'activities' && keepSubmitted ? () => keepSubmitted(inWorkbook) : undefined,
        ),
      ),
    );
    const writes = { ...NO_WRITES };
    for (const { counts } of diffs) {
      writes.created += counts.created;
      writes.updated += counts.updated;
      writes.deleted += counts.deleted;
    }
    // Issues are rewritten only when they (or the settings and counts) changed.
    const inputChanged = inputHash !== existing?.inputHash;
    const issues = inputChanged
      ? store.issueWrites(options.planId, result.issues, existing?.issueChunks ?? 0)
      : { writes: [], chunks: existing?.issueChunks ?? 0 };
    const pending: PendingWrite[] = [...diffs.flatMap((diff) => diff.writes), ...issues.writes];
    options.progress?.({ phase: 'writing', written: 0, total: pending.length });
    wrote = pending.length > 0;
    // Each batch logs the record changes it commits, atomically with them (store/changeLog.ts).
    // Timed now, after the stored records were read: a change another writer made before that
    // read (a form submission this sync then deletes) is logged at an earlier time, so the log
    // replays in the order the changes were made.
    const log = {
      planId: options.planId,
      context: {
        at: clock.now(),
        by: options.author ?? options.caller,
        source: 'sync' as const,
        keepDays: historyDays(model.settings),
      },
      tag: syncId.slice(0, 8),
    };
    await store.commitWrites(
      pending,
      (written) => options.progress?.({ phase: 'writing', written, total: pending.length }),
      log,
    );
    // A sync that died after its writes left them unversioned: this one moves the version for them.
    const changed = tookOver || inputChanged || writes.created + writes.updated + writes.deleted > 0;
    const workbookLocation = options.workbookLocation ?? existing?.workbook;
    const plan: Omit<PlanDoc, 'version'> = {
      planId: options.planId,
      owner: existing?.owner ?? options.caller,
      editors: model.settings.editors.map((email) => email.toLowerCase()),
      settings: model.settings,
      inputHash,
      tabs: result.tabs,
      sources: result.sources as PlanDoc['sources'],
      issueChunks: issues.chunks,
      syncedAt: options.now.toISOString(),
      syncedBy: options.caller,
      ...(workbookLocation ? { workbook: workbookLocation } : {}),
    };
    const version = await store.finishSync(plan, syncId, changed);
    options.progress?.({ phase: 'saved', version });
    return { ...base, writes, version };
  } catch (error) {
    await store.abandonClaim(options.planId, syncId, wrote).catch(() => {});
    throw error;
  }
}
