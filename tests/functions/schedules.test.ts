/**
 * The hourly mail schedule: at 09:00 in the plan's time zone it queues the day's emails; at any
 * other hour nothing; run twice, it queues each email once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../functions/src/clock';
import { parseConfig } from '../../functions/src/config';
import { queueDailyEmails } from '../../functions/src/mail/daily';
import { buildRuntime, type Runtime } from '../../functions/src/runtime';
import { mailCollection } from '../../functions/src/store/paths';
import { syncPlan } from '../../functions/src/sync/syncPlan';
import { sampleWorkbook } from '../../shared/sample';
import { useFirestoreEmulator } from '../support/firestore';

const fs = useFirestoreEmulator('schedules');
let runtime: Runtime;

beforeAll(async () => {
  runtime = buildRuntime(
    parseConfig({
      GONGJIAN_ENV: 'production',
      GONGJIAN_PROJECT: fs.projectId,
      GONGJIAN_AUDIENCES: 'test-client-id',
      FIRESTORE_EMULATOR_HOST: fs.host,
    }),
    () => {},
    {},
  );
  // No sender in production without SMTP_URL: the queue is all this test looks at.
  expect(runtime.mail).toBeUndefined();
});

afterAll(async () => {
  await runtime?.close();
});

async function mailKeys(): Promise<string[]> {
  const snapshot = await mailCollection(runtime.mailQueue.db).get();
  return snapshot.docs.map((doc) => String(doc.get('gongjian.key'))).sort();
}

describe('sendEmails (queueDailyEmails)', () => {
  it('queues at 09:00 local time only, each email once however often it runs', async () => {
    await syncPlan(
      sampleWorkbook(2026),
      {
        planId: 'daily',
        caller: 'owner@example.cn',
        now: new Date('2026-06-30T04:00:00Z'),
        clock: systemClock,
        existing: undefined,
      },
      runtime.store,
    );
    // 1 July, 10:00 in Shanghai: not the sending hour.
    await queueDailyEmails(runtime.store, runtime.mailQueue, new Date('2026-07-01T02:00:00Z'));
    expect(await mailKeys()).toEqual([]);

    // 1 July, 09:00 in Shanghai: the June digests (9 partners with email, 1 leader summary).
    const at9 = new Date('2026-07-01T01:00:00Z');
    await Promise.all([
      queueDailyEmails(runtime.store, runtime.mailQueue, at9),
      queueDailyEmails(runtime.store, runtime.mailQueue, at9),
    ]);
    const keys = await mailKeys();
    expect(keys.filter((k) => k.startsWith('partnerDigest:daily:')).length).toBe(9);
    expect(keys.filter((k) => k.startsWith('leaderSummary:daily:2026-06'))).toHaveLength(1);
    expect(new Set(keys).size).toBe(keys.length);

    await queueDailyEmails(runtime.store, runtime.mailQueue, at9);
    expect(await mailKeys()).toEqual(keys);
  });
});
