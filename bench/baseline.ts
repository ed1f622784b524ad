/**
 * The floor the statistics engine is measured against in the same process: a bare one-pass
 * aggregation (count and four sums per measure, partner and month over A_D) with no statuses,
 * periods or roll-ups (a few milliseconds at 50,000 activities; the README's benchmark table).
 */
import type { PlanModel } from '../shared/model';

/** Returns the number of buckets touched, so the work cannot be optimised away. */
export function onePassBaseline(model: PlanModel, asOf: string): number {
  const buckets = new Map<string, number[]>();
  const add = (key: string, a: PlanModel['activities'][number]) => {
    let sums = buckets.get(key);
    if (!sums) {
      sums = [0, 0, 0, 0, 0];
      buckets.set(key, sums);
    }
    sums[0] = (sums[0] ?? 0) + 1;
    sums[1] = (sums[1] ?? 0) + (a.participants ?? 0);
    sums[2] = (sums[2] ?? 0) + (a.beneficiaries ?? 0);
    sums[3] = (sums[3] ?? 0) + (a.hours ?? 0);
    sums[4] = (sums[4] ?? 0) + (a.funds ?? 0);
  };
  for (const activity of model.activities) {
    if (activity.status !== 'done' || activity.date > asOf) continue;
    add(`m${activity.measureId}`, activity);
    add(activity.date.slice(0, 7), activity);
    for (const partner of activity.partners) add(`p${partner}`, activity);
  }
  return buckets.size;
}
