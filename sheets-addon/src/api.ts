/**
 * The add-on's client of the HTTP API (functions/src/http/api.ts):
 * every route of shared/api.ts's ROUTES but stats, POSTed (history: a GET) with the caller's Google ID token. HTTP errors
 * come back as responses (muteHttpExceptions), so every failure is mapped here to one Chinese
 * sentence: the server's own message where it sent one, else one by status. Bodies and answers are
 * the server's own schemas (shared/api.ts).
 */
import * as z from 'zod';
import {
  ErrorBody,
  type EvidenceRequest,
  type EvidenceResponse,
  type HistoryQuery,
  type HistoryResponse,
  type LedgerRequest,
  type LedgerResponse,
  type ReportResponse,
  type RequestsRequest,
  type RequestsResponse,
  type RestoreRequest,
  type RestoreResponse,
  type RevokeResponse,
  ROUTES,
  type RouteAnswer,
  type RouteName,
  routeUrl,
  type SyncRequest,
  type SyncResponse,
} from '../../shared/api';
import { type ApiErrorCode, knownErrorCode } from '../../shared/apiErrors';
import { AddonError, fetchFailure, hostOf, MESSAGES } from './errors';
import type { AddonSettings } from './settings';

/**
 * Of a refusal its code and Chinese sentence are read: a proxy's or an older server's JSON may lack
 * the rest of the contract's error body (or the code), and the sentence is still worth showing.
 */
const Refusal = z.object({
  error: ErrorBody.shape.error.pick({ message: true }).extend({ code: z.string().optional() }),
});

/** What a refused request said: its status, and the contract's code and sentence where it sent them. */
interface Refused {
  readonly status: number;
  readonly code: ApiErrorCode | undefined;
  readonly message: string | undefined;
}

/** Reads a non-2xx answer. */
function refusedOf(status: number, json: unknown): Refused {
  const error = Refusal.safeParse(json).data?.error;
  return { status, code: knownErrorCode(error?.code), message: error?.message };
}

/** The caller's OpenID Connect ID token (needs the openid and userinfo.email scopes). */
export function identityToken(): string {
  const token = ScriptApp.getIdentityToken();
  if (!token) throw new AddonError('no_token', ...MESSAGES.noToken);
  return token;
}

/** The routes the add-on posts to (all but stats). */
type PostRoute = Exclude<RouteName, 'stats'>;

/**
 * POSTs a route's body with the token and returns its answer, parsed by the route table's schema
 * (shared/api.ts); a transport failure, a malformed answer or a refusal (mapped by `refuse`) becomes
 * an AddonError with a Chinese sentence.
 */
function call<R extends PostRoute>(
  settings: AddonSettings,
  route: R,
  body: z.input<(typeof ROUTES)[R]['body']>,
  token: string,
  refuse: (status: number, json: unknown, url: string) => AddonError,
  query = '',
): RouteAnswer<R> {
  const url = routeUrl(settings.apiUrl, settings.planId, route) + query;
  const headers = { Authorization: `Bearer ${token}` };
  let response: GoogleAppsScript.URL_Fetch.HTTPResponse;
  try {
    // A GET route (history) takes its parameters in the query and sends no body.
    response = UrlFetchApp.fetch(
      url,
      ROUTES[route].method === 'GET'
        ? { method: 'get', headers, muteHttpExceptions: true, followRedirects: false }
        : {
            method: 'post',
            contentType: 'application/json',
            payload: JSON.stringify(body),
            headers,
            muteHttpExceptions: true,
            followRedirects: false,
          },
    );
  } catch (error) {
    throw fetchFailure(error, url, route);
  }
  const status = response.getResponseCode();
  const json = parseJson(response.getContentText());
  const { status: success, answer } = ROUTES[route];
  if (status !== success) throw refuse(status, json, url);
  const parsed = answer.safeParse(json);
  if (!parsed.success) throw new AddonError('bad_response', ...MESSAGES.badResponse);
  return parsed.data as RouteAnswer<R>;
}

/** A refusal about the sheet, as refusal() says it. */
function sheetRefusal(status: number, json: unknown, url: string): AddonError {
  return refusal(refusedOf(status, json), url);
}

/** Sends the workbook; returns the parsed answer or throws an AddonError with a Chinese sentence. */
export function postWorkbook(
  settings: AddonSettings,
  action: 'sync' | 'validate',
  body: SyncRequest & { spreadsheetId: string },
  token: string,
): SyncResponse {
  return call(settings, action, body, token, sheetRefusal);
}

/**
 * Asks for the year-end summary to be emailed to the caller. `requestId` names this request, so a
 * retry of it queues one email.
 */
export function postReportRequest(settings: AddonSettings, requestId: string, token: string): ReportResponse {
  return call(settings, 'report', { requestId }, token, (status, json, url) => {
    const refused = refusedOf(status, json);
    // The document is too large, not the sheet: the sheet advice of refusal() would mislead.
    if (refused.code === 'report_too_large')
      return new AddonError(
        'refused',
        refused.message ?? '年度总结文件过大，无法作为邮件附件发送。',
        refused.message ?? 'The year-end summary is too large to send as an email attachment.',
      );
    return refusal(refused, url);
  });
}

/** Refusals about a request (not the sheet) whose own sentence says what to do. */
const SAID_BY_SERVER: ReadonlySet<ApiErrorCode> = new Set([
  'unreachable_recipient',
  'form_unavailable',
  'requests_unavailable',
  'mail_unavailable',
  'invalid_body',
  'invalid_photo',
  'unknown_activity',
  'photos_unavailable',
  'unknown_partner',
  'ledger_unavailable',
]);

/** The server's own sentence for a refusal that is about the request, not the sheet. */
function requestRefusal(status: number, json: unknown, url: string): AddonError {
  const refused = refusedOf(status, json);
  if (refused.code && SAID_BY_SERVER.has(refused.code) && refused.message)
    return new AddonError('refused', refused.message, refused.message);
  return refusal(refused, url);
}

/** Asks the API to email update requests with personal links; `requestId` makes a retry queue nothing new. */
export function postUpdateRequests(
  settings: AddonSettings,
  body: RequestsRequest,
  token: string,
): RequestsResponse {
  return call(settings, 'requests', body, token, requestRefusal);
}

/** Asks the API to revoke every update link of one person. */
export function postRevokeLinks(settings: AddonSettings, email: string, token: string): RevokeResponse {
  return call(settings, 'revoke', { email }, token, requestRefusal);
}

/**
 * The plan's changes (GET …/history), newest first: the latest ones (恢复已删除的记录), or one
 * record's of one tab (本行修改记录). Apps Script has no URLSearchParams: each value is encoded here.
 */
export function getHistory(settings: AddonSettings, query: HistoryQuery, token: string): HistoryResponse {
  const pairs = Object.entries(query).filter(([, value]) => value !== undefined);
  const search = pairs.map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`).join('&');
  return call(settings, 'history', undefined, token, requestRefusal, search === '' ? '' : `?${search}`);
}

/**
 * Asks the API to restore deleted records by ID, or one field's previous value (POST …/restore);
 * restoring twice gives one row, and writes a field once.
 */
export function postRestore(settings: AddonSettings, body: RestoreRequest, token: string): RestoreResponse {
  return call(settings, 'restore', body, token, requestRefusal);
}

/** Sends photos of one activity (上传佐证照片); answers the 佐证链接 its row gets. */
export function postEvidence(
  settings: AddonSettings,
  body: EvidenceRequest,
  token: string,
): EvidenceResponse {
  return call(settings, 'evidence', body, token, requestRefusal);
}

/** Asks for the activity ledger to be built and its download link emailed (生成活动台账). */
export function postLedger(settings: AddonSettings, body: LedgerRequest, token: string): LedgerResponse {
  return call(settings, 'ledger', body, token, requestRefusal);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The code an answer without one is taken for: a proxy or an older server that said only its status.
 * A bare 409 stays unknown: a busy plan and a sheet bound to another plan both answer 409.
 */
const CODE_OF_BARE_STATUS: Partial<Record<number, ApiErrorCode>> = {
  401: 'invalid_token',
  403: 'not_editor',
  404: 'unknown_plan',
  413: 'body_too_large',
};

/** The sentence for a refusal, chosen by its code: the server's Chinese message with what to do. */
export function refusal(refused: Refused, url: string): AddonError {
  const { status, message: serverMessage } = refused;
  const said = serverMessage ? `服务器答复：${serverMessage.replace(/[。.\s]+$/, '')}。` : '';
  const saidEn = serverMessage ? ` The server said: ${serverMessage.replace(/[。.\s]+$/, '')}.` : '';
  switch (refused.code ?? CODE_OF_BARE_STATUS[status]) {
    case 'missing_token':
    case 'invalid_token':
    case 'wrong_audience':
    case 'token_expired':
    case 'email_missing':
      return new AddonError(
        'refused',
        `身份验证未通过，服务器拒绝了你的身份令牌。${said}请重新打开表格后再试；如仍失败，请管理员确认服务器已接受本加载项的 OAuth 客户端 ID。`,
        `The server refused your identity token.${saidEn} Reopen the spreadsheet and try again; if it still fails, an administrator must check that the server accepts this add-on's OAuth client ID.`,
      );
    case 'email_unverified':
    case 'not_editor':
      return new AddonError(
        'refused',
        `没有同步该计划的权限。${said}请计划负责人把你的邮箱加入「设置」表的「编辑人员」并由其同步一次，然后再试。`,
        `You may not sync this plan.${saidEn} Ask the plan's owner to add your email to 编辑人员 in the 设置 sheet and sync once, then try again.`,
      );
    case 'unknown_plan':
    case 'not_found':
      return new AddonError(
        'refused',
        `${serverMessage ?? '找不到这个共建计划或接口'}：请检查设置中的 API 地址和计划编号（新计划须由管理员首次同步创建）。`,
        `${serverMessage ?? 'No such plan or endpoint'}: check the API address and the plan ID in the settings (an administrator creates a new plan with its first sync).`,
      );
    case 'workbook_bound':
      return new AddonError(
        'refused',
        `这份表格不是该计划绑定的表格，本次同步没有写入。${said}请检查「设置」中的计划编号；如需让计划改用这份表格，请联系管理员。`,
        `This spreadsheet is not the one bound to the plan; the sync wrote nothing.${saidEn} Check the plan ID in the settings; to move the plan to this spreadsheet, contact the administrator.`,
      );
    case 'sync_in_progress':
      return new AddonError(
        'refused',
        '另一位同事的同步仍在进行，本次同步没有写入。请等一两分钟再同步一次。',
        'Another sync of this plan is still running; this sync wrote nothing. Wait a minute or two and sync again.',
      );
    case 'body_too_large':
      return new AddonError(
        'refused',
        `表格内容过大，服务器拒绝接收。${said}请删除多余的空行或把往年的活动移到另一个表格。`,
        `The spreadsheet is too large for the server.${saidEn} Delete empty rows or move past years' activities to another spreadsheet.`,
      );
  }
  switch (true) {
    case status === 400:
      return new AddonError(
        'refused',
        `服务器无法处理这次请求（状态 ${status}）。${said}`.trim(),
        `The server cannot handle this request (status ${status}).${saidEn}`,
      );
    case status === 429:
      return new AddonError(
        'refused',
        '服务器正忙（请求过于频繁），请稍等一分钟再试。',
        'The server is busy (too many requests); wait a minute and try again.',
      );
    case status >= 500:
      return new AddonError(
        'refused',
        `服务器暂时出错（状态 ${status}），请稍后重试。${said}`.trim(),
        `The server failed (status ${status}); try again later.${saidEn}`,
      );
    case status >= 300 && status < 400:
      return new AddonError(
        'refused',
        `服务器（${hostOf(url)}）要求跳转（状态 ${status}），请确认设置中的 API 地址填写完整、正确。`,
        `The server (${hostOf(url)}) answered with a redirect (status ${status}); check that the API address in the settings is complete and correct.`,
      );
    default:
      return new AddonError(
        'refused',
        `服务器拒绝了请求（状态 ${status}）。${said}`.trim(),
        `The server refused the request (status ${status}).${saidEn}`,
      );
  }
}
