/**
 * The form's first steps (SPEC §9): parse the request's path, then guard the door. The stylesheet
 * is served as is; a path that is no link, or a method the form does not take, is its 404 page.
 * The token is checked before anything else is read: an unknown, forged, expired or revoked link
 * writes nothing but its address's counter, and both rate limits — per link and per address,
 * counted in Firestore so they hold across instances — are in before any verdict.
 */
import type { ServerResponse } from 'node:http';
import { FORM_CSS } from '../../../shared/requestForm';
import { type StoredLink, verifyLink } from '../requests/links';
import type { PlanDoc } from '../store/planStore';
import { refuseLimited, refusePage, send } from './formAnswer';
import type { FormRequest } from './formBody';
import type { FormContext } from './formContext';

/** A request let in: its link, verified and counted, and the read of its plan already started. */
export interface Admitted {
  method: 'GET' | 'POST';
  url: URL;
  token: string;
  link: StoredLink;
  address: string;
  planRead: Promise<PlanDoc | undefined>;
}

/** Parses and guards a request: what it may go on with, or undefined once it has been answered. */
export async function admit(
  ctx: FormContext,
  req: FormRequest,
  res: ServerResponse,
): Promise<Admitted | undefined> {
  const url = new URL(req.url ?? '/', 'http://form.invalid');
  const path = url.pathname.replace(/\/+$/, '');
  if (req.method === 'GET' && path.endsWith('/form.css')) {
    send(res, 200, 'text/css; charset=utf-8', FORM_CSS, { 'Cache-Control': 'public, max-age=3600' });
    return undefined;
  }
  const match = /\/r\/([^/]+)$/.exec(path);
  if (!match || (req.method !== 'GET' && req.method !== 'POST')) {
    refusePage(res, 'unknown');
    return undefined;
  }
  // Tokens are base64url: anything else (an escape included) is no token of ours.
  const token = match[1] as string;
  const address = ctx.deps.clientAddress(req);
  // The link is read while the address is counted. The link's count starts as soon as the link
  // is known to be ours, beside the address's, and so does the read of its plan (a read only):
  // a made-up token writes nothing but its address's counter, both counts are in before any
  // verdict, and nothing else is written before both verdicts.
  const byAddressTaken = ctx.perAddress.take(address);
  const verdict = await verifyLink(ctx.linkDeps, token).catch(async (error: unknown) => {
    await byAddressTaken.catch(() => {});
    throw error;
  });
  const byLinkTaken = verdict.ok ? ctx.perLink.take(verdict.link.tokenHash) : undefined;
  const planRead = verdict.ok ? ctx.planOf(verdict.link.planId) : undefined;
  const modelRead = planRead?.then((plan) => plan && ctx.modelOf(plan));
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
  if (!byAddress.ok) {
    refuseLimited(res, byAddress.retryAfterS);
    return undefined;
  }
  if (!verdict.ok) {
    refusePage(res, verdict.reason);
    return undefined;
  }
  if (byLinkSettled === undefined) throw new Error('the link was verified but not counted');
  if ('error' in byLinkSettled) throw byLinkSettled.error;
  if (!byLinkSettled.taken.ok) {
    refuseLimited(res, byLinkSettled.taken.retryAfterS);
    return undefined;
  }
  return {
    method: req.method,
    url,
    token,
    link: verdict.link,
    address,
    planRead: planRead as Promise<PlanDoc | undefined>,
  };
}
