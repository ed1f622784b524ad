/**
 * Every hour, on the hour: for each plan whose local time (its 时区) is 09:00–09:59, queue the
 * day's emails — the partner digests and leader summary on the digest day (weekly: Monday;
 * monthly: the 1st), due-soon reminders, overdue notices. Keys make a second run harmless.
 * The implementation is imported on the first run, not when the module loads (cold start).
 */
import { onSchedule } from 'firebase-functions/v2/scheduler';
import { REGION } from '../region';

export const sendEmails = onSchedule(
  { schedule: '0 * * * *', region: REGION, timeZone: 'Asia/Shanghai', timeoutSeconds: 300 },
  async () => {
    const [{ runtime }, { queueDailyEmails }] = await Promise.all([
      import('../runtime'),
      import('../mail/daily'),
    ]);
    const built = runtime();
    await queueDailyEmails(built.store, built.mailQueue, built.now(), built.log);
  },
);
