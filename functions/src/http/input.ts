/**
 * Every route's input, read in one place from its entry of the route table (shared/routes.ts
 * RouteDef; api.ts calls this once the caller may use the route, so a refusal of the input tells a
 * stranger nothing): a small JSON body or a GET's query parsed by the entry's schema and refused
 * with its hint, a workbook under the service's body limit. Handlers get the typed input and parse
 * nothing themselves.
 */
import type * as z from 'zod';
import type { InputHint, RouteCall, RouteDef } from '../../../shared/routes';
import { ApiError, type ApiRequest } from './handler';

/** The route's input, parsed as its entry says; a 400 (413 for a workbook over the limit) otherwise. */
export function readInput<T extends { readonly [N in keyof T]: RouteDef }>(
  routes: T,
  route: keyof T & string,
  req: ApiRequest,
  maxBodyBytes: number,
): RouteCall<T> {
  const def: RouteDef = routes[route];
  let input: unknown;
  if ('workbook' in def) input = workbookOf(def.body, req, maxBodyBytes);
  // A small body that is no JSON is refused as one of the wrong shape, with the route's hint.
  else if (def.body) input = parsed(def.body, decoded(req.body)?.json, def.hint, 'body');
  else if (def.query) input = parsed(def.query, req.query ?? {}, def.hint, 'query');
  // Parsed by the schema the table declares for this very route.
  return { route, input } as RouteCall<T>;
}

/**
 * A body as functions-framework hands it: parsed already (sent as JSON), or text parsed here
 * (Apps Script may send text/plain); undefined when the text is no JSON.
 */
function decoded(body: unknown): { json: unknown } | undefined {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return { json: body };
  try {
    return { json: JSON.parse(body.toString()) };
  } catch {
    return undefined;
  }
}

function parsed(
  schema: z.ZodType,
  value: unknown,
  [hintZh, hintEn]: InputHint,
  from: 'body' | 'query',
): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw from === 'body'
    ? new ApiError('invalid_body', `请求内容格式不正确：${hintZh}`, `Bad request body: ${hintEn}`)
    : new ApiError('invalid_body', `查询参数不正确：${hintZh}`, `Bad query: ${hintEn}`);
}

/**
 * A workbook (sync, validate): up to the service's limit even where no length was declared, JSON
 * that does not parse refused as such, and a wrong shape refused naming where — a workbook is too
 * large a shape for one sentence to say what it needs.
 */
function workbookOf(schema: z.ZodType, req: ApiRequest, maxBodyBytes: number): unknown {
  const raw = req.rawBody;
  const size = Buffer.isBuffer(raw) ? raw.length : Number(req.get('content-length') ?? 0);
  if (size > maxBodyBytes) throw tooLarge(size, maxBodyBytes);
  const body = decoded(req.body);
  if (!body)
    throw new ApiError('malformed_json', '请求内容不是有效的 JSON', 'The request body is not valid JSON');
  const result = schema.safeParse(body.json);
  if (!result.success) {
    const where = result.error.issues[0]?.path.join('.') ?? '';
    throw new ApiError(
      'invalid_body',
      `请求内容格式不正确（${where || '根'}）`,
      `The request body does not have the expected shape (at ${where || 'root'})`,
    );
  }
  return result.data;
}

/** A body over the service's limit (the preflight's refusal too, from the declared length). */
export function tooLarge(size: number, limit: number): ApiError {
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return new ApiError(
    'body_too_large',
    `工作簿过大（${mib(size)} MiB，上限 ${mib(limit)} MiB）：请把往年的活动移到另一个表格后再同步`,
    `Workbook too large (${mib(size)} MiB; limit ${mib(limit)} MiB): move past years' activities to another spreadsheet and sync again`,
  );
}
