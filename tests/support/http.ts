/**
 * The one request/response pair tests hand to an API handler directly (without an HTTP server):
 * the request carries the caller as an `Authorization: Bearer` header the way the add-on sends it,
 * and the answer is what the wire would carry — the body through JSON, so a value the handler
 * could not serialise (a Date, undefined) fails here as it would for the add-on. Beside it, the
 * form's browser side: a form POST as a browser sends one, and the page value it posts back.
 */
import type { ApiRequest, ApiResponse } from '../../functions/src/http/handler';

/** What the handler answered: status, JSON body (as sent over the wire) and headers it set. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** A request to `path`; `caller` (when given) is the bearer token the test's verifier reads. */
export function apiRequest(
  method: string,
  path: string,
  options: { body?: unknown; query?: unknown; caller?: string | undefined } = {},
): ApiRequest {
  const { body, query, caller } = options;
  return {
    method,
    path,
    body,
    ...(query !== undefined && { query }),
    get: (name) => (name.toLowerCase() === 'authorization' && caller ? `Bearer ${caller}` : undefined),
  };
}

/** Runs `handler` on `req` and records its answer; status 0 means it answered nothing. */
export async function answerOf<Req = ApiRequest>(
  handler: (req: Req, res: ApiResponse) => unknown,
  req: Req,
): Promise<Answer> {
  const answer: Answer = { status: 0, body: {}, headers: {} };
  const res: ApiResponse = {
    status(code) {
      answer.status = code;
      return res;
    },
    json(value) {
      answer.body = JSON.parse(JSON.stringify(value ?? null)) as Record<string, unknown>;
      return res;
    },
    set(field, value) {
      answer.headers[field.toLowerCase()] = value;
      return res;
    },
  };
  await handler(req, res);
  return answer;
}

/** A form's fields; a list is sent as repeated fields (checkboxes). */
export type FormFields = Record<string, string | string[]>;

/** Posts `fields` as a browser submits a form, and answers the response unfollowed (a 303 stays one). */
export function postForm(url: string, fields: FormFields): Promise<Response> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return fetch(url, {
    method: 'POST',
    body,
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
}

/** The page value a form page asks to be posted back (its `guard` field); '' when it has none. */
export function guardOf(html: string): string {
  return /name="guard" value="([^"]+)"/.exec(html)?.[1] ?? '';
}
