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
  | 'not_district_viewer'
  | 'not_district_admin'
  | 'issuer_unreachable'
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
  not_district_viewer: {
    zh: '你不是该街道汇总的查看人，无权查看',
    en: "You are not a viewer of this district's roll-up",
  },
  not_district_admin: {
    zh: '你不是该街道的管理员，无权修改',
    en: 'You are not an admin of this district',
  },
  // Ours, not the caller's: only a token that could be valid gets this far (see verify).
  issuer_unreachable: {
    zh: '暂时无法向 Google 核验身份令牌，请稍后重试',
    en: "Google's signing certificates cannot be fetched right now; please retry later",
  },
};

/** Authentication (401) or authorization (403) refused, or the issuer unreachable (503). */
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
/** The clock skew google-auth-library allows on `exp`; the early look must not be stricter. */
const CLOCK_SKEW_S = 300;
/** How long a request waits for Google's certificates before it is told to retry (503). */
const CERTS_TIMEOUT_MS = 10_000;

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
 * What can be refused without Google's certificates: a token that is no JWT, names another
 * audience (every Google token, where none is configured, as in the local stack) or issuer, or
 * expired. Only a token that passes could be valid, so only it waits for the certificates — and a
 * failure to fetch them is a 503 for it alone; every other bad token is a 401 whatever the network
 * does. The library checks all of this again with the signature.
 */
function earlyRefusal(token: string, audiences: readonly string[]): AuthError | undefined {
  const segments = token.split('.');
  if (segments.length !== 3) return new AuthError('invalid_token', 'not a JWT');
  let payload: unknown;
  try {
    JSON.parse(Buffer.from(segments[0] as string, 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(segments[1] as string, 'base64url').toString('utf8'));
  } catch {
    return new AuthError('invalid_token', 'unparsable header or payload');
  }
  if (typeof payload !== 'object' || payload === null)
    return new AuthError('invalid_token', 'unparsable header or payload');
  const { aud, iss, exp } = payload as Record<string, unknown>;
  if (typeof aud !== 'string' || !audiences.includes(aud))
    return new AuthError('wrong_audience', 'wrong audience');
  if (typeof iss !== 'string' || !GOOGLE_ISSUERS.includes(iss))
    return new AuthError('invalid_token', 'wrong issuer');
  if (typeof exp === 'number' && exp + CLOCK_SKEW_S < Date.now() / 1000)
    return new AuthError('token_expired', 'expired');
  return undefined;
}

/** Google's certificates, or a 503 AuthError when they cannot be had in time. */
async function fetchCerts(certs: () => Promise<Record<string, string>>): Promise<Record<string, string>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CERTS_TIMEOUT_MS);
    timer.unref();
  });
  try {
    return await Promise.race([certs(), timeout]);
  } catch (error) {
    throw new AuthError(
      'issuer_unreachable',
      `certificates unavailable: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    clearTimeout(timer);
  }
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
      const early = earlyRefusal(token, audiences);
      if (early) throw early;
      // A failure to fetch the certificates is ours, not the caller's: 503 (a token that could be valid).
      const keys = await fetchCerts(certs);
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
