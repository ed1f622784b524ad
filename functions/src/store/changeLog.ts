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
 * about k/499 more documents; an unchanged sync writes none. The entries are one field, their JSON
 * deflated (`packed`, bytes; excluded from indexing in firestore.indexes.json): a created record's
 * entry holds all its values, so as plain JSON a first sync's log outweighed the records it
 * describes (4.0 MB for 3.3 MB at 10,000 activities; 0.5 MB deflated), and the emulator spent
 * about half again its CPU on them. A chunk costs one index entry per indexed field, not one per
 * value — plus `ids`, the IDs of the records it changed, one index
 * entry each (O(k) for k changes, like the records themselves).
 * Reading one record's changes (`history --row`, a restore) queries `ids` array-contains (with
 * `at` descending: the composite index in firestore.indexes.json), so it reads the chunks that
 * name the record, not the whole log: its cost grows with that record's changes, not the plan's.
 * Retention: `expireAt` is the write time plus the plan's 变更记录保留天数; a TTL policy on it
 * (firestore.indexes.json fieldOverrides) deletes the chunk, as for rate limits and mail.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
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
  /** Chunks written before entries were packed hold them as a JSON string. */
  entries: z.string().optional(),
  packed: z.instanceof(Uint8Array).optional(),
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
    ids: [...new Set(changes.map((change) => change.id))],
    // Level 1: a sixth of the size already, at about 3 ms for a full chunk.
    packed: deflateRawSync(JSON.stringify(changes), { level: 1 }),
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

/** How many chunk documents readChanges read: what the indexed query saves (tests, bench). */
export interface ChunkReads {
  chunks: number;
}

/** Firestore's limit on the values of one array-contains-any filter. */
const ANY_OF_LIMIT = 30;

/**
 * A plan's changes, newest first: those at or after `since` (an ISO instant), of the records
 * `ids` names (any tab; through the `ids` index, see the module comment), at most `limit`
 * (whole chunks are read, newest first, until the limit is reached), filtered by `keep`.
 * `reads` counts the chunk documents read.
 */
export async function readChanges(
  db: Firestore,
  planId: string,
  options: {
    since?: string;
    limit?: number;
    ids?: readonly string[];
    keep?: (entry: ChangeEntry) => boolean;
    reads?: ChunkReads;
  } = {},
): Promise<ChangeEntry[]> {
  const { ids } = options;
  if (ids !== undefined && ids.length > ANY_OF_LIMIT) {
    // One query per group of IDs; each group's entries are its own IDs', so the groups merge by time.
    const groups: string[][] = [];
    for (let i = 0; i < ids.length; i += ANY_OF_LIMIT) groups.push(ids.slice(i, i + ANY_OF_LIMIT));
    const found = await Promise.all(
      groups.map((group) => readChanges(db, planId, { ...options, ids: group })),
    );
    const merged = found.flat().sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    return merged.slice(0, options.limit ?? merged.length);
  }
  const wanted = ids === undefined ? undefined : new Set(ids);
  if (wanted?.size === 0) return [];
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const found: ChangeEntry[] = [];
  // Ties of `at` (one sync's chunks) fall back to the document ID, in the same direction.
  let query = changesRef(db, planId).orderBy('at', 'desc');
  if (wanted)
    query =
      wanted.size === 1
        ? query.where('ids', 'array-contains', [...wanted][0])
        : query.where('ids', 'array-contains-any', [...wanted]);
  if (options.since) query = query.where('at', '>=', options.since);
  const page = 20;
  let last: QueryDocumentSnapshot | undefined;
  for (;;) {
    const snapshot = await (last ? query.startAfter(last) : query).limit(page).get();
    if (options.reads) options.reads.chunks += snapshot.size;
    for (const doc of snapshot.docs) {
      const chunk = StoredChunk.parse(doc.data());
      const json = chunk.packed ? inflateRawSync(chunk.packed).toString('utf8') : (chunk.entries ?? '[]');
      const changes = z.array(RecordChangeSchema).parse(JSON.parse(json));
      // Within a chunk, entries are in write order: the later ones are newer.
      for (const change of changes.reverse()) {
        const entry: ChangeEntry = { ...change, at: chunk.at, by: chunk.by, source: chunk.source };
        if (options.since && entry.at < options.since) continue;
        if (wanted && !wanted.has(entry.id)) continue;
        if (options.keep && !options.keep(entry)) continue;
        found.push(entry);
        if (found.length >= limit) return found;
      }
    }
    if (snapshot.size < page) return found;
    last = snapshot.docs[snapshot.docs.length - 1];
  }
}
