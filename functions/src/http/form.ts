/**
 * The update-request form's HTTP handler (SPEC §9), its own function beside the staff API:
 *   GET  /r/<token>   the form of one link (or a Chinese page saying why not: 404 / 410)
 *   POST /r/<token>   a submission from that page (303 back to the form once stored)
 *   GET  /form.css    the stylesheet (the policy allows no inline style)
 * Safety: the token is checked before anything is read, an expired, revoked or forged link or
 * page writes nothing; per-link and per-address rate limits, counted in Firestore so they hold
 * across instances (requests/rateLimit.ts), by the address the platform vouches for (never the
 * client's own X-Forwarded-For entries), answered 429 with Retry-After; a small body limit, and
 * in the local stack a guard before the framework reads any body (guardFormServer); strict
 * headers on every answer (no script at all, no framing, no referrer carrying the token, no caching).
 */

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Firestore } from 'firebase-admin/firestore';
import { evidenceFolderLink, PHOTO_MAX_COUNT, photoErrorMessage } from '../../../shared/evidence';
import { historyDays, type PlanModel } from '../../../shared/model';
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
import { todayIn } from '../../../shared/today';
import { validateActivityRow } from '../../../shared/validate';
import type { CellValue } from '../../../shared/workbook';
import { type Log, logs } from '../logs';
import { Coalescer } from '../requests/coalesce';
import type { PhotoStore } from '../requests/evidence';
import { checkGuard, pageGuard } from '../requests/formGuard';
import { type LinkDeps, logLinkUse, type StoredLink, verifyLink } from '../requests/links';
import { RateLimiter } from '../requests/rateLimit';
import {
  createVersionMover,
  flushSubmissions,
  type Submission,
  type SubmissionRowWriter,
  type SubmittedActivity,
  submissionKey,
  submissionsOfLink,
  submitActivity,
  submittedActivityId,
} from '../requests/submit';
import type { PlanDoc, PlanStore } from '../store/planStore';
import { bodyLimitOf, type FormRequest, type MultipartPost, readFormPost } from './formBody';

export { FORM_MAX_BODY_BYTES, FORM_MAX_UPLOAD_BYTES } from './formBody';

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export interface FormDeps {
  /**
   * The path of the form's root as people's browsers see it (GONGJIAN_FORM_URL's path, '' at the
   * host's root): pages post to `<basePath>/r/<token>`, path-absolute, so `/r/<token>/` posts
   * where `/r/<token>` does.
   */
  basePath: string;
  db: Firestore;
  store: PlanStore;
  now: () => Date;
  log: Log;
  /** Appends submitted rows to the plan's workbook; absent: they wait for the next flush elsewhere. */
  writeRows?: SubmissionRowWriter;
  /** Resolves once what was written survives a crash (the local stack); awaited before 「已保存」. */
  durable?: () => Promise<void>;
  /** Where photos go (requests/evidence.ts); absent, or not serving a plan's workbook: no photo input. */
  photos?: PhotoStore;
  /** Requests per link and per address in a 10-minute window (defaults 60 and 120). */
  limits?: { perLink?: number; perAddress?: number };
  /**
   * The caller's address as the platform vouches for it, never as the client claims it: on Cloud
   * Functions the last X-Forwarded-For entry (lastForwardedHop), in the local stack the socket's
   * (socketAddress). Rate limits count by it.
   */
  clientAddress: (req: IncomingMessage) => string;
}

const WINDOW_MS = 10 * 60_000;
/** How long a submission's answer waits for its row to reach the workbook. */
const FLUSH_WAIT_MS = 1_000;

/** Waits for the work, or `ms` at most (the work goes on; its failure is handled by the caller). */
async function atMost(ms: number, work: Promise<unknown> | undefined): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

const REFUSAL_STATUS: Record<LinkRefusal, number> = {
  unknown: 404,
  forged: 403,
  limited: 429,
  expired: 410,
  revoked: 410,
  gone: 410,
  tooLarge: 413,
  unreadable: 400,
};

/** A refusal as the form answers it: its Chinese page, our headers, and a status by reason. */
function refusePage(res: ServerResponse, reason: LinkRefusal, extra: Record<string, string> = {}): void {
  res.writeHead(REFUSAL_STATUS[reason], {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    ...extra,
  });
  res.end(renderRefusalPage(reason));
}

/** The paths the form serves, at its root: the stylesheet (linked as ../form.css) and a link's page. */
const FORM_ROUTE = /^\/(?:r\/)?form\.css$|^\/r\/[A-Za-z0-9_-]{1,64}\/?$/;

/**
 * Puts the form's front door before a functions-framework server's body parsers (the local stack;
 * deployed, the platform parses first — see the README). The framework reads any body up to 1 GB
 * and answers what it cannot parse (a charset it does not know, bad JSON, a Content-Encoding) with
 * Express's English page and stack trace, without our headers. Here, before any of that:
 *   - the route and method: only the form's own paths (as the browser sends them, undecoded) with
 *     GET/HEAD, or POST to a link; anything else is the form's 404 page, unread;
 *   - a declared length over the post's cap (FORM_MAX_BODY_BYTES, or FORM_MAX_UPLOAD_BYTES for the
 *     multipart post with photos) is refused (413) unread; a chunked body is counted as it
 *     arrives and cut at the cap;
 *   - the body, read here, is handed on as `rawBody` of a finished request, which the framework's
 *     parsers skip ("already read"): the handler parses it itself (URL-encoded form fields), and
 *     what it cannot use is refused by its own pages. Every refusal closes the connection, so a
 *     client cannot go on sending.
 */
export function guardFormServer(server: Server): void {
  const listeners = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    for (const listener of listeners) listener.call(server, req, res);
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const refuse = (reason: LinkRefusal) => {
      refusePage(res, reason, { Connection: 'close' });
      req.resume();
    };
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? '';
    const reading = method === 'GET' || method === 'HEAD';
    if (!FORM_ROUTE.test(path) || !(reading || (method === 'POST' && path.startsWith('/r/'))))
      return refuse('unknown');
    const declared = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (declared === undefined && !chunked) return pass(req, res);
    const limit = bodyLimitOf(req.headers);
    if (declared !== undefined && !(Number(declared) <= limit)) return refuse('tooLarge');
    const chunks: Buffer[] = [];
    let size = 0;
    let cut = false;
    req.on('data', (chunk: Buffer) => {
      if (cut) return;
      size += chunk.length;
      if (size > limit) {
        cut = true;
        chunks.length = 0;
        refuse('tooLarge');
        // The rest is not wanted: the connection ends with the answer.
        res.once('finish', () => req.destroy());
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (cut) return;
      (req as FormRequest).rawBody = Buffer.concat(chunks);
      pass(req, res);
    });
    req.once('error', () => {
      if (!res.headersSent && !cut) refuse('unreadable');
    });
  });
}

/** Builds the form's handler. */
export function createFormHandler(deps: FormDeps): (req: FormRequest, res: ServerResponse) => Promise<void> {
  const perLink = new RateLimiter(
    deps.db,
    'formLink',
    { limit: deps.limits?.perLink ?? 60, windowMs: WINDOW_MS },
    deps.now,
  );
  const perAddress = new RateLimiter(
    deps.db,
    'formAddress',
    { limit: deps.limits?.perAddress ?? 120, windowMs: WINDOW_MS },
    deps.now,
  );
  const limited = (res: ServerResponse, retryAfterS: number) =>
    refusePage(res, 'limited', { 'Retry-After': String(retryAfterS) });
  const linkDeps: LinkDeps = { db: deps.db, now: deps.now };
  const formPath = (token: string) => `${deps.basePath}/r/${encodeURIComponent(token)}`;
  // One version move and one flush per plan at a time, shared by the submissions that wait for
  // them: fifty submissions at once take two moves, not fifty transactions on the plan document.
  const moveVersion = createVersionMover(deps.db);
  // Requests that arrive together share one read of the plan document, as if each had read it a
  // moment earlier: nothing a request writes depends on that read being later.
  const plans = new Map<string, Promise<PlanDoc | undefined>>();
  const planOf = (planId: string): Promise<PlanDoc | undefined> => {
    let reading = plans.get(planId);
    if (!reading) {
      reading = deps.store.getPlan(planId);
      plans.set(planId, reading);
      const forget = () => plans.delete(planId);
      reading.then(forget, forget);
    }
    return reading;
  };
  // Requests that arrive together for one plan version share one read of its records.
  const models = new Map<string, Promise<PlanModel>>();
  const modelOf = (plan: PlanDoc): Promise<PlanModel> => {
    const key = `${plan.planId}@${plan.version}`;
    let loading = models.get(key);
    if (!loading) {
      loading = deps.store.loadModel(plan);
      models.set(key, loading);
      const forget = () => models.delete(key);
      loading.then(forget, forget);
    }
    return loading;
  };
  const { writeRows } = deps;
  const flushes = writeRows
    ? new Coalescer<undefined, unknown>((planId) =>
        flushSubmissions({ db: deps.db, now: deps.now, store: deps.store, writeRows, log: deps.log }, planId),
      )
    : undefined;

  const send = (res: ServerResponse, status: number, type: string, body: string, extra = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
    res.end(body);
  };
  const refuse = (res: ServerResponse, reason: LinkRefusal) => refusePage(res, reason);

  return async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      deps.log(logs.formFailed(error));
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
    const address = deps.clientAddress(req);
    // The link is read while the address is counted. The link's count starts as soon as the link
    // is known to be ours, beside the address's, and so does the read of its plan (a read only):
    // a made-up token writes nothing but its address's counter, both counts are in before any
    // verdict, and nothing else is written before both verdicts.
    const byAddressTaken = perAddress.take(address);
    const verdict = await verifyLink(linkDeps, token).catch(async (error: unknown) => {
      await byAddressTaken.catch(() => {});
      throw error;
    });
    const byLinkTaken = verdict.ok ? perLink.take(verdict.link.tokenHash) : undefined;
    const planRead = verdict.ok ? planOf(verdict.link.planId) : undefined;
    const modelRead = planRead?.then((plan) => plan && modelOf(plan));
    // Everything started above has settled before this request answers, also when it is refused:
    // a request leaves no count or read running behind it, so a stop that waits for the requests
    // it tracks closes the client under none (a read cut off by the close rejects where nobody
    // listens). The model read's failure is the later read's to report.
    const [byAddress, byLinkSettled] = await Promise.all([
      byAddressTaken,
      byLinkTaken === undefined
        ? undefined
        : byLinkTaken.then(
            (taken) => ({ taken }),
            (error: unknown) => ({ error }),
          ),
      modelRead?.catch(() => undefined),
    ]);
    if (!byAddress.ok) return limited(res, byAddress.retryAfterS);
    if (!verdict.ok) return refuse(res, verdict.reason);
    const { link } = verdict;
    if (byLinkSettled === undefined) throw new Error('the link was verified but not counted');
    if ('error' in byLinkSettled) throw byLinkSettled.error;
    const byLink = byLinkSettled.taken;
    if (!byLink.ok) return limited(res, byLink.retryAfterS);

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

    // The page's own form posts URL-encoded UTF-8 (multipart with photos), uncompressed: anything
    // else was not sent by it.
    const post = await readFormPost(req);
    if ('refused' in post) return refuse(res, post.refused);
    const nonce = checkGuard(link, post.fields.get('guard') ?? undefined);
    if (nonce === undefined) return refuse(res, 'forged');
    await handlePost(res, link, token, nonce, post, address, planRead as Promise<PlanDoc | undefined>);
  }

  async function handlePost(
    res: ServerResponse,
    link: StoredLink,
    token: string,
    nonce: string,
    { fields, upload }: { fields: URLSearchParams; upload?: MultipartPost },
    address: string,
    planRead: Promise<PlanDoc | undefined>,
  ): Promise<void> {
    const plan = await planRead;
    if (!plan) return refuse(res, 'gone');
    const key = submissionKey(link.tokenHash, nonce);
    const model = await modelOf(plan);
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
    // Photos are the row's evidence (佐证要求): their folder's link, where no link was typed.
    const photoLink =
      (upload?.photos.length ?? 0) > 0 && plan.workbook && deps.photos?.serves(plan.workbook)
        ? await deps.photos.linkOf(link.planId, plan.workbook, submittedActivityId(key))
        : evidenceFolderLink(submittedActivityId(key));
    if (kind === 'activity' && (upload?.photos.length ?? 0) > 0 && !cells.evidence)
      cells.evidence = photoLink;
    // The same rules as a sheet row; the row is reported as done (status set on storing). A
    // milestone report has no evidence field: under 必须 the sheet asks staff for it, not the form.
    const checked = validateActivityRow(
      { ...cells, status: '已完成' },
      {
        partners: scoped.partners,
        measures: scoped.measures,
        year: plan.settings.year,
        asOf,
        evidenceRule: kind === 'milestone' ? 'warn' : plan.settings.evidenceRule,
      },
    );
    if (kind === 'activity' && cells.title === null && cells.date === null && cells.measureId === null) {
      errors = { ...errors, title: ['「活动名称」不能为空'] };
    }
    errors = { ...fieldErrors(checked.issues), ...errors };
    // Photos are processed only for a post whose fields are in order: a refused page is sent again
    // anyway, and a browser never refills a file input.
    const photos = Object.keys(errors).length === 0 ? await takePhotos(plan, upload) : { photos: [] };
    if ('errors' in photos) errors = { ...errors, photos: photos.errors };
    else if (upload && upload.photos.length > 0 && Object.keys(errors).length > 0)
      errors = {
        ...errors,
        photos: [`刚才选择的 ${upload.photos.length} 张照片未保存，请改正后重新选择照片`],
      };
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
    const { activityId: _id, status: _status, recorder: _recorder, row: _row, ...typed } = checked.activity;
    const kept = 'photos' in photos ? photos.photos : [];
    // With photos, 佐证链接 is their folder (the ID derives from the key, before anything is
    // stored); a link typed beside them is kept in the notes rather than lost.
    const activity =
      kept.length === 0
        ? typed
        : {
            ...typed,
            evidence: photoLink,
            ...(typed.evidence && typed.evidence !== photoLink
              ? { notes: [typed.notes, `佐证链接：${typed.evidence}`].filter(Boolean).join('\n') }
              : {}),
          };
    const stored = await submitActivity({ db: deps.db, now: deps.now }, link, {
      key,
      activity: activity as SubmittedActivity,
      kind,
      plan: { reviewReports: plan.settings.reviewReports === true, historyDays: historyDays(plan.settings) },
      use: { kind: kind === 'milestone' ? 'milestone' : 'submit', address },
    });
    if ('noPlan' in stored) return refuse(res, 'gone');
    const { submission } = stored;
    if (!stored.created && !sameContent(submission, activity as SubmittedActivity, kind)) {
      // This page was submitted before with other content: that is what was saved, and what was
      // typed now stays on the page with a fresh page value, to be submitted as a new record.
      const page = await formPage(link, token, {
        values,
        errors: {
          form: [
            `这张表单已经提交过，保存的是：${submission.activity.date} ${submission.activity.title}（编号 ${submission.activityId}）。` +
              '刚才填写的内容尚未保存；如需另外新增，请核对下方内容后再次提交。',
          ],
        },
        milestone: milestoneInput,
      });
      if (!page) return refuse(res, 'gone');
      send(res, 409, 'text/html; charset=utf-8', page);
      return;
    }
    // Whoever created the entry (this request or a retry of it whose answer was lost), a version
    // move that started after its commit must have committed before the person is told it is
    // saved: the statistics of a version never miss a record acknowledged before it
    // (requests/submit.ts). A failure there is logged only: the record is stored, and the sweep
    // moves the version. The use log went with the entry, in its batch.
    const moved = submission.versionPending
      ? moveVersion(link.planId, key).catch((error: unknown) =>
          deps.log(logs.versionMoveDeferred(link.planId, error)),
        )
      : undefined;
    // The barrier waits beside the move, not after it: it has to cover the entry (committed
    // already), and the entry carries `versionPending` until its move commits — a crash that
    // keeps the entry but loses the move leaves the flag, and the sweep moves the version for it.
    // Acknowledged means kept: also for a repeated key, whose first answer may never have come.
    // The photos are kept (durably) before the answer, by the delivery that created the entry or
    // a repeat of it (a double click, a retry after a lost answer): the same bytes under the same
    // names, one set. A page posted again with other content returned above and keeps none.
    if (kept.length > 0 && plan.workbook && deps.photos)
      await deps.photos.put(link.planId, plan.workbook, submission.activityId, kept);
    const durable = deps.durable?.();
    // The row reaches the workbook now when the workbook can take it; left queued (and retried)
    // when it cannot — the record is stored either way, so a failing flush is logged, not
    // answered as an error. The person waits for the row only when a flush can start at once, and
    // then FLUSH_WAIT_MS at most: behind a flush of this plan already under way (a burst of
    // submissions, the local file's one writer) the row is written by the next one, and every
    // refresh and sweep retries what is still queued.
    let flushed: Promise<unknown> | undefined;
    if (stored.created && flushes) {
      const waitForRow = !flushes.busy(link.planId);
      const flush = flushes
        .run(link.planId, undefined)
        .catch((error: unknown) => deps.log(logs.rowsKeptForRetry(link.planId, error)));
      if (waitForRow) flushed = atMost(FLUSH_WAIT_MS, flush);
    }
    await Promise.all([moved, flushed, durable]);
    res.writeHead(303, { ...SECURITY_HEADERS, Location: `${formPath(token)}?ok=1` });
    res.end();
  }

  /** The post's photos processed, or the Chinese sentences of those refused (nothing kept then). */
  async function takePhotos(
    plan: PlanDoc,
    upload: MultipartPost | undefined,
  ): Promise<{ photos: Buffer[] } | { errors: string[] }> {
    if (!upload || (upload.photos.length === 0 && upload.tooLarge.length === 0 && !upload.tooMany))
      return { photos: [] };
    if (!deps.photos?.serves(plan.workbook)) return { errors: ['此计划暂不能上传照片，请改填佐证链接'] };
    const refused = [
      ...(upload.tooMany ? [photoErrorMessage('photo_too_many')] : []),
      ...upload.tooLarge.map((name) => photoErrorMessage('photo_too_large', name)),
    ];
    if (refused.length > 0) return { errors: refused };
    if (upload.photos.length > PHOTO_MAX_COUNT) return { errors: [photoErrorMessage('photo_too_many')] };
    // sharp is loaded by the first post with photos, not by a cold start.
    const { processPhotos } = await import('../../../adapters/photos/intake');
    const outcome = await processPhotos(upload.photos);
    return outcome.ok ? { photos: outcome.photos } : { errors: outcome.errors };
  }

  async function formPage(
    link: StoredLink,
    token: string,
    state: Pick<FormView, 'values' | 'errors'> & Partial<Pick<FormView, 'notice' | 'milestone' | 'guard'>>,
  ): Promise<string | undefined> {
    const plan = await planOf(link.planId);
    if (!plan) return undefined;
    const [model, stats, submissions] = await Promise.all([
      modelOf(plan),
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
      action: formPath(token),
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
      photos: deps.photos?.serves(plan.workbook) === true,
    });
  }
}

/** The path of the form's root in its public address (GONGJIAN_FORM_URL): '' at the host's root. */
export function formBasePath(formUrl: string | undefined): string {
  return formUrl === undefined ? '' : new URL(formUrl).pathname.replace(/\/+$/, '');
}

/** Whether a submission stored under a page's key holds what was submitted now (a double click). */
function sameContent(submission: Submission, activity: SubmittedActivity, kind: Submission['kind']): boolean {
  const { activityId: _id, status: _status, recorder: _recorder, ...saved } = submission.activity;
  return submission.kind === kind && canonical(saved) === canonical(activity);
}

/** JSON with sorted keys and without undefined fields, as Firestore stores a record. */
function canonical(value: object): string {
  const plain = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  return JSON.stringify(Object.fromEntries(Object.entries(plain).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/**
 * The caller's address on Cloud Functions: the LAST X-Forwarded-For entry, the one Google's front
 * end appended for the connection it received. Earlier entries are whatever the client sent —
 * trusting the first let anyone rotate it past the limits, or name a victim's address to lock them
 * out. Without the header (not behind the front end), the socket's address.
 */
export function lastForwardedHop(req: IncomingMessage): string {
  const forwarded = req.headers['x-forwarded-for'];
  const header = Array.isArray(forwarded) ? forwarded.join(',') : forwarded;
  const last = header?.split(',').at(-1)?.trim();
  return last || socketAddress(req);
}

/** The caller's address where nothing stands in front of the server (the local stack). */
export function socketAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
