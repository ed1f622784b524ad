/** The 共建单位 tab's own check: each partner once, by ID and by name, with a way to reach it. */
import type { Partner } from '../model';
import { comparisonKey } from '../normalize';
import { uniqueIds } from './references';
import type { RowCheck } from './row';

/** Checks a partner row (IDs and names unique so far) and keeps it in `partners` when accepted. */
export function partnerCheck(partners: Partner[]): (check: RowCheck) => void {
  const uniqueId = uniqueIds('partnerId');
  const names = new Map<string, number>();
  return (check) => {
    uniqueId(check);
    if (check.unread) return;
    const name = check.text('name');
    if (name !== undefined) {
      // Names differing only in full- or half-width forms are the same name to a reference.
      const key = comparisonKey(name);
      const first = names.get(key);
      if (first === undefined) names.set(key, check.row);
      else check.report('name', 'duplicate_name', { value: name, row: first });
    }
    const emails = check.list('emails');
    if (emails.length === 0 && !check.issues.some((issue) => issue.field === 'emails')) {
      check.report('emails', 'no_email', { value: name ?? check.text('partnerId') ?? '' });
    }
    if (check.rejected) return;
    partners.push({
      partnerId: check.text('partnerId') as string,
      name: name as string,
      type: (check.text('type') ?? 'other') as Partner['type'],
      contact: check.text('contact'),
      phone: check.text('phone'),
      emails,
      pairedOn: check.text('pairedOn'),
      active: check.text('active') !== 'inactive',
      row: check.row,
    });
  };
}
