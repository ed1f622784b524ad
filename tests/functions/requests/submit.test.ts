/**
 * Where a submission goes, against the Firestore emulator and the fake Sheets API: a record at
 * once and a row in 活动 (RAW: formula-like text stays text), once per key; syncs that race it in
 * either order keep it; a failing Sheets API leaves it queued and a retry lands it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../../functions/src/logs';
import { mintLink, type StoredLink, verifyLink } from '../../../functions/src/requests/links';
import {
  createVersionMover,
  flushSubmissions,
  moveStrandedVersions,
  type SubmissionRowWriter,
  type SubmittedActivity,
  submissionKey,
  submitActivity,
} from '../../../functions/src/requests/submit';
import type { Runtime } from '../../../functions/src/runtime';
import type { RawWorkbook } from '../../../shared/workbook';
import { type FakeSheets, startFakeSheets } from '../../support/fake-sheets';
import { refusingBulkWriteTo, useFirestoreEmulator } from '../../support/firestore';
import { ACTIVITY_HEADER } from '../../support/headers';
import {
  activityRows,
  emulatorRuntime,
  NOW,
  planWorkbook,
  readSheet,
  seedPlan,
  syncSheet,
  TOKEN,
} from './fixture';

const emulator = useFirestoreEmulator('submit');
let fake: FakeSheets;
let runtime: Runtime;
beforeAll(async () => {
  fake = await startFakeSheets({ token: TOKEN });
});
afterAll(async () => {
  await runtime?.close();
  await fake?.stop();
});

const REPORTED: SubmittedActivity = {
  date: '2026-06-12',
  measureId: 'M1',
  partners: ['P1'],
  title: '=HYPERLINK("http://evil.example","点我")',
  location: '社区广场',
  participants: 25,
  hours: 3,
  evidence: 'https://example.cn/photo.jpg',
};

let planCount = 0;
async function setUp(workbook?: RawWorkbook): Promise<{ planId: string; link: StoredLink }> {
  runtime ??= emulatorRuntime(emulator, fake);
  const planId = `plan-${++planCount}`;
  await seedPlan(runtime, fake, planId, workbook);
  const deps = { db: runtime.db, now: () => NOW };
  const { token } = await mintLink(deps, {
    planId,
    email: 'liaison@school.cn',
    name: '王老师',
    scope: { kind: 'partner', partnerId: 'P1' },
    validDays: 30,
  });
  const verdict = await verifyLink(deps, token);
  if (!verdict.ok) throw new Error('the link should open');
  return { planId, link: verdict.link };
}

const deps = () => ({ db: runtime.db, now: () => NOW });
const flush = (planId: string) =>
  flushSubmissions({ ...deps(), store: runtime.store, writeRows: runtime.writeSubmissionRows }, planId);
const submit = (link: StoredLink, nonce: string) =>
  submitActivity(deps(), link, {
    key: submissionKey(link.tokenHash, nonce),
    activity: REPORTED,
    kind: 'activity',
  });

async function storedActivities(planId: string) {
  const plan = await runtime.store.getPlan(planId);
  if (!plan) throw new Error('no plan');
  return (await runtime.store.loadModel(plan)).activities;
}

describe('a submission', () => {
  it('is a done record at once, then one RAW row in 活动 whose formula-like title stays text', async () => {
    const { planId, link } = await setUp();
    const versionBefore = (await runtime.store.getPlan(planId))?.version ?? 0;
    const stored = await submit(link, 'page-1');
    if (!('submission' in stored)) throw new Error('not stored');
    expect(stored.created).toBe(true);
    const { activityId } = stored.submission;
    expect(activityId).toMatch(/^R[0-9A-F]{10}$/);
    // The plan document is not in the submission's write: its version moves afterwards.
    expect((await runtime.store.getPlan(planId))?.version).toBe(versionBefore);
    const entry = runtime.db.doc(`plans/${planId}/submissions/${stored.submission.key}`);
    expect((await entry.get()).get('versionPending')).toBe(true);
    await createVersionMover(runtime.db)(planId, stored.submission.key);
    expect((await runtime.store.getPlan(planId))?.version).toBe(versionBefore + 1);
    expect((await entry.get()).get('versionPending')).toBeUndefined();
    const record = (await storedActivities(planId)).find((a) => a.activityId === activityId);
    expect(record).toMatchObject({
      status: 'done',
      recorder: '王老师（填报）',
      title: REPORTED.title,
      row: 0,
    });

    expect(await flush(planId)).toEqual({ written: 1, queued: 0 });
    const rows = activityRows(fake, planId);
    expect(rows).toHaveLength(3);
    const row = rows[2] as unknown[];
    const at = (header: string) => row[ACTIVITY_HEADER.indexOf(header)];
    expect(at('记录编号')).toBe(activityId);
    expect(at('活动名称')).toBe(REPORTED.title);
    expect(at('状态')).toBe('已完成');
    expect(at('记录人')).toBe('王老师（填报）');
    expect(at('参与人数')).toBe(25);
    // RAW: the append asked for no parsing, so no formula was made of the title.
    const append = fake.requests.find(
      (r) => r.path.includes(`sheet-${planId}`) && r.path.endsWith(':append'),
    );
    expect(append?.query.valueInputOption).toEqual(['RAW']);
    // Nothing queued: a second flush writes nothing.
    expect(await flush(planId)).toEqual({ written: 0, queued: 0 });
    expect(activityRows(fake, planId)).toHaveLength(3);
  });

  it('submitted twice from one page (a double click, a resubmitted form) is one record and one row', async () => {
    const { planId, link } = await setUp();
    const [a, b] = await Promise.all([submit(link, 'page-x'), submit(link, 'page-x')]);
    const third = await submit(link, 'page-x');
    const created = [a, b, third].filter((s) => s.created);
    expect(created).toHaveLength(1);
    await Promise.all([flush(planId), flush(planId)]);
    await flush(planId);
    expect(activityRows(fake, planId)).toHaveLength(3);
    expect((await storedActivities(planId)).filter((x) => x.recorder === '王老师（填报）')).toHaveLength(1);
  });

  it('lands as 待审核 when 设置 → 填报需审核 is 是 (stats.test.ts: pending counts nowhere)', async () => {
    const { planId, link } = await setUp(planWorkbook({ settings: [['填报需审核', '是']] }));
    const stored = await submit(link, 'page-r');
    if (!('submission' in stored)) throw new Error('not stored');
    expect(stored.submission.activity.status).toBe('pending');
    await flush(planId);
    const row = activityRows(fake, planId)[2] as unknown[];
    expect(row[ACTIVITY_HEADER.indexOf('状态')]).toBe('待审核');
  });
});

describe('a process that dies before moving the version', () => {
  it('leaves the entry marked; the sweep moves the version once for it, after a minute', async () => {
    const { planId, link } = await setUp();
    const versionBefore = (await runtime.store.getPlan(planId))?.version ?? 0;
    await submit(link, 'stranded-1');
    await submit(link, 'stranded-2');
    // A handler still on its way to the move is not overtaken.
    expect(await moveStrandedVersions(runtime.db, planId, NOW)).toBe(0);
    const later = new Date(NOW.getTime() + 120_000);
    expect(await moveStrandedVersions(runtime.db, planId, later)).toBe(2);
    expect((await runtime.store.getPlan(planId))?.version).toBe(versionBefore + 1);
    expect(await moveStrandedVersions(runtime.db, planId, later)).toBe(0);
    expect((await runtime.store.getPlan(planId))?.version).toBe(versionBefore + 1);
  });
});

describe('two instances flushing at once', () => {
  it('append the row once: each row is leased to one flush', async () => {
    const { planId, link } = await setUp();
    await submit(link, 'two-instances');
    // A second runtime has its own Sheets client, so nothing in-process orders the two; and each
    // writer waits until the other flush has reached its writer too (or finished): without the
    // lease both would read the sheet before either appends.
    const other = emulatorRuntime(emulator, fake);
    let release: () => void = () => {};
    const bothIn = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = 0;
    let oneDone: () => void = () => {};
    const firstDone = new Promise<void>((resolve) => {
      oneDone = resolve;
    });
    const gated =
      (write: SubmissionRowWriter): SubmissionRowWriter =>
      async (...args) => {
        entered += 1;
        if (entered === 2) release();
        await Promise.race([bothIn, firstDone]);
        return write(...args);
      };
    try {
      const results = await Promise.all(
        [runtime, other].map((instance) =>
          flushSubmissions(
            { ...deps(), store: instance.store, writeRows: gated(instance.writeSubmissionRows) },
            planId,
          ).finally(oneDone),
        ),
      );
      expect(results.map((r) => r.written).sort()).toEqual([0, 1]);
      expect(activityRows(fake, planId)).toHaveLength(3);
    } finally {
      await other.close();
    }
  });
});

describe('a flush whose marking is refused', () => {
  it('reports the entries it could not mark in a named event and does not count them written', async () => {
    const { planId, link } = await setUp();
    const refused = await submit(link, 'mark-1');
    const marked = await submit(link, 'mark-2');
    if (!('submission' in refused) || !('submission' in marked)) throw new Error('not stored');
    const events: LogEvent[] = [];
    const outcome = await flushSubmissions(
      {
        ...deps(),
        db: refusingBulkWriteTo(runtime.db, `plans/${planId}/submissions/${refused.submission.key}`),
        store: runtime.store,
        writeRows: runtime.writeSubmissionRows,
        log: (event) => events.push(event),
      },
      planId,
    );
    expect(outcome).toEqual({ written: 1, queued: 1 });
    expect(events.map((e) => [e.event, e.fields.failed])).toEqual([['submissions_mark_failed', 1]]);
    const entry = await runtime.db.doc(`plans/${planId}/submissions/${marked.submission.key}`).get();
    expect(entry.get('state')).toBe('written');
  });
});

describe('a sync racing a submission', () => {
  it('submission first, then a sync of a workbook read before the row was appended: the record stays', async () => {
    const { planId, link } = await setUp();
    const before = await readSheet(runtime, planId);
    const stored = await submit(link, 'race-1');
    if (!('submission' in stored)) throw new Error('not stored');
    // The row has not reached the sheet (not flushed); the sync's workbook lacks it.
    const sync = await syncSheet(runtime, planId, before);
    expect(sync.writes.deleted).toBe(0);
    expect((await storedActivities(planId)).map((a) => a.activityId)).toContain(stored.submission.activityId);
    // The row still lands, once.
    expect(await flush(planId)).toEqual({ written: 1, queued: 0 });
    expect(activityRows(fake, planId)).toHaveLength(3);
  });

  it('sync read first, the row appended meanwhile, the sync written after: the record stays; the next sync clears the queue', async () => {
    const { planId, link } = await setUp();
    const readBefore = await readSheet(runtime, planId);
    const stored = await submit(link, 'race-2');
    if (!('submission' in stored)) throw new Error('not stored');
    await flush(planId);
    const stale = await syncSheet(runtime, planId, readBefore);
    expect(stale.writes.deleted).toBe(0);
    expect((await storedActivities(planId)).map((a) => a.activityId)).toContain(stored.submission.activityId);

    // A sync that reads the row: the record now comes from its row, and the entry is cleared.
    const fresh = await syncSheet(runtime, planId, await readSheet(runtime, planId));
    // The row reads back as exactly the record submitted: nothing to create, update or delete.
    expect(fresh.writes).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect((await storedActivities(planId)).map((a) => a.activityId)).toContain(stored.submission.activityId);
    const entries = await runtime.db.collection(`plans/${planId}/submissions`).get();
    expect(entries.size).toBe(0);
    // From now on the sheet decides: staff delete the row, the next sync deletes the record.
    const deleted = await syncSheet(runtime, planId, readBefore);
    expect(deleted.writes.deleted).toBe(1);
  });
});

describe('a failing Sheets API', () => {
  it('500s within the adapter’s retries: the row lands once', async () => {
    const { planId, link } = await setUp();
    await submit(link, 'flaky-1');
    fake.failNext(500, 2, { path: /:append$/ });
    expect(await flush(planId)).toEqual({ written: 1, queued: 0 });
    expect(activityRows(fake, planId)).toHaveLength(3);
  });

  it('a response lost after the append: the retry finds the row and appends nothing twice', async () => {
    const { planId, link } = await setUp();
    await submit(link, 'lost-1');
    fake.failNext(500, 1, { path: /:append$/, afterApplying: true });
    expect(await flush(planId)).toEqual({ written: 1, queued: 0 });
    expect(activityRows(fake, planId)).toHaveLength(3);
  });

  it('500s past every retry: the row stays queued, and the next flush lands it once', async () => {
    const { planId, link } = await setUp();
    const stored = await submit(link, 'down-1');
    if (!('submission' in stored)) throw new Error('not stored');
    fake.failNext(500, 5, { path: /:append$/ });
    expect(await flush(planId)).toEqual({ written: 0, queued: 1 });
    const entry = await runtime.db.doc(`plans/${planId}/submissions/${stored.submission.key}`).get();
    expect(entry.get('state')).toBe('queued');
    expect(entry.get('attempts')).toBe(1);
    expect(String(entry.get('lastError'))).not.toBe('');
    expect(activityRows(fake, planId)).toHaveLength(2);
    // The record was in Firestore all along.
    expect((await storedActivities(planId)).map((a) => a.activityId)).toContain(stored.submission.activityId);

    expect(await flush(planId)).toEqual({ written: 1, queued: 0 });
    expect(activityRows(fake, planId)).toHaveLength(3);
  }, 60_000);
});
