/**
 * The record store: plans and their records in Firestore (firebase-admin). Layout:
 *   plans/{planId}                      settings, owner, editors, sync metadata, input version
 *   plans/{planId}/{partners|measures|activities}/{docId}   one record each (see records.ts)
 *   plans/{planId}/issues/{n}           the last sync's issues, in chunks
 *   plans/{planId}/stats/current        the last statistics, with the as-of date and input version
 *   plans/{planId}/stats/refresh        the coalescing state of recomputation (stats/refresh.ts)
 * Only this module knows the layout; everything past it works with parsed, typed data.
 */
import type { DocumentReference, Firestore, WriteBatch } from 'firebase-admin/firestore';
import * as z from 'zod';
import type { RecordTabKey, TabKey } from '../../../shared/columns';
import type { Issue } from '../../../shared/issues';
import { type PlanModel, Settings } from '../../../shared/model';
import type { Stats } from '../../../shared/stats-types';
import type { TabCounts, TabSource } from '../../../shared/validate';
import { docIdOf } from './docIds';
import { parseRecordDoc, RECORD_COLLECTIONS, type RecordCollection, type RecordDoc } from './records';

/** Firestore allows 500 writes in one batch. */
const BATCH_LIMIT = 500;
const ISSUES_PER_CHUNK = 400;

const TabCountsSchema = z.object({ rows: z.number(), accepted: z.number(), rejected: z.number() });

/** Where a plan's workbook lives, so triggers can write its generated tabs. */
export const WorkbookLocation = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('xlsx'), path: z.string() }),
  z.object({ kind: z.literal('sheets'), spreadsheetId: z.string() }),
]);
export type WorkbookLocation = z.infer<typeof WorkbookLocation>;

export const PlanDoc = z.object({
  planId: z.string(),
  owner: z.string(),
  editors: z.array(z.string()),
  settings: Settings,
  settingsHash: z.string(),
  /** Bumped by every sync that changed a record or the settings. */
  version: z.number().int(),
  tabs: z.record(z.string(), TabCountsSchema),
  sources: z.record(z.string(), z.object({ name: z.string(), header: z.array(z.string()) })),
  issueChunks: z.number().int(),
  syncedAt: z.string(),
  syncedBy: z.string(),
  workbook: WorkbookLocation.optional(),
});
export type PlanDoc = z.infer<typeof PlanDoc>;

export const StatsDoc = z.object({
  asOf: z.string(),
  inputVersion: z.number().int(),
  computedAt: z.string(),
  stats: z.custom<Stats>((value) => typeof value === 'object' && value !== null),
});
export type StatsDoc = z.infer<typeof StatsDoc>;

export interface WriteCounts {
  created: number;
  updated: number;
  deleted: number;
}

/** Plans and records in Firestore. */
export class PlanStore {
  constructor(readonly db: Firestore) {}

  plan(planId: string): DocumentReference {
    return this.db.collection('plans').doc(planId);
  }

  async getPlan(planId: string): Promise<PlanDoc | undefined> {
    const snapshot = await this.plan(planId).get();
    return snapshot.exists ? PlanDoc.parse(snapshot.data()) : undefined;
  }

  /**
   * Brings a collection to exactly the given records: creates and updates by content hash,
   * deletes what is gone, in batches of at most 500 writes. Unchanged records are not written.
   */
  async replaceRecords(
    planId: string,
    collection: RecordCollection,
    records: RecordDoc[],
  ): Promise<WriteCounts> {
    const ref = this.plan(planId).collection(collection);
    const existing = new Map<string, string | undefined>();
    const snapshot = await ref.select('hash').get();
    for (const doc of snapshot.docs) existing.set(doc.id, doc.get('hash') as string | undefined);

    const writes: ((batch: WriteBatch) => void)[] = [];
    const counts: WriteCounts = { created: 0, updated: 0, deleted: 0 };
    const wanted = new Set<string>();
    for (const record of records) {
      const docId = docIdOf(record.id);
      wanted.add(docId);
      const hash = existing.get(docId);
      if (hash === record.hash) continue;
      if (existing.has(docId)) counts.updated += 1;
      else counts.created += 1;
      writes.push((batch) => batch.set(ref.doc(docId), record));
    }
    for (const docId of existing.keys()) {
      if (wanted.has(docId)) continue;
      counts.deleted += 1;
      writes.push((batch) => batch.delete(ref.doc(docId)));
    }
    await this.commitInBatches(writes);
    return counts;
  }

  private async commitInBatches(writes: ((batch: WriteBatch) => void)[]): Promise<void> {
    for (let i = 0; i < writes.length; i += BATCH_LIMIT) {
      const batch = this.db.batch();
      for (const write of writes.slice(i, i + BATCH_LIMIT)) write(batch);
      await batch.commit();
    }
  }

  /** Saves the plan document and the sync's issues (replacing the previous sync's). */
  async saveSync(plan: PlanDoc, issues: Issue[]): Promise<void> {
    const ref = this.plan(plan.planId);
    const chunks: Issue[][] = [];
    for (let i = 0; i < issues.length; i += ISSUES_PER_CHUNK)
      chunks.push(issues.slice(i, i + ISSUES_PER_CHUNK));
    const old = await ref.collection('issues').select().get();
    const writes: ((batch: WriteBatch) => void)[] = [];
    chunks.forEach((chunk, n) => {
      writes.push((batch) => batch.set(ref.collection('issues').doc(String(n)), { n, issues: chunk }));
    });
    for (const doc of old.docs) {
      if (Number(doc.id) >= chunks.length) writes.push((batch) => batch.delete(doc.ref));
    }
    writes.push((batch) => batch.set(ref, { ...plan, issueChunks: chunks.length }));
    await this.commitInBatches(writes);
  }

  /** The last sync's issues, in order. */
  async loadIssues(planId: string): Promise<Issue[]> {
    const snapshot = await this.plan(planId).collection('issues').get();
    return snapshot.docs
      .map((doc) => ({ n: Number(doc.id), issues: (doc.get('issues') ?? []) as Issue[] }))
      .sort((a, b) => a.n - b.n)
      .flatMap((chunk) => chunk.issues);
  }

  /** The accepted records of a plan as a typed model, in sheet order. */
  async loadModel(plan: PlanDoc): Promise<PlanModel> {
    const [partners, measures, activities] = await Promise.all(
      RECORD_COLLECTIONS.map(async (collection) => {
        const snapshot = await this.plan(plan.planId).collection(collection).get();
        return snapshot.docs
          .map((doc) => parseRecordDoc(collection, doc.data()))
          .sort((a, b) => a.row - b.row);
      }),
    );
    return {
      settings: plan.settings,
      partners: partners as PlanModel['partners'],
      measures: measures as PlanModel['measures'],
      activities: activities as PlanModel['activities'],
    };
  }

  async getStats(planId: string): Promise<StatsDoc | undefined> {
    const snapshot = await this.plan(planId).collection('stats').doc('current').get();
    return snapshot.exists ? StatsDoc.parse(snapshot.data()) : undefined;
  }

  async saveStats(planId: string, stats: StatsDoc): Promise<void> {
    await this.plan(planId).collection('stats').doc('current').set(stats);
  }
}

/** The counts and sources a sync leaves in the plan document, typed for the summary tables. */
export function planSources(plan: PlanDoc): {
  tabs: Record<RecordTabKey, TabCounts>;
  sources: Partial<Record<TabKey, TabSource>>;
} {
  const empty = { rows: 0, accepted: 0, rejected: 0 };
  return {
    tabs: {
      partners: plan.tabs.partners ?? empty,
      plan: plan.tabs.plan ?? empty,
      activities: plan.tabs.activities ?? empty,
    },
    sources: plan.sources as Partial<Record<TabKey, TabSource>>,
  };
}
