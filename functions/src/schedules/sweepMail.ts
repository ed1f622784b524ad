/**
 * Every five minutes: send the mail no trigger will bring back — retries that are due, leases of
 * attempts that died, PENDING mail whose trigger never ran (mail/deliver.ts). Running twice at
 * once, or alongside the trigger, sends nothing twice.
 * The implementation is imported on the first run, not when the module loads (cold start).
 */

import { onSchedule } from 'firebase-functions/v2/scheduler';
import { logs } from '../logs';
import { REGION } from '../region';

export const sweepMail = onSchedule(
  {
    schedule: 'every 5 minutes',
    region: REGION,
    timeZone: 'Asia/Shanghai',
    timeoutSeconds: 300,
    secrets: ['SMTP_URL'],
  },
  async () => {
    const [{ runtime }, deliver] = await Promise.all([import('../runtime'), import('../mail/deliver')]);
    const built = runtime();
    const deps = built.mail;
    if (deps === undefined) return;
    const { found, outcomes } = await deliver.sweepMail(built.mailQueue.db, deps);
    if (found > 0) deps.log?.(logs.mailSwept(found, outcomes));
  },
);
