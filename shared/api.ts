/**
 * The HTTP contract of the staff API (functions/src/http/api.ts), written once: the server parses
 * requests and types its answers with these schemas, and its clients — the add-on
 * (sheets-addon/src/api.ts) and the local stack (stack/syncWorkbook.ts) — parse the
 * answers with the same ones.
 *
 * The routes are one table, ROUTES (method, path under /v1/plans/{planId}/, input and answer schemas,
 * what a refusal of a wrong input says, success status, whether a success acknowledges a write;
 * shared/routes.ts): the server matches, reads each input and dispatches from it, and the clients
 * build their URLs and parse their answers from it. The district routes are a table of their own
 * (shared/districtApi.ts). Any refusal is a 4xx/5xx ErrorBody whose code is one of API_ERRORS
 * (shared/apiErrors.ts).
 *
 * zod is bundled into the add-on anyway (its settings are checked with it), so the add-on parses
 * with these schemas rather than a hand-written copy.
 */
import * as z from 'zod';
import { RECORD_TABS, type RecordTabKey, TAB_KEYS } from './columns';
import { PendingDeletion } from './deletionGuard';
import { PHOTO_MAX_BYTES, PHOTO_MAX_COUNT } from './evidence';
import { ChangeEntry } from './history';
import { ISSUE_SEVERITY, type IssueCode } from './issues';
import { type RouteTable, routesUnder } from './routes';
import type { Stats } from './stats-types';

/** A cell as the API receives it: no Date, dates travel as spreadsheet serial numbers. */
export const ApiCell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ApiCell = z.infer<typeof ApiCell>;

/** One data row with its sheet row number (header = 1). */
export const ApiRow = z.object({ row: z.number().int().min(2), cells: z.array(ApiCell) });
export type ApiRow = z.infer<typeof ApiRow>;

/** One tab as sent: its name, header row and data rows. */
export const ApiTab = z.object({
  name: z.string().max(100),
  header: z.array(ApiCell),
  rows: z.array(ApiRow),
});
export type ApiTab = z.infer<typeof ApiTab>;

/** The body of sync and validate: the workbook's tabs, and the Google Sheet they come from. */
export const SyncRequest = z.object({
  tabs: z.array(ApiTab).max(50),
  /** The Google Sheet the request comes from, so triggers can write its generated tabs. */
  spreadsheetId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,100}$/)
    .optional(),
  /**
   * Deletions the person confirmed, each as a sync answered it (pendingDeletions): applied only
   * while the same records would be deleted (shared/deletionGuard.ts).
   */
  confirmDeletions: z
    .array(PendingDeletion.pick({ tab: true, count: true, token: true }))
    .max(3)
    .optional(),
});
export type SyncRequest = z.infer<typeof SyncRequest>;

/** A deletion the sync held back, with what to tell the person (shared/deletionGuard.ts). */
export const ApiPendingDeletion = PendingDeletion.extend({
  /** A confirmation was given for another set of this tab's rows: nothing was deleted. */
  changed: z.boolean(),
  message: z.string(),
  messageEn: z.string(),
});
export type ApiPendingDeletion = z.infer<typeof ApiPendingDeletion>;

const ISSUE_CODES = Object.keys(ISSUE_SEVERITY) as [IssueCode, ...IssueCode[]];

/** One validation issue as the API answers it (shared/issues.ts `Issue`). */
export const ApiIssue = z.object({
  tab: z.enum(TAB_KEYS),
  row: z.number().int(),
  column: z.string(),
  field: z.string(),
  code: z.enum(ISSUE_CODES),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  messageEn: z.string(),
});

const TabCounts = z.object({ rows: z.number(), accepted: z.number(), rejected: z.number() });

/** The 200 answer of sync and validate. */
export const SyncResponse = z.object({
  planId: z.string(),
  asOf: z.string(),
  /** False for validate-only requests and for workbooks whose settings are in error. */
  applied: z.boolean(),
  tabs: z.object(
    Object.fromEntries(RECORD_TABS.map((tab) => [tab, TabCounts])) as Record<
      (typeof RECORD_TABS)[number],
      typeof TabCounts
    >,
  ),
  issues: z.array(ApiIssue),
  /** IDs the server gave activity rows that had none, by sheet row. */
  assignedIds: z.array(z.object({ row: z.number().int(), activityId: z.string() })),
  writes: z.object({ created: z.number(), updated: z.number(), deleted: z.number() }),
  version: z.number(),
  /**
   * Deletions held back for confirmation (a mass deletion): sync again with confirmDeletions. A
   * server from before the guard sends none, which means the same: nothing is held.
   */
  pendingDeletions: z.array(ApiPendingDeletion).default([]),
});
export type SyncResponse = z.infer<typeof SyncResponse>;

/** The 200 answer of stats: the last complete statistics and whether a sync is under way. */
export const StatsResponse = z.object({
  planVersion: z.number().int(),
  sync: z.enum(['complete', 'inProgress', 'interrupted']),
  asOf: z.string(),
  inputVersion: z.number().int(),
  computedAt: z.string(),
  stats: z.custom<Stats>((value) => typeof value === 'object' && value !== null),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

/** The body of report: names the request (a retry queues one email); the year defaults to the plan's. */
export const ReportRequest = z.object({
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  year: z.number().int().min(2000).max(2999).optional(),
});
export type ReportRequest = z.infer<typeof ReportRequest>;

/** The 202 answer of report: the year-end summary is queued to the caller's mailbox. */
export const ReportResponse = z.object({
  planId: z.string(),
  year: z.number(),
  asOf: z.string(),
  to: z.array(z.string()),
  mailId: z.string(),
  bytes: z.number(),
  /** True when this requestId was queued before: no second email. */
  duplicate: z.boolean(),
});
export type ReportResponse = z.infer<typeof ReportResponse>;

/**
 * The body of evidence: photos for one activity, base64 in JSON — what Apps Script's UrlFetchApp
 * sends without a multipart builder. The add-on sends one photo a request (a 12 MB photo is 16 MB
 * as base64, under the body limit); up to PHOTO_MAX_COUNT are accepted in one.
 */
export const EvidenceRequest = z.object({
  activityId: z.string().min(1).max(64),
  photos: z
    .array(
      z.object({
        name: z.string().max(200),
        // base64 of at most PHOTO_MAX_BYTES, with room for padding: larger is refused unread.
        data: z
          .string()
          .max(Math.ceil(PHOTO_MAX_BYTES / 3) * 4 + 4)
          .regex(/^[A-Za-z0-9+/]*={0,2}$/),
      }),
    )
    .min(1)
    .max(PHOTO_MAX_COUNT),
});
export type EvidenceRequest = z.infer<typeof EvidenceRequest>;

/** The answer of evidence: the activity's 佐证链接 and the numbers its new photos got. */
export const EvidenceResponse = z.object({
  planId: z.string(),
  activityId: z.string(),
  /** The link the row's 佐证链接 gets (the add-on writes it into the cell). */
  link: z.string(),
  /** The stored names of the photos added, e.g. ["3.jpg"]. */
  added: z.array(z.string()),
});
export type EvidenceResponse = z.infer<typeof EvidenceResponse>;

/**
 * The body of ledger: what `gongjian ledger` takes — the period (default: the plan year so far)
 * and a partner unit's ID or exact name —, each optional. The same body from the same person
 * within a minute is one request (a retry): one build, one email.
 */
export const LedgerRequest = z
  .object({
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    partner: z.string().trim().min(1).max(100).optional(),
  })
  .refine((body) => body.from === undefined || body.to === undefined || body.from <= body.to, {
    message: 'from is after to',
    path: ['from'],
  });
export type LedgerRequest = z.infer<typeof LedgerRequest>;

/** The 202 answer of ledger: the build is queued; its download link goes to the caller by email. */
export const LedgerResponse = z.object({
  planId: z.string(),
  jobId: z.string(),
  from: z.string(),
  to: z.string(),
  partnerId: z.string().optional(),
  /** Who gets the download link: the caller. */
  mailTo: z.string(),
  /** True when the same request was made within the minute: that build answers for both. */
  duplicate: z.boolean(),
});
export type LedgerResponse = z.infer<typeof LedgerResponse>;

/** The body of requests: owner emails and partner IDs, a message, a date to report by, the request's name. */
export const RequestsRequest = z.object({
  to: z.array(z.string().trim().min(1).max(200)).min(1).max(500),
  message: z.string().max(1000).optional(),
  due: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  /** Names the request: a retried POST queues nothing new (the mail key is plan · person · request). */
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,64}$/)
    .optional(),
});
export type RequestsRequest = z.infer<typeof RequestsRequest>;

/** The 202 answer of requests: one update request queued per person. */
export const RequestsResponse = z.object({
  planId: z.string(),
  requestId: z.string(),
  sent: z.array(
    z.object({
      kind: z.enum(['owner', 'partner']),
      partnerId: z.string().optional(),
      email: z.string().optional(),
      to: z.array(z.string()),
      mailId: z.string(),
      duplicate: z.boolean(),
    }),
  ),
});
export type RequestsResponse = z.infer<typeof RequestsResponse>;

/** The body of requests/revoke: whose links to revoke. */
export const RevokeRequest = z.object({ email: z.string().trim().min(3).max(200).includes('@') });
export type RevokeRequest = z.infer<typeof RevokeRequest>;

/** The 200 answer of requests/revoke. */
export const RevokeResponse = z.object({ planId: z.string(), email: z.string(), revoked: z.number() });
export type RevokeResponse = z.infer<typeof RevokeResponse>;

/** The body of deletions/confirm: the held deletion to confirm (by default every one pending). */
export const ConfirmDeletionsRequest = z.object({
  tab: z.enum(RECORD_TABS).optional(),
  /** When given, the confirmation holds only while this set is the one pending. */
  token: PendingDeletion.shape.token.optional(),
});
export type ConfirmDeletionsRequest = z.infer<typeof ConfirmDeletionsRequest>;

/** The 200 answer of deletions/confirm: what the next sync of the workbook deletes. */
export const ConfirmDeletionsResponse = z.object({
  planId: z.string(),
  confirmed: z.array(PendingDeletion),
});
export type ConfirmDeletionsResponse = z.infer<typeof ConfirmDeletionsResponse>;
/**
 * A record tab a history query or a restore is about. IDs are unique within a tab only (a partner
 * and an activity may both be P01): without it an ID means its latest change in any tab.
 */
const RecordTab = z.enum(RECORD_TABS as [RecordTabKey, ...RecordTabKey[]]);

/** The query of history (GET): one record's changes (of one tab), changes since a date, how many at most. */
export const HistoryQuery = z.object({
  row: z.string().trim().min(1).max(64).optional(),
  tab: RecordTab.optional(),
  since: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});
export type HistoryQuery = z.infer<typeof HistoryQuery>;

/** The 200 answer of history: changes newest first (§12), and the plan's zone to show their times in. */
export const HistoryResponse = z.object({
  planId: z.string(),
  timezone: z.string(),
  changes: z.array(ChangeEntry),
});
export type HistoryResponse = z.infer<typeof HistoryResponse>;

/** The body of restore: deleted records (activities, partners, measures) to bring back by ID (§12). */
export const RestoreRequest = z
  .object({
    ids: z.array(z.string().trim().min(1).max(64)).min(1).max(100),
    /**
     * Restore this field of the one record `ids` names to its value before the field's latest
     * change (§12): the column's Chinese or English header, or the field key.
     */
    field: z.string().trim().min(1).max(64).optional(),
    /** The tab the IDs are records of; without it each ID's latest change in any tab decides. */
    tab: RecordTab.optional(),
  })
  .refine((request) => request.field === undefined || request.ids.length === 1, {
    message: 'field restores one record',
  });
export type RestoreRequest = z.infer<typeof RestoreRequest>;

/**
 * The 200 answer of restore, per ID: restored now; restored before (this deletion was already
 * undone: nothing written); present (not deleted); or unknown (no deletion in the log).
 * With `field`: restored (the field holds `value` again) or alreadyRestored (its latest change was
 * a restore, or it holds that value already); unknown (no change of the ID in the log), deleted
 * (the record is deleted: restore it first), unknownField (its tab has no such column) or
 * noChange (the field has not changed since the record was created).
 */
export const RestoreResponse = z.object({
  planId: z.string(),
  results: z.array(
    z.object({
      id: z.string(),
      /** The record's tab, when the log knows the ID. */
      tab: RecordTab.optional(),
      outcome: z.enum([
        'restored',
        'alreadyRestored',
        'present',
        'unknown',
        'deleted',
        'unknownField',
        'noChange',
      ]),
      /** With `field`: the stored field restored, and the value it now holds (absent: empty). */
      field: z.string().optional(),
      value: z.unknown().optional(),
    }),
  ),
});
export type RestoreResponse = z.infer<typeof RestoreResponse>;

/**
 * Every route of the staff API, all under /v1/plans/{planId}/ and all for the plan's owner and
 * editors (the first sync of a plan: an admin): the method, the path, the input (body or query; see
 * RouteDef in shared/routes.ts) and what a refusal of a wrong one says it needs, the success status
 * and answer schema, and whether a success acknowledges a write (so the server makes it durable
 * before answering). validate answers like sync and writes nothing.
 */
export const ROUTES = {
  sync: {
    method: 'POST',
    path: 'sync',
    body: SyncRequest,
    workbook: true,
    status: 200,
    answer: SyncResponse,
    writes: true,
  },
  validate: {
    method: 'POST',
    path: 'validate',
    body: SyncRequest,
    workbook: true,
    status: 200,
    answer: SyncResponse,
    writes: false,
  },
  stats: { method: 'GET', path: 'stats', body: undefined, status: 200, answer: StatsResponse, writes: false },
  report: {
    method: 'POST',
    path: 'report',
    body: ReportRequest,
    hint: [
      '需要 requestId（8–64 位字母、数字、_ 或 -），year 可选',
      'needs a requestId (8–64 letters, digits, _ or -) and an optional year',
    ],
    status: 202,
    answer: ReportResponse,
    writes: true,
  },
  requests: {
    method: 'POST',
    path: 'requests',
    body: RequestsRequest,
    hint: [
      'to 为责任人邮箱或共建单位编号的列表，message、due（YYYY-MM-DD）和 requestId 可选',
      'to is a list of owner emails or partner IDs; message, due (YYYY-MM-DD) and requestId are optional',
    ],
    status: 202,
    answer: RequestsResponse,
    writes: true,
  },
  revoke: {
    method: 'POST',
    path: 'requests/revoke',
    body: RevokeRequest,
    hint: ['需要 email（要撤销链接的人的邮箱）', 'needs email (whose links to revoke)'],
    status: 200,
    answer: RevokeResponse,
    writes: true,
  },
  confirmDeletions: {
    method: 'POST',
    path: 'deletions/confirm',
    body: ConfirmDeletionsRequest,
    hint: [
      '可选的 tab（partners、plan 或 activities）与 token',
      'an optional tab (partners, plan or activities) and token',
    ],
    status: 200,
    answer: ConfirmDeletionsResponse,
    writes: true,
  },
  history: {
    method: 'GET',
    path: 'history',
    body: undefined,
    query: HistoryQuery,
    hint: [
      'row 为记录编号，tab 为 partners、plan 或 activities，since 为日期（YYYY-MM-DD），limit 为 1–5000 的整数',
      'row is a record ID, tab partners, plan or activities, since a date (YYYY-MM-DD), limit a whole number 1–5000',
    ],
    status: 200,
    answer: HistoryResponse,
    writes: false,
  },
  restore: {
    method: 'POST',
    path: 'restore',
    body: RestoreRequest,
    hint: [
      'ids 为要恢复的记录编号列表（活动、共建单位或计划事项）；给出 field 时只能有一个编号',
      'ids is a list of the IDs to restore (activities, partners or measures); one ID with field',
    ],
    status: 200,
    answer: RestoreResponse,
    writes: true,
  },
  evidence: {
    method: 'POST',
    path: 'evidence',
    body: EvidenceRequest,
    hint: [
      `需要 activityId（记录编号）和 1–6 张照片（name、data 为 base64，每张不超过 ${PHOTO_MAX_BYTES / 1024 / 1024} MB）`,
      'needs an activityId and 1–6 photos ({name, data: base64}), each within the size limit',
    ],
    status: 200,
    answer: EvidenceResponse,
    writes: true,
  },
  ledger: {
    method: 'POST',
    path: 'ledger',
    body: LedgerRequest,
    hint: [
      'from、to 为可选日期（YYYY-MM-DD，from 不晚于 to），partner 为可选的共建单位编号或名称',
      'from and to are optional dates (YYYY-MM-DD, from not after to); partner an optional partner unit ID or name',
    ],
    status: 202,
    answer: LedgerResponse,
    writes: true,
  },
} as const satisfies RouteTable;
export type RouteName = keyof typeof ROUTES;
/** The success answer of a route, typed by its schema. */
export type RouteAnswer<R extends RouteName> = z.infer<(typeof ROUTES)[R]['answer']>;

const PLAN_ROUTES = routesUnder('plans', 'planId', ROUTES);
/** The URL of a route for a plan, under the API's base URL. */
export const routeUrl = PLAN_ROUTES.url;
/** The route and plan ID a request path names (a trailing slash allowed), or undefined. */
export const matchRoute = PLAN_ROUTES.match;

/**
 * Every refusal: a stable code, a Chinese and an English sentence, and for `unusable_input` the
 * finer reason (shared/errors.ts). The code travels as a plain string, so a server with a new code
 * still gets its sentence shown by an older add-on; clients narrow it with `knownErrorCode` (shared/apiErrors.ts).
 */
export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    messageEn: z.string(),
    reason: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
