/**
 * The update-request form's HTTP handler (SPEC §9), its own function beside the staff API:
 *   GET  /r/<token>   the form of one link (or a Chinese page saying why not: 404 / 410)
 *   POST /r/<token>   a submission from that page (303 back to the form once stored)
 *   GET  /form.css    the stylesheet (the policy allows no inline style)
 * Safety: the token is checked before anything is read, an expired, revoked or forged link or
 * page writes nothing; per-link and per-address rate limits; a small body limit; strict headers
 * (no script at all, no framing, no referrer carrying the token, no caching).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Firestore } from 'firebase-admin/firestore';
import { todayIn } from '../../../adapters/workbook/validateToday';
import {
  ACTIVITY_FORM_FIELDS,
  type ActivityFormValues,
  creditedPartners,
  FORM_CSS,
  type FormView,
  fieldErrors,
  type LinkRefusal,
  renderFormPage,
  renderRefusalPage,
  scopedPlan,
} from '../../../shared/requestForm';
import { validateActivityRow } from '../../../shared/validate';
import type { CellValue } from '../../../shared/workbook';
import { checkGuard, pageGuard } from '../requests/formGuard';
import { type LinkDeps, logLinkUse, type StoredLink, verifyLink } from '../requests/links';
import { RateLimiter } from '../requests/rateLimit';
import {
  flushSubmissions,
  type SubmissionRowWriter,
  type SubmittedActivity,
  submissionKey,
  submissionsOfLink,
  submitActivity,
} from '../requests/submit';
import type { PlanStore } from '../store/planStore';

/** Form posts are a few fields: anything larger is refused unread. */
export const FORM_MAX_BODY_BYTES = 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export interface FormDeps {
  db: Firestore;
  store: PlanStore;
  now: () => Date;
  log: (message: string) => void;
  /** Appends submitted rows to the plan's workbook; absent: they wait for the next flush elsewhere. */
  writeRows?: SubmissionRowWriter;
  /** Resolves once what was written survives a crash (the local stack); awaited before 「已保存」. */
  durable?: () => Promise<void>;
  /** Requests per link and per address in a 10-minute window (defaults 60 and 120). */
  limits?: { perLink?: number; perAddress?: number };
}

/** The request as functions-framework hands it over (Express), or a bare Node request (tests). */
type FormRequest = IncomingMessage & { rawBody?: Buffer | undefined; ip?: string | undefined };

const WINDOW_MS = 10 * 60_000;

/** Builds the form's handler. */
export function createFormHandler(deps: FormDeps): (req: FormRequest, res: ServerResponse) => Promise<void> {
  const perLink = new RateLimiter(deps.limits?.perLink ?? 60, WINDOW_MS, deps.now);
  const perAddress = new RateLimiter(deps.limits?.perAddress ?? 120, WINDOW_MS, deps.now);
  const linkDeps: LinkDeps = { db: deps.db, now: deps.now };

  const send = (res: ServerResponse, status: number, type: string, body: string, extra = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
    res.end(body);
  };
  const refuse = (res: ServerResponse, reason: LinkRefusal) => {
    const status = reason === 'limited' ? 429 : reason === 'unknown' ? 404 : reason === 'forged' ? 403 : 410;
    send(res, status, 'text/html; charset=utf-8', renderRefusalPage(reason));
  };

  return async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      deps.log(
        `填报表单出错 / form failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent)
        send(res, 500, 'text/plain; charset=utf-8', '服务暂时出错，内容未保存，请稍后再试 / Server error');
      else res.end();
    }
  };

  async function handle(req: FormRequest, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://form.invalid');
    const path = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path.endsWith('/form.css')) {
      send(res, 200, 'text/css; charset=utf-8', FORM_CSS, { 'Cache-Control': 'public, max-age=3600' });
      return;
    }
    const match = /\/r\/([^/]+)$/.exec(path);
    if (!match || (req.method !== 'GET' && req.method !== 'POST')) {
      refuse(res, 'unknown');
      return;
    }
    // Tokens are base64url: anything else (an escape included) is no token of ours.
    const token = match[1] as string;
    const address = addressOf(req);
    if (!perAddress.take(address)) return refuse(res, 'limited');
    const verdict = await verifyLink(linkDeps, token);
    if (!verdict.ok) return refuse(res, verdict.reason);
    const { link } = verdict;
    if (!perLink.take(link.tokenHash)) return refuse(res, 'limited');

    if (req.method === 'GET') {
      const page = await formPage(link, token, {
        values: {},
        errors: {},
        ...(url.searchParams.has('ok') ? { notice: '已提交，谢谢！记录已保存。' } : {}),
      });
      if (!page) return refuse(res, 'gone');
      await logLinkUse(linkDeps, link, { kind: 'view', address });
      send(res, 200, 'text/html; charset=utf-8', page);
      return;
    }

    const body = await readBody(req, FORM_MAX_BODY_BYTES);
    if (body === undefined) {
      send(res, 413, 'text/plain; charset=utf-8', '提交内容过大 / Request body too large');
      return;
    }
    const fields = new URLSearchParams(body.toString('utf8'));
    const nonce = checkGuard(link, fields.get('guard') ?? undefined);
    if (nonce === undefined) return refuse(res, 'forged');
    await handlePost(res, link, token, nonce, fields, address);
  }

  async function handlePost(
    res: ServerResponse,
    link: StoredLink,
    token: string,
    nonce: string,
    fields: URLSearchParams,
    address: string,
  ): Promise<void> {
    const plan = await deps.store.getPlan(link.planId);
    if (!plan) return refuse(res, 'gone');
    const model = await deps.store.loadModel(plan);
    const scoped = scopedPlan(model, link.scope);
    const asOf = todayIn(deps.now(), plan.settings.timezone);
    const kind = fields.get('kind') === 'milestone' ? 'milestone' : 'activity';
    const values: ActivityFormValues = {};
    for (const field of ACTIVITY_FORM_FIELDS) {
      const value = fields.get(field);
      if (value !== null) values[field] = value;
    }
    values.partners = fields.getAll('partners');
    let cells: Partial<Record<string, CellValue>>;
    const milestoneInput = { measureId: fields.get('milestone') ?? '', note: fields.get('note') ?? '' };
    let errors: FormView['errors'] = {};
    if (kind === 'milestone') {
      const measure = scoped.measures.find(
        (m) => m.measureId === milestoneInput.measureId && m.metric === 'milestone',
      );
      if (!measure) errors.milestone = ['请选择本链接下的里程碑事项'];
      if (milestoneInput.note.trim() === '') errors.note = ['请填写完成情况说明'];
      cells = {
        date: asOf,
        measureId: milestoneInput.measureId,
        partners: scoped.presetPartners.join(','),
        title: `里程碑完成：${measure?.title ?? ''}`.slice(0, 200),
        notes: milestoneInput.note,
      };
    } else {
      cells = {
        ...Object.fromEntries(ACTIVITY_FORM_FIELDS.map((f) => [f, values[f] ?? null])),
        // A partner link's own unit is always credited, whatever was ticked (shared/requestForm.ts).
        partners: creditedPartners(scoped, values.partners).join(','),
      };
    }
    // The same rules as a sheet row; the row is reported as done (status set on storing).
    const checked = validateActivityRow(
      { ...cells, status: '已完成' },
      { partners: scoped.partners, measures: scoped.measures, year: plan.settings.year, asOf },
    );
    if (kind === 'activity' && cells.title === null && cells.date === null && cells.measureId === null) {
      errors = { ...errors, title: ['「活动名称」不能为空'] };
    }
    errors = { ...fieldErrors(checked.issues), ...errors };
    if (kind === 'milestone' && Object.keys(errors).length > 0 && !errors.milestone && !errors.note) {
      errors = { form: Object.values(errors).flat() as string[] };
    }
    if (Object.keys(errors).length > 0 || !checked.activity) {
      const page = await formPage(link, token, {
        values,
        errors,
        milestone: milestoneInput,
        // The same page again: its value (and so its idempotency key) stays.
        guard: fields.get('guard') ?? '',
      });
      if (!page) return refuse(res, 'gone');
      await logLinkUse({ db: deps.db, now: deps.now }, link, { kind: 'rejected', address });
      send(res, 422, 'text/html; charset=utf-8', page);
      return;
    }
    const {
      activityId: _id,
      status: _status,
      recorder: _recorder,
      row: _row,
      ...activity
    } = checked.activity;
    const key = submissionKey(link.tokenHash, nonce);
    const stored = await submitActivity({ db: deps.db, now: deps.now }, link, {
      key,
      activity: activity as SubmittedActivity,
      kind,
    });
    if ('noPlan' in stored) return refuse(res, 'gone');
    if (stored.created) {
      await logLinkUse({ db: deps.db, now: deps.now }, link, {
        kind: kind === 'milestone' ? 'milestone' : 'submit',
        submissionId: key,
        what: stored.submission.activity,
        address,
      });
      if (deps.writeRows) {
        // Written now when the workbook can take it; left queued (and retried) when it cannot.
        await flushSubmissions(
          { db: deps.db, now: deps.now, store: deps.store, writeRows: deps.writeRows, log: deps.log },
          link.planId,
        );
      }
    }
    // Acknowledged means kept: also for a repeated key, whose first answer may never have come.
    await deps.durable?.();
    res.writeHead(303, { ...SECURITY_HEADERS, Location: `./${encodeURIComponent(token)}?ok=1` });
    res.end();
  }

  async function formPage(
    link: StoredLink,
    token: string,
    state: Pick<FormView, 'values' | 'errors'> & Partial<Pick<FormView, 'notice' | 'milestone' | 'guard'>>,
  ): Promise<string | undefined> {
    const plan = await deps.store.getPlan(link.planId);
    if (!plan) return undefined;
    const [model, stats, submissions] = await Promise.all([
      deps.store.loadModel(plan),
      deps.store.getStats(link.planId),
      submissionsOfLink(deps.db, link),
    ]);
    const scoped = scopedPlan(model, link.scope);
    const scopeLabel =
      link.scope.kind === 'owner'
        ? '我负责的事项'
        : `${model.partners.find((p) => p.partnerId === (link.scope as { partnerId: string }).partnerId)?.name ?? ''} 的事项和活动`;
    return renderFormPage({
      community: plan.settings.community,
      personName: link.name,
      scopeLabel,
      plan: scoped,
      stats: new Map((stats?.stats.measures ?? []).map((m) => [m.measureId, m])),
      action: `./${encodeURIComponent(token)}`,
      guard: state.guard ?? pageGuard(link),
      today: todayIn(deps.now(), plan.settings.timezone),
      values: state.values,
      errors: state.errors,
      ...(state.milestone ? { milestone: state.milestone } : {}),
      ...(state.notice ? { notice: state.notice } : {}),
      submissions: submissions.map((s) => ({
        activityId: s.activityId,
        date: s.activity.date,
        title: s.activity.title,
        written: s.state === 'written',
        pending: s.activity.status === 'pending',
      })),
      expiresOn: todayIn(new Date(link.expiresAt), plan.settings.timezone),
      review: plan.settings.reviewReports === true,
    });
  }
}

/** The caller's address: the first X-Forwarded-For hop (Cloud Functions' front end sets it), else the socket. */
function addressOf(req: FormRequest): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || req.ip || req.socket.remoteAddress || 'unknown';
}

/** The body, or undefined past the limit (the platform's parsed copy first, else the stream). */
async function readBody(req: FormRequest, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return undefined;
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody.length > limit ? undefined : req.rawBody;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
