/** The 节假日 tab's own check: the office's own days off and make-up working days. */
import type { CalendarDay } from '../model';
import type { RowCheck } from './row';

/**
 * Checks a 节假日 row (a date given once in the tab) and keeps it in `days` when accepted. A date
 * given twice is an error on the later row: which of 休 and 班 the office meant is not ours to guess.
 */
export function holidayCheck(days: CalendarDay[]): (check: RowCheck) => void {
  const seen = new Map<string, number>();
  return (check) => {
    if (check.unread) return;
    const date = check.text('date');
    if (date !== undefined) {
      const first = seen.get(date);
      if (first === undefined) seen.set(date, check.row);
      else check.report('date', 'duplicate_date', { value: date, row: first });
    }
    if (check.rejected) return;
    const name = check.text('name');
    days.push({
      date: date as string,
      kind: check.text('kind') as CalendarDay['kind'],
      ...(name !== undefined && { name }),
    });
  };
}
