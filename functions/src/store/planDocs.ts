/**
 * The shapes of a plan's own documents — the plan, its statistics, its roll-up summary and a
 * sync's claim — as zod schemas, so every read of them is parsed at the store's boundary and
 * nothing past PlanStore touches raw DocumentData. Where each lives is PlanStore's business
 * (paths.ts); this module only says what they hold. No Firestore import: a schema cannot read.
 */
import * as z from 'zod';
import type { RecordTabKey, TabKey } from '../../../shared/columns';
import { PendingDeletion } from '../../../shared/deletionGuard';
import { GongjianError } from '../../../shared/errors';
import { Settings } from '../../../shared/model';
import type { PlanSummary } from '../../../shared/rollup';
import type { Stats } from '../../../shared/stats-types';
import type { TabCounts, TabSource } from '../../../shared/validate';

/**
 * How long a sync's claim lives. The api function is stopped by the platform after its timeout
 * (functions/src/http/apiFunction.ts, 300 s), so an older claim belongs to a sync that died.
 */
export const SYNC_CLAIM_MS = 330_000;
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
  /** A hash of what a sync stores besides the records: settings, tab counts, sources and issues. */
  inputHash: z.string(),
  /** Moved by every sync that changed a record, the settings or the issues (stats/refresh.ts). */
  version: z.number().int(),
  tabs: z.record(z.string(), TabCountsSchema),
  sources: z.record(z.string(), z.object({ name: z.string(), header: z.array(z.string()) })),
  issueChunks: z.number().int(),
  syncedAt: z.string(),
  syncedBy: z.string(),
  workbook: WorkbookLocation.optional(),
  /** Deletions the last sync held back for confirmation (shared/deletionGuard.ts). */
  pendingDeletions: z.array(PendingDeletion).optional(),
  /** Pending deletions confirmed outside a sync (`gongjian confirm-deletions`): the next sync applies them. */
  confirmedDeletions: z.array(PendingDeletion.pick({ tab: true, token: true })).optional(),
});
export type PlanDoc = z.infer<typeof PlanDoc>;
/** A confirmation of one pending deletion: its tab and its set's token. */
export type DeletionConfirmation = NonNullable<PlanDoc['confirmedDeletions']>[number];

export const StatsDoc = z.object({
  asOf: z.string(),
  inputVersion: z.number().int(),
  computedAt: z.string(),
  stats: z.custom<Stats>((value) => typeof value === 'object' && value !== null),
});
export type StatsDoc = z.infer<typeof StatsDoc>;

/** A plan's roll-up summary, labelled with the statistics it was made from (saveStats). */
export const SummaryDoc = z.object({
  inputVersion: z.number().int(),
  asOf: z.string(),
  summary: z.custom<PlanSummary>((value) => typeof value === 'object' && value !== null),
});
export type SummaryDoc = z.infer<typeof SummaryDoc>;

/**
 * How a summary is stored: its JSON text in one string field, not as a map. A roll-up reads every
 * member's summary (1,000 of them at the bench's scale); as a map, each is a few hundred nested
 * values that the emulator or Firestore encodes and the client decodes one by one — most of a
 * recomputation's time at 1,000 members (bench/districtBench.ts) — while one string costs a
 * JSON.parse. A summary stored as a map before this is still read.
 */
const StoredSummary = z.union([
  z.object({ inputVersion: z.number().int(), asOf: z.string(), summaryJson: z.string() }),
  SummaryDoc,
]);

/** A summary as its document stores it. */
export function storedSummary(doc: SummaryDoc): { inputVersion: number; asOf: string; summaryJson: string } {
  return { inputVersion: doc.inputVersion, asOf: doc.asOf, summaryJson: JSON.stringify(doc.summary) };
}

/** A summary document as read, whichever way it was stored. */
export function summaryOfStored(data: unknown): SummaryDoc {
  const stored = StoredSummary.parse(data);
  if (!('summaryJson' in stored)) return stored;
  return SummaryDoc.parse({
    inputVersion: stored.inputVersion,
    asOf: stored.asOf,
    summary: JSON.parse(stored.summaryJson),
  });
}

/** The claim of a sync in progress. */
export const SyncClaim = z.object({
  syncId: z.string(),
  caller: z.string(),
  startedAt: z.string(),
  /** Epoch milliseconds; past it the claim belongs to a sync that died (SYNC_CLAIM_MS). */
  expiresAt: z.number(),
});
export type SyncClaim = z.infer<typeof SyncClaim>;

/** Another sync of the plan held it for longer than a sync may wait, or took over this sync's claim. */
export class SyncBusyError extends GongjianError<'sync_in_progress'> {
  override readonly name = 'SyncBusyError';
  constructor(readonly planId: string) {
    super(
      'sync_in_progress',
      '另一次同步正在进行，请稍后再同步',
      'Another sync of this plan is in progress; sync again in a moment',
    );
  }
}

/** The confirmations stored in a plan document (none when the field is absent). */
export function confirmationsOf(value: unknown): DeletionConfirmation[] {
  return PlanDoc.shape.confirmedDeletions.parse(value ?? undefined) ?? [];
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
