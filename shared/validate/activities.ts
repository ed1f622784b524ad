/**
 * The 活动 tab's own check: an activity names a measure and partners of the plan, is done no later
 * than the as-of date and within the plan year, is not entered twice, and has believable hours.
 */
import type { EvidenceRule } from '../i18n';
import type { Activity, IsoDate, Measure } from '../model';
import { comparisonKey } from '../normalize';
import { type PartnerResolver, resolvePartners, uniqueIds } from './references';
import type { RowCheck } from './row';

/** Checks an activity row and keeps it in `activities` when accepted. */
export function activityCheck(
  activities: Activity[],
  measures: Measure[],
  resolve: PartnerResolver,
  year: number,
  asOf: IsoDate,
  evidenceRule: EvidenceRule = 'warn',
): (check: RowCheck) => void {
  const uniqueId = uniqueIds('activityId');
  const measureIds = new Set(measures.map((m) => m.measureId));
  const seen = new Map<string, number>();
  return (check) => {
    uniqueId(check);
    if (check.unread) return;
    const date = check.text('date');
    const measureId = check.text('measureId');
    const title = check.text('title');
    if (measureId !== undefined && !measureIds.has(measureId)) {
      check.report('measureId', 'unknown_measure', { value: measureId });
    }
    const partners = resolvePartners(check, resolve);
    const status = (check.text('status') ?? 'done') as Activity['status'];
    if (date !== undefined) {
      if (status === 'done' && date > asOf) check.report('date', 'future_done', { value: date, asOf });
      if (Number(date.slice(0, 4)) !== year) check.report('date', 'outside_plan_year', { value: date, year });
      if (measureId !== undefined && title !== undefined) {
        const key = `${date}\u0000${measureId}\u0000${comparisonKey(title)}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, check.row);
        else check.report('title', 'duplicate_activity', { row: first });
      }
    }
    const hours = check.number('hours');
    const participants = check.number('participants');
    // Hours are measured against the participants only when their number is believable.
    if (
      hours !== undefined &&
      !check.implausible.has('participants') &&
      hours > 24 * Math.max(participants ?? 0, 1)
    ) {
      check.report('hours', 'implausible_hours', { value: String(hours) });
    }
    // 佐证要求 (SPEC §3): a done activity shows its evidence — a link, or its photo folder's link.
    // Not said of a row rejected already: it is not counted either way, and the fix comes first.
    if (
      !check.rejected &&
      status === 'done' &&
      evidenceRule !== 'none' &&
      check.text('evidence') === undefined
    ) {
      check.report('evidence', 'missing_evidence', {}, evidenceRule === 'require' ? 'error' : 'warning');
    }
    if (check.rejected) return;
    activities.push({
      activityId: check.text('activityId'),
      date: date as string,
      measureId: measureId as string,
      partners,
      title: title as string,
      location: check.text('location'),
      participants: participants,
      beneficiaries: check.number('beneficiaries'),
      hours: hours,
      funds: check.number('funds'),
      status,
      recorder: check.text('recorder'),
      evidence: check.text('evidence'),
      notes: check.text('notes'),
      row: check.row,
      // Every field of the model named: a column added to model.ts without its rule here fails to compile.
    } satisfies Record<keyof Activity, unknown>);
  };
}
