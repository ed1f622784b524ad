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
 *
 * Deletions pass the mass-deletion guard first (shared/deletionGuard.ts): a tab's deletions that
 * need confirmation are held back — not written, named in the plan document and the answer with a
 * token of their exact set — unless this request, or `gongjian confirm-deletions` before it,
 * confirmed that very set. Held records stay in the store, so the statistics stay those of the
 * stored records, and the generated tabs say the figures include them. A held deletion is not
 * written, so it is not logged either until it lands.
 */
import { createHash, randomUUID } from 'node:crypto';
import { validateAsOf } from '../../../adapters/workbook/validateToday';
import type { ApiPendingDeletion, SyncRequest, SyncResponse } from '../../../shared/api';
import type { RecordTabKey } from '../../../shared/columns';
import {
  type DeletionGuard,
  deletionGuardOf,
  deletionNeedsConfirmation,
  type PendingDeletion,
  pendingDeletionSentence,
} from '../../../shared/deletionGuard';
import { historyDays } from '../../../shared/model';
import type { RawWorkbook } from '../../../shared/workbook';
import type { Clock } from '../clock';
import {
  type DeletionConfirmation,
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
   * The records of a tab a sync must keep although its workbook lacks their rows: activities
   * submitted through update requests, and restored records of any tab, that the workbook may
   * predate (requests/submit.ts protectSubmitted). `inWorkbook`: the tab's IDs in this workbook.
   */
  keepSubmitted?: (inWorkbook: ReadonlySet<string>, tab: RecordTabKey) => Promise<ReadonlySet<string>>;
  /**
   * The records of a tab to take with a restored field value in place of the workbook's cell,
   * which may predate its write (requests/restoreCell.ts protectRestoredCells), by document ID.
   */
  pinRestored?: (records: readonly RecordDoc[], tab: RecordTabKey) => Promise<ReadonlyMap<string, RecordDoc>>;
  /** The clock of the claim's expiry and of the wait for another sync's claim. */
  clock: Clock;
  /** Held deletions the person confirmed with this request (SyncRequest.confirmDeletions). */
  confirmDeletions?: SyncRequest['confirmDeletions'];
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
  if (!store || !applied)
    return { ...base, writes: NO_WRITES, version: options.existing?.version ?? 0, pendingDeletions: [] };

  const records: Record<RecordCollection, RecordDoc[]> = {
    partners: model.partners.map((p) => recordDoc(p.partnerId, p)),
    measures: model.measures.map((m) => recordDoc(m.measureId, m)),
    activities: model.activities.map((a, i) => recordDoc(ids[i] as string, { ...a, activityId: ids[i] })),
  };
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
    // Rows submitted or restored that this workbook may predate are kept.
    // And restored field values it may predate are kept (requests/restoreCell.ts).
    const { keepSubmitted, pinRestored } = options;
    const protect = async (collection: RecordCollection) => {
      const tab = TAB_OF[collection];
      const [keep, pinned] = await Promise.all([
        keepSubmitted?.(new Set(records[collection].map((r) => r.id)), tab) ?? new Set<string>(),
        pinRestored?.(records[collection], tab),
      ]);
      return { keep, ...(pinned && { pinned }) };
    };
    const diffs = await Promise.all(
      RECORD_COLLECTIONS.map((collection) =>
        store.recordWrites(
          options.planId,
          collection,
          records[collection],
          keepSubmitted || pinRestored ? () => protect(collection) : undefined,
        ),
      ),
    );
    // The guard: each tab's deletions go, or wait for a confirmation of exactly that set.
    const guard = holdDeletions(
      RECORD_COLLECTIONS.map((collection, i) => ({
        tab: TAB_OF[collection],
        ...(diffs[i] as (typeof diffs)[number]).deletions,
        stored: (diffs[i] as (typeof diffs)[number]).stored,
      })),
      deletionGuardOf(model.settings),
      [...(options.confirmDeletions ?? []), ...(existing?.confirmedDeletions ?? [])],
    );
    const writes = { ...NO_WRITES, deleted: guard.deleted };
    for (const { counts } of diffs) {
      writes.created += counts.created;
      writes.updated += counts.updated;
    }
    const pendingDeletions: PendingDeletion[] = guard.pending.map(({ tab, count, total, token }) => ({
      tab,
      count,
      total,
      token,
    }));
    const inputHash = contentHash({
      settings: model.settings,
      tabs: result.tabs,
      sources: result.sources,
      issues: result.issues,
      // A held deletion changes what the generated tabs say, so it moves the version too (absent when
      // none, so plans synced before the guard keep their hash).
      pendingDeletions: pendingDeletions.length > 0 ? pendingDeletions : undefined,
    });
    // Issues are rewritten only when they (or the settings and counts) changed.
    const inputChanged = inputHash !== existing?.inputHash;
    const issues = inputChanged
      ? store.issueWrites(options.planId, result.issues, existing?.issueChunks ?? 0)
      : { writes: [], chunks: existing?.issueChunks ?? 0 };
    const pending: PendingWrite[] = [
      ...diffs.flatMap((diff) => diff.writes),
      ...guard.writes,
      ...issues.writes,
    ];
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
      ...(pendingDeletions.length > 0 ? { pendingDeletions } : {}),
    };
    const version = await store.finishSync(plan, syncId, changed);
    options.progress?.({ phase: 'saved', version });
    return { ...base, writes, version, pendingDeletions: guard.pending };
  } catch (error) {
    await store.abandonClaim(options.planId, syncId, wrote).catch(() => {});
    throw error;
  }
}

/** The sheet tab each record collection comes from. */
const TAB_OF: Record<RecordCollection, RecordTabKey> = {
  partners: 'partners',
  measures: 'plan',
  activities: 'activities',
};

/** One tab's deletions as the store would write them. */
interface TabDeletions {
  tab: RecordTabKey;
  docIds: string[];
  writes: PendingWrite[];
  stored: number;
}

/**
 * Applies the guard to each tab's deletions: those that need no confirmation, or whose exact set
 * was confirmed, are written; the others are held and described for the answer.
 */
function holdDeletions(
  tabs: TabDeletions[],
  thresholds: DeletionGuard,
  confirmations: readonly DeletionConfirmation[],
): { writes: PendingWrite[]; deleted: number; pending: ApiPendingDeletion[] } {
  const outcome = { writes: [] as PendingWrite[], deleted: 0, pending: [] as ApiPendingDeletion[] };
  for (const { tab, docIds, writes, stored } of tabs) {
    if (deletionNeedsConfirmation(docIds.length, stored, thresholds)) {
      const token = deletionToken(tab, docIds);
      const forTab = confirmations.filter((c) => c.tab === tab);
      if (!forTab.some((c) => c.token === token)) {
        const held: PendingDeletion = { tab, count: docIds.length, total: stored, token };
        // Confirmed, but another set: the workbook changed after the person looked.
        const changed = forTab.length > 0;
        const [message, messageEn] = pendingDeletionSentence(held, changed);
        outcome.pending.push({ ...held, changed, message, messageEn });
        continue;
      }
    }
    outcome.writes.push(...writes);
    outcome.deleted += docIds.length;
  }
  return outcome;
}

/** Names a tab's set of deleted records, whatever their order: what a confirmation must repeat. */
function deletionToken(tab: RecordTabKey, docIds: readonly string[]): string {
  const hash = createHash('sha256').update(tab);
  for (const id of [...docIds].sort()) hash.update(`\u0000${id}`);
  return hash.digest('hex').slice(0, 32);
}
