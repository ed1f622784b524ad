/**
 * The form's per-page anti-forgery value: a fresh nonce and its HMAC under the link's own secret
 * (StoredLink.formKey, never shown). Only a page the form served carries a value that checks, so
 * a post forged elsewhere — even by someone who learnt the link — is refused and writes nothing;
 * the nonce is also the submission's idempotency key (requests/submit.ts), one per page shown.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { StoredLink } from './links';

function signatureOf(link: StoredLink, nonce: string): Buffer {
  return createHmac('sha256', link.formKey).update(`${link.tokenHash}\u0000${nonce}`).digest();
}

/** A new value for one page of the link's form. */
export function pageGuard(link: StoredLink): string {
  const nonce = randomBytes(16).toString('base64url');
  return `${nonce}.${signatureOf(link, nonce).toString('base64url')}`;
}

/** The nonce of a value this link's form served, or undefined for anything else. */
export function checkGuard(link: StoredLink, value: string | undefined): string | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '');
  if (!match) return undefined;
  const [, nonce, signature] = match as unknown as [string, string, string];
  const expected = signatureOf(link, nonce);
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? nonce : undefined;
}
