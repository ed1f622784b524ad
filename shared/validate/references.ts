/**
 * Checks that look beyond one row: an ID used once in its tab, and a reference to a partner
 * resolved against the partners tab's accepted rows.
 */
import type { Partner } from '../model';
import { comparisonKey } from '../normalize';
import type { RowCheck } from './row';

/** Flags IDs already used by an earlier row of the same tab (accepted or not). */
export function uniqueIds(field: string): (check: RowCheck) => void {
  const seen = new Map<string, number>();
  return (check) => {
    const id = check.text(field);
    if (id === undefined) return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, check.row);
    else check.report(field, 'duplicate_id', { value: id, row: first });
  };
}

/** Resolves a partner reference (an accepted partner's ID, else its exact name) to its ID. */
export type PartnerResolver = (reference: string) => string | undefined;

/** A resolver over the accepted partners: by ID first, else by name compared after NFKC. */
export function partnerResolver(partners: Partner[]): PartnerResolver {
  const byId = new Map(partners.map((p) => [p.partnerId, p.partnerId]));
  // A reference is read with NFKC (parseList); the names it may match are compared the same way.
  const byName = new Map(partners.map((p) => [comparisonKey(p.name), p.partnerId]));
  return (reference) => byId.get(reference) ?? byName.get(comparisonKey(reference));
}

/** The row's partner references as IDs (each once), reporting every one that names no partner. */
export function resolvePartners(check: RowCheck, resolve: PartnerResolver): string[] {
  const ids: string[] = [];
  for (const reference of check.list('partners')) {
    const id = resolve(reference);
    if (id === undefined) check.report('partners', 'unknown_partner', { value: reference });
    else if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}
