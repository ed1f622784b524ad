/**
 * The HTTP API (`api` function):
 *   POST /v1/plans/{planId}/sync       validate the workbook and write what changed
 *   POST /v1/plans/{planId}/validate   the same without writing
 *   GET  /v1/plans/{planId}/stats      the last statistics
 * Every request is authenticated first (a Google ID token, or the development token where
 * configured) and refused with no side effect otherwise. Errors are JSON `{error: {code, message,
 * messageEn}}`, mapped to a status here and nowhere else.
 *
 * A body sent as application/json that is not JSON is refused (400) by functions-framework's body
 * parser before this handler runs, with the framework's own page; a body sent as text is parsed
 * here and refused with our JSON error.
 */
import * as z from 'zod';
import type { RawWorkbook } from '../../../shared/workbook';
import { isRebinding } from '../store/binding';
import type { PlanStore, WorkbookLocation } from '../store/planStore';
import { syncPlan } from '../sync/syncPlan';
import { AuthError, authorizeEditor, type Identity } from './auth';

/** The parts of an HTTP request the API reads (express's, as functions-framework passes it). */
export interface ApiRequest {
  method: string;
  path: string;
  body?: unknown;
  rawBody?: Buffer;
  get(name: string): string | undefined;
}

/** The parts of an HTTP response the API writes. */
export interface ApiResponse {
  status(code: number): ApiResponse;
  json(body: unknown): unknown;
}

export interface ApiDeps {
  store: PlanStore;
  /** Resolves the caller from the Authorization header; throws AuthError. */
  verifyIdentity: (authorization: string | undefined) => Promise<Identity>;
  /** Who may create a plan by its first sync, and bind a plan to another spreadsheet. */
  admins: readonly string[];
  maxBodyBytes: number;
  now: () => Date;
  /** Development only: the .xlsx every synced plan's generated tabs go to. */
  localWorkbook?: string;
  log?: (message: string) => void;
}

/** A refusal with its HTTP status, a stable code and a Chinese and an English sentence. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageZh: string,
    readonly messageEn: string,
  ) {
    super(messageEn);
  }
}

/** Letters, digits, `_` and `-`; never `__…__`, which Firestore reserves for itself. */
const PLAN_ID = /^(?!__.*__$)[A-Za-z0-9_-]{1,64}$/;
const ROUTE = /^\/v1\/plans\/([^/]+)\/(sync|validate|stats)\/?$/;

const Cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const SyncBody = z.object({
  tabs: z
    .array(
      z.object({
        name: z.string().max(100),
        header: z.array(Cell),
        rows: z.array(z.object({ row: z.number().int().min(2), cells: z.array(Cell) })),
      }),
    )
    .max(50),
  /** The Google Sheet the request comes from, so triggers can write its generated tabs. */
  spreadsheetId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{20,100}$/)
    .optional(),
});

/** Builds the request handler; all it needs comes in through deps. */
export function createApi(deps: ApiDeps): (req: ApiRequest, res: ApiResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const { status, body } = await route(req, deps);
      res.status(status).json(body);
    } catch (error) {
      const refusal = toApiError(error);
      if (refusal.status >= 500)
        deps.log?.(`api 内部错误：${error instanceof Error ? error.stack : String(error)}`);
      res.status(refusal.status).json({
        error: { code: refusal.code, message: refusal.messageZh, messageEn: refusal.messageEn },
      });
    }
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AuthError)
    return new ApiError(error.status, error.code, error.message, error.messageEn);
  return new ApiError(
    500,
    'internal',
    '服务器内部错误，请稍后重试',
    'Internal error; please try again later',
  );
}

async function route(req: ApiRequest, deps: ApiDeps): Promise<{ status: number; body: unknown }> {
  const match = ROUTE.exec(req.path);
  if (!match) throw new ApiError(404, 'not_found', '没有这个接口', 'No such endpoint');
  const [, planId = '', action] = match;
  const method = action === 'stats' ? 'GET' : 'POST';
  if (req.method !== method) {
    throw new ApiError(
      405,
      'method_not_allowed',
      `此接口只接受 ${method} 请求`,
      `This endpoint only accepts ${method}`,
    );
  }
  // Authenticate before looking at anything else: a refused request learns nothing and changes nothing.
  const identity = await deps.verifyIdentity(req.get('authorization'));
  if (!PLAN_ID.test(planId)) throw unknownPlan();
  const plan = await deps.store.getPlan(planId);
  const creating = plan === undefined && action === 'sync' && isAdmin(identity.email, deps.admins);
  if (!plan && !creating) throw unknownPlan();
  if (plan) authorizeEditor(identity, plan);

  if (action === 'stats') {
    const stats = await deps.store.getStats(planId);
    if (!stats)
      throw new ApiError(404, 'no_stats', '统计尚未生成，请先同步', 'No statistics yet; sync first');
    return { status: 200, body: { planVersion: plan?.version ?? 0, ...stats } };
  }

  const body = parseBody(req, deps.maxBodyBytes);
  const workbookLocation = locationOf(body.spreadsheetId, deps.localWorkbook);
  if (action === 'sync' && isRebinding(plan, workbookLocation) && !isAdmin(identity.email, deps.admins))
    throw boundElsewhere(planId);
  const result = await syncPlan(
    body as RawWorkbook,
    {
      planId,
      caller: identity.email,
      now: deps.now(),
      existing: plan,
      ...(workbookLocation ? { workbookLocation } : {}),
    },
    action === 'sync' ? deps.store : undefined,
  );
  return { status: 200, body: { planId, ...result } };
}

function parseBody(req: ApiRequest, maxBodyBytes: number): z.infer<typeof SyncBody> {
  const raw = req.rawBody;
  const size = Buffer.isBuffer(raw) ? raw.length : Number(req.get('content-length') ?? 0);
  if (size > maxBodyBytes) {
    throw new ApiError(
      413,
      'body_too_large',
      `请求内容过大（${size} 字节，上限 ${maxBodyBytes} 字节）`,
      `Request body too large (${size} bytes; limit ${maxBodyBytes})`,
    );
  }
  let value: unknown = req.body;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      throw new ApiError(
        400,
        'malformed_json',
        '请求内容不是有效的 JSON',
        'The request body is not valid JSON',
      );
    }
  }
  const parsed = SyncBody.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new ApiError(
      400,
      'invalid_body',
      `请求内容格式不正确（${where || '根'}）`,
      `The request body does not have the expected shape (at ${where || 'root'})`,
    );
  }
  return parsed.data;
}

function locationOf(
  spreadsheetId: string | undefined,
  localWorkbook: string | undefined,
): WorkbookLocation | undefined {
  if (spreadsheetId) return { kind: 'sheets', spreadsheetId };
  if (localWorkbook) return { kind: 'xlsx', path: localWorkbook };
  return undefined;
}

function isAdmin(email: string, admins: readonly string[]): boolean {
  return admins.includes(email.toLowerCase());
}

/** A plan's editor named a spreadsheet the plan is not bound to (see store/binding.ts). */
function boundElsewhere(planId: string): ApiError {
  return new ApiError(
    409,
    'workbook_bound',
    `计划「${planId}」绑定的不是这份 Google 表格，本次同步没有写入任何内容。请在计划绑定的表格中同步；如需更换表格，请联系管理员。`,
    `Plan "${planId}" is bound to another Google Sheet; nothing was written. Sync from the plan's own sheet, or ask an admin to rebind it.`,
  );
}

function unknownPlan(): ApiError {
  return new ApiError(404, 'unknown_plan', '找不到这个共建计划', 'Unknown plan');
}
