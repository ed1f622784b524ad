/**
 * The 街道月报 round (§7, §13): at 09:00 in each district's time zone, on the 1st (a day off: the
 * next working day), queue the month's summary to the district's viewers. It is computed from the
 * members' stored summaries as the roll-up is (districts/refresh.ts computeRollup: one small
 * document per member, no record), and queued under the key district · month, so a second run —
 * the next hour's, a retried schedule, the local stack after the schedule — queues nothing. The
 * document goes into the same `mail` collection as a plan's, owned by the district
 * (message.ts MailOwner), and any sender delivers it: ours, or the Trigger Email extension.
 */
import { TZDate } from '@date-fns/tz';
import { districtSummaryPeriodsOn } from '../../../shared/emails/districtSummary';
import { EMAIL_KINDS } from '../../../shared/emails/kinds';
import { cleanAddresses } from '../../../shared/emails/layout';
import type { IsoDate } from '../../../shared/model';
import { todayIn } from '../../../shared/today';
import { computeRollup } from '../districts/refresh';
import { type Log, logs } from '../logs';
import type { DistrictDoc, DistrictStore } from '../store/districtStore';
import type { PlanStore } from '../store/planStore';
import { SEND_HOUR } from './daily';
import { enqueueMail, type MailQueue } from './queue';

export interface DistrictMailDeps {
  districts: DistrictStore;
  store: PlanStore;
  queue: MailQueue;
  log?: Log | undefined;
}

/** What one district's round queued. */
export interface DistrictMailCounts {
  queued: number;
  duplicate: number;
}

/**
 * Queues a district's 街道月报 of the months whose sending day is `date` (its local day): nothing —
 * and nothing read — on any other day, or for a district without viewers.
 */
export async function queueDistrictSummary(
  deps: DistrictMailDeps,
  district: DistrictDoc,
  date: IsoDate,
  now: Date,
): Promise<DistrictMailCounts> {
  const counts: DistrictMailCounts = { queued: 0, duplicate: 0 };
  const periods = districtSummaryPeriodsOn(date);
  if (periods.length === 0 || cleanAddresses(district.viewers).length === 0) return counts;
  const { rollup, pending } = await computeRollup(district, deps.store);
  for (const period of periods) {
    const email = EMAIL_KINDS.districtSummary.render({
      districtId: district.districtId,
      name: district.name,
      viewers: district.viewers,
      rollup,
      pending: pending.length,
      period,
    });
    counts[await enqueueMail(deps.queue, { ...email, districtId: district.districtId }, now)] += 1;
  }
  deps.log?.(logs.districtMailQueued(district.districtId, date, counts.queued, counts.duplicate));
  return counts;
}

/** The hourly round: every district whose local time is in the sending hour queues its 街道月报. */
export async function queueDistrictEmails(deps: DistrictMailDeps, now: Date): Promise<void> {
  for (const districtId of await deps.districts.districtIds()) {
    const district = await deps.districts.getDistrict(districtId);
    if (!district || new TZDate(now, district.timezone).getHours() !== SEND_HOUR) continue;
    await queueDistrictSummary(deps, district, todayIn(now, district.timezone), now);
  }
}
