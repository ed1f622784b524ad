/**
 * Every hour, on the hour: for each plan whose local time (its 时区) is 09:00–09:59, queue the
 * day's emails — the partner digests and leader summary on the digest day (weekly: Monday;
 * monthly: the 1st), due-soon reminders, overdue notices; and for each district whose local time
 * is 09:00–09:59 on the 1st (or the working day a holiday moves it to), its 街道月报. Keys make a
 * second run harmless.
 * The implementation is imported on the first run, not when the module loads (cold start).
 */
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { REGION } from '../region';

export const sendEmails = onSchedule(
  { schedule: '0 * * * *', region: REGION, timeZone: 'Asia/Shanghai', timeoutSeconds: 300 },
  async () => {
    const [{ runtime }, { queueDailyEmails }, { queueDistrictEmails }] = await Promise.all([
      import('../runtime'),
      import('../mail/daily'),
      import('../mail/districtMonthly'),
    ]);
    const built = runtime();
    const now = built.now();
    await queueDailyEmails(built.store, built.mailQueue, now, built.log);
    await queueDistrictEmails(
      { districts: built.districts, store: built.store, queue: built.mailQueue, log: built.log },
      now,
    );
  },
);
