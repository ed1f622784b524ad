/**
 * The HTTP API (`api` function):
 *   POST /v1/plans/{planId}/sync       validate the workbook and write what changed
 *   POST /v1/plans/{planId}/validate   the same without writing
 *   GET  /v1/plans/{planId}/stats      the last statistics
 *   POST /v1/plans/{planId}/report     email the year-end summary to the caller (report.ts)
 *   POST /v1/plans/{planId}/requests   email update requests with personal links (requests.ts)
 *   POST /v1/plans/{planId}/requests/revoke   revoke a person's links (requests.ts)
 *   POST /v1/plans/{planId}/deletions/confirm confirm the deletions the last sync held back
 *   GET  /v1/plans/{planId}/history    the change log, newest first (history.ts)
 *   POST /v1/plans/{planId}/restore    bring deleted activities back (history.ts)
 *   POST /v1/plans/{planId}/evidence   add photos to an activity (evidence.ts)
 *   POST /v1/plans/{planId}/ledger     build the activity ledger, email its link (ledger.ts)
 *   /v1/districts/{districtId}/…       a district's roll-up and its admin routes (districts.ts)
 * Every request is checked first — route, method, credentials, declared body size (preflight) —
 * and refused with no side effect otherwise. Errors are JSON `{error: {code, message,
 * messageEn}}`, mapped to a status here and nowhere else.
 *
 * The body. functions-framework reads and parses every body before any function code runs (its
 * own limit is 1 GB). On Cloud Functions Google's front end refuses requests over 32 MiB before
 * that, with its own page; our limit (GONGJIAN_MAX_BODY_BYTES, 30 MiB by default: a workbook of
 * 100,000 activities is about 18 MB as the add-on sends it) sits just under it, so what passes the
 * platform but not us gets our JSON error. Where we run the server ourselves (the local stack),
 * guardServer puts the preflight in front of the framework's body parsers: an unauthenticated or
 * oversized request is refused without its body being read. A body sent as application/json
 * that is not JSON is refused (400) by the framework's parser, with the framework's own page; a
 * body sent as text is parsed here and refused with our JSON error.
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  type ErrorBody,
  matchRoute,
  ROUTES,
  type RouteName,
  type StatsResponse,
  type SyncRequest,
} from '../../../shared/api';
import type { RecordTabKey } from '../../../shared/columns';
import {
  DISTRICT_ID,
  DISTRICT_ROUTES,
  type DistrictRouteName,
  matchDistrictRoute,
} from '../../../shared/districtApi';
import { UnusableInputError } from '../../../shared/errors';
import { logs } from '../logs';
import { isRebinding } from '../store/binding';
import { DistrictRefusal, unknownDistrict } from '../store/districtStore';
import { type PlanDoc, SyncBusyError, type WorkbookLocation } from '../store/planStore';
import type { RecordDoc } from '../store/records';
import { type SyncProgress, syncPlan } from '../sync/syncPlan';
import { AuthError, authorizeEditor, type Identity } from './auth';
import {
  type ApiDeps,
  ApiError,
  type ApiRequest,
  type ApiResponse,
  authorOf,
  type PlanAnswer,
  type PlanCall,
} from './handler';
import { readInput, tooLarge } from './input';

/** The JSON every refusal is answered with. */
function errorBody(refusal: ApiError): ErrorBody {
  return {
    error: {
      code: refusal.code,
      message: refusal.messageZh,
      messageEn: refusal.messageEn,
      ...(refusal.reason ? { reason: refusal.reason } : {}),
    },
  };
}

/** Letters, digits, `_` and `-`; never `__…__`, which Firestore reserves for itself. */
const PLAN_ID = /^(?!__.*__$)[A-Za-z0-9_-]{1,64}$/;

/** Builds the request handler; all it needs comes in through deps. */
export function createApi(deps: ApiDeps): (req: ApiRequest, res: ApiResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const checked = await preflight(req, deps);
      const { status, body } =
        checked.kind === 'district'
          ? await districtRoute(req, deps, checked)
          : await planRoute(req, deps, checked);
      // What a success acknowledges (a sync, a link minted or revoked, an email queued) is kept.
      if (checked.writes) await deps.durable?.();
      res.status(status).json(body);
    } catch (error) {
      const refusal = toApiError(error);
      if (refusal.status >= 500) deps.log?.(logs.apiFailed(error));
      if (refusal.retryAfterS !== undefined) res.set?.('Retry-After', String(refusal.retryAfterS));
      res.status(refusal.status).json(errorBody(refusal));
    }
  };
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof AuthError) return new ApiError(error.code, error.messageZh, error.messageEn);
  // The same sentence the CLI prints with its exit code 2 (no tab recognised, say).
  if (error instanceof UnusableInputError)
    return new ApiError('unusable_input', error.messageZh, error.messageEn, error.code);
  if (error instanceof SyncBusyError || error instanceof DistrictRefusal)
    return new ApiError(error.code, error.messageZh, error.messageEn);
  return new ApiError('internal', '服务器内部错误，请稍后重试', 'Internal error; please try again later');
}

type Preflight = Pick<ApiRequest, 'method' | 'path' | 'get'>;

/**
 * What can be decided before the body is read: the route, the method, who is calling and the
 * declared size. A refused request learns nothing and changes nothing.
 */
async function preflight(req: Preflight, deps: ApiDeps): Promise<Checked> {
  const match = matchRoute(req.path);
  const district = match ? undefined : matchDistrictRoute(req.path);
  if (!match && !district) throw new ApiError('not_found', '没有这个接口', 'No such endpoint');
  // Method and whether the route writes come from the one table that declares the route.
  const { method, writes } = match
    ? ROUTES[match.route]
    : DISTRICT_ROUTES[(district as { route: DistrictRouteName }).route];
  if (req.method !== method) {
    throw new ApiError(
      'method_not_allowed',
      `此接口只接受 ${method} 请求`,
      `This endpoint only accepts ${method}`,
    );
  }
  const identity = await deps.verifyIdentity(req.get('authorization'));
  const declared = Number(req.get('content-length') ?? 0);
  if (declared > deps.maxBodyBytes) throw tooLarge(declared, deps.maxBodyBytes);
  if (match) return { kind: 'plan', ...match, writes, identity };
  const { route, districtId } = district as { route: DistrictRouteName; districtId: string };
  return { kind: 'district', route, districtId, writes, identity };
}

/** A plan route past the preflight: which, of which plan, whether it writes, and who is calling. */
type PlanRouteCall = { kind: 'plan'; route: RouteName; planId: string; writes: boolean; identity: Identity };
/** A district route past the preflight, likewise. */
type DistrictCall = {
  kind: 'district';
  route: DistrictRouteName;
  districtId: string;
  writes: boolean;
  identity: Identity;
};
type Checked = PlanRouteCall | DistrictCall;

/**
 * A district route (districts.ts, loaded on use like the other handlers beyond sync): the caller
 * admitted by the district, then the input read, then the route handled.
 */
async function districtRoute(req: ApiRequest, deps: ApiDeps, { route, districtId, identity }: DistrictCall) {
  if (!DISTRICT_ID.test(districtId)) throw unknownDistrict();
  const { admitDistrictCall, handleDistrictRoute } = await import('./districts');
  const admitted = await admitDistrictCall(deps, route, districtId, identity);
  return handleDistrictRoute(readInput(DISTRICT_ROUTES, route, req, deps.maxBodyBytes), admitted, deps);
}

/**
 * Puts the preflight in front of a functions-framework server's body parsers: a request refused
 * by it is answered with our JSON error and its body is never read or parsed. A body must declare
 * its length, so the limit holds before the first byte is read.
 */
export function guardServer(server: Server, deps: ApiDeps): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const view: Preflight = {
      method: req.method ?? '',
      path: new URL(req.url ?? '/', 'http://api').pathname,
      get: (name) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
      },
    };
    const checked = (async () => {
      if (req.headers['transfer-encoding'] !== undefined && req.headers['content-length'] === undefined) {
        throw new ApiError(
          'length_required',
          '请求须注明内容长度（Content-Length）',
          'The request must declare its Content-Length',
        );
      }
      await preflight(view, deps);
    })();
    checked.then(
      () => {
        for (const listener of listeners) listener.call(server, req, res);
      },
      (error: unknown) => {
        const refusal = toApiError(error);
        // The body is not read; closing the connection keeps a client from sending the rest.
        res.writeHead(refusal.status, {
          'content-type': 'application/json; charset=utf-8',
          connection: 'close',
        });
        res.end(JSON.stringify(errorBody(refusal)));
        req.resume();
      },
    );
  });
}

/**
 * A plan route: the plan is looked up and the caller authorized, then the route's input read from
 * its table entry, here once for every route.
 */
async function planRoute(req: ApiRequest, deps: ApiDeps, { planId, route, identity }: PlanRouteCall) {
  if (!PLAN_ID.test(planId)) throw unknownPlan();
  const plan = await deps.store.getPlan(planId);
  const creating = plan === undefined && route === 'sync' && isAdmin(identity.email, deps.admins);
  if (!plan && !creating) throw unknownPlan();
  if (plan) authorizeEditor(identity, plan);
  const call = readInput(ROUTES, route, req, deps.maxBodyBytes);
  if (call.route === 'sync' || call.route === 'validate')
    return syncOrValidate({ deps, planId, identity }, plan, call.route, call.input);
  // Only sync creates a plan: every other route has one by now.
  if (!plan) throw unknownPlan();
  return handle(call, { plan, identity, deps });
}

/** The handler of each plan route but sync and validate, loaded when first called. */
type PlanHandlers = {
  [R in Exclude<RouteName, 'sync' | 'validate'>]: () => Promise<
    (call: PlanCall<R>) => Promise<PlanAnswer<R>>
  >;
};

/**
 * Every plan route's handler but sync's and validate's (which may meet a plan not created yet): a
 * route of the table without one does not compile. The large ones live in their own modules, loaded
 * on use — docx and the chart renderer would slow every cold start of the API.
 */
const PLAN_HANDLERS: PlanHandlers = {
  stats: async () => statsOf,
  report: async () => (await import('./report')).requestReport,
  requests: async () => (await import('./requests')).requestUpdates,
  revoke: async () => (await import('./requests')).revokeRequestLinks,
  confirmDeletions: async () => confirmDeletions,
  history: async () => (await import('./history')).historyOf,
  restore: async () => (await import('./history')).restoreRecords,
  evidence: async () => (await import('./evidence')).uploadEvidence,
  ledger: async () => (await import('./ledger')).requestLedger,
};

/** Runs a route's handler on the route's own input (one type parameter ties the two together). */
async function handle<R extends keyof PlanHandlers>(
  call: { route: R; input: PlanCall<R>['input'] },
  on: Omit<PlanCall<R>, 'input'>,
): Promise<PlanAnswer<R>> {
  const handler = await PLAN_HANDLERS[call.route]();
  return handler({ ...on, input: call.input });
}

async function statsOf({ plan, deps }: PlanCall<'stats', 'store' | 'now'>): Promise<PlanAnswer<'stats'>> {
  const stats = await deps.store.getStats(plan.planId);
  if (!stats) throw new ApiError('no_stats', '统计尚未生成，请先同步', 'No statistics yet; sync first');
  // Statistics are always of the last complete sync; this says whether one is under way or died.
  const claim = await deps.store.getClaim(plan.planId);
  const sync = !claim ? 'complete' : claim.expiresAt > deps.now().getTime() ? 'inProgress' : 'interrupted';
  const body: StatsResponse = { planVersion: plan.version, sync, ...stats };
  return { status: 200, body };
}

async function syncOrValidate(
  { deps, planId, identity }: { deps: ApiDeps; planId: string; identity: Identity },
  plan: PlanDoc | undefined,
  action: 'sync' | 'validate',
  body: SyncRequest,
): Promise<PlanAnswer<'sync' | 'validate'>> {
  const keep = deps.keepSubmitted;
  const pin = deps.pinRestored;
  const workbookLocation = locationOf(body.spreadsheetId, deps.localWorkbook?.(planId));
  // Only admins point a plan at another spreadsheet (store/binding.ts): checked now, and again on
  // the plan as stored once the sync holds it.
  const checkBinding = (stored: PlanDoc | undefined) => {
    if (isRebinding(stored, workbookLocation) && !isAdmin(identity.email, deps.admins))
      throw boundElsewhere(planId);
  };
  if (action === 'sync') checkBinding(plan);
  const result = await syncPlan(
    body,
    {
      planId,
      caller: identity.email,
      author: authorOf(identity, deps),
      now: deps.now(),
      existing: plan,
      authorize: (stored) => {
        authorizeEditor(identity, stored);
        checkBinding(stored);
      },
      clock: { now: deps.now, sleep: deps.sleep },
      ...(body.confirmDeletions ? { confirmDeletions: body.confirmDeletions } : {}),
      ...(keep
        ? {
            keepSubmitted: (ids: ReadonlySet<string>, tab: RecordTabKey) =>
              keep(planId, ids, deps.now(), tab),
          }
        : {}),
      ...(pin
        ? {
            pinRestored: (records: readonly RecordDoc[], tab: RecordTabKey) =>
              pin(planId, records, deps.now(), tab),
          }
        : {}),
      ...(workbookLocation ? { workbookLocation } : {}),
      ...(deps.syncProgress ? { progress: (p: SyncProgress) => deps.syncProgress?.(planId, p) } : {}),
    },
    action === 'sync' ? deps.store : undefined,
  );
  return { status: 200, body: { planId, ...result } };
}

/**
 * Records the confirmation of the deletions the last sync held back (the local stack's
 * `gongjian confirm-deletions`); the next sync of the workbook applies them while the same rows are
 * still the ones to delete (shared/deletionGuard.ts).
 */
async function confirmDeletions({
  input,
  plan: { planId },
  deps,
}: PlanCall<'confirmDeletions', 'store' | 'deletionsConfirmed'>): Promise<PlanAnswer<'confirmDeletions'>> {
  const confirmed = await deps.store.confirmDeletions(planId, input);
  if (confirmed === 'none')
    throw new ApiError(
      'no_pending_deletion',
      '没有待确认的删除：最近一次同步没有暂缓删除任何行。',
      'No deletion is waiting for confirmation: the last sync held none back.',
    );
  if (confirmed === 'changed')
    throw new ApiError(
      'deletions_changed',
      '要删除的行已经变化，与您确认的不一致，没有记录确认。请查看最近一次同步的提示后重新确认。',
      "The rows to delete have changed since; nothing was confirmed. Read the last sync's message and confirm again.",
    );
  deps.deletionsConfirmed?.(planId);
  return { status: 200, body: { planId, confirmed } };
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
    'workbook_bound',
    `计划「${planId}」绑定的不是这份 Google 表格，本次同步没有写入任何内容。请在计划绑定的表格中同步；如需更换表格，请联系管理员。`,
    `Plan "${planId}" is bound to another Google Sheet; nothing was written. Sync from the plan's own sheet, or ask an admin to rebind it.`,
  );
}

function unknownPlan(): ApiError {
  return new ApiError('unknown_plan', '找不到这个共建计划', 'Unknown plan');
}
