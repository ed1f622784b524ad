/** The daily mail round of every plan, at 09:00 in the plan's own time zone. */

import { TZDate } from '@date-fns/tz';
import { SCHEDULED_EMAIL_KINDS } from '../../../shared/emails/kinds';
import { computeStats } from '../../../shared/stats';
import { todayIn } from '../../../shared/today';
import { type Log, logs } from '../logs';
import type { PlanStore } from '../store/planStore';
import { queuePlannedEmails } from './planned';
import type { MailQueue } from './queue';

/** The local hour at which a plan's emails go out. */
export const SEND_HOUR = 9;

/**
 * The log's warning when working days were estimated for a year neither the calendar package nor
 * the plan's 节假日 tab knows. Staff see the same gap for the plan year in 校验 (`unknown_calendar`);
 * this line also covers the other years a run read (a due date in the next year).
 */
function unknownCalendarNote(years: readonly number[]): string {
  if (years.length === 0) return '';
  const list = years.join('、');
  return (
    `; 警告：尚无 ${list} 年的节假日安排，工作日按周一至周五（除元旦、劳动节、国庆节）估算，请在「节假日」工作表中填写或升级 chinese-days / ` +
    `warning: no holiday arrangement for ${years.join(', ')}, working days estimated (Mon–Fri); fill in the Holidays tab or upgrade chinese-days`
  );
}

/** Queues today's emails of every plan whose local time is in the sending hour. */
export async function queueDailyEmails(
  store: PlanStore,
  queue: MailQueue,
  now: Date,
  log?: Log,
): Promise<void> {
  for (const planId of await store.planIds()) {
    const plan = await store.getPlan(planId);
    if (!plan || new TZDate(now, plan.settings.timezone).getHours() !== SEND_HOUR) continue;
    const model = await store.loadModel(plan);
    const stats = computeStats(model, todayIn(now, plan.settings.timezone));
    const counts = await queuePlannedEmails(queue, plan, model, stats, SCHEDULED_EMAIL_KINDS, now);
    log?.(
      logs.mailQueued(
        plan.planId,
        stats.asOf,
        { queued: counts.queued, duplicate: counts.duplicate, ...counts.skipped },
        unknownCalendarNote(counts.unknownCalendarYears),
      ),
    );
  }
}
