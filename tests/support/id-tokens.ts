/**
 * Mints RS256 ID tokens shaped like Google's (and like Apps Script's `ScriptApp.getIdentityToken()`)
 * with a key pair made here, so tests verify real signatures without reaching Google.
 *
 * google-auth-library verifies with node:crypto's `createVerify('RSA-SHA256').verify(pem, …)`,
 * which takes a public-key PEM as well as an X.509 certificate PEM, so `certs` maps the kid to
 * an SPKI public-key PEM. The library reads the real clock and allows 300 s of skew: to test
 * expiry, set `exp` (or `expiresInSeconds`) more than five minutes in the past.
 */
import { createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

export const GOOGLE_ISSUER = 'https://accounts.google.com';

export interface SignOptions {
  /** Key id in the header; defaults to the signer's own. */
  kid?: string;
  /** Lifetime from `iat`; default 3600 (Google's). Ignored when the claims set `exp`. */
  expiresInSeconds?: number;
}

export interface TestSigner {
  /** kid → SPKI public-key PEM, as `certs` for `createIdentityVerifier`. */
  readonly certs: Record<string, string>;
  readonly kid: string;
  /**
   * A signed JWT; `iss`, `iat` (now), `exp` and `sub` are filled in unless the claims set them,
   * the caller supplies `aud`, `email` and `email_verified`.
   */
  sign(claims: Record<string, unknown>, options?: SignOptions): string;
}

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A fresh RSA key pair and a signer for it. */
export function createTestSigner(): TestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    certs: { [kid]: publicPem },
    kid,
    sign(claims, options = {}) {
      const iat = typeof claims.iat === 'number' ? claims.iat : Math.floor(Date.now() / 1000);
      const payload = {
        iss: GOOGLE_ISSUER,
        sub: '100000000000000000000',
        iat,
        exp: iat + (options.expiresInSeconds ?? 3600),
        ...claims,
      };
      const header = { alg: 'RS256', typ: 'JWT', kid: options.kid ?? kid };
      const signed = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
      const signature = createSign('RSA-SHA256').update(signed).sign(privateKey);
      return `${signed}.${base64url(signature)}`;
    },
  };
}
