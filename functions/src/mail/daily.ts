/** The daily mail round of every plan, at 09:00 in the plan's own time zone. */
import { TZDate } from '@date-fns/tz';
import { computeStats } from '../../../shared/stats';
import type { PlanStore } from '../store/planStore';
import { todayIn } from '../validateToday';
import { queuePlannedEmails } from './planned';
import type { MailQueue } from './queue';

/** The local hour at which a plan's emails go out. */
export const SEND_HOUR = 9;

/** Queues today's emails of every plan whose local time is in the sending hour. */
export async function queueDailyEmails(
  store: PlanStore,
  queue: MailQueue,
  now: Date,
  log?: (line: string) => void,
): Promise<void> {
  for (const planId of await store.planIds()) {
    const plan = await store.getPlan(planId);
    if (!plan || new TZDate(now, plan.settings.timezone).getHours() !== SEND_HOUR) continue;
    const model = await store.loadModel(plan);
    const stats = computeStats(model, todayIn(now, plan.settings.timezone));
    const counts = await queuePlannedEmails(
      queue,
      plan,
      model,
      stats,
      ['partnerDigest', 'leaderSummary', 'dueSoon', 'overdue'],
      now,
    );
    log?.(
      `邮件 / mail plan=${plan.planId} ${stats.asOf}: queued ${counts.queued}, already queued ${counts.duplicate}, ` +
        `skipped inactive partners ${counts.skipped.inactivePartners}, partners without email ` +
        `${counts.skipped.partnersWithoutEmail}, measures without owner email ${counts.skipped.measuresWithoutOwnerEmail}`,
    );
  }
}
