import { describe, expect, it, vi } from 'vitest';
import { type Config, ConfigError, parseConfig, redactConfig } from '../../functions/src/config';
import { answerOf } from '../support/http';

// What the functions hand Cloud Logging (firebase-functions' logger keeps its own console, out of a
// test's reach): the structured entries, kept for the operator-log assertions below.
const cloudEntries = vi.hoisted(() => [] as Record<string, unknown>[]);
vi.mock('firebase-functions/logger', () => ({
  write: (entry: Record<string, unknown>) => cloudEntries.push(entry),
}));

type Env = Record<string, string | undefined>;

const DEV: Env = { GONGJIAN_ENV: 'development' };
const PROD: Env = {
  GONGJIAN_PROJECT: 'gongjian-prod',
  GONGJIAN_AUDIENCES: '1234-abc.apps.googleusercontent.com',
  MAIL_FROM: 'noreply@example.org',
};
const DEV_TOKEN = 'dev-token-0123456789-secret';
const SMTP_PASSWORD = 'smtp-pa55word-secret';

function configError(env: Env): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('parseConfig: valid environments', () => {
  const cases: { name: string; env: Env; expected: Partial<Config> }[] = [
    {
      name: 'development defaults',
      env: DEV,
      expected: {
        environment: 'development',
        projectId: 'demo-gongjian',
        audiences: [],
        devEmail: 'developer@localhost',
        admins: [],
        maxBodyBytes: 30 * 1024 * 1024,
        mailRetentionDays: 30,
      },
    },
    {
      name: 'production is the default environment',
      env: PROD,
      expected: {
        environment: 'production',
        projectId: 'gongjian-prod',
        audiences: ['1234-abc.apps.googleusercontent.com'],
      },
    },
    {
      name: 'GONGJIAN_PROJECT wins over GCLOUD_PROJECT and GOOGLE_CLOUD_PROJECT',
      env: { ...DEV, GONGJIAN_PROJECT: 'first-project', GCLOUD_PROJECT: 'second-project' },
      expected: { projectId: 'first-project' },
    },
    {
      name: 'GCLOUD_PROJECT wins over GOOGLE_CLOUD_PROJECT',
      env: { ...DEV, GCLOUD_PROJECT: 'second-project', GOOGLE_CLOUD_PROJECT: 'third-project' },
      expected: { projectId: 'second-project' },
    },
    {
      name: 'GOOGLE_CLOUD_PROJECT alone',
      env: { ...DEV, GOOGLE_CLOUD_PROJECT: 'third-project' },
      expected: { projectId: 'third-project' },
    },
    {
      name: 'blank variables count as unset',
      env: { ...DEV, GONGJIAN_PROJECT: '  ', GCLOUD_PROJECT: 'second-project', SMTP_URL: '' },
      expected: { projectId: 'second-project' },
    },
    {
      name: 'lists are trimmed and de-duplicated, emails lower-cased',
      env: {
        ...PROD,
        GONGJIAN_AUDIENCES:
          ' a.apps.googleusercontent.com , b.apps.googleusercontent.com,a.apps.googleusercontent.com',
        GONGJIAN_ADMINS: 'Admin@Example.org, other@example.org ,admin@example.org',
      },
      expected: {
        audiences: ['a.apps.googleusercontent.com', 'b.apps.googleusercontent.com'],
        admins: ['admin@example.org', 'other@example.org'],
      },
    },
    {
      name: 'every variable set in development',
      env: {
        ...DEV,
        GONGJIAN_PROJECT: 'demo-local',
        FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080',
        GONGJIAN_DEV_TOKEN: DEV_TOKEN,
        GONGJIAN_DEV_EMAIL: 'Me@Localhost',
        GONGJIAN_MAX_BODY_BYTES: '2048',
        SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`,
        MAIL_FROM: 'noreply@example.org',
        GONGJIAN_MAIL_RETENTION_DAYS: '90',
        GONGJIAN_OUTBOX_DIR: 'local/outbox',
        GONGJIAN_LOCAL_WORKBOOK: 'local/plan.xlsx',
        GONGJIAN_FORM_URL: 'http://127.0.0.1:5002/form',
      },
      expected: {
        projectId: 'demo-local',
        firestoreEmulatorHost: '127.0.0.1:8080',
        devToken: DEV_TOKEN,
        devEmail: 'me@localhost',
        maxBodyBytes: 2048,
        smtpUrl: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:2525`,
        mailFrom: 'noreply@example.org',
        mailRetentionDays: 90,
        outboxDir: 'local/outbox',
        localWorkbook: 'local/plan.xlsx',
        formUrl: 'http://127.0.0.1:5002/form',
      },
    },
    {
      name: 'emulator hosts by name and IPv6',
      env: { ...DEV, FIRESTORE_EMULATOR_HOST: '[::1]:8080' },
      expected: { firestoreEmulatorHost: '[::1]:8080' },
    },
  ];

  it.each(cases)('$name', ({ env, expected }) => {
    expect(parseConfig(env)).toMatchObject(expected);
  });

  it('leaves optional settings absent rather than undefined', () => {
    const config = parseConfig(DEV);
    for (const key of [
      'firestoreEmulatorHost',
      'devToken',
      'smtpUrl',
      'mailFrom',
      'outboxDir',
      'localWorkbook',
      'formUrl',
    ]) {
      expect(Object.hasOwn(config, key), key).toBe(false);
    }
  });
});

describe('parseConfig: each bad variable is named', () => {
  const cases: { env: Env; variable: string }[] = [
    { env: { GONGJIAN_ENV: 'prod' }, variable: 'GONGJIAN_ENV' },
    { env: { ...DEV, GONGJIAN_PROJECT: 'Bad_Project' }, variable: 'GONGJIAN_PROJECT' },
    { env: { ...DEV, GCLOUD_PROJECT: 'x' }, variable: 'GCLOUD_PROJECT' },
    { env: { ...DEV, GOOGLE_CLOUD_PROJECT: 'has space' }, variable: 'GOOGLE_CLOUD_PROJECT' },
    { env: { ...DEV, FIRESTORE_EMULATOR_HOST: 'localhost' }, variable: 'FIRESTORE_EMULATOR_HOST' },
    {
      env: { ...DEV, FIRESTORE_EMULATOR_HOST: 'http://localhost:8080' },
      variable: 'FIRESTORE_EMULATOR_HOST',
    },
    { env: { ...DEV, FIRESTORE_EMULATOR_HOST: '127.0.0.1:0' }, variable: 'FIRESTORE_EMULATOR_HOST' },
    { env: { ...DEV, FIRESTORE_EMULATOR_HOST: '127.0.0.1:70000' }, variable: 'FIRESTORE_EMULATOR_HOST' },
    { env: { ...PROD, GONGJIAN_AUDIENCES: ' , ' }, variable: 'GONGJIAN_AUDIENCES' },
    { env: { ...PROD, GONGJIAN_AUDIENCES: 'a b' }, variable: 'GONGJIAN_AUDIENCES' },
    { env: { ...DEV, GONGJIAN_DEV_TOKEN: 'too-short' }, variable: 'GONGJIAN_DEV_TOKEN' },
    { env: { ...DEV, GONGJIAN_DEV_TOKEN: 'long enough but spaced' }, variable: 'GONGJIAN_DEV_TOKEN' },
    { env: { ...DEV, GONGJIAN_DEV_EMAIL: 'developer' }, variable: 'GONGJIAN_DEV_EMAIL' },
    { env: { ...DEV, GONGJIAN_ADMINS: 'a@example.org, nobody' }, variable: 'GONGJIAN_ADMINS' },
    { env: { ...DEV, GONGJIAN_MAX_BODY_BYTES: '0' }, variable: 'GONGJIAN_MAX_BODY_BYTES' },
    { env: { ...DEV, GONGJIAN_MAX_BODY_BYTES: '-1' }, variable: 'GONGJIAN_MAX_BODY_BYTES' },
    { env: { ...DEV, GONGJIAN_MAX_BODY_BYTES: '1.5' }, variable: 'GONGJIAN_MAX_BODY_BYTES' },
    { env: { ...DEV, GONGJIAN_MAX_BODY_BYTES: '10MB' }, variable: 'GONGJIAN_MAX_BODY_BYTES' },
    { env: { ...DEV, SMTP_URL: 'http://mail.example.org' }, variable: 'SMTP_URL' },
    { env: { ...DEV, SMTP_URL: 'not a url' }, variable: 'SMTP_URL' },
    { env: { ...DEV, MAIL_FROM: 'nobody' }, variable: 'MAIL_FROM' },
    { env: { ...DEV, GONGJIAN_MAIL_RETENTION_DAYS: '0' }, variable: 'GONGJIAN_MAIL_RETENTION_DAYS' },
    { env: { ...DEV, GONGJIAN_MAIL_RETENTION_DAYS: '1.5' }, variable: 'GONGJIAN_MAIL_RETENTION_DAYS' },
    { env: { ...DEV, GONGJIAN_MAIL_RETENTION_DAYS: '30d' }, variable: 'GONGJIAN_MAIL_RETENTION_DAYS' },
    { env: { ...DEV, GONGJIAN_MAIL_RETENTION_DAYS: '3651' }, variable: 'GONGJIAN_MAIL_RETENTION_DAYS' },
    { env: { ...DEV, GONGJIAN_LOCAL_WORKBOOK: 'local/plan.csv' }, variable: 'GONGJIAN_LOCAL_WORKBOOK' },
    { env: { ...DEV, GONGJIAN_FORM_URL: 'ftp://form.example.cn' }, variable: 'GONGJIAN_FORM_URL' },
    { env: { ...DEV, GONGJIAN_FORM_URL: 'https://form.example.cn/?x=1' }, variable: 'GONGJIAN_FORM_URL' },
    // Production requirements.
    { env: { ...PROD, GONGJIAN_PROJECT: undefined }, variable: 'GONGJIAN_PROJECT' },
    { env: { ...PROD, GONGJIAN_AUDIENCES: undefined }, variable: 'GONGJIAN_AUDIENCES' },
    // Without it the documents carry no `from`, and every email loses the plan's sender name.
    { env: { ...PROD, MAIL_FROM: undefined }, variable: 'MAIL_FROM' },
    { env: { ...PROD, GONGJIAN_ENV: 'production', MAIL_FROM: ' ' }, variable: 'MAIL_FROM' },
    { env: { ...PROD, GONGJIAN_ENV: 'production', GONGJIAN_AUDIENCES: '' }, variable: 'GONGJIAN_AUDIENCES' },
  ];

  it.each(cases)('$variable in $env', ({ env, variable }) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.problems.map((p) => p.variable)).toEqual([variable]);
    expect(error.message).toContain(variable);
    expect(error.messageZh).toContain(variable);
    expect(error.messageEn).toContain(variable);
    // Chinese first, English after: both in the one message a log line shows.
    expect(error.message).toMatch(/^配置错误/);
    expect(error.message).toContain('Invalid configuration');
  });

  it('quotes the bad value of a non-secret variable', () => {
    expect(configError({ ...DEV, GONGJIAN_MAX_BODY_BYTES: '10MB' }).message).toContain('"10MB"');
  });

  it('reports every bad variable at once', () => {
    const error = configError({ GONGJIAN_DEV_TOKEN: DEV_TOKEN, FIRESTORE_EMULATOR_HOST: 'nope' });
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'FIRESTORE_EMULATOR_HOST',
      'GONGJIAN_AUDIENCES',
      'GONGJIAN_DEV_TOKEN',
      'GONGJIAN_PROJECT',
      'MAIL_FROM',
    ]);
  });
});

describe('parseConfig: the development token under production settings', () => {
  it.each([
    {
      name: 'explicit production',
      env: { ...PROD, GONGJIAN_ENV: 'production', GONGJIAN_DEV_TOKEN: DEV_TOKEN },
    },
    { name: 'production by default', env: { ...PROD, GONGJIAN_DEV_TOKEN: DEV_TOKEN } },
  ])('refuses to start ($name)', ({ env }) => {
    const error = configError(env);
    expect(error.variable).toBe('GONGJIAN_DEV_TOKEN');
    expect(error.messageZh).toContain('拒绝启动');
    expect(error.messageEn).toContain('refusing to start');
    expect(error.message).not.toContain(DEV_TOKEN);
  });

  it('refuses a development email too', () => {
    expect(configError({ ...PROD, GONGJIAN_DEV_EMAIL: 'me@example.org' }).variable).toBe(
      'GONGJIAN_DEV_EMAIL',
    );
  });

  it('accepts it in development', () => {
    expect(parseConfig({ ...DEV, GONGJIAN_DEV_TOKEN: DEV_TOKEN }).devToken).toBe(DEV_TOKEN);
  });
});

describe('secrets', () => {
  const config = parseConfig({
    ...DEV,
    GONGJIAN_DEV_TOKEN: DEV_TOKEN,
    SMTP_URL: `smtps://mailer:${SMTP_PASSWORD}@mail.example.org:465`,
  });

  it('redactConfig hides the development token and the SMTP password, keeps the rest', () => {
    const logged = JSON.stringify(redactConfig(config));
    expect(logged).not.toContain(DEV_TOKEN);
    expect(logged).not.toContain(SMTP_PASSWORD);
    expect(redactConfig(config)).toMatchObject({
      devToken: '***',
      smtpUrl: 'smtps://mailer:***@mail.example.org:465',
      projectId: 'demo-gongjian',
    });
    // The original is untouched: the composition root still needs the real values.
    expect(config.devToken).toBe(DEV_TOKEN);
  });

  it('redactConfig leaves absent secrets absent', () => {
    const redacted = redactConfig(parseConfig(DEV));
    expect(Object.hasOwn(redacted, 'devToken')).toBe(false);
    expect(Object.hasOwn(redacted, 'smtpUrl')).toBe(false);
  });

  it.each([
    { variable: 'SMTP_URL', value: `ftp://mailer:${SMTP_PASSWORD}@mail.example.org` },
    { variable: 'GONGJIAN_DEV_TOKEN', value: 'short-secret' },
  ])('a ConfigError about $variable does not show its value', ({ variable, value }) => {
    const error = configError({ ...DEV, [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).not.toContain(value);
    expect(JSON.stringify(error.problems)).not.toContain(value);
    expect(error.message).toContain('value hidden');
  });
});

describe('a misconfigured deployment', () => {
  it('answers callers 503 with a generic sentence and logs the reason for the operator', async () => {
    const saved = { ...process.env };
    cloudEntries.length = 0;
    try {
      // Production settings without the audiences the ID tokens are checked against.
      for (const name of ['GONGJIAN_ENV', 'GONGJIAN_AUDIENCES', 'GONGJIAN_DEV_TOKEN', 'GONGJIAN_DEV_EMAIL']) {
        delete process.env[name];
      }
      process.env.GONGJIAN_PROJECT = 'demo-gongjian';
      const { installRuntime } = await import('../../functions/src/runtime');
      installRuntime(undefined);
      const { api } = await import('../../functions/src/http/apiFunction');
      const { status, body } = await answerOf(
        api as unknown as (req: unknown, res: unknown) => Promise<void>,
        {
          method: 'POST',
          url: '/v1/plans/p/sync',
          headers: {},
          body: {},
        },
      );
      expect(status).toBe(503);
      expect(JSON.stringify(body)).not.toContain('GONGJIAN_AUDIENCES');
      expect((body as { error: { code: string } }).error.code).toBe('unavailable');
      expect(cloudEntries).toEqual([
        expect.objectContaining({
          severity: 'ERROR',
          event: 'config_refused',
          message: expect.stringContaining('GONGJIAN_AUDIENCES'),
        }),
      ]);
    } finally {
      process.env = saved;
    }
  });
});
