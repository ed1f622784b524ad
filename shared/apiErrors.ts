/**
 * The staff API's refusal codes (shared/api.ts has the rest of the contract). Apart from the zod
 * schemas so that a terminal program's error boundary can key on codes without loading zod.
 */

/**
 * Every code the API refuses with, and its HTTP status: the one table the server answers from
 * (ApiError takes only these codes and looks its status up here) and every client keys on. A
 * client chooses its sentence by code, never by status: two refusals can share a status (409 is
 * both a busy plan and a sheet bound to another plan) and want different advice.
 */
export const API_ERRORS = {
  missing_token: 401,
  invalid_token: 401,
  wrong_audience: 401,
  token_expired: 401,
  email_missing: 401,
  /** Google's certificates cannot be fetched for a token that could be valid: retry later. */
  issuer_unreachable: 503,
  email_unverified: 403,
  not_editor: 403,
  /** Neither a viewer nor an admin of the district: its roll-up is not theirs to read. */
  not_district_viewer: 403,
  /** Only the district's admins (creating one: the service's admins) change it. */
  not_district_admin: 403,
  not_found: 404,
  unknown_plan: 404,
  no_stats: 404,
  unknown_district: 404,
  /** No activity with this 记录编号 in the plan as last synced (sync first, then upload). */
  unknown_activity: 404,
  /** A ledger asked for a partner unit the plan does not have (ID or exact name). */
  unknown_partner: 404,
  method_not_allowed: 405,
  workbook_bound: 409,
  sync_in_progress: 409,
  /** A confirmation of deletions when no sync holds any back (shared/deletionGuard.ts). */
  no_pending_deletion: 409,
  /** A confirmation naming a set of rows that is no longer the one pending. */
  deletions_changed: 409,
  district_exists: 409,
  /** A plan belongs to at most one district: remove it from the other one first. */
  plan_in_other_district: 409,
  length_required: 411,
  body_too_large: 413,
  report_too_large: 413,
  invalid_body: 400,
  malformed_json: 400,
  /** An update request's date to report by is no real date, or has passed. */
  invalid_due: 400,
  /** An editor's update-request emails for the day would pass the cap (Retry-After says when). */
  request_email_cap: 429,
  unusable_input: 422,
  /** A photo that cannot be kept (not an image, too large, too many pixels): nothing was stored. */
  invalid_photo: 422,
  unreachable_recipient: 422,
  internal: 500,
  form_unavailable: 503,
  mail_unavailable: 503,
  requests_unavailable: 503,
  /** No photo store serves this plan's workbook here. */
  photos_unavailable: 503,
  /** The service account cannot open or edit the Google Sheet named for a district's roll-up. */
  district_sheet_unreachable: 422,
  /** The Google Sheet named for a district's roll-up is a plan's own (it carries a plan marker). */
  district_sheet_is_plan: 409,
  /** No ledger output serves this plan's workbook here (neither beside a local file nor Cloud Storage). */
  ledger_unavailable: 503,
} as const satisfies Record<string, number>;
export type ApiErrorCode = keyof typeof API_ERRORS;

const API_ERROR_CODES: ReadonlySet<string> = new Set(Object.keys(API_ERRORS));

/** The code of a refusal if this build knows it (a newer server may send one it does not). */
export function knownErrorCode(code: string | undefined): ApiErrorCode | undefined {
  return code !== undefined && API_ERROR_CODES.has(code) ? (code as ApiErrorCode) : undefined;
}
