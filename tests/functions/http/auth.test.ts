import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../functions/src/config';
import {
  AuthError,
  type AuthErrorCode,
  authorizeEditor,
  createIdentityVerifier,
  type Identity,
  type IdentityVerifier,
} from '../../../functions/src/http/auth';
import { createTestSigner, type TestSigner } from '../../support/id-tokens';

const AUDIENCE = '1234-addon.apps.googleusercontent.com';
const OTHER_AUDIENCE = '5678-other.apps.googleusercontent.com';
const DEV_TOKEN = 'dev-token-0123456789-secret';
const EMAIL = 'Editor@Example.org';
// google-auth-library allows this much clock skew on both iat and exp.
const SKEW = 300;

const nowSeconds = () => Math.floor(Date.now() / 1000);

let signer: TestSigner;
let stranger: TestSigner;
let verifier: IdentityVerifier;

beforeAll(() => {
  signer = createTestSigner();
  stranger = createTestSigner();
  verifier = createIdentityVerifier({
    audiences: [OTHER_AUDIENCE, AUDIENCE],
    devEmail: 'developer@localhost',
    certs: async () => signer.certs,
  });
});

const claims = (extra: Record<string, unknown> = {}) => ({
  aud: AUDIENCE,
  email: EMAIL,
  email_verified: true,
  ...extra,
});

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('verify: a Google ID token', () => {
  it('yields the lower-cased email', async () => {
    await expect(verifier.verify(`Bearer ${signer.sign(claims())}`)).resolves.toEqual({
      email: 'editor@example.org',
      viaDevToken: false,
    });
  });

  it.each([{ issuer: 'accounts.google.com' }, { issuer: 'https://accounts.google.com' }])(
    'accepts issuer $issuer and any configured audience',
    async ({ issuer }) => {
      const token = signer.sign(claims({ iss: issuer, aud: OTHER_AUDIENCE }));
      await expect(verifier.verify(`Bearer ${token}`)).resolves.toMatchObject({
        email: 'editor@example.org',
      });
    },
  );

  it('accepts the scheme in any case', async () => {
    await expect(verifier.verify(`bearer ${signer.sign(claims())}`)).resolves.toMatchObject({
      viaDevToken: false,
    });
  });
});

describe('verify: the auth matrix', () => {
  const cases: {
    name: string;
    header: () => string | undefined;
    code: AuthErrorCode;
    status: 401 | 403;
    reason?: string;
  }[] = [
    { name: 'no header', header: () => undefined, code: 'missing_token', status: 401 },
    { name: 'empty header', header: () => '', code: 'missing_token', status: 401 },
    { name: 'Bearer without a token', header: () => 'Bearer ', code: 'missing_token', status: 401 },
    {
      name: 'not Bearer',
      header: () => `Basic ${Buffer.from('a:b').toString('base64')}`,
      code: 'missing_token',
      status: 401,
    },
    {
      name: 'garbage',
      header: () => 'Bearer garbage',
      code: 'invalid_token',
      status: 401,
      reason: 'not a JWT',
    },
    {
      name: 'three garbage segments',
      header: () => 'Bearer a.b.c',
      code: 'invalid_token',
      status: 401,
      reason: 'unparsable header or payload',
    },
    {
      name: 'bad signature (signed by another key under our kid)',
      header: () => `Bearer ${stranger.sign(claims(), { kid: signer.kid })}`,
      code: 'invalid_token',
      status: 401,
      reason: 'bad signature',
    },
    {
      name: 'tampered payload',
      header: () => {
        const [head, payload = '', signature] = signer.sign(claims()).split('.');
        // The signed claims with only the email changed: everything but the signature checks out.
        const original = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        const forged = Buffer.from(JSON.stringify({ ...original, email: 'boss@example.org' })).toString(
          'base64url',
        );
        return `Bearer ${head}.${forged}.${signature}`;
      },
      code: 'invalid_token',
      status: 401,
      reason: 'bad signature',
    },
    {
      name: 'unknown kid',
      header: () => `Bearer ${stranger.sign(claims())}`,
      code: 'invalid_token',
      status: 401,
      reason: 'unknown key id',
    },
    {
      name: 'wrong audience',
      header: () => `Bearer ${signer.sign(claims({ aud: 'someone-else.apps.googleusercontent.com' }))}`,
      code: 'wrong_audience',
      status: 401,
    },
    {
      name: 'expired (beyond the allowed skew)',
      header: () => `Bearer ${signer.sign(claims({ iat: nowSeconds() - 3600 - SKEW - 60 }))}`,
      code: 'token_expired',
      status: 401,
    },
    {
      name: 'issued in the future (beyond the allowed skew)',
      header: () => `Bearer ${signer.sign(claims({ iat: nowSeconds() + SKEW + 60 }))}`,
      code: 'invalid_token',
      status: 401,
      reason: 'issued in the future',
    },
    {
      name: 'lifetime beyond a day',
      header: () => `Bearer ${signer.sign(claims(), { expiresInSeconds: 2 * 86_400 })}`,
      code: 'invalid_token',
      status: 401,
      reason: 'lifetime too long',
    },
    {
      name: 'no expiry',
      header: () => `Bearer ${signer.sign(claims({ exp: undefined }))}`,
      code: 'invalid_token',
      status: 401,
      reason: 'no exp',
    },
    {
      name: 'wrong issuer',
      header: () => `Bearer ${signer.sign(claims({ iss: 'https://evil.example.org' }))}`,
      code: 'invalid_token',
      status: 401,
      reason: 'wrong issuer',
    },
    {
      name: 'email_verified false',
      header: () => `Bearer ${signer.sign(claims({ email_verified: false }))}`,
      code: 'email_unverified',
      status: 403,
    },
    {
      name: 'email_verified missing',
      header: () => `Bearer ${signer.sign(claims({ email_verified: undefined }))}`,
      code: 'email_unverified',
      status: 403,
    },
    {
      name: 'email_verified as the string "true"',
      header: () => `Bearer ${signer.sign(claims({ email_verified: 'true' }))}`,
      code: 'email_unverified',
      status: 403,
    },
    {
      name: 'no email claim',
      header: () => `Bearer ${signer.sign(claims({ email: undefined }))}`,
      code: 'email_missing',
      status: 401,
    },
    {
      name: 'a development token when none is configured',
      header: () => `Bearer ${DEV_TOKEN}`,
      code: 'invalid_token',
      status: 401,
    },
  ];

  it.each(cases)('$name → $status $code', async ({ header, code, status, reason }) => {
    const value = header();
    const error = await refusal(verifier.verify(value));
    expect({ code: error.code, status: error.status }).toEqual({ code, status });
    if (reason !== undefined) expect(error.reason).toBe(reason);
    expect(error.message).toMatch(/\p{Script=Han}/u);
    expect(error.messageEn).not.toMatch(/\p{Script=Han}/u);
    // The library quotes the whole token in its own errors; ours must not carry it to logs.
    const token = value?.split(' ')[1];
    if (token && token.length > 20) {
      expect(`${error.message} ${error.messageEn} ${error.reason} ${String(error.cause)}`).not.toContain(
        token,
      );
    }
  });

  it('accepts no Google token when no audience is configured', async () => {
    const closed = createIdentityVerifier({
      audiences: [],
      devEmail: 'dev@localhost',
      certs: async () => signer.certs,
    });
    expect((await refusal(closed.verify(`Bearer ${signer.sign(claims())}`))).code).toBe('wrong_audience');
  });

  describe("when Google's certificates cannot be fetched", () => {
    let fetches = 0;
    const broken = () =>
      createIdentityVerifier({
        audiences: [AUDIENCE],
        devEmail: 'dev@localhost',
        certs: async () => {
          fetches += 1;
          throw new Error('certificates unavailable');
        },
      });

    it.each([
      { name: 'garbage', token: () => 'garbage', code: 'invalid_token' },
      { name: 'three garbage segments', token: () => 'a.b.c', code: 'invalid_token' },
      {
        name: 'another audience',
        token: () => signer.sign(claims({ aud: 'someone-else.apps.googleusercontent.com' })),
        code: 'wrong_audience',
      },
      {
        name: 'another issuer',
        token: () => signer.sign(claims({ iss: 'https://evil.example.org' })),
        code: 'invalid_token',
      },
      {
        name: 'expired',
        token: () => signer.sign(claims({ iat: nowSeconds() - 3600 - SKEW - 60 })),
        code: 'token_expired',
      },
    ])(
      'a bad token ($name) is still 401 $code, and the certificates are not even asked for',
      async ({ token, code }) => {
        fetches = 0;
        const error = await refusal(broken().verify(`Bearer ${token()}`));
        expect({ status: error.status, code: error.code }).toEqual({ status: 401, code });
        expect(fetches).toBe(0);
      },
    );

    it('a token that could be valid gets 503 issuer_unreachable, in Chinese, without the token', async () => {
      const token = signer.sign(claims());
      const error = await refusal(broken().verify(`Bearer ${token}`));
      expect({ status: error.status, code: error.code }).toEqual({ status: 503, code: 'issuer_unreachable' });
      expect(error.message).toMatch(/\p{Script=Han}/u);
      expect(`${error.message} ${error.messageEn} ${error.reason}`).not.toContain(token);
    });

    it('with no audience configured (the local stack) every Google-shaped token is 401 without a fetch', async () => {
      fetches = 0;
      const local = createIdentityVerifier({
        audiences: [],
        devEmail: 'dev@localhost',
        devToken: DEV_TOKEN,
        certs: async () => {
          fetches += 1;
          throw new Error('offline');
        },
      });
      expect((await refusal(local.verify(`Bearer ${signer.sign(claims())}`))).status).toBe(401);
      expect((await refusal(local.verify('Bearer wrong-dev-token-0123456789'))).status).toBe(401);
      expect(fetches).toBe(0);
    });
  });
});

describe('verify: the development token', () => {
  const devVerifier = () =>
    createIdentityVerifier({
      audiences: [AUDIENCE],
      devToken: DEV_TOKEN,
      devEmail: 'Developer@Localhost',
      certs: async () => signer.certs,
    });

  it('is accepted in development as the development email', async () => {
    const config = parseConfig({ GONGJIAN_ENV: 'development', GONGJIAN_DEV_TOKEN: DEV_TOKEN });
    const fromConfig = createIdentityVerifier({ ...config, certs: async () => signer.certs });
    await expect(fromConfig.verify(`Bearer ${DEV_TOKEN}`)).resolves.toEqual({
      email: 'developer@localhost',
      viaDevToken: true,
    });
  });

  it.each([
    { name: 'a different token of the same length', token: `${DEV_TOKEN.slice(0, -1)}X` },
    { name: 'a prefix', token: DEV_TOKEN.slice(0, 16) },
    { name: 'a longer token', token: `${DEV_TOKEN}0` },
  ])('refuses $name', async ({ token }) => {
    expect((await refusal(devVerifier().verify(`Bearer ${token}`))).code).toBe('invalid_token');
  });

  it('still accepts Google ID tokens beside it', async () => {
    await expect(devVerifier().verify(`Bearer ${signer.sign(claims())}`)).resolves.toEqual({
      email: 'editor@example.org',
      viaDevToken: false,
    });
  });

  it('never reaches a verifier under production settings: the service refuses to start', () => {
    expect(() =>
      parseConfig({
        GONGJIAN_PROJECT: 'gongjian-prod',
        GONGJIAN_AUDIENCES: AUDIENCE,
        GONGJIAN_DEV_TOKEN: DEV_TOKEN,
      }),
    ).toThrow(ConfigError);
  });
});

describe('authorizeEditor', () => {
  const plan = { owner: 'Owner@Example.org', editors: ['first@example.org', 'SECOND@example.org'] };
  const identity = (email: string): Identity => ({ email, viaDevToken: false });

  it.each(['owner@example.org', 'OWNER@EXAMPLE.ORG', 'first@example.org', 'second@example.org'])(
    'allows %s',
    (email) => {
      expect(() => authorizeEditor(identity(email), plan)).not.toThrow();
    },
  );

  it.each(['stranger@example.org', 'owner@example.org.evil', ''])(
    'refuses %j with 403 not_editor',
    (email) => {
      let error: unknown;
      try {
        authorizeEditor(identity(email), plan);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AuthError);
      expect(error).toMatchObject({ status: 403, code: 'not_editor' });
      expect((error as AuthError).message).toMatch(/\p{Script=Han}/u);
    },
  );

  it('refuses everyone for a plan with no editors but the owner', () => {
    expect(() =>
      authorizeEditor(identity('first@example.org'), { owner: 'owner@example.org', editors: [] }),
    ).toThrow(AuthError);
  });
});
