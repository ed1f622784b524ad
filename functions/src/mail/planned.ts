/**
 * Queuing what a plan's emails would be on a date (§7): digests on the digest day, due-soon
 * reminders, overdue notices, the staff's 待审核 list with its thumbnails (thumbnails.ts) —
 * planned by shared/emails/plan.ts, queued by idempotency key, so
 * running this twice for the same day, or from the schedule and the statistics trigger alike,
 * queues each email once — and mints each recipient's update link once (requests/send.ts).
 */
import type { EmailKind } from '../../../shared/emails/email';
import { planEmails } from '../../../shared/emails/plan';
import { type IsoDate, type PlanModel, requestLinkDays } from '../../../shared/model';
import type { Stats } from '../../../shared/stats-types';
import { enqueuePlanned } from '../requests/send';
import type { PlanDoc } from '../store/planStore';
import type { MailQueue } from './queue';
import { enqueueWithThumbnails } from './thumbnails';

export interface QueuedCounts {
  queued: number;
  duplicate: number;
  skipped: { inactivePartners: number; partnersWithoutEmail: number; measuresWithoutOwnerEmail: number };
  /** Years whose working days were estimated (the calendar package does not know them yet). */
  unknownCalendarYears: number[];
}

/** Queues a plan's emails of the given kinds for a date, from its model and statistics as of it. */
export async function queuePlannedEmails(
  queue: MailQueue,
  plan: PlanDoc,
  model: PlanModel,
  stats: Stats,
  kinds: readonly EmailKind[],
  now: Date,
): Promise<QueuedCounts> {
  const { emails, skipped, unknownCalendarYears } = planEmails({
    planId: plan.planId,
    model,
    stats,
    date: stats.asOf as IsoDate,
    owner: plan.owner,
    ...(plan.workbook !== undefined && { workbook: plan.workbook }),
  });
  const counts: QueuedCounts = { queued: 0, duplicate: 0, skipped, unknownCalendarYears };
  for (const email of emails) {
    if (!kinds.includes(email.kind)) continue;
    if (email.thumbnails !== undefined) {
      counts[await enqueueWithThumbnails(queue, email, plan, model.settings.senderName, now)] += 1;
      continue;
    }
    const outcome = await enqueuePlanned(
      queue,
      email,
      {
        planId: plan.planId,
        senderName: model.settings.senderName,
        validDays: requestLinkDays(model.settings),
      },
      now,
    );
    counts[outcome] += 1;
  }
  return counts;
}
