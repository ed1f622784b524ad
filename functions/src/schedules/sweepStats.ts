/**
 * Every five minutes: the statistics the trigger missed — a lost event, or a new day in a plan's
 * time zone — are recomputed, and plans left half-written by a sync that died are named in the
 * log (stats/refresh.ts); then every district roll-up a dead recomputation left behind is
 * recomputed (districts/refresh.ts). Running alongside the trigger, or twice at once, is harmless.
 * The implementation is imported on the first run, not when the module loads (cold start).
 */

import { onSchedule } from 'firebase-functions/v2/scheduler';
import { logs } from '../logs';
import { REGION } from '../region';

export const sweepStats = onSchedule(
  {
    schedule: 'every 5 minutes',
    region: REGION,
    timeZone: 'Asia/Shanghai',
    timeoutSeconds: 300,
    memory: '1GiB',
  },
  async () => {
    const [{ runtime }, { sweepStats: sweep }] = await Promise.all([
      import('../runtime'),
      import('../stats/refresh'),
    ]);
    const deps = runtime().refresh;
    const { plans, recomputed, interrupted } = await sweep(deps);
    const districts = await runtime().rollups.sweep();
    if (districts.length > 0) deps.log?.(logs.districtsSwept(districts));
    if (recomputed.length > 0 || interrupted.length > 0) {
      deps.log?.(logs.statsSwept(plans, recomputed, interrupted));
    }
  },
);
