/**
 * The change log (§12) against the Firestore emulator: every sync logs exactly what it changed —
 * created, updated field by field, deleted with the last values — in chunks written in the same
 * batches as the records; an unchanged re-sync logs nothing; a retried sync, two syncs of one plan
 * and a form submission racing a sync each leave every change logged once. The property: any
 * sequence of workbooks synced, then the log replayed from empty, equals the store, and every
 * deletion carries the exact record it removed.
 */

import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import type { Timestamp } from 'firebase-admin/firestore';
import { describe, expect, it } from 'vitest';
import { writeSample } from '../../../adapters/workbook/sample';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { readXlsx } from '../../../adapters/workbook/xlsxReader';
import type { Clock } from '../../../functions/src/clock';
import { createApi } from '../../../functions/src/http/api';
import { protectRestoredCells, queueCell } from '../../../functions/src/requests/restoreCell';
import {
  createVersionMover,
  flushSubmissions,
  protectSubmitted,
  type SubmissionRowWriter,
  submitActivity,
} from '../../../functions/src/requests/submit';
import { readChanges } from '../../../functions/src/store/changeLog';
import { changesRef } from '../../../functions/src/store/paths';
import { PlanStore } from '../../../functions/src/store/planStore';
import { RECORD_COLLECTIONS, type RecordDoc, TAB_OF } from '../../../functions/src/store/records';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import type { RecordTabKey } from '../../../shared/columns';
import { type ChangeEntry, type RecordData, replayChanges } from '../../../shared/history';
import { sampleWorkbook } from '../../../shared/sample';
import type { CellValue, RawTab, RawWorkbook } from '../../../shared/workbook';
import { tempFolder } from '../../adapters/workbook/helpers';
import { pinnedClock } from '../../support/clock';
import { useFirestoreEmulator } from '../../support/firestore';
import { answerOf, apiRequest } from '../../support/http';

const fs = useFirestoreEmulator('history', { reset: true });
const START = new Date('2026-06-30T04:00:00Z');
const OWNER = 'owner@example.cn';

/** The 活动 tab's columns in the sample: ID, title, participants. */
const ID = 0;
const TITLE = 4;
const PEOPLE = 6;

function activitiesOf(workbook: RawWorkbook): RawTab {
  return workbook.tabs.find((tab) => tab.name === '活动') as RawTab;
}

/** The sample with its 活动 rows replaced (and numbered from row 2), the other tabs as they are. */
function withActivities(base: RawWorkbook, rows: CellValue[][]): RawWorkbook {
  return {
    ...base,
    tabs: base.tabs.map((tab) =>
      tab.name === '活动'
        ? { ...tab, rows: rows.map((cells, i) => ({ row: i + 2, cells: [...cells] })) }
        : tab,
    ),
  };
}

async function sync(
  store: PlanStore,
  planId: string,
  workbook: RawWorkbook,
  at: Date,
  author = OWNER,
  clock: Clock = pinnedClock(at),
) {
  return syncPlan(
    workbook,
    { planId, caller: OWNER, author, now: at, existing: await store.getPlan(planId), clock },
    store,
  );
}

/** A clock one millisecond later at every reading: writers racing in one process take turns on it. */
function tickingClock(from: Date): Clock {
  let ms = from.getTime();
  return {
    now: () => new Date(ms++),
    sleep: async (pause) => {
      ms += pause;
    },
  };
}

/** Every stored record's content, by tab and ID: what the log must replay to. */
async function storedRecords(planId: string): Promise<Record<RecordTabKey, Map<string, RecordData>>> {
  const db = fs.firestore();
  const out = {} as Record<RecordTabKey, Map<string, RecordData>>;
  for (const collection of RECORD_COLLECTIONS) {
    const docs = await db.collection('plans').doc(planId).collection(collection).get();
    out[TAB_OF[collection]] = new Map(docs.docs.map((doc) => [String(doc.get('id')), doc.get('data')]));
  }
  return out;
}

async function chunkCount(planId: string): Promise<number> {
  return (await changesRef(fs.firestore(), planId).count().get()).data().count;
}

/**
 * The sample with only its 活动 rows that carry an ID: a row without one gets an ID from its
 * content and position, so reordering such rows is a change of its own (assignIds.ts).
 */
function numberedSample(): { base: RawWorkbook; rows: CellValue[][] } {
  const sample = sampleWorkbook(2026);
  const rows = activitiesOf(sample)
    .rows.map((r) => r.cells)
    .filter((cells) => cells[ID] !== null && cells[ID] !== '');
  return { base: withActivities(sample, rows), rows };
}

const minutes = (n: number) => new Date(START.getTime() + n * 60_000);

/** The staff API over the emulator, every caller's token their email: `call(method, route, who, body?, query?)`. */
function apiCaller(store: PlanStore, planId: string, at: Date = minutes(2)) {
  const db = fs.firestore();
  const api = createApi({
    store,
    verifyIdentity: async (header) => ({
      email: String(header).replace('Bearer ', ''),
      viaDevToken: false,
    }),
    admins: [],
    maxBodyBytes: 1_000_000,
    now: () => at,
    sleep: async () => {},
    history: { db, moveVersion: createVersionMover(db) },
  });
  return async (method: string, route: string, who: string, body?: unknown, query?: unknown) => {
    const { status, body: json } = await answerOf(
      api,
      apiRequest(method, `/v1/plans/${planId}/${route}`, { body, query, caller: who }),
    );
    return { status, json };
  };
}

/**
 * Syncs of the plan's .xlsx as the API runs them: keeping the rows a restore (or the form) queued
 * and the restored cells, which the workbook synced may predate.
 */
function protectedSync(store: PlanStore, planId: string, path: string) {
  const db = fs.firestore();
  return (workbook: RawWorkbook, at: Date) =>
    syncPlan(
      workbook,
      {
        planId,
        caller: OWNER,
        now: at,
        existing: undefined,
        workbookLocation: { kind: 'xlsx', path },
        clock: pinnedClock(at),
        keepSubmitted: (inWorkbook, tab) => protectSubmitted(db, planId, inWorkbook, at, tab),
        pinRestored: (records, tab) => protectRestoredCells(db, planId, records, at, tab),
      },
      store,
    );
}

describe('the change log', () => {
  it('logs creations, field updates and deletions once, and nothing for an unchanged re-sync', async () => {
    const store = new PlanStore(fs.firestore());
    const db = fs.firestore();
    const { base, rows } = numberedSample();
    await sync(store, 'p1', base, minutes(0));
    const first = await readChanges(db, 'p1');
    // 10 partners, 18 measures, 119 activities in the sample: each created once, by the owner.
    const stored = await storedRecords('p1');
    const total = stored.partners.size + stored.plan.size + stored.activities.size;
    expect(first).toHaveLength(total);
    expect(new Set(first.map((e) => `${e.tab}/${e.id}`)).size).toBe(total);
    expect(first.every((e) => e.op === 'created' && e.by === OWNER && e.source === 'sync')).toBe(true);
    const chunks = await chunkCount('p1');

    // Unchanged, and only reordered: no entry and no chunk.
    await sync(store, 'p1', base, minutes(1));
    await sync(store, 'p1', withActivities(base, [...rows].reverse()), minutes(2));
    expect(await chunkCount('p1')).toBe(chunks);

    // One cell edited, two rows deleted: one update naming the field, two deletions with their values.
    const edited = rows.map((cells) => [...cells]);
    const target = edited[5] as CellValue[];
    const oldPeople = target[PEOPLE];
    target[PEOPLE] = 77;
    const gone = [edited[7], edited[9]].map((cells) => String((cells as CellValue[])[ID]));
    const before = await storedRecords('p1');
    const kept = edited.filter((cells) => !gone.includes(String(cells[ID])));
    await sync(store, 'p1', withActivities(base, kept), minutes(3), '张三（本地）');
    const latest = await readChanges(db, 'p1', { since: minutes(3).toISOString() });
    expect(latest).toHaveLength(3);
    const update = latest.find((e) => e.op === 'updated') as ChangeEntry;
    expect(update).toMatchObject({
      tab: 'activities',
      id: String(target[ID]),
      by: '张三（本地）',
      fields: [{ field: 'participants', old: oldPeople, new: 77 }],
    });
    for (const id of gone) {
      const deletion = latest.find((e) => e.op === 'deleted' && e.id === id);
      expect(deletion?.data).toEqual(before.activities.get(id));
    }
    expect(await chunkCount('p1')).toBe(chunks + 1);
  });

  it("reads one record's changes through the ids index, not the whole log", async () => {
    const store = new PlanStore(fs.firestore());
    const db = fs.firestore();
    const { base, rows } = numberedSample();
    await sync(store, 'pIdx', base, minutes(0));
    // Ten syncs, each editing another row: eleven chunks in all.
    let current = rows.map((cells) => [...cells]);
    for (let n = 1; n <= 10; n++) {
      current = current.map((cells, i) =>
        i === n ? cells.map((c, j) => (j === PEOPLE ? 100 + n : c)) : cells,
      );
      await sync(store, 'pIdx', withActivities(base, current), minutes(n));
    }
    expect(await chunkCount('pIdx')).toBe(11);
    const id = String((rows[3] as CellValue[])[ID]);
    const reads = { chunks: 0 };
    const changes = await readChanges(db, 'pIdx', { ids: [id], reads });
    expect(changes.map((e) => e.op)).toEqual(['updated', 'created']);
    expect(changes.every((e) => e.id === id)).toBe(true);
    // Only the creation's chunk and the edit's: the other nine are never read.
    expect(reads.chunks).toBe(2);
    // Many IDs at once, of every tab (over Firestore's 30 per array-contains-any): merged newest first.
    const stored = await storedRecords('pIdx');
    const many = [...stored.partners.keys(), ...stored.plan.keys(), ...stored.activities.keys()];
    expect(many.length).toBeGreaterThan(30);
    const all = await readChanges(db, 'pIdx', { ids: many });
    expect(all.filter((e) => e.op === 'updated').map((e) => e.id)).toEqual(
      [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((i) => String((rows[i] as CellValue[])[ID])),
    );
    expect(all.filter((e) => e.op === 'created')).toHaveLength(many.length);
  });

  it('keeps entries packed, and still reads a chunk written before packing', async () => {
    const store = new PlanStore(fs.firestore());
    const db = fs.firestore();
    const { base } = numberedSample();
    await sync(store, 'pPack', base, minutes(0));
    const logged = await readChanges(db, 'pPack');
    const chunk = (await changesRef(db, 'pPack').limit(1).get()).docs[0];
    // Stored as deflated bytes, far smaller than the JSON it holds.
    const packed = chunk?.get('packed') as Uint8Array;
    expect(packed).toBeInstanceOf(Uint8Array);
    expect(chunk?.get('entries')).toBeUndefined();
    const json = inflateRawSync(packed).toString('utf8');
    expect(packed.length * 3).toBeLessThan(Buffer.byteLength(json));
    // A chunk as written before: the same entries as a JSON string read back the same.
    const { packed: _, ...plain } = chunk?.data() ?? {};
    await changesRef(db, 'pOld')
      .doc(String(chunk?.id))
      .set({ ...plain, entries: json });
    const old = await readChanges(db, 'pOld');
    expect(old.length).toBeGreaterThan(0);
    expect(old).toEqual(logged.filter((e) => old.some((o) => o.tab === e.tab && o.id === e.id)));
  });

  it('logs each change once when a sync is retried after a lost answer, two syncs race, and a form submission races a sync', async () => {
    const store = new PlanStore(fs.firestore());
    const db = fs.firestore();
    const { base, rows } = numberedSample();
    await sync(store, 'p2', base, minutes(0));
    const afterFirst = (await readChanges(db, 'p2')).length;
    // The same request again, as a client does when the answer was lost.
    await sync(store, 'p2', base, minutes(1));
    expect(await readChanges(db, 'p2')).toHaveLength(afterFirst);

    // Two syncs of one plan at once, each editing another row's title; and a form submission.
    const a = rows.map((cells, i) => (i === 1 ? cells.map((c, j) => (j === TITLE ? '甲改' : c)) : cells));
    const b = a.map((cells, i) => (i === 2 ? cells.map((c, j) => (j === TITLE ? '乙改' : c)) : cells));
    const link = {
      tokenHash: 'hash-1',
      planId: 'p2',
      name: '王五',
    } as Parameters<typeof submitActivity>[1];
    const clock = tickingClock(minutes(2));
    await Promise.all([
      sync(store, 'p2', withActivities(base, a), minutes(2), OWNER, clock),
      sync(store, 'p2', withActivities(base, b), minutes(2), OWNER, clock),
      submitActivity({ db, now: clock.now }, link, {
        key: 'k1',
        activity: { date: '2026-06-29', measureId: '1.1', partners: [], title: '填报活动' },
        kind: 'activity',
        plan: { reviewReports: false, historyDays: 730 },
      }),
      // The same submission delivered twice.
      submitActivity({ db, now: clock.now }, link, {
        key: 'k1',
        activity: { date: '2026-06-29', measureId: '1.1', partners: [], title: '填报活动' },
        kind: 'activity',
        plan: { reviewReports: false, historyDays: 730 },
      }),
    ]);
    const since = await readChanges(db, 'p2', { since: minutes(2).toISOString() });
    // A change is its record and its values: when the syncs land B then A, A puts row 2's title
    // back — a second, different change of the same field, logged once too.
    const key = (e: ChangeEntry) => `${e.op} ${e.tab}/${e.id} ${JSON.stringify(e.fields)}`;
    const counts = new Map<string, number>();
    for (const e of since) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    const form = since.filter((e) => e.source === 'form');
    expect(form).toHaveLength(1);
    expect(form[0]).toMatchObject({ op: 'created', by: '王五（填报）', tab: 'activities' });
    // Whatever order the syncs ran in, the log replayed from empty is the store.
    const replayed = replayChanges([...(await readChanges(db, 'p2'))].reverse());
    const stored = await storedRecords('p2');
    for (const tab of ['partners', 'plan', 'activities'] as const) expect(replayed[tab]).toEqual(stored[tab]);
  });

  it('property: any sequence of synced workbooks replays from its log to the store, and every deletion holds its record', async () => {
    const db = fs.firestore();
    const base = sampleWorkbook(2026);
    const pool = activitiesOf(base)
      .rows.slice(0, 12)
      .map((r) => r.cells);
    const edit = fc.record({
      keep: fc.array(fc.boolean(), { minLength: pool.length, maxLength: pool.length }),
      people: fc.array(fc.option(fc.integer({ min: 0, max: 50 })), {
        minLength: pool.length,
        maxLength: pool.length,
      }),
      dropId: fc.array(fc.boolean(), { minLength: pool.length, maxLength: pool.length }),
      reverse: fc.boolean(),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const planId = `prop${run++}`;
        const store = new PlanStore(db);
        let step = 0;
        for (const e of edits) {
          let rows = pool
            .map((cells, i) => {
              const next = [...cells];
              if (e.people[i] !== null) next[PEOPLE] = e.people[i] ?? null;
              // A row without its ID gets a new one from the sync: the old record is deleted.
              if (e.dropId[i] && i % 3 === 0) next[ID] = null;
              return next;
            })
            .filter((_, i) => e.keep[i]);
          if (e.reverse) rows = rows.reverse();
          const before = await storedRecords(planId);
          const at = minutes(step++);
          await sync(store, planId, withActivities(base, rows), at);
          for (const deletion of (await readChanges(db, planId, { since: at.toISOString() })).filter(
            (c) => c.op === 'deleted',
          )) {
            expect(deletion.data).toEqual(before[deletion.tab].get(deletion.id));
          }
        }
        const replayed = replayChanges([...(await readChanges(db, planId))].reverse());
        const stored = await storedRecords(planId);
        for (const tab of ['partners', 'plan', 'activities'] as const)
          expect(replayed[tab]).toEqual(stored[tab]);
      }),
      { numRuns: 6 },
    );
  }, 60_000);

  it('restores a deleted partner and measure into their tabs, kept from a sync that predates the append', async () => {
    const db = fs.firestore();
    const store = new PlanStore(db);
    const folder = tempFolder();
    try {
      const path = join(folder.dir, 'plan.xlsx');
      await writeSample(path, 2026, '2026-06-30');
      const full = await readXlsx(path);
      const planId = 'p4';
      const syncNow = protectedSync(store, planId, path);
      await syncNow(full, minutes(0));
      const before = await storedRecords(planId);
      // Partner P11 and measure 3.5 deleted from their tabs (the activities naming them are refused).
      const without: RawWorkbook = {
        ...full,
        tabs: full.tabs.map((tab) => ({
          ...tab,
          rows: tab.rows.filter((r) => !['P11', '3.5'].includes(String(r.cells[0]))),
        })),
      };
      await syncNow(without, minutes(1));
      const deleted = await storedRecords(planId);
      expect(deleted.partners.has('P11')).toBe(false);
      expect(deleted.plan.has('3.5')).toBe(false);

      const call = apiCaller(store, planId);
      const first = await call('POST', 'restore', OWNER, { ids: ['P11', '3.5'] });
      expect(first.status).toBe(200);
      expect(first.json.results).toEqual([
        { id: 'P11', tab: 'partners', outcome: 'restored' },
        { id: '3.5', tab: 'plan', outcome: 'restored' },
      ]);
      const again = await call('POST', 'restore', OWNER, { ids: ['P11', '3.5'] });
      expect((again.json.results as { outcome: string }[]).map((r) => r.outcome)).toEqual([
        'alreadyRestored',
        'alreadyRestored',
      ]);
      const restored = await storedRecords(planId);
      expect(restored.partners.get('P11')).toEqual(before.partners.get('P11'));
      expect(restored.plan.get('3.5')).toEqual(before.plan.get('3.5'));

      // A sync of a workbook read before the rows were appended does not delete them again.
      await syncNow(without, minutes(3));
      const kept = await storedRecords(planId);
      expect(kept.partners.has('P11')).toBe(true);
      expect(kept.plan.has('3.5')).toBe(true);

      // The queue appends each row to its tab of the .xlsx, once however often it is flushed.
      const writeRows: SubmissionRowWriter = async (_planId, _location, activities, records) => {
        const result = await updateXlsx(path, { appendActivities: activities, appendRecords: records });
        return { inWorkbook: result.inWorkbook ?? [], recordsInWorkbook: result.recordsInWorkbook ?? [] };
      };
      const flushed = await flushSubmissions({ db, now: () => minutes(4), store, writeRows }, planId);
      expect(flushed).toEqual({ written: 2, queued: 0 });
      const read = await readXlsx(path);
      const rowsOf = (name: string, id: string) =>
        (read.tabs.find((t) => t.name === name) as RawTab).rows.filter((r) => String(r.cells[0]) === id);
      expect(rowsOf('共建单位', 'P11')).toHaveLength(1);
      expect(rowsOf('计划', '3.5')).toHaveLength(1);

      // The rows read back are the restored records: the sync changes neither and clears the
      // entries; the activities that named them are accepted again (the file still holds them).
      const since = minutes(5);
      await syncNow(read, since);
      const after = await readChanges(db, planId, { since: since.toISOString() });
      expect(after.filter((e) => e.tab !== 'activities')).toEqual([]);
      expect(after.map((e) => e.op)).toEqual(['created', 'created', 'created']);
      expect(await storedRecords(planId)).toEqual(before);
      expect((await db.collection('plans').doc(planId).collection('submissions').get()).size).toBe(0);
    } finally {
      folder.remove();
    }
  });

  it('restores a field to its value before its latest change, once, kept from a stale sync until the cell holds it', async () => {
    const db = fs.firestore();
    const store = new PlanStore(db);
    const folder = tempFolder();
    try {
      const path = join(folder.dir, 'plan.xlsx');
      await writeSample(path, 2026, '2026-06-30');
      const original = await readXlsx(path);
      const planId = 'p6';
      const syncNow = protectedSync(store, planId, path);
      await syncNow(original, minutes(0));
      const row = activitiesOf(original).rows.find(
        (r) => typeof r.cells[PEOPLE] === 'number',
      ) as RawTab['rows'][number];
      const id = String(row.cells[ID]);
      const people = row.cells[PEOPLE] as number;
      // Staff change 参与人数 and sync: this is the change to undo.
      const edited: RawWorkbook = {
        ...original,
        tabs: original.tabs.map((tab) =>
          tab.name === '活动'
            ? {
                ...tab,
                rows: tab.rows.map((r) =>
                  r === row ? { ...r, cells: r.cells.map((c, i) => (i === PEOPLE ? people + 40 : c)) } : r,
                ),
              }
            : tab,
        ),
      };
      await syncNow(edited, minutes(1));
      expect((await storedRecords(planId)).activities.get(id)?.participants).toBe(people + 40);

      const call = apiCaller(store, planId);
      const restore = async (field: string, ids = [id]) =>
        (await call('POST', 'restore', OWNER, { ids, field })).json.results as Record<string, unknown>[];
      expect(await restore('参与人数')).toEqual([
        { id, tab: 'activities', field: 'participants', value: people, outcome: 'restored' },
      ]);
      expect((await storedRecords(planId)).activities.get(id)?.participants).toBe(people);
      const [logged] = await readChanges(db, planId, { ids: [id] });
      expect(logged).toMatchObject({
        source: 'restore',
        op: 'updated',
        fields: [{ field: 'participants', old: people + 40, new: people }],
      });
      // Twice (the field key this time): nothing written again.
      const chunks = await chunkCount(planId);
      expect((await restore('participants'))[0]?.outcome).toBe('alreadyRestored');
      expect(await chunkCount(planId)).toBe(chunks);
      // The refusals: no such ID, no such column, a column never changed, a deleted record.
      expect((await restore('参与人数', ['NOPE']))[0]?.outcome).toBe('unknown');
      expect((await restore('不存在的列'))[0]?.outcome).toBe('unknownField');
      expect((await restore('活动名称'))[0]?.outcome).toBe('noChange');

      // A sync of the workbook read before the restore (the cell still says people + 40) does not
      // overwrite it back, and logs nothing.
      const since = minutes(3);
      await syncNow(edited, since);
      expect((await storedRecords(planId)).activities.get(id)?.participants).toBe(people);
      expect(await readChanges(db, planId, { since: since.toISOString() })).toEqual([]);

      // The queue writes the one cell of the .xlsx; the sync reading it changes nothing and clears the entry.
      const writeRows: SubmissionRowWriter = async (_planId, _location, activities, records, cells) => {
        const result = await updateXlsx(path, {
          appendActivities: activities,
          appendRecords: records,
          ...(cells && { restoreCells: cells }),
        });
        return { inWorkbook: result.inWorkbook ?? [], cellsDone: result.cellsDone ?? [] };
      };
      expect(await flushSubmissions({ db, now: () => minutes(4), store, writeRows }, planId)).toEqual({
        written: 1,
        queued: 0,
      });
      const read = await readXlsx(path);
      const cell = activitiesOf(read).rows.find((r) => String(r.cells[ID]) === id)?.cells[PEOPLE];
      expect(cell).toBe(people);
      await syncNow(read, minutes(5));
      expect(await readChanges(db, planId, { since: minutes(5).toISOString() })).toEqual([]);
      expect((await db.collection('plans').doc(planId).collection('submissions').get()).size).toBe(0);
      // From then on the sheet is the field's source again: a stale workbook's value lands.
      await syncNow(edited, minutes(6));
      expect((await storedRecords(planId)).activities.get(id)?.participants).toBe(people + 40);
      // A deleted record's field is not restored: the record comes first.
      await syncNow(
        {
          ...read,
          tabs: read.tabs.map((tab) =>
            tab.name === '活动' ? { ...tab, rows: tab.rows.filter((r) => String(r.cells[ID]) !== id) } : tab,
          ),
        },
        minutes(7),
      );
      expect((await restore('参与人数'))[0]?.outcome).toBe('deleted');
    } finally {
      folder.remove();
    }
  });

  it('a field restore whose record a sync changed after it was read writes nothing (the caller reads again)', async () => {
    const db = fs.firestore();
    const store = new PlanStore(db);
    const { base, rows } = numberedSample();
    const planId = 'p7';
    await sync(store, planId, base, minutes(0));
    const id = String(rows[0]?.[ID]);
    const ref = db.collection('plans').doc(planId).collection('activities').doc(id);
    const read = await ref.get();
    // A sync commits a new title between the restore's read and its batch.
    await sync(
      store,
      planId,
      withActivities(
        base,
        rows.map((cells, i) => (i === 0 ? cells.map((c, k) => (k === TITLE ? '改过的标题' : c)) : cells)),
      ),
      minutes(1),
    );
    const queued = await queueCell(db, {
      planId,
      key: 'k1',
      tab: 'activities',
      before: read.data() as RecordDoc,
      readAt: read.updateTime as Timestamp,
      field: 'participants',
      value: 1,
      change: { at: minutes(2), by: OWNER, source: 'restore', keepDays: 30 },
    });
    expect(queued).toEqual({ created: false, conflict: true });
    expect((await ref.get()).get('data.title')).toBe('改过的标题');
    expect((await db.collection('plans').doc(planId).collection('submissions').get()).size).toBe(0);
  });

  it('history and restore over the API: editors only; a deletion restored once however often asked', async () => {
    const db = fs.firestore();
    const store = new PlanStore(db);
    const { base, rows } = numberedSample();
    await sync(store, 'p3', base, minutes(0));
    const gone = String((rows[4] as CellValue[])[ID]);
    await sync(
      store,
      'p3',
      withActivities(
        base,
        rows.filter((cells) => String(cells[ID]) !== gone),
      ),
      minutes(1),
    );
    const call = apiCaller(store, 'p3');
    expect((await call('GET', 'history', 'stranger@example.cn', undefined, { row: gone })).status).toBe(403);
    expect((await call('POST', 'restore', 'stranger@example.cn', { ids: [gone] })).status).toBe(403);
    const history = await call('GET', 'history', OWNER, undefined, { row: gone });
    expect(history.status).toBe(200);
    expect((history.json.changes as ChangeEntry[]).map((e) => e.op)).toEqual(['deleted', 'created']);

    const [first, second] = await Promise.all([
      call('POST', 'restore', OWNER, { ids: [gone, 'NOPE'] }),
      call('POST', 'restore', OWNER, { ids: [gone] }),
    ]);
    const outcomes = [first, second].map(
      (r) => (r.json.results as { id: string; outcome: string }[])[0]?.outcome,
    );
    expect(outcomes.sort()).toEqual(['alreadyRestored', 'restored']);
    expect(first.json.results).toContainEqual({ id: 'NOPE', outcome: 'unknown' });
    // The record is back with its last values, queued once for the 活动 tab, logged once as a restore.
    const stored = await storedRecords('p3');
    const deletion = (history.json.changes as ChangeEntry[])[0] as ChangeEntry;
    expect(stored.activities.get(gone)).toEqual(deletion.data);
    const queued = await db.collection('plans').doc('p3').collection('submissions').get();
    expect(queued.docs.map((d) => d.get('activityId'))).toEqual([gone]);
    const restores = (await readChanges(db, 'p3')).filter((e) => e.source === 'restore');
    expect(restores).toMatchObject([{ id: gone, op: 'created', by: OWNER }]);
    const again = await call('POST', 'restore', OWNER, { ids: [gone] });
    expect(again.json.results).toEqual([{ id: gone, tab: 'activities', outcome: 'alreadyRestored' }]);
  });

  it('an ID two tabs share (partner P01 and an activity P01): history and restore answer for the tab asked', async () => {
    const db = fs.firestore();
    const store = new PlanStore(db);
    const { base, rows } = numberedSample();
    const planId = 'p8';
    // Staff typed P01 as an activity's 记录编号: IDs are unique within a tab only.
    const shared = (rows[0] as CellValue[]).map((c, i) => (i === ID ? 'P01' : c));
    const withShared = (people: number) =>
      withActivities(base, [shared.map((c, i) => (i === PEOPLE ? people : c)), ...rows.slice(1)]);
    const renamed = (workbook: RawWorkbook, name: string): RawWorkbook => ({
      ...workbook,
      tabs: workbook.tabs.map((tab) =>
        tab.name === '共建单位'
          ? {
              ...tab,
              rows: tab.rows.map((r) =>
                r.cells[0] === 'P01' ? { ...r, cells: r.cells.map((c, i) => (i === 1 ? name : c)) } : r,
              ),
            }
          : tab,
      ),
    });
    await sync(store, planId, withShared(5), minutes(0));
    const partnerName = (await storedRecords(planId)).partners.get('P01')?.name;
    // The partner's name changes first, then the activity's 参与人数: the activity's change is the latest.
    await sync(store, planId, renamed(withShared(5), '改过的单位名称'), minutes(1));
    await sync(store, planId, renamed(withShared(9), '改过的单位名称'), minutes(2));

    const call = apiCaller(store, planId, minutes(3));
    const historyOf = async (query: Record<string, string>) => {
      const answer = await call('GET', 'history', OWNER, undefined, query);
      expect(answer.status).toBe(200);
      return (answer.json.changes as ChangeEntry[]).map((e) => `${e.tab} ${e.op}`);
    };
    expect(await historyOf({ row: 'P01', tab: 'partners' })).toEqual([
      'partners updated',
      'partners created',
    ]);
    expect(await historyOf({ row: 'P01', tab: 'activities' })).toEqual([
      'activities updated',
      'activities created',
    ]);
    // Without a tab, as `gongjian history --row` asks: both records' changes, newest first.
    expect(await historyOf({ row: 'P01' })).toHaveLength(4);
    expect((await call('GET', 'history', OWNER, undefined, { row: 'P01', tab: 'nope' })).status).toBe(400);

    // The partner's name back: asked for its tab it is restored; without one, the latest change
    // (the activity's) decides and 活动 has no 单位名称.
    const restore = async (body: Record<string, unknown>) =>
      (await call('POST', 'restore', OWNER, body)).json.results as Record<string, unknown>[];
    expect(await restore({ ids: ['P01'], field: '单位名称' })).toEqual([
      { id: 'P01', tab: 'activities', outcome: 'unknownField', field: '单位名称' },
    ]);
    expect(await restore({ ids: ['P01'], field: '单位名称', tab: 'partners' })).toEqual([
      { id: 'P01', tab: 'partners', field: 'name', value: partnerName, outcome: 'restored' },
    ]);
    expect((await storedRecords(planId)).partners.get('P01')?.name).toBe(partnerName);
    expect((await storedRecords(planId)).activities.get('P01')?.participants).toBe(9);

    // The activity P01 deleted, then the partner changed again: restoring the activity needs its tab.
    await sync(store, planId, withActivities(base, rows.slice(1)), minutes(4));
    await sync(store, planId, renamed(withActivities(base, rows.slice(1)), '又改的名称'), minutes(5));
    const later = apiCaller(store, planId, minutes(6));
    const restoreLater = async (body: Record<string, unknown>) =>
      (await later('POST', 'restore', OWNER, body)).json.results as Record<string, unknown>[];
    expect(await restoreLater({ ids: ['P01'] })).toEqual([
      { id: 'P01', tab: 'partners', outcome: 'present' },
    ]);
    expect(await restoreLater({ ids: ['P01'], tab: 'activities' })).toEqual([
      { id: 'P01', tab: 'activities', outcome: 'restored' },
    ]);
    expect((await storedRecords(planId)).activities.get('P01')?.participants).toBe(9);
    expect((await storedRecords(planId)).partners.get('P01')?.name).toBe('又改的名称');
  });
});
