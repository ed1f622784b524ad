/**
 * How records are kept in Firestore: one document per partner, measure or activity, holding the
 * record (without its sheet row), the row it came from, and a content hash. The hash leaves the
 * row out, so moving rows around in the sheet writes nothing.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { RecordTabKey } from '../../../shared/columns';
import { Activity, Measure, Partner } from '../../../shared/model';

export const RECORD_COLLECTIONS = ['partners', 'measures', 'activities'] as const;
export type RecordCollection = (typeof RECORD_COLLECTIONS)[number];

/** The workbook tab each collection's records come from (the change log names tabs, not collections). */
export const TAB_OF: Record<RecordCollection, RecordTabKey> = {
  partners: 'partners',
  measures: 'plan',
  activities: 'activities',
};

/** The record collection of each sheet tab (TAB_OF reversed). */
export const COLLECTION_OF: Record<RecordTabKey, RecordCollection> = {
  partners: 'partners',
  plan: 'measures',
  activities: 'activities',
};

/** The record schema of each collection, for parsing what Firestore returns. */
export const RECORD_SCHEMAS = { partners: Partner, measures: Measure, activities: Activity } as const;
export type RecordOf<C extends RecordCollection> = z.infer<(typeof RECORD_SCHEMAS)[C]>;

/** A record document as stored. */
export interface RecordDoc {
  id: string;
  row: number;
  hash: string;
  data: Record<string, unknown>;
}

/** The stored form of a record: its fields without the row and without absent values. */
export function recordDoc<T extends { row: number }>(id: string, record: T): RecordDoc {
  const { row, ...fields } = record;
  const data = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
  return { id, row, hash: contentHash(data), data };
}

/** A stable hash of a record's content (its keys sorted, so field order never matters). */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 22);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const StoredRecord = z.object({ row: z.number().int(), data: z.record(z.string(), z.unknown()) });

/** Parses a stored record document back into its typed record (throws on a corrupt document). */
export function parseRecordDoc<C extends RecordCollection>(collection: C, doc: unknown): RecordOf<C> {
  const stored = StoredRecord.parse(doc);
  return RECORD_SCHEMAS[collection].parse({ ...stored.data, row: stored.row }) as RecordOf<C>;
}
