/**
 * The hourly mail schedule: at 09:00 in the plan's time zone it queues the day's emails; at any
 * other hour nothing; run twice, it queues each email once. Digest days that are days off in the
 * mainland calendar move to the next working day, under the same keys.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/src/clock';
import { lineLog } from '../../../functions/src/logs';
import { queueDailyEmails } from '../../../functions/src/mail/daily';
import type { Runtime } from '../../../functions/src/runtime';
import { mailCollection } from '../../../functions/src/store/paths';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { sampleWorkbook } from '../../../shared/sample';
import { useFirestoreEmulator } from '../../support/firestore';
import { testRuntime } from '../../support/runtime';

const fs = useFirestoreEmulator('schedules');
let runtime: Runtime;

beforeAll(async () => {
  runtime = testRuntime(fs, {
    env: {
      GONGJIAN_ENV: 'production',
      GONGJIAN_AUDIENCES: 'test-client-id',
      MAIL_FROM: 'noreply@shequ.example.cn',
    },
  });
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

  it('queues no digest on National Day and the September digests on 8 October; warns for 2027', async () => {
    await syncPlan(
      sampleWorkbook(2026),
      {
        planId: 'holiday',
        caller: 'owner@example.cn',
        now: new Date('2026-09-29T04:00:00Z'),
        existing: undefined,
        clock: systemClock,
      },
      runtime.store,
    );
    const digestKeys = async () =>
      (await mailKeys()).filter((k) => /^(partnerDigest|leaderSummary):holiday:/.test(k));

    // Thursday 1 October, 09:00 in Shanghai: the 1st, but a holiday until the 7th.
    await queueDailyEmails(runtime.store, runtime.mailQueue, new Date('2026-10-01T01:00:00Z'));
    expect(await digestKeys()).toEqual([]);

    const at9 = new Date('2026-10-08T01:00:00Z');
    await queueDailyEmails(runtime.store, runtime.mailQueue, at9);
    await queueDailyEmails(runtime.store, runtime.mailQueue, at9);
    const september = await digestKeys();
    expect(september.filter((k) => k.startsWith('partnerDigest:holiday:'))).toHaveLength(9);
    expect(september.every((k) => k.endsWith(':2026-09'))).toBe(true);
    expect(september).toContain('leaderSummary:holiday:2026-09');

    // 2027 is not in chinese-days yet: 1 January (a Friday, a fixed holiday) sends nothing, the
    // December digests go out on Monday the 4th, and the run says the calendar was estimated.
    const lines: string[] = [];
    await queueDailyEmails(
      runtime.store,
      runtime.mailQueue,
      new Date('2027-01-01T01:00:00Z'),
      lineLog((l) => lines.push(l)),
    );
    expect((await digestKeys()).filter((k) => k.endsWith(':2026-12'))).toEqual([]);
    await queueDailyEmails(
      runtime.store,
      runtime.mailQueue,
      new Date('2027-01-04T01:00:00Z'),
      lineLog((l) => lines.push(l)),
    );
    expect(await digestKeys()).toContain('leaderSummary:holiday:2026-12');
    const holidayLines = lines.filter((l) => l.includes('plan=holiday'));
    expect(holidayLines).toHaveLength(2);
    for (const line of holidayLines) expect(line).toContain('尚无 2027 年的节假日安排');
    for (const line of holidayLines) expect(line).toContain('「节假日」工作表');
  });

  it("a 2027 plan's 节假日 tab is kept with the plan and moves its digests; no estimate is logged", async () => {
    const workbook = sampleWorkbook(2027);
    const holidays = workbook.tabs.find((tab) => tab.name === '节假日');
    if (!holidays) throw new Error('the 2027 sample has a 节假日 tab');
    // Test data, not the State Council's arrangement: Monday 1 March 2027 off.
    holidays.rows = [{ row: 2, cells: ['2027-03-01', '休', '测试休息日'] }];
    await syncPlan(
      workbook,
      {
        planId: 'tab2027',
        caller: 'owner@example.cn',
        now: new Date('2027-02-20T04:00:00Z'),
        existing: undefined,
        clock: systemClock,
      },
      runtime.store,
    );
    const plan = await runtime.store.getPlan('tab2027');
    const model = plan && (await runtime.store.loadModel(plan));
    expect(model?.settings.holidays).toEqual([{ date: '2027-03-01', kind: 'off', name: '测试休息日' }]);

    const february = async () =>
      (await mailKeys()).filter((k) => k.includes(':tab2027:') && k.endsWith(':2027-02'));
    const lines: string[] = [];
    const log = lineLog((line) => lines.push(line));
    await queueDailyEmails(runtime.store, runtime.mailQueue, new Date('2027-03-01T01:00:00Z'), log);
    expect(await february()).toEqual([]);
    await queueDailyEmails(runtime.store, runtime.mailQueue, new Date('2027-03-02T01:00:00Z'), log);
    expect(await february()).toContain('leaderSummary:tab2027:2027-02');
    const planLines = lines.filter((l) => l.includes('plan=tab2027'));
    expect(planLines).toHaveLength(2);
    for (const line of planLines) expect(line).not.toContain('警告');
  });
});
