/** The 计划 tab's own check: a measure's partners, its metric and recurrence, and its dates' order. */
import { dayOf } from '../dates';
import type { Measure } from '../model';
import { type PartnerResolver, resolvePartners, uniqueIds } from './references';
import type { RowCheck } from './row';

/** Checks a plan row and keeps it in `measures` when accepted. */
export function measureCheck(
  measures: Measure[],
  year: number,
  resolve: PartnerResolver,
): (check: RowCheck) => void {
  const uniqueId = uniqueIds('measureId');
  return (check) => {
    uniqueId(check);
    if (check.unread) return;
    const partners = resolvePartners(check, resolve);
    const metric = (check.text('metric') ?? 'count') as Measure['metric'];
    const recurrence = (check.text('recurrence') ?? 'none') as Measure['recurrence'];
    // A milestone's target is always 1: whatever was typed there is ignored, not checked.
    if (metric !== 'milestone') check.readDeferred('target');
    if (metric === 'milestone' && recurrence !== 'none') {
      check.report('recurrence', 'invalid_recurrence', {
        value: check.typed('recurrence') ?? recurrence,
      });
    }
    const start = check.text('start');
    const due = check.text('due');
    const effectiveStart = start ?? `${year}-01-01`;
    const effectiveDue = due ?? `${year}-12-31`;
    const unreadable = check.issues.some((i) => i.code === 'invalid_date');
    if (!unreadable && dayOf(effectiveDue) < dayOf(effectiveStart)) {
      check.report(due === undefined ? 'start' : 'due', 'date_range', {
        start: effectiveStart,
        due: effectiveDue,
      });
    }
    if (check.rejected) return;
    measures.push({
      measureId: check.text('measureId') as string,
      category: check.text('category') as Measure['category'],
      title: check.text('title') as string,
      owner: check.text('owner'),
      ownerEmail: check.text('ownerEmail'),
      partners,
      metric,
      target: metric === 'milestone' ? 1 : (check.number('target') ?? 1),
      recurrence,
      start: start,
      due: due,
      state: (check.text('status') ?? 'auto') as Measure['state'],
      doneOn: check.text('doneOn'),
      notes: check.text('notes'),
      row: check.row,
    });
  };
}
