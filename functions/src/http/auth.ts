/**
 * Who is calling: a Google ID token as Apps Script's `ScriptApp.getIdentityToken()` makes it,
 * or, in development only, the configured development token. Authorization against a plan is a
 * separate step (`authorizeEditor`) because it needs the plan, which the endpoint loads.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';
import { API_ERRORS, type ApiErrorCode } from '../../../shared/apiErrors';
import { GongjianError } from '../../../shared/errors';

export type AuthErrorCode = Extract<
  ApiErrorCode,
  | 'missing_token'
  | 'invalid_token'
  | 'wrong_audience'
  | 'token_expired'
  | 'email_missing'
  | 'email_unverified'
  | 'not_editor'
>;

const AUTH_ERRORS: Record<AuthErrorCode, { zh: string; en: string }> = {
  missing_token: {
    zh: '缺少身份令牌：请求须带 Authorization: Bearer <ID 令牌>',
    en: 'Missing identity token: send Authorization: Bearer <ID token>',
  },
  invalid_token: { zh: '身份令牌无效', en: 'Invalid identity token' },
  wrong_audience: {
    zh: '身份令牌不是为本服务签发的（受众不符）',
    en: 'The ID token was not issued for this service (audience mismatch)',
  },
  token_expired: {
    zh: '身份令牌已过期，请重新打开侧边栏后重试',
    en: 'The ID token has expired; reopen the sidebar and retry',
  },
  email_missing: {
    zh: '身份令牌中没有邮箱：加载项须申请 userinfo.email 权限',
    en: 'The ID token carries no email: the add-on must request the userinfo.email scope',
  },
  email_unverified: {
    zh: '该 Google 账号的邮箱尚未验证',
    en: "The Google account's email address is not verified",
  },
  not_editor: {
    zh: '你不是该计划的负责人或编辑者，无权执行此操作',
    en: "You are not the plan's owner or one of its editors",
  },
};

/** Authentication (401) or authorization (403) refused. */
export class AuthError extends GongjianError<AuthErrorCode> {
  override readonly name = 'AuthError';
  readonly status: (typeof API_ERRORS)[AuthErrorCode];

  /** `reason` is an English detail for logs; it never holds the token or its claims. */
  constructor(
    code: AuthErrorCode,
    readonly reason?: string,
  ) {
    const { zh, en } = AUTH_ERRORS[code];
    super(code, zh, en);
    this.status = API_ERRORS[code];
  }
}

export interface Identity {
  /** Lower-cased. */
  readonly email: string;
  readonly viaDevToken: boolean;
}

export interface IdentityVerifierOptions {
  /** Accepted `aud` values (OAuth client IDs); empty accepts no Google token at all. */
  readonly audiences: readonly string[];
  /** Accepted as `Bearer <devToken>` for `devEmail`; config only allows it in development. */
  readonly devToken?: string | undefined;
  readonly devEmail: string;
  /** kid → PEM (certificate or public key). Defaults to Google's federated sign-on certificates. */
  readonly certs?: () => Promise<Record<string, string>>;
}

export interface IdentityVerifier {
  verify(authorizationHeader: string | undefined): Promise<Identity>;
}

const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/**
 * google-auth-library reports every failure as a plain Error whose message starts with a fixed
 * phrase (and then quotes the whole token or payload, which must not reach logs). Ordered as the
 * library checks them; the tests pin each phrase, so a library upgrade that rewords one fails there.
 */
const LIBRARY_FAILURES: readonly { prefix: string; code: AuthErrorCode; reason: string }[] = [
  { prefix: 'Wrong number of segments', code: 'invalid_token', reason: 'not a JWT' },
  { prefix: "Can't parse token", code: 'invalid_token', reason: 'unparsable header or payload' },
  { prefix: 'No pem found for envelope', code: 'invalid_token', reason: 'unknown key id' },
  { prefix: 'Invalid token signature', code: 'invalid_token', reason: 'bad signature' },
  { prefix: 'No issue time', code: 'invalid_token', reason: 'no iat' },
  { prefix: 'No expiration time', code: 'invalid_token', reason: 'no exp' },
  { prefix: 'iat field using invalid format', code: 'invalid_token', reason: 'malformed iat' },
  { prefix: 'exp field using invalid format', code: 'invalid_token', reason: 'malformed exp' },
  { prefix: 'Expiration time too far in future', code: 'invalid_token', reason: 'lifetime too long' },
  { prefix: 'Token used too early', code: 'invalid_token', reason: 'issued in the future' },
  { prefix: 'Token used too late', code: 'token_expired', reason: 'expired' },
  { prefix: 'Invalid issuer', code: 'invalid_token', reason: 'wrong issuer' },
  { prefix: 'Wrong recipient', code: 'wrong_audience', reason: 'wrong audience' },
];

function classify(error: unknown): AuthError {
  const message = error instanceof Error ? error.message : '';
  const failure = LIBRARY_FAILURES.find(({ prefix }) => message.startsWith(prefix));
  // Anything else (a malformed key, a crypto error on odd input) is still the token's fault.
  return failure
    ? new AuthError(failure.code, failure.reason)
    : new AuthError('invalid_token', 'unrecognised verification failure');
}

/** Equal-length digests, so neither the content nor the length of the secret leaks through timing. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function bearerToken(header: string | undefined): string {
  const match = /^Bearer +(\S+) *$/i.exec(header?.trim() ?? '');
  if (!match?.[1]) throw new AuthError('missing_token', header ? 'not a Bearer credential' : 'no header');
  return match[1];
}

/**
 * Verifies `Authorization: Bearer …` against Google's keys, the configured audiences and issuers.
 * The library reads the real clock (`new Date()`), so no clock can be injected here.
 */
export function createIdentityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  const client = new OAuth2Client();
  const audiences = [...options.audiences];
  const devEmail = options.devEmail.toLowerCase();
  // The client caches Google's certificates as long as their Cache-Control allows.
  const certs =
    options.certs ??
    (async () => {
      const { certs } = await client.getFederatedSignonCertsAsync();
      return Object.fromEntries(
        Object.entries(certs).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    });

  return {
    async verify(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      if (options.devToken !== undefined && sameSecret(token, options.devToken)) {
        return { email: devEmail, viaDevToken: true };
      }
      // A failure to fetch the certificates is ours, not the caller's: it propagates as is (5xx).
      const keys = await certs();
      let payload: Record<string, unknown> | undefined;
      try {
        const ticket = await client.verifySignedJwtWithCertsAsync(token, keys, audiences, GOOGLE_ISSUERS);
        payload = ticket.getPayload() as Record<string, unknown> | undefined;
      } catch (error) {
        throw classify(error);
      }
      const email = payload?.email;
      if (typeof email !== 'string' || email === '') throw new AuthError('email_missing', 'no email claim');
      if (payload?.email_verified !== true)
        throw new AuthError('email_unverified', 'email_verified is not true');
      return { email: email.toLowerCase(), viaDevToken: false };
    },
  };
}

/** Throws 403 `not_editor` unless the identity is the plan's owner or one of its editors. */
export function authorizeEditor(
  identity: Identity,
  plan: { owner: string; editors: readonly string[] },
): void {
  const email = identity.email.toLowerCase();
  const allowed = [plan.owner, ...plan.editors].some((candidate) => candidate.trim().toLowerCase() === email);
  if (!allowed) throw new AuthError('not_editor', 'not the owner or an editor');
}
