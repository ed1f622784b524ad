/**
 * Sync: the workbook as sent by the add-on (or the local stack) is validated whole with shared/,
 * activity rows without an ID get one, and the store is brought to exactly the accepted rows,
 * writing only what changed. Validate-only requests run the same path without writing.
 */
import type { RecordTabKey } from '../../../shared/columns';
import type { Issue } from '../../../shared/issues';
import type { IsoDate } from '../../../shared/model';
import type { TabCounts } from '../../../shared/validate';
import type { RawWorkbook } from '../../../shared/workbook';
import type { PlanDoc, PlanStore, WorkbookLocation, WriteCounts } from '../store/planStore';
import {
  contentHash,
  RECORD_COLLECTIONS,
  type RecordCollection,
  type RecordDoc,
  recordDoc,
} from '../store/records';
import { validateAsOf } from '../validateToday';
import { type AssignedId, assignActivityIds } from './assignIds';

export interface SyncOptions {
  planId: string;
  /** Who asked: becomes the owner when the sync creates the plan. */
  caller: string;
  now: Date;
  /** The plan as stored, or undefined for the first sync (which creates it). */
  existing: PlanDoc | undefined;
  workbookLocation?: WorkbookLocation;
}

export interface SyncResult {
  asOf: IsoDate;
  /** False for validate-only requests and for workbooks whose settings are in error. */
  applied: boolean;
  tabs: Record<RecordTabKey, TabCounts>;
  issues: Issue[];
  assignedIds: AssignedId[];
  writes: WriteCounts;
  version: number;
}

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
  const writes = { ...NO_WRITES };
  for (const collection of RECORD_COLLECTIONS) {
    const counts = await store.replaceRecords(options.planId, collection, records[collection]);
    writes.created += counts.created;
    writes.updated += counts.updated;
    writes.deleted += counts.deleted;
  }
  const settingsHash = contentHash(model.settings);
  const changed =
    writes.created + writes.updated + writes.deleted > 0 || settingsHash !== options.existing?.settingsHash;
  const version = (options.existing?.version ?? 0) + (changed ? 1 : 0);
  const workbookLocation = options.workbookLocation ?? options.existing?.workbook;
  const plan: PlanDoc = {
    planId: options.planId,
    owner: options.existing?.owner ?? options.caller,
    editors: model.settings.editors.map((email) => email.toLowerCase()),
    settings: model.settings,
    settingsHash,
    version,
    tabs: result.tabs,
    sources: result.sources as PlanDoc['sources'],
    issueChunks: 0,
    syncedAt: options.now.toISOString(),
    syncedBy: options.caller,
    ...(workbookLocation ? { workbook: workbookLocation } : {}),
  };
  await store.saveSync(plan, result.issues);
  return { ...base, writes, version };
}
