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
import type { LinkRefusal } from '../../../shared/requestForm';
import { logs } from '../logs';
import { checkGuard } from '../requests/formGuard';
import { logLinkUse } from '../requests/links';
import { refusePage, send, sendPage } from './formAnswer';
import { bodyLimitOf, CappedBytes, type FormRequest, readFormPost } from './formBody';
import { checkPost } from './formCheck';
import { createFormContext, type FormDeps } from './formContext';
import { admit } from './formGate';
import { formPage } from './formPage';
import { submitPost } from './formSubmit';

export { FORM_MAX_BODY_BYTES, FORM_MAX_UPLOAD_BYTES } from './formBody';
export type { FormDeps } from './formContext';

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
    const body = new CappedBytes(limit);
    req.on('data', (chunk: Buffer) => {
      if (body.over || body.add(chunk)) return;
      refuse('tooLarge');
      // The rest is not wanted: the connection ends with the answer.
      res.once('finish', () => req.destroy());
    });
    req.once('end', () => {
      if (body.over) return;
      (req as FormRequest).rawBody = body.bytes();
      pass(req, res);
    });
    req.once('error', () => {
      if (!res.headersSent && !body.over) refuse('unreadable');
    });
  });
}

/**
 * Builds the form's handler, one request in named steps: parse the path and guard the door
 * (formGate.ts), then a link's page, or a post read (formBody.ts), its page value checked, its
 * fields validated and photos processed (formCheck.ts), stored and answered (formSubmit.ts). Any
 * failure is logged and answered 500 without a word of what was typed being kept as saved.
 */
export function createFormHandler(deps: FormDeps): (req: FormRequest, res: ServerResponse) => Promise<void> {
  const ctx = createFormContext(deps);

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
    const admitted = await admit(ctx, req, res);
    if (!admitted) return;
    const { link, token, address } = admitted;
    if (admitted.method === 'GET') {
      const page = await formPage(ctx, link, token, {
        values: {},
        errors: {},
        ...(admitted.url.searchParams.has('ok') ? { notice: '已提交，谢谢！记录已保存。' } : {}),
      });
      if (!page) return refusePage(res, 'gone');
      await logLinkUse(ctx.linkDeps, link, { kind: 'view', address });
      return sendPage(res, 200, page);
    }
    // The page's own form posts URL-encoded UTF-8 (multipart with photos), uncompressed: anything
    // else was not sent by it.
    const post = await readFormPost(req);
    if ('refused' in post) return refusePage(res, post.refused);
    const nonce = checkGuard(link, post.fields.get('guard') ?? undefined);
    if (nonce === undefined) return refusePage(res, 'forged');
    const checked = await checkPost(ctx, admitted, nonce, post, res);
    if (checked) await submitPost(ctx, admitted, checked, res);
  }
}

/** The path of the form's root in its public address (GONGJIAN_FORM_URL): '' at the host's root. */
export function formBasePath(formUrl: string | undefined): string {
  return formUrl === undefined ? '' : new URL(formUrl).pathname.replace(/\/+$/, '');
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
