/**
 * A restored field value (§12 `gongjian restore PATH ID --field NAME`, http/restoreField.ts) on its
 * way into the workbook, by the queue that carries submitted and restored rows (submit.ts):
 *   - It lands once. The record with the field put back, the cell's queue entry and the change
 *     (source restore) are one batch that creates the entry only if new, keyed by the change undone.
 *   - It loses no other change. The batch replaces the record only if it is still the version the
 *     restore read (its update time); a sync that committed in between fails it, and the restore
 *     reads again and recomputes from the record as that sync left it.
 *   - A concurrent sync cannot undo it. The flush writes the value into the one cell of the row
 *     holding the record's ID (both workbook writers: adapters/workbook/xlsxCells.ts, sheets.ts).
 *     Until a sync reads a workbook whose cell holds it, every sync — which brings the store to the
 *     workbook it was sent, perhaps read before the write — takes the record with the restored
 *     value in place of the cell's (protectRestoredCells, read after the sync read the stored
 *     records, as protectSubmitted is for rows); so a stale workbook writes nothing back over it.
 *     The first sync whose cell holds the value clears the entry: the sheet is the field's source
 *     again. A value staff type over the written cell before any sync read it is held for that
 *     day (WRITTEN_GRACE_MS, as for a written row), then the sheet wins.
 */
import type { Firestore, QueryDocumentSnapshot, Timestamp } from 'firebase-admin/firestore';
import type { RecordTabKey } from '../../../shared/columns';
import type { Log } from '../logs';
import type { ChangeContext } from '../store/changeLog';
import { docIdOf } from '../store/docIds';
import { GRPC_STATUS, hasGrpcStatus } from '../store/grpcStatus';
import { submissionsRef } from '../store/paths';
import { COLLECTION_OF, type RecordDoc, recordDoc } from '../store/records';
import { clearEntries, commitQueued, RestoredCellEntry, restoreQueued, WRITTEN_GRACE_MS } from './submit';

/**
 * Stores a restored field value (§12, http/restoreField.ts) as queueRecord stores a row: the
 * record with that field put back, the cell's queue entry and the change-log chunk (source
 * restore, the field's old → new) in one batch that creates the entry only if new. The record is
 * replaced only if it is still the version read (`readAt`, its update time): a sync that changed
 * it meanwhile fails the batch (`conflict`) rather than have its other changes overwritten, and
 * the caller reads again. `created` is false for a key seen before.
 */
export async function queueCell(
  db: Firestore,
  input: {
    planId: string;
    key: string;
    tab: RecordTabKey;
    before: RecordDoc;
    readAt: Timestamp;
    field: string;
    value: unknown;
    change: ChangeContext;
  },
): Promise<{ created: boolean; conflict?: true }> {
  const entry: RestoredCellEntry = {
    ...restoreQueued(input.key, input.planId, input.change.at),
    kind: 'cell',
    tab: input.tab,
    recordId: input.before.id,
    field: input.field,
    ...(input.value !== undefined && { value: JSON.parse(JSON.stringify(input.value)) }),
  };
  const record = withField(input.before, input.field, input.value);
  try {
    return await commitQueued(db, input.planId, entry, COLLECTION_OF[input.tab], record, input.change, {
      before: input.before.data,
      readAt: input.readAt,
    });
  } catch (error) {
    if (hasGrpcStatus(error, GRPC_STATUS.FAILED_PRECONDITION)) return { created: false, conflict: true };
    throw error;
  }
}

/** A record with one field set to a value (absent: removed), its hash recomputed. */
function withField(record: RecordDoc, field: string, value: unknown): RecordDoc {
  const { [field]: _old, ...rest } = record.data;
  return recordDoc(record.id, { ...rest, ...(value !== undefined && { [field]: value }), row: record.row });
}

/**
 * The records of a tab whose restored field value a sync must keep (the module comment's
 * argument, for one cell): read after the sync read the stored records, so an entry committed
 * with its record is seen with it. For each cell entry of the tab whose record the workbook holds:
 * if its cell holds the restored value, the entry is cleared (from then on the sheet is the
 * field's source again); else, while the entry is queued or was written less than
 * WRITTEN_GRACE_MS ago — the workbook may predate the write —, the record is taken with the
 * restored value in place of the cell's (several fields of one record combine). Entries whose
 * row is gone, or written longer ago, are cleared. Returns the records to use, by document ID.
 */
export async function protectRestoredCells(
  db: Firestore,
  planId: string,
  records: readonly RecordDoc[],
  now: Date,
  tab: RecordTabKey,
  log?: Log,
): Promise<Map<string, RecordDoc>> {
  const entries = await submissionsRef(db, planId).where('kind', '==', 'cell').get();
  const pinned = new Map<string, RecordDoc>();
  if (entries.empty) return pinned;
  const byId = new Map(records.map((record) => [record.id, record]));
  const cleared: QueryDocumentSnapshot[] = [];
  for (const doc of entries.docs) {
    const entry = RestoredCellEntry.parse(doc.data());
    if (entry.tab !== tab) continue;
    const docId = docIdOf(entry.recordId);
    const record = pinned.get(docId) ?? byId.get(entry.recordId);
    const fresh =
      entry.state === 'queued' ||
      now.getTime() - Date.parse(entry.writtenAt ?? entry.submittedAt) < WRITTEN_GRACE_MS;
    const holds =
      record !== undefined && JSON.stringify(record.data[entry.field]) === JSON.stringify(entry.value);
    if (record === undefined || holds || !fresh) {
      // A queued cell whose row is not in this workbook waits for its flush, which finds none.
      if (holds || entry.state === 'written') cleared.push(doc);
      continue;
    }
    pinned.set(docId, withField(record, entry.field, entry.value));
  }
  await clearEntries(db, planId, cleared, log);
  return pinned;
}
