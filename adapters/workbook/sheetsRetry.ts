/**
 * Retries and error mapping of the Sheets adapter (sheets.ts): which failures of a Sheets API call
 * are worth another try (429, 5xx, a dropped connection), how long to wait, and the bilingual
 * error a call that failed for good becomes.
 */

import { GongjianError } from '../../shared/errors';

export interface RetryOptions {
  /** Attempts in all, the first included (default 5). */
  tries?: number;
  /** The first retry waits up to this long; each further one up to twice as long (default 500 ms). */
  baseMs?: number;
  /** No wait is longer (default 16 s). */
  maxMs?: number;
  /** [0, 1) — the jitter; injectable for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Why a Sheets API call failed for good, as its status says. */
export type SheetsApiCode =
  | 'sheets_forbidden'
  | 'sheets_not_found'
  | 'sheets_rate_limited'
  | 'sheets_unavailable'
  | 'sheets_refused';

/** A Sheets API call that failed for good: not retryable, or still failing after every try. */
export class SheetsApiError extends GongjianError<SheetsApiCode> {
  override readonly name = 'SheetsApiError';
  constructor(
    code: SheetsApiCode,
    messageZh: string,
    messageEn: string,
    /** The HTTP status, undefined when no response came (network failure). */
    readonly status: number | undefined,
    /** Google's status name (`RESOURCE_EXHAUSTED`, `PERMISSION_DENIED`…) or the network error code. */
    readonly reason: string | undefined,
    /** How many attempts were made. */
    readonly attempts: number,
  ) {
    super(code, messageZh, messageEn);
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface Failure {
  status: number | undefined;
  reason: string | undefined;
  detail: string;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** What went wrong in a client call, or undefined for an error that is not the API's (a bug). */
function failureOf(error: unknown): Failure | undefined {
  if (!(error instanceof Error)) return undefined;
  const response = field(error, 'response');
  const status = Number(field(response, 'status') ?? field(error, 'status')) || undefined;
  const body = field(field(response, 'data'), 'error');
  const detail = String(field(body, 'message') ?? error.message);
  if (status !== undefined) {
    const headers = field(response, 'headers');
    const retryAfter =
      headers instanceof Headers
        ? headers.get('retry-after')
        : (field(headers, 'retry-after') as string | undefined);
    const seconds = retryAfter === null || retryAfter === undefined ? Number.NaN : Number(retryAfter);
    return {
      status,
      reason: typeof field(body, 'status') === 'string' ? (field(body, 'status') as string) : undefined,
      detail,
      retryable: status === 429 || status >= 500,
      retryAfterMs: Number.isFinite(seconds) ? seconds * 1000 : undefined,
    };
  }
  // No response: the connection failed or was dropped. gaxios names such errors GaxiosError and
  // carries the socket's code, on the error or on its cause (fetch wraps it).
  const code = field(error, 'code') ?? field(field(error, 'cause'), 'code');
  const network =
    error.name === 'GaxiosError' ||
    error.name === 'AbortError' ||
    (typeof code === 'string' && NETWORK_CODES.has(code));
  if (!network) return undefined;
  return {
    status: undefined,
    reason: typeof code === 'string' ? code : undefined,
    detail,
    retryable: true,
    retryAfterMs: undefined,
  };
}

function apiError(failure: Failure, attempts: number, spreadsheetId: string): SheetsApiError {
  const { status, reason, detail } = failure;
  const tried = attempts > 1 ? `，已尝试 ${attempts} 次` : '';
  const triedEn = attempts > 1 ? ` after ${attempts} attempts` : '';
  if (status === 403) {
    return new SheetsApiError(
      'sheets_forbidden',
      `没有权限编辑这份 Google 表格（${spreadsheetId}）：请把表格共享给云函数的服务账号（编辑者）。${detail}`,
      `No permission to edit the Google Sheet ${spreadsheetId}: share it with the functions' service account as an editor. ${detail}`,
      status,
      reason,
      attempts,
    );
  }
  if (status === 404) {
    return new SheetsApiError(
      'sheets_not_found',
      `找不到这份 Google 表格（${spreadsheetId}），请检查表格链接。`,
      `Google Sheet ${spreadsheetId} not found; check its link.`,
      status,
      reason,
      attempts,
    );
  }
  if (status === 429) {
    return new SheetsApiError(
      'sheets_rate_limited',
      `Google 表格接口请求过于频繁，被限流${tried}，请稍后再试。`,
      `The Google Sheets API kept rate-limiting the requests${triedEn}; try again later.`,
      status,
      reason,
      attempts,
    );
  }
  if (status === undefined || status >= 500) {
    const what = status === undefined ? `网络错误 ${reason ?? ''}`.trim() : `HTTP ${status}`;
    return new SheetsApiError(
      'sheets_unavailable',
      `Google 表格服务暂时不可用（${what}${tried}），请稍后再试。${detail}`,
      `The Google Sheets service is unavailable (${status === undefined ? `network error ${reason ?? ''}`.trim() : `HTTP ${status}`}${triedEn}); try again later. ${detail}`,
      status,
      reason,
      attempts,
    );
  }
  return new SheetsApiError(
    'sheets_refused',
    `Google 表格拒绝了请求（HTTP ${status}）：${detail}`,
    `The Google Sheets API refused the request (HTTP ${status}): ${detail}`,
    status,
    reason,
    attempts,
  );
}

/** Runs an attempt (numbered from 1) with retries; see `retrier`. */
export type Retrying = <T>(attempt: (n: number) => Promise<T>) => Promise<T>;

/**
 * Runs an attempt until it succeeds, retrying 429, 5xx and network failures with exponential
 * backoff and full jitter (a uniform wait below a ceiling that doubles each time, up to `maxMs`, so
 * clients throttled together do not retry together) for `tries` attempts in all. Other failures
 * (400, 403, 404…) are not retried. Google's retry-after, when sent, is waited at least (capped).
 */
export function retrier(options: RetryOptions, spreadsheetId: string): Retrying {
  const tries = Math.max(1, Math.floor(options.tries ?? 5));
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 16_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return async (attempt) => {
    for (let n = 1; ; n++) {
      try {
        return await attempt(n);
      } catch (error) {
        const failure = failureOf(error);
        if (failure === undefined) throw error;
        if (!failure.retryable || n >= tries) throw apiError(failure, n, spreadsheetId);
        const ceiling = Math.min(maxMs, baseMs * 2 ** (n - 1));
        const jittered = Math.min(ceiling, Math.max(0, random()) * ceiling);
        await sleep(Math.min(maxMs, Math.max(jittered, failure.retryAfterMs ?? 0)));
      }
    }
  };
}
