/**
 * How the update-request form answers (SPEC §9): every answer carries the same strict headers (no
 * script at all, no framing, no referrer carrying the token, no caching), and a refusal is its
 * Chinese page with a status chosen by reason. One home for both, so the front door of the local
 * stack (guardFormServer) and each step of the handler answer alike.
 */
import type { ServerResponse } from 'node:http';
import { type LinkRefusal, renderRefusalPage } from '../../../shared/requestForm';

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

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
export function refusePage(
  res: ServerResponse,
  reason: LinkRefusal,
  extra: Record<string, string> = {},
): void {
  res.writeHead(REFUSAL_STATUS[reason], {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/html; charset=utf-8',
    ...extra,
  });
  res.end(renderRefusalPage(reason));
}

/** A rate limit's refusal: 429 with when to come back. */
export function refuseLimited(res: ServerResponse, retryAfterS: number): void {
  refusePage(res, 'limited', { 'Retry-After': String(retryAfterS) });
}

/** Any other answer of the form: its body with our headers. */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...extra });
  res.end(body);
}

/** A page of the form (the form itself, or it again with what was wrong). */
export function sendPage(res: ServerResponse, status: number, page: string): void {
  send(res, status, 'text/html; charset=utf-8', page);
}
