/**
 * Mail in the local stack: after a sync, queue what the plan's emails would be today (as the
 * hourly schedule does at 09:00), the digests of the latest digest day and — on a day off, when
 * the schedule holds overdue notices back (§7) — the overdue notices of the latest working day, so
 * a person sees every kind in local/outbox/ without waiting for the 1st of the month or Monday;
 * then wait until the mail trigger has delivered them (to the outbox, or over SMTP when SMTP_URL
 * is set). Keys do not depend on the day, so the schedule later queues none of them again. With
 * `--district`, the district's latest 街道月报 likewise (sendLocalDistrictMail).
 */

import { queueDistrictSummary } from '../functions/src/mail/districtMonthly';
import type { MailOwner } from '../functions/src/mail/message';
import { type QueuedCounts, queuePlannedEmails } from '../functions/src/mail/planned';
import { mailCollection } from '../functions/src/store/paths';
import { dayOf, isoOf } from '../shared/dates';
import { districtSummaryPeriodsOn } from '../shared/emails/districtSummary';
import { SCHEDULED_EMAIL_KINDS } from '../shared/emails/kinds';
import { digestPeriodsOn } from '../shared/emails/periods';
import { computeStats } from '../shared/stats';
import { todayIn } from '../shared/today';
import { calendarOf, workdayOnOrBefore } from '../shared/workdays';
import type { LocalStack } from './stack';

const POLL_MS = 100;

export interface LocalMailOutcome {
  queued: number;
  delivered: number;
  failed: number;
}

/** Queues today's emails and the latest digests of a plan, and waits for their delivery. */
export async function sendLocalMail(
  stack: LocalStack,
  planId: string,
  timeoutMs = 60_000,
): Promise<LocalMailOutcome> {
  const { store, mailQueue } = stack.runtime;
  const now = stack.runtime.now();
  const plan = await store.getPlan(planId);
  if (!plan) return { queued: 0, delivered: 0, failed: 0 };
  const model = await store.loadModel(plan);
  const today = todayIn(now, plan.settings.timezone);
  const calendar = calendarOf(model.settings);
  const counts: QueuedCounts[] = [
    await queuePlannedEmails(mailQueue, plan, model, computeStats(model, today), SCHEDULED_EMAIL_KINDS, now),
  ];
  let digestDay = dayOf(today);
  while (
    digestPeriodsOn(plan.settings.digestFrequency, isoOf(digestDay), calendar).length === 0 &&
    dayOf(today) - digestDay < 31
  )
    digestDay--;
  if (digestDay !== dayOf(today)) {
    const stats = computeStats(model, isoOf(digestDay));
    counts.push(
      await queuePlannedEmails(mailQueue, plan, model, stats, ['partnerDigest', 'leaderSummary'], now),
    );
  }
  const workday = workdayOnOrBefore(today, calendar);
  if (workday !== today) {
    const stats = computeStats(model, workday);
    counts.push(await queuePlannedEmails(mailQueue, plan, model, stats, ['overdue'], now));
  }
  const queued = counts.reduce((sum, c) => sum + c.queued, 0);
  return { queued, ...(await waitForDelivery(stack, { planId }, timeoutMs)) };
}

/**
 * Queues the district's latest 街道月报 — that of the latest 1st (or the working day a holiday
 * moved it to) on or before today, in the district's time zone — and waits for its delivery, so
 * the 街道 sees it without waiting for the 1st. Its key names the month: the schedule, or the next
 * start, queues it no second time.
 */
export async function sendLocalDistrictMail(
  stack: LocalStack,
  districtId: string,
  timeoutMs = 60_000,
): Promise<LocalMailOutcome> {
  const { districts, store, mailQueue, log } = stack.runtime;
  const now = stack.runtime.now();
  const district = await districts.getDistrict(districtId);
  if (!district) return { queued: 0, delivered: 0, failed: 0 };
  let day = dayOf(todayIn(now, district.timezone));
  // The latest sending day is at most a month and a holiday back.
  for (const limit = day - 45; day > limit && districtSummaryPeriodsOn(isoOf(day)).length === 0; ) day--;
  const { queued } = await queueDistrictSummary(
    { districts, store, queue: mailQueue, log },
    district,
    isoOf(day),
    now,
  );
  return { queued, ...(await waitForDelivery(stack, { districtId }, timeoutMs)) };
}

/** Waits until none of the owner's mail is still PENDING or PROCESSING (the timeout counts the pauses). */
async function waitForDelivery(stack: LocalStack, owner: MailOwner, timeoutMs: number) {
  const [field, id] =
    'districtId' in owner ? ['gongjian.districtId', owner.districtId] : ['gongjian.planId', owner.planId];
  for (let waited = 0; ; waited += POLL_MS) {
    const snapshot = await mailCollection(stack.runtime.mailQueue.db)
      .where(field, '==', id)
      .select('delivery.state')
      .get();
    const states = snapshot.docs.map((doc) => String(doc.get('delivery.state')));
    const busy = states.filter((state) => state === 'PENDING' || state === 'PROCESSING').length;
    if (busy === 0 || waited > timeoutMs) {
      return {
        delivered: states.filter((state) => state === 'SUCCESS').length,
        failed: states.filter((state) => state === 'ERROR' || state === 'RETRY').length,
      };
    }
    await stack.runtime.sleep(POLL_MS);
  }
}
