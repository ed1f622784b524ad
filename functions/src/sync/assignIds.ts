/**
 * IDs for activity rows typed without one. An ID is derived from the row's content (date,
 * measure, title, and which occurrence of that content it is), not drawn at random: if the
 * write-back to the sheet fails or is slow, syncing the same rows again yields the same IDs, so
 * nothing is written twice under two names.
 */
import { createHash } from 'node:crypto';
import type { Activity } from '../../../shared/model';

export interface AssignedId {
  row: number;
  activityId: string;
}

/** Returns the ID of every activity (given or assigned) and the list of those assigned. */
export function assignActivityIds(activities: readonly Activity[]): {
  ids: string[];
  assigned: AssignedId[];
} {
  const taken = new Set(activities.flatMap((a) => (a.activityId === undefined ? [] : [a.activityId])));
  const occurrences = new Map<string, number>();
  const assigned: AssignedId[] = [];
  const ids = activities.map((activity) => {
    if (activity.activityId !== undefined) return activity.activityId;
    const content = `${activity.date}\u0000${activity.measureId}\u0000${activity.title}`;
    let n = occurrences.get(content) ?? 0;
    let id: string;
    do {
      id = `A${createHash('sha256').update(`${content}\u0000${n}`).digest('hex').slice(0, 10).toUpperCase()}`;
      n += 1;
    } while (taken.has(id));
    occurrences.set(content, n);
    taken.add(id);
    assigned.push({ row: activity.row, activityId: id });
    return id;
  });
  return { ids, assigned };
}
