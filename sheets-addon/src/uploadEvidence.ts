/**
 * 上传佐证照片: photos for the activity on the selected 活动 row, through the API
 * (`POST /v1/plans/{id}/evidence`, shared/api.ts), and the link it answers written into the row.
 *
 * The row is named by its 记录编号, not its number: the dialog stays open while photos upload, and
 * staff may sort or insert rows meanwhile, so the link goes to whichever row holds the ID when the
 * answer arrives — and to none when no row holds it any more (the photos are kept all the same).
 *
 * Apps Script limits, and what is chosen for them: the page sends one photo a google.script.run
 * call (a photo of at most PHOTO_MAX_BYTES is ≤ 16 MB as base64), and each call sends one request
 * (UrlFetchApp's payload limit is 50 MB; the API's JSON schema takes one 12 MB photo with room to
 * spare). One photo a call also keeps every call far from the 6-minute limit and lets the page
 * say which photo is being sent; the page checks count and size before reading anything.
 *
 * The cell. The link is the server's, never user text: an http(s) address (the capability link
 * of Cloud Storage photos) is written as rich text whose link is that same address — no formula,
 * so nothing typed anywhere becomes one; anything else is written as plain text. As with the
 * phone form (adapters/workbook/xlsxPort.ts linkEvidence), only an empty cell is filled: a link
 * staff typed is never replaced, and the dialog says where the photos are instead.
 */
import * as z from 'zod';
import { EvidenceRequest } from '../../shared/api';
import { locateColumns, recogniseTab } from '../../shared/columns';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from '../../shared/evidence';
import { identityToken, postEvidence } from './api';
import { AddonError, MESSAGES } from './errors';
import { withDocumentLock } from './lock';
import type { AddonSettings } from './settings';
import { headerText, TEXT_FORMAT } from './sheetIo';

/** What the dialog is opened with. */
export interface UploadDialogData {
  activityId: string;
  /** The row's 活动名称, for the dialog's heading (may be empty). */
  title: string;
  row: number;
  maxCount: number;
  maxBytes: number;
}

/** What the dialog hears back for each photo. */
export interface UploadPhotoResult {
  /** The stored names of the photos added, e.g. ["3.jpg"]. */
  added: string[];
  link: string;
  /** Where the link went: written now, there already, or a cell with other content kept. */
  cell: 'written' | 'unchanged' | 'kept' | 'row_gone';
}

const WRONG_SELECTION = [
  '请先在「活动」表中选中一条已有记录编号的活动（单击该行任一单元格），再上传佐证照片。没有记录编号的新行请先「同步到云端」。',
  'Select one activity row of 活动 that has a 记录编号 (click any cell of it) first; sync a new row to give it one.',
] as const;

/** The 1-based columns of 活动 the upload reads and writes; undefined where a column is missing. */
function activityColumns(sheet: GoogleAppsScript.Spreadsheet.Sheet): {
  id?: number | undefined;
  evidence?: number | undefined;
  title?: number | undefined;
} {
  const width = sheet.getLastColumn();
  if (width === 0) return {};
  const header = sheet
    .getRange(1, 1, 1, width)
    .getValues()[0]
    ?.map((cell) => headerText(cell));
  const located = locateColumns('activities', header ?? []);
  const at = (field: string) => {
    const index = located.get(field);
    return index === undefined ? undefined : index + 1;
  };
  return { id: at('activityId'), evidence: at('evidence'), title: at('title') };
}

/** A cell's text as staff see it (trimmed). */
function textAt(sheet: GoogleAppsScript.Spreadsheet.Sheet, row: number, column: number): string {
  const value = sheet.getRange(row, column).getValues()[0]?.[0];
  return value === null || value === undefined ? '' : String(value).trim();
}

/**
 * The activity on the selection: one data row of 活动 (any cells of it) holding a 记录编号.
 * Refuses anything else with a sentence saying what to select.
 */
export function selectedActivity(spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet): UploadDialogData {
  const range = spreadsheet.getActiveRange();
  const sheet = range?.getSheet();
  if (!range || !sheet || recogniseTab(sheet.getName()) !== 'activities' || range.getNumRows() !== 1)
    throw new AddonError('wrong_selection', ...WRONG_SELECTION);
  const row = range.getRow();
  const columns = activityColumns(sheet);
  if (columns.id === undefined || columns.evidence === undefined)
    throw new AddonError('not_initialised', ...MESSAGES.notInitialised);
  const activityId = row < 2 ? '' : textAt(sheet, row, columns.id);
  if (activityId === '') throw new AddonError('wrong_selection', ...WRONG_SELECTION);
  const title = columns.title === undefined ? '' : textAt(sheet, row, columns.title);
  return { activityId, title, row, maxCount: PHOTO_MAX_COUNT, maxBytes: PHOTO_MAX_BYTES };
}

/** One photo as the page sends it: the activity, the file's name and its bytes as base64. */
const PhotoUpload = z.object({ activityId: z.string(), name: z.string(), data: z.string() });

/** Sends one photo of the dialog to the API and links the activity's row; see the module comment. */
export function uploadPhoto(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  settings: AddonSettings,
  input: unknown,
): UploadPhotoResult {
  // The route's own schema (shared/api.ts) checks the body here: an oversized photo is refused
  // before UrlFetchApp is asked to send it, with the sentence the page would have said.
  const photo = PhotoUpload.safeParse(input).data;
  const body = EvidenceRequest.safeParse(
    photo && { activityId: photo.activityId.trim(), photos: [{ name: photo.name, data: photo.data }] },
  );
  if (!body.success)
    throw new AddonError(
      'invalid_form',
      `照片无法上传：须是一张不超过 ${PHOTO_MAX_BYTES / 1024 / 1024} MB 的照片，请关闭对话框后重新选择。`,
      `The photo cannot be sent: one photo of at most ${PHOTO_MAX_BYTES / 1024 / 1024} MB; close the dialog and choose again.`,
    );
  const { activityId } = body.data;
  // The request is sent outside the document lock: an upload must not hold up a colleague's sync.
  const answer = postEvidence(settings, body.data, identityToken());
  const cell = withDocumentLock(() => linkRow(spreadsheet, activityId, answer.link));
  return { added: answer.added, link: answer.link, cell };
}

/** Writes the link into the empty 佐证链接 cell of the row that holds the activity's ID now. */
function linkRow(
  spreadsheet: GoogleAppsScript.Spreadsheet.Spreadsheet,
  activityId: string,
  link: string,
): UploadPhotoResult['cell'] {
  const sheet = spreadsheet.getSheets().find((s) => recogniseTab(s.getName()) === 'activities');
  if (!sheet) return 'row_gone';
  const columns = activityColumns(sheet);
  if (columns.id === undefined || columns.evidence === undefined) return 'row_gone';
  const last = sheet.getLastRow();
  if (last < 2) return 'row_gone';
  const ids = sheet.getRange(2, columns.id, last - 1, 1).getValues();
  const index = ids.findIndex((cells) => String(cells[0] ?? '').trim() === activityId);
  if (index < 0) return 'row_gone';
  const row = index + 2;
  const present = textAt(sheet, row, columns.evidence);
  if (present === link) return 'unchanged';
  if (present !== '') return 'kept';
  const target = sheet.getRange(row, columns.evidence);
  // Text format first: the link is kept as the string it is, never read as a number or formula.
  target.setNumberFormat(TEXT_FORMAT);
  if (/^https?:\/\/[^\s]+$/i.test(link)) {
    target.setRichTextValue(SpreadsheetApp.newRichTextValue().setText(link).setLinkUrl(link).build());
  } else {
    target.setValues([[link]]);
  }
  return 'written';
}
