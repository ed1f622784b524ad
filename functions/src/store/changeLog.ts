/**
 * The change log's layout in Firestore (§12): plans/{planId}/changes/{chunkId}, one document per
 * commit batch of a sync (or per form submission, per restore), holding that batch's record
 * changes. The shapes of a change are shared/history.ts; this module only stores and reads them.
 *
 * Why an entry exists exactly when its record change landed, and never twice:
 *   - A chunk is written in the same batch as the record writes it describes (PlanStore.commitWrites,
 *     requests/submit.ts), and a Firestore batch is atomic: both land or neither does.
 *   - A sync computes its changes against what is stored, so a change that landed is not computed
 *     again by a retried or a later sync (the record's hash already matches). A batch the client
 *     library retries rewrites the same chunk ID (fixed before the commit), so it cannot double.
 *   - A submission's and a restore's chunk IDs derive from their idempotency keys, and their
 *     batches create their queue entry with create(): a second delivery writes nothing at all.
 * Cost: one chunk document per batch of up to 499 record writes — a sync changing k rows writes
 * about k/499 more documents; an unchanged sync writes none. The entries are one JSON string
 * field (excluded from indexing in firestore.indexes.json), so a chunk costs one index entry per
 * indexed field, not one per value.
 * Retention: `expireAt` is the write time plus the plan's 变更记录保留天数; a TTL policy on it
 * (firestore.indexes.json fieldOverrides) deletes the chunk, as for rate limits and mail.
 */
import { type Firestore, type QueryDocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import * as z from 'zod';
import {
  CHANGE_SOURCES,
  type ChangeEntry,
  type ChangeSource,
  type RecordChange,
  RecordChangeSchema,
} from '../../../shared/history';
import { changesRef } from './paths';

const DAY_MS = 86_400_000;
/** A chunk's entries stay well under Firestore's 1 MiB document limit. */
export const CHUNK_BYTES = 900_000;

/** Who writes a set of changes, when and from where, and how long they are kept. */
export interface ChangeContext {
  at: Date;
  by: string;
  source: ChangeSource;
  keepDays: number;
}

const StoredChunk = z.object({
  at: z.string(),
  by: z.string(),
  source: z.enum(CHANGE_SOURCES),
  entries: z.string(),
});

/**
 * A chunk document's ID: the write time first, then the writer's tag and, for a sync's batches,
 * their number, zero-padded so that IDs sort as the changes were made.
 */
export function chunkId(context: ChangeContext, tag: string, n?: number): string {
  return `${context.at.toISOString()}~${tag}${n === undefined ? '' : `-${String(n).padStart(5, '0')}`}`;
}

/** The document a chunk of changes is stored as. */
export function chunkDoc(context: ChangeContext, changes: readonly RecordChange[]): Record<string, unknown> {
  return {
    at: context.at.toISOString(),
    by: context.by,
    source: context.source,
    expireAt: Timestamp.fromMillis(context.at.getTime() + context.keepDays * DAY_MS),
    count: changes.length,
    entries: JSON.stringify(changes),
  };
}

/** A change's stored size, for the chunk limit. */
export function changeBytes(change: RecordChange): number {
  return Buffer.byteLength(JSON.stringify(change)) + 1;
}

/** The chunk document reference for an ID. */
export function chunkRef(db: Firestore, planId: string, id: string) {
  return changesRef(db, planId).doc(id);
}

/**
 * A plan's changes, newest first: those at or after `since` (an ISO instant), at most `limit`
 * (whole chunks are read, newest first, until the limit is reached), filtered by `keep`.
 */
export async function readChanges(
  db: Firestore,
  planId: string,
  options: { since?: string; limit?: number; keep?: (entry: ChangeEntry) => boolean } = {},
): Promise<ChangeEntry[]> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const found: ChangeEntry[] = [];
  // Ties of `at` (one sync's chunks) fall back to the document ID, in the same direction.
  let query = changesRef(db, planId).orderBy('at', 'desc');
  if (options.since) query = query.where('at', '>=', options.since);
  const page = 20;
  let last: QueryDocumentSnapshot | undefined;
  for (;;) {
    const snapshot = await (last ? query.startAfter(last) : query).limit(page).get();
    for (const doc of snapshot.docs) {
      const chunk = StoredChunk.parse(doc.data());
      const changes = z.array(RecordChangeSchema).parse(JSON.parse(chunk.entries));
      // Within a chunk, entries are in write order: the later ones are newer.
      for (const change of changes.reverse()) {
        const entry: ChangeEntry = { ...change, at: chunk.at, by: chunk.by, source: chunk.source };
        if (options.since && entry.at < options.since) continue;
        if (options.keep && !options.keep(entry)) continue;
        found.push(entry);
        if (found.length >= limit) return found;
      }
    }
    if (snapshot.size < page) return found;
    last = snapshot.docs[snapshot.docs.length - 1];
  }
}
