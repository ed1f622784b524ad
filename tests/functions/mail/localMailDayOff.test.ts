/**
 * Overdue notices wait for a working day (§7), in the deployed schedule — while the local stack,
 * which shows every kind of email in its outbox at once, still shows the overdue notice on a day
 * off: as of the latest working day, under the key the schedule would use later.
 * Saturday 5 December 2026, 09:00 in Shanghai; the sample's measure 4.3 fell due on 31 October.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueDailyEmails } from '../../../functions/src/mail/daily';
import type { Runtime } from '../../../functions/src/runtime';
import { mailCollection } from '../../../functions/src/store/paths';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { sampleWorkbook } from '../../../shared/sample';
import { sendLocalMail } from '../../../stack/mail';
import type { LocalStack } from '../../../stack/stack';
import { pinnedClock } from '../../support/clock';
import { useFirestoreEmulator } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';

const SATURDAY_9AM = new Date('2026-12-05T01:00:00Z');
const fs = useFirestoreEmulator('dayoff');
let runtime: Runtime;

beforeAll(async () => {
  runtime = testRuntime(fs, { clock: pinnedClock(SATURDAY_9AM) });
});
afterAll(async () => {
  await runtime?.close();
});

async function keysOf(planId: string): Promise<string[]> {
  const snapshot = await mailCollection(runtime.mailQueue.db).where('gongjian.planId', '==', planId).get();
  return snapshot.docs.map((doc) => String(doc.get('gongjian.key'))).sort();
}

async function seed(planId: string): Promise<void> {
  await syncPlan(
    sampleWorkbook(2026),
    { planId, caller: 'owner@example.cn', now: SATURDAY_9AM, existing: undefined, clock: runtime },
    runtime.store,
  );
}

describe('overdue notices on a day off', () => {
  it('the daily round on a Saturday queues no overdue notice', async () => {
    await seed('schedule');
    await queueDailyEmails(runtime.store, runtime.mailQueue, SATURDAY_9AM);
    expect((await keysOf('schedule')).filter((key) => key.startsWith('overdue:'))).toEqual([]);
  });

  it('the local stack still shows it, as of Friday, under the same key', async () => {
    await seed('local');
    await sendLocalMail({ runtime } as unknown as LocalStack, 'local', 0);
    expect(await keysOf('local')).toContain('overdue:local:4.3:2026-10-31');
  });
});
