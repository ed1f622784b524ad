/**
 * The plan marker: developer metadata on the spreadsheet (key PLAN_MARKER_KEY, value the plan ID)
 * saying which plan this sheet belongs to. The functions write their generated tabs into a sheet
 * only when its marker names the plan (functions/src/store/binding.ts). DOCUMENT visibility: the
 * functions' service account belongs to another Cloud project than this script, and PROJECT
 * metadata is visible to the project that wrote it only.
 */
import { PLAN_MARKER_KEY } from '../../shared/marks';

/** Leaves exactly one marker on the spreadsheet, naming this plan (a marker of another plan goes). */
export function markSpreadsheetForPlan(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  planId: string,
): void {
  // The spreadsheet's finder searches sheets, rows and columns too: only the document's own counts.
  const markers = spreadsheet
    .createDeveloperMetadataFinder()
    .withKey(PLAN_MARKER_KEY)
    .withLocationType(SpreadsheetApp.DeveloperMetadataLocationType.SPREADSHEET)
    .find();
  const document = SpreadsheetApp.DeveloperMetadataVisibility.DOCUMENT;
  const kept = markers.find((marker) => marker.getValue() === planId && marker.getVisibility() === document);
  for (const marker of markers) if (marker !== kept) marker.remove();
  if (!kept) spreadsheet.addDeveloperMetadata(PLAN_MARKER_KEY, planId, document);
}
