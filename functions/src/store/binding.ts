/**
 * How a plan is bound to its Google Sheet, so that no plan's editor can make the functions write
 * into someone else's sheet. The functions' service account can edit every spreadsheet shared with
 * it, whichever plan it belongs to: the request naming a spreadsheet proves nothing. Two locks:
 *
 * 1. The binding lives in the plan document (`workbook`), written by the server only. The sync that
 *    creates a plan (an admin's) sets it; afterwards a sync naming another spreadsheet is refused
 *    (409, nothing written) unless the caller is in GONGJIAN_ADMINS. A plan's editors can change
 *    its rows, never where its generated tabs go.
 * 2. Before writing anything into a spreadsheet, the functions read its plan marker: developer
 *    metadata on the spreadsheet, key PLAN_MARKER_KEY, value the plan ID, DOCUMENT visibility (so the
 *    service account, of another Cloud project than the add-on's, can read it; PROJECT visibility
 *    would hide it). A sheet without a marker, or marked for another plan, gets nothing. This holds
 *    even against an admin's mistaken rebind or a plan document bound before lock 1 existed.
 *
 * Why the marker cannot be forged to one's advantage: developer metadata is written only through
 * the spreadsheet itself (Apps Script in the document, or the Sheets API's batchUpdate), and both
 * require edit access to that spreadsheet. To mark plan B's sheet for plan A you must already be
 * able to edit B's sheet, and then you could rewrite its 汇总 by hand: the marker grants nothing
 * its writer did not have. Reading it is harmless (a plan ID is not a secret; every request is
 * still authenticated against the plan's editors). The add-on writes the marker under the plan ID
 * of its settings, kept in the document's properties, which likewise only the sheet's editors set.
 *
 * The local stack's .xlsx location comes from the server's own configuration (development only),
 * never from the request, so it needs neither lock.
 */
import type { PlanDoc, WorkbookLocation } from './planStore';

/**
 * Whether a sync would point an existing plan at a Google Sheet other than its own (or give an
 * unbound plan one): only admins may. A sync naming no spreadsheet keeps the binding as it is.
 */
export function isRebinding(plan: PlanDoc | undefined, requested: WorkbookLocation | undefined): boolean {
  if (plan === undefined || requested?.kind !== 'sheets') return false;
  const bound = plan.workbook;
  return bound?.kind !== 'sheets' || bound.spreadsheetId !== requested.spreadsheetId;
}
