/**
 * The record store: plans and their records in Firestore (firebase-admin), in the layout of
 * paths.ts. Only this module reads and writes plans (what their documents hold: planDocs.ts; how a
 * set of writes is committed: batches.ts); everything past it works with parsed, typed
 * data. Why the claim and the version make one recomputation per sync enough: stats/refresh.ts.
 */
import type {
  CollectionReference,
  DocumentReference,
  Firestore,
  Query,
  QuerySnapshot,
  Transaction,
} from 'firebase-admin/firestore';
import type { RecordTabKey } from '../../../shared/columns';
import type { PendingDeletion } from '../../../shared/deletionGuard';
import { type RecordData, recordChange } from '../../../shared/history';
import type { Issue } from '../../../shared/issues';
import type { PlanModel } from '../../../shared/model';
import type { PlanSummary } from '../../../shared/rollup';
import type { Clock } from '../clock';
import { type ChangeLogTarget, commitInBatches, type PendingWrite, sizeOf } from './batches';
import { docIdOf } from './docIds';
import {
  CURRENT_DOC,
  ISSUES_COLLECTION,
  PLANS_COLLECTION,
  planRef,
  STATS_COLLECTION,
  SUMMARY_DOC,
  SYNCS_COLLECTION,
} from './paths';
import {
  confirmationsOf,
  PlanDoc,
  StatsDoc,
  type SummaryDoc,
  SyncBusyError,
  SyncClaim,
  storedSummary,
  summaryOfStored,
} from './planDocs';
import { parseRecordDoc, RECORD_COLLECTIONS, type RecordCollection, type RecordDoc, TAB_OF } from './records';

// The documents' shapes and the batching have their own modules; callers keep importing them here,
// where the store that owns the layout is.
export type { ChangeLogTarget, PendingWrite } from './batches';
export {
  type DeletionConfirmation,
  PlanDoc,
  planSources,
  StatsDoc,
  SummaryDoc,
  SYNC_CLAIM_MS,
  SyncBusyError,
  SyncClaim,
  WorkbookLocation,
} from './planDocs';

/** Issues per stored chunk document (well under the 1 MiB document limit). */
export const ISSUES_PER_CHUNK = 400;
/** How long a sync waits for another sync of the same plan to finish before giving up. */
const CLAIM_WAIT_MS = 120_000;

export interface WriteCounts {
  created: number;
  updated: number;
  deleted: number;
}

export interface PlanStoreOptions {
  /**
   * Whether record writes are logged (§12). Always on in every runtime; the benchmark alone turns
   * it off to measure what the log costs a sync.
   */
  changeLog?: boolean;
}

/** What a recomputation reads, all at one point in time (see readSnapshot). */
export interface PlanSnapshot {
  plan: PlanDoc;
  claim: SyncClaim | undefined;
  stats: (StatsDoc & { recomputations: number }) | undefined;
  model: PlanModel;
  issues: Issue[];
}

/** A plan's version beside its statistics' and its sync claim (see PlanStore.freshness). */
export interface PlanFreshness {
  planId: string;
  version: number;
  timezone: string;
  stats: { inputVersion: number; asOf: string } | undefined;
  /** Present while a sync holds the plan, or after one died holding it. */
  claimExpiresAt: number | undefined;
}

/** Plans and records in Firestore. */
export class PlanStore {
  /** Documents this store has written (every set, update and delete it committed): the benchmark's count. */
  documentWrites = 0;
  private readonly changeLog: boolean;

  constructor(
    private readonly db: Firestore,
    options: PlanStoreOptions = {},
  ) {
    this.changeLog = options.changeLog ?? true;
  }

  private plan(planId: string): DocumentReference {
    return planRef(this.db, planId);
  }

  private claimRef(planId: string): DocumentReference {
    return this.plan(planId).collection(SYNCS_COLLECTION).doc(CURRENT_DOC);
  }

  private statsRef(planId: string): DocumentReference {
    return this.plan(planId).collection(STATS_COLLECTION).doc(CURRENT_DOC);
  }

  private summaryRef(planId: string): DocumentReference {
    return this.plan(planId).collection(STATS_COLLECTION).doc(SUMMARY_DOC);
  }

  private issuesRef(planId: string) {
    return this.plan(planId).collection(ISSUES_COLLECTION);
  }

  /** The ID of every stored plan. */
  async planIds(): Promise<string[]> {
    return (await this.db.collection(PLANS_COLLECTION).select().get()).docs.map((doc) => doc.id);
  }

  async getPlan(planId: string): Promise<PlanDoc | undefined> {
    const snapshot = await this.plan(planId).get();
    return snapshot.exists ? PlanDoc.parse(snapshot.data()) : undefined;
  }

  /** The claim of the sync writing the plan now, if any (a live or an abandoned one). */
  async getClaim(planId: string): Promise<SyncClaim | undefined> {
    const snapshot = await this.claimRef(planId).get();
    return snapshot.exists ? SyncClaim.parse(snapshot.data()) : undefined;
  }

  /**
   * Claims the plan for one sync: creates its claim document, waiting while a live sync holds it
   * and taking over an expired one. `tookOver` says the previous sync died mid-way: its record
   * writes may be in the store without the version having moved. The wait counts the pauses
   * only, so a clock pinned by a test cannot make it endless.
   */
  async claimSync(
    planId: string,
    claim: SyncClaim,
    clock: Clock,
    waitMs = CLAIM_WAIT_MS,
  ): Promise<{ tookOver: boolean }> {
    const ref = this.claimRef(planId);
    let waited = 0;
    for (let pause = 50; ; pause = Math.min(pause * 2, 500)) {
      const outcome = await this.db.runTransaction(async (tx) => {
        const held = await tx.get(ref);
        const previous = held.exists ? SyncClaim.parse(held.data()) : undefined;
        if (previous && previous.expiresAt > clock.now().getTime()) return 'busy' as const;
        tx.set(ref, claim);
        this.documentWrites += 1;
        return previous ? ('tookOver' as const) : ('claimed' as const);
      });
      if (outcome !== 'busy') return { tookOver: outcome === 'tookOver' };
      if (waited + pause > waitMs) throw new SyncBusyError(planId);
      await clock.sleep(pause);
      waited += pause;
    }
  }

  /**
   * Gives up the claim of a sync that failed. One that wrote nothing is deleted; one that wrote
   * is kept but expired, so no recomputation reads its half and the next sync takes over at once
   * (and moves the version for what was written).
   */
  async abandonClaim(planId: string, syncId: string, wrote: boolean): Promise<void> {
    const ref = this.claimRef(planId);
    await this.db.runTransaction(async (tx) => {
      const held = await tx.get(ref);
      if (!held.exists || held.get('syncId') !== syncId) return;
      if (wrote) tx.update(ref, { expiresAt: 0 });
      else tx.delete(ref);
      this.documentWrites += 1;
    });
  }

  /**
   * The writes that bring a collection to exactly the given records: creates and updates by
   * content hash, and apart, the deletes of what is gone — the sync decides whether they go
   * (shared/deletionGuard.ts) — with the document IDs they delete and how many documents were
   * stored. One query, for the hashes only. `protect`, read after that query, names document IDs
   * not to delete (submitted rows not yet in the workbook: requests/submit.ts). With the change
   * log on, each write carries its record change: the stored content of the records it changes
   * or deletes is read then, k reads for k changes (one getAll).
   */
  async recordWrites(
    planId: string,
    collection: RecordCollection,
    records: RecordDoc[],
    protect?: () => Promise<{ keep: ReadonlySet<string>; pinned?: ReadonlyMap<string, RecordDoc> }>,
  ): Promise<{
    writes: PendingWrite[];
    counts: Omit<WriteCounts, 'deleted'>;
    deletions: { docIds: string[]; writes: PendingWrite[] };
    stored: number;
  }> {
    const ref = this.plan(planId).collection(collection);
    const existing = new Map<string, string | undefined>();
    const snapshot = await ref.select('hash').get();
    for (const doc of snapshot.docs) existing.set(doc.id, doc.get('hash') as string | undefined);
    // Read after the hashes (requests/submit.ts): kept records, and records whose restored cell
    // the workbook does not hold yet, taken as pinned (requests/restoreCell.ts).
    const { keep: kept, pinned } = protect ? await protect() : { keep: new Set<string>() };

    const counts = { created: 0, updated: 0 };
    const wanted = new Set<string>();
    const changed: { docId: string; record: RecordDoc }[] = [];
    for (const given of records) {
      const docId = docIdOf(given.id);
      const record = pinned?.get(docId) ?? given;
      wanted.add(docId);
      const hash = existing.get(docId);
      if (hash === record.hash) continue;
      if (existing.has(docId)) counts.updated += 1;
      else counts.created += 1;
      changed.push({ docId, record });
    }
    const deleted: string[] = [];
    for (const docId of existing.keys()) {
      if (wanted.has(docId) || kept.has(docId)) continue;
      deleted.push(docId);
    }
    const before = await this.storedContent(
      ref,
      this.changeLog ? [...changed.map((c) => c.docId), ...deleted].filter((id) => existing.has(id)) : [],
    );
    const tab = TAB_OF[collection];
    const withChange = (docId: string, record: RecordDoc | undefined, write: PendingWrite): PendingWrite => {
      const old = before.get(docId);
      const change = this.changeLog
        ? recordChange(tab, record?.id ?? old?.id ?? docId, old?.data, record?.data)
        : undefined;
      return change ? { ...write, change } : write;
    };
    const writes = changed.map(({ docId, record }) =>
      withChange(docId, record, {
        apply: (batch) => batch.set(ref.doc(docId), record),
        bytes: sizeOf(record),
      }),
    );
    const deletions = {
      docIds: deleted,
      writes: deleted.map((docId) =>
        withChange(docId, undefined, {
          apply: (batch) => batch.delete(ref.doc(docId)),
          bytes: docId.length + 100,
        }),
      ),
    };
    return { writes, counts, deletions, stored: existing.size };
  }

  /** The stored ID and content of some records of a collection, by document ID (one getAll). */
  private async storedContent(
    ref: CollectionReference,
    docIds: string[],
  ): Promise<Map<string, { id: string; data: RecordData }>> {
    const found = new Map<string, { id: string; data: RecordData }>();
    if (docIds.length === 0) return found;
    const docs = await this.db.getAll(...docIds.map((id) => ref.doc(id)), { fieldMask: ['id', 'data'] });
    for (const doc of docs) {
      if (!doc.exists) continue;
      found.set(doc.id, { id: String(doc.get('id') ?? doc.id), data: (doc.get('data') ?? {}) as RecordData });
    }
    return found;
  }

  /** The writes that replace the plan's stored issues with these, in chunks, and how many chunks. */
  issueWrites(
    planId: string,
    issues: Issue[],
    previousChunks: number,
  ): { writes: PendingWrite[]; chunks: number } {
    const ref = this.issuesRef(planId);
    const writes: PendingWrite[] = [];
    let chunks = 0;
    for (let i = 0; i < issues.length; i += ISSUES_PER_CHUNK, chunks += 1) {
      const doc = { n: chunks, issues: issues.slice(i, i + ISSUES_PER_CHUNK) };
      const id = String(chunks);
      writes.push({ apply: (batch) => batch.set(ref.doc(id), doc), bytes: sizeOf(doc) });
    }
    for (let n = chunks; n < previousChunks; n++) {
      writes.push({ apply: (batch) => batch.delete(ref.doc(String(n))), bytes: 100 });
    }
    return { writes, chunks };
  }

  /**
   * Commits writes in batches (store/batches.ts), counting the documents written. With a change
   * context, each batch also writes the change-log chunk of its own writes; `tag` makes the chunk
   * IDs this call's own.
   */
  async commitWrites(
    writes: PendingWrite[],
    onCommitted?: (written: number) => void,
    log?: ChangeLogTarget,
  ): Promise<void> {
    await commitInBatches(
      this.db,
      writes,
      (documents) => {
        this.documentWrites += documents;
      },
      onCommitted,
      log,
    );
  }

  /**
   * Ends a sync in one transaction: saves the plan document, moving its version when something
   * changed, and deletes the sync's claim. Returns the version now stored. Fails if the claim is
   * no longer this sync's (it expired and another sync took over): that sync's writes win.
   */
  async finishSync(
    plan: Omit<PlanDoc, 'version' | 'confirmedDeletions'>,
    syncId: string,
    changed: boolean,
  ): Promise<number> {
    const planRef = this.plan(plan.planId);
    const claimRef = this.claimRef(plan.planId);
    return this.db.runTransaction(async (tx) => {
      const [stored, claim] = await Promise.all([tx.get(planRef), tx.get(claimRef)]);
      if (!claim.exists || claim.get('syncId') !== syncId) {
        throw new SyncBusyError(plan.planId);
      }
      const version = Number(stored.get('version') ?? 0) + (changed ? 1 : 0);
      // A confirmation recorded while this sync ran stays for the next one if it names a deletion
      // this sync held back; one this sync applied, or one of a set no longer pending, goes.
      const pending = new Set((plan.pendingDeletions ?? []).map((p) => `${p.tab}:${p.token}`));
      const confirmed = confirmationsOf(stored.get('confirmedDeletions')).filter((c) =>
        pending.has(`${c.tab}:${c.token}`),
      );
      tx.set(planRef, {
        ...plan,
        ...(confirmed.length > 0 ? { confirmedDeletions: confirmed } : {}),
        version,
      });
      tx.delete(claimRef);
      this.documentWrites += 2;
      return version;
    });
  }

  /**
   * Records the confirmation of the deletions the last sync held back (of one tab, or of all), in
   * one transaction on the plan; the next sync applies them if the same records are still to be
   * deleted. `token`, when given, must name the set pending now.
   */
  async confirmDeletions(
    planId: string,
    which: { tab?: RecordTabKey | undefined; token?: string | undefined },
  ): Promise<PendingDeletion[] | 'none' | 'changed'> {
    const ref = this.plan(planId);
    return this.db.runTransaction(async (tx) => {
      const stored = await tx.get(ref);
      const pending = (PlanDoc.shape.pendingDeletions.parse(stored.get('pendingDeletions')) ?? []).filter(
        (p) => which.tab === undefined || p.tab === which.tab,
      );
      if (pending.length === 0) return 'none' as const;
      if (which.token !== undefined && !pending.some((p) => p.token === which.token))
        return 'changed' as const;
      const confirming = which.token === undefined ? pending : pending.filter((p) => p.token === which.token);
      const others = confirmationsOf(stored.get('confirmedDeletions')).filter(
        (c) => !confirming.some((p) => p.tab === c.tab),
      );
      tx.update(ref, {
        confirmedDeletions: [...others, ...confirming.map(({ tab, token }) => ({ tab, token }))],
      });
      this.documentWrites += 1;
      return confirming;
    });
  }

  /** The last sync's issues, in order. */
  async loadIssues(planId: string): Promise<Issue[]> {
    return issuesFrom(await this.issuesRef(planId).get());
  }

  /** The accepted records of a plan as a typed model, in sheet order: one query per collection. */
  async loadModel(plan: PlanDoc): Promise<PlanModel> {
    const snapshots = await Promise.all(
      RECORD_COLLECTIONS.map((collection) => this.recordQuery(plan.planId, collection).get()),
    );
    return modelFrom(plan, snapshots);
  }

  /**
   * The plan, its sync claim, statistics, records and issues as they all were at one instant (a
   * read-only transaction), so a sync's batches are either all in what is read, or its claim is.
   */
  async readSnapshot(planId: string): Promise<PlanSnapshot | undefined> {
    return this.db.runTransaction(
      async (tx: Transaction) => {
        const [planDoc, claim, stats, issues, ...records] = await Promise.all([
          tx.get(this.plan(planId)),
          tx.get(this.claimRef(planId)),
          tx.get(this.statsRef(planId)),
          tx.get(this.issuesRef(planId)),
          ...RECORD_COLLECTIONS.map((collection) => tx.get(this.recordQuery(planId, collection))),
        ]);
        if (!planDoc.exists) return undefined;
        const plan = PlanDoc.parse(planDoc.data());
        return {
          plan,
          claim: claim.exists ? SyncClaim.parse(claim.data()) : undefined,
          stats: stats.exists
            ? { ...StatsDoc.parse(stats.data()), recomputations: Number(stats.get('recomputations') ?? 0) }
            : undefined,
          model: modelFrom(plan, records),
          issues: issuesFrom(issues),
        };
      },
      { readOnly: true },
    );
  }

  /** Only what a record is made of; the hash and the ID are the sync's business. */
  private recordQuery(planId: string, collection: RecordCollection): Query {
    return this.plan(planId).collection(collection).select('row', 'data');
  }

  async getStats(planId: string): Promise<StatsDoc | undefined> {
    const snapshot = await this.statsRef(planId).get();
    return snapshot.exists ? StatsDoc.parse(snapshot.data()) : undefined;
  }

  /**
   * What decides whether statistics need recomputing, for one plan or (no ID) every plan: three
   * small reads per plan at most, batched into two round trips, and no record read.
   */
  async freshness(planId?: string): Promise<PlanFreshness[]> {
    const plans = planId
      ? [await this.plan(planId).get()].filter((doc) => doc.exists)
      : (await this.db.collection(PLANS_COLLECTION).select('version', 'settings.timezone').get()).docs;
    if (plans.length === 0) return [];
    const related = await this.db.getAll(
      ...plans.flatMap((doc) => [this.statsRef(doc.id), this.claimRef(doc.id)]),
      { fieldMask: ['inputVersion', 'asOf', 'expiresAt'] },
    );
    return plans.map((doc, i) => {
      const stats = related[2 * i];
      const claim = related[2 * i + 1];
      return {
        planId: doc.id,
        version: Number(doc.get('version') ?? 0),
        timezone: String(doc.get('settings.timezone') ?? ''),
        stats: stats?.exists
          ? { inputVersion: Number(stats.get('inputVersion')), asOf: String(stats.get('asOf')) }
          : undefined,
        claimExpiresAt: claim?.exists ? Number(claim.get('expiresAt')) : undefined,
      };
    });
  }

  /** How many recomputations the plan's statistics have had (the benchmark's and the tests' count). */
  async recomputations(planId: string): Promise<number> {
    const snapshot = await this.statsRef(planId).get();
    return Number(snapshot.get('recomputations') ?? 0);
  }

  /**
   * Saves statistics unless newer ones are stored (a later input version, or the same version as
   * of a later date): recomputations that overlap can finish in any order. Counts the
   * recomputation either way. True when these statistics were saved. `summary` (the plan boiled
   * down for a district roll-up) is saved with them in the same transaction, so a summary is always
   * that of the statistics stored: redelivered and reordered events end in the newest of both.
   */
  async saveStats(planId: string, stats: StatsDoc, summary?: PlanSummary): Promise<boolean> {
    const ref = this.statsRef(planId);
    return this.db.runTransaction(async (tx) => {
      const stored = await tx.get(ref);
      const recomputations = Number(stored.get('recomputations') ?? 0) + 1;
      const version = Number(stored.get('inputVersion') ?? -1);
      const asOf = String(stored.get('asOf') ?? '');
      const newer = version > stats.inputVersion || (version === stats.inputVersion && asOf > stats.asOf);
      this.documentWrites += 1;
      if (stored.exists && newer) {
        tx.update(ref, { recomputations });
        return false;
      }
      tx.set(ref, { ...stats, recomputations });
      if (summary) {
        const doc: SummaryDoc = { inputVersion: stats.inputVersion, asOf: stats.asOf, summary };
        tx.set(this.summaryRef(planId), storedSummary(doc));
        this.documentWrites += 1;
      }
      return true;
    });
  }

  /** Documents read by summaries(): the roll-up benchmark's count (no record is ever among them). */
  summaryReads = 0;

  /**
   * The stored summaries of these plans, in the order given (undefined for a plan with none yet):
   * one batched read of one small document per plan, no record read.
   */
  async summaries(planIds: readonly string[]): Promise<(SummaryDoc | undefined)[]> {
    if (planIds.length === 0) return [];
    const docs = await this.db.getAll(...planIds.map((id) => this.summaryRef(id)));
    this.summaryReads += docs.length;
    return docs.map((doc) => (doc.exists ? summaryOfStored(doc.data()) : undefined));
  }
}

function issuesFrom(snapshot: QuerySnapshot): Issue[] {
  return snapshot.docs
    .map((doc) => ({ n: Number(doc.id), issues: (doc.get('issues') ?? []) as Issue[] }))
    .sort((a, b) => a.n - b.n)
    .flatMap((chunk) => chunk.issues);
}

function modelFrom(plan: PlanDoc, snapshots: QuerySnapshot[]): PlanModel {
  const [partners, measures, activities] = RECORD_COLLECTIONS.map((collection, i) =>
    (snapshots[i]?.docs ?? [])
      .map((doc) => parseRecordDoc(collection, doc.data()))
      .sort((a, b) => a.row - b.row),
  );
  return {
    settings: plan.settings,
    partners: (partners ?? []) as PlanModel['partners'],
    measures: (measures ?? []) as PlanModel['measures'],
    activities: (activities ?? []) as PlanModel['activities'],
  };
}
