/**
 * The functions' configuration, parsed once from the environment by the composition root.
 * Every variable is a row of one table (names, schema, what is expected, whether it is a secret),
 * so a bad value is reported under the variable that supplied it, and a secret's value is never
 * echoed back. Rules that tie variables together come after: what production requires or forbids is
 * startupGuard.ts's table, read here.
 */
import * as z from 'zod';
import { GongjianError } from '../../shared/errors';
import { isEmail } from '../../shared/normalize';
import { developmentOnlyViolations, missingInProduction, PROJECT_VARIABLES } from './startupGuard';

export type Environment = 'production' | 'development';

export interface Config {
  readonly environment: Environment;
  readonly projectId: string;
  /** `host:port` of the Firestore emulator; unset means the real Firestore. */
  readonly firestoreEmulatorHost?: string;
  /** OAuth client IDs accepted as ID-token audiences (the add-on's Apps Script project). */
  audiences: string[];
  /** Secret. Only ever set in development. */
  readonly devToken?: string;
  readonly devEmail: string;
  /** Lower-cased; these may create a plan by its first sync. */
  admins: string[];
  readonly maxBodyBytes: number;
  /** Secret (its password): `smtp(s)://user:pass@host:port`. */
  readonly smtpUrl?: string;
  readonly mailFrom?: string;
  /** Days a mail document is kept after its final state (Firestore TTL on delivery.expireAt). */
  readonly mailRetentionDays: number;
  readonly outboxDir?: string;
  /** The .xlsx the local stack writes generated tabs into. */
  readonly localWorkbook?: string;
  /** Where the Sheets API is (a fake in tests); unset means Google's. */
  readonly sheetsRootUrl?: string;
  /** `host:port` of the Storage emulator (firebase-admin reads it itself); set: photos go there. */
  readonly storageEmulatorHost?: string;
  /** The bucket of evidence photos; unset: the project's default, `<project>.firebasestorage.app`. */
  readonly storageBucket?: string;
  /** Where the update-request form is served (its links are `<formUrl>/r/<token>`). */
  readonly formUrl?: string;
  /** How many update-request emails one editor may queue per day (UTC), over all their plans. */
  readonly requestEmailsPerDay: number;
}

export interface ConfigProblem {
  /** The environment variable at fault. */
  readonly variable: string;
  readonly messageZh: string;
  readonly messageEn: string;
}

/** The environment cannot be run with; names every variable at fault, never a secret's value. */
export class ConfigError extends GongjianError<'invalid_config'> {
  override readonly name = 'ConfigError';
  /** The first variable at fault (see `problems` for all of them). */
  readonly variable: string;

  constructor(readonly problems: readonly [ConfigProblem, ...ConfigProblem[]]) {
    super(
      'invalid_config',
      `配置错误：\n${problems.map((p) => `  - ${p.messageZh}`).join('\n')}`,
      `Invalid configuration:\n${problems.map((p) => `  - ${p.messageEn}`).join('\n')}`,
    );
    this.variable = problems[0].variable;
  }
}

const MiB = 1024 * 1024;
/** Long enough to answer "did the digest go out?", short enough not to hoard addresses. */
export const DEFAULT_MAIL_RETENTION_DAYS = 30;
/** A large office's whole partner list several times over, far from what a mail provider bans for. */
export const DEFAULT_REQUEST_EMAILS_PER_DAY = 200;
const DEFAULT_DEV_PROJECT = 'demo-gongjian';
const DEFAULT_DEV_EMAIL = 'developer@localhost';

// Google Cloud project IDs, including the legacy domain-scoped form (`example.com:project`).
const PROJECT_ID = /^(?:[a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
// The browser's definition, because the development identity is deliberately `…@localhost`.
const LOOSE_EMAIL = z.regexes.html5Email;

function isHostPort(value: string): boolean {
  const match = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[1]);
  return port >= 1 && port <= 65_535;
}

function isSmtpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
}

/** Comma-separated, trimmed, de-duplicated; set but empty is an error (unset is the default). */
function list(item: z.ZodType<string, string>) {
  return z
    .string()
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(item).min(1))
    .transform((items) => [...new Set(items)]);
}

/** Digits only (no sign, exponent or space), read as a whole number from min to max. */
function wholeNumber(min: number, max: number) {
  return z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
}

const email = z
  .string()
  .refine(isEmail)
  .transform((value) => value.toLowerCase());

interface Variable<T> {
  /** Read in this order; the first one set supplies the value and is named in errors. */
  readonly names: readonly [string, ...string[]];
  readonly schema: z.ZodType<T>;
  readonly expected: { readonly zh: string; readonly en: string };
  readonly secret?: true;
}

function variable<T>(row: Variable<T>): Variable<T> {
  return row;
}

/** An emulator's address, as firebase-admin reads it: `host:port`, optional. */
function emulatorHost(name: string, examplePort: number) {
  return variable({
    names: [name],
    schema: z.string().refine(isHostPort).optional(),
    expected: {
      zh: `host:port 形式，如 127.0.0.1:${examplePort}`,
      en: `host:port, e.g. 127.0.0.1:${examplePort}`,
    },
  });
}

const VARIABLES = {
  environment: variable({
    names: ['GONGJIAN_ENV'],
    // Production is the default so a forgotten variable fails closed.
    schema: z.enum(['production', 'development']).default('production'),
    expected: { zh: 'production 或 development', en: 'production or development' },
  }),
  projectId: variable({
    names: PROJECT_VARIABLES,
    schema: z.string().regex(PROJECT_ID).optional(),
    expected: {
      zh: 'Google Cloud 项目 ID（6–30 个小写字母、数字或连字符，以字母开头）',
      en: 'a Google Cloud project ID (6–30 lower-case letters, digits or hyphens, starting with a letter)',
    },
  }),
  firestoreEmulatorHost: emulatorHost('FIRESTORE_EMULATOR_HOST', 8080),
  audiences: variable({
    names: ['GONGJIAN_AUDIENCES'],
    schema: list(z.string().regex(/^\S+$/)).default([]),
    expected: {
      zh: '以逗号分隔的 OAuth 客户端 ID（不含空格）',
      en: 'comma-separated OAuth client IDs (no spaces)',
    },
  }),
  devToken: variable({
    names: ['GONGJIAN_DEV_TOKEN'],
    // Sent as `Bearer <token>`, where whitespace would end it.
    schema: z.string().min(16).regex(/^\S+$/).optional(),
    expected: { zh: '至少 16 个字符且不含空白', en: 'at least 16 characters without whitespace' },
    secret: true,
  }),
  devEmail: variable({
    names: ['GONGJIAN_DEV_EMAIL'],
    schema: z
      .string()
      .regex(LOOSE_EMAIL)
      .transform((value) => value.toLowerCase())
      .default(DEFAULT_DEV_EMAIL),
    expected: { zh: '邮箱地址', en: 'an email address' },
  }),
  admins: variable({
    names: ['GONGJIAN_ADMINS'],
    schema: list(email).default([]),
    expected: { zh: '以逗号分隔的邮箱地址', en: 'comma-separated email addresses' },
  }),
  maxBodyBytes: variable({
    names: ['GONGJIAN_MAX_BODY_BYTES'],
    schema: wholeNumber(1, Number.MAX_SAFE_INTEGER).default(30 * MiB),
    expected: { zh: '正整数（字节数）', en: 'a positive integer (bytes)' },
  }),
  smtpUrl: variable({
    names: ['SMTP_URL'],
    schema: z.string().refine(isSmtpUrl).optional(),
    expected: { zh: 'smtp(s)://用户名:密码@主机:端口', en: 'smtp(s)://user:password@host:port' },
    secret: true,
  }),
  mailFrom: variable({
    names: ['MAIL_FROM'],
    schema: email.optional(),
    expected: { zh: '邮箱地址', en: 'an email address' },
  }),
  mailRetentionDays: variable({
    names: ['GONGJIAN_MAIL_RETENTION_DAYS'],
    schema: wholeNumber(1, 3650).default(DEFAULT_MAIL_RETENTION_DAYS),
    expected: { zh: '1 到 3650 之间的整数（天）', en: 'a whole number of days from 1 to 3650' },
  }),
  outboxDir: variable({
    names: ['GONGJIAN_OUTBOX_DIR'],
    schema: z
      .string()
      .regex(/^[^\0]+$/)
      .optional(),
    expected: { zh: '目录路径', en: 'a directory path' },
  }),
  sheetsRootUrl: variable({
    names: ['GONGJIAN_SHEETS_ROOT_URL'],
    schema: z
      .string()
      .regex(/^https?:\/\/[^\s/]+\/?$/)
      .optional(),
    expected: { zh: 'http(s)://主机[:端口]/ 形式的地址', en: 'a URL like http(s)://host[:port]/' },
  }),
  formUrl: variable({
    names: ['GONGJIAN_FORM_URL'],
    schema: z
      .string()
      .regex(/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/)
      .optional(),
    expected: {
      zh: '填报表单的地址，http(s)://主机[:端口][/路径]，不含 ? 和 #',
      en: 'the form address, http(s)://host[:port][/path], without ? or #',
    },
  }),
  storageEmulatorHost: emulatorHost('FIREBASE_STORAGE_EMULATOR_HOST', 9199),
  storageBucket: variable({
    names: ['GONGJIAN_STORAGE_BUCKET'],
    // Bucket names: lower-case letters, digits, dots, hyphens and underscores (Cloud Storage's rule).
    schema: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/)
      .optional(),
    expected: {
      zh: 'Cloud Storage 存储桶名称，如 my-project.firebasestorage.app',
      en: 'a Cloud Storage bucket name, e.g. my-project.firebasestorage.app',
    },
  }),
  requestEmailsPerDay: variable({
    names: ['GONGJIAN_REQUEST_EMAILS_PER_DAY'],
    schema: wholeNumber(1, 100_000).default(DEFAULT_REQUEST_EMAILS_PER_DAY),
    expected: {
      zh: '1 到 100000 之间的整数（封/天）',
      en: 'a whole number of emails per day from 1 to 100000',
    },
  }),
  localWorkbook: variable({
    names: ['GONGJIAN_LOCAL_WORKBOOK'],
    schema: z
      .string()
      .regex(/^[^\0]+\.xlsx$/i)
      .optional(),
    expected: { zh: '.xlsx 文件路径', en: 'a path to an .xlsx file' },
  }),
};

type Values = { [K in keyof typeof VARIABLES]: (typeof VARIABLES)[K] extends Variable<infer T> ? T : never };

/** Blank counts as unset: `FOO=` in an env file means "not configured", not "configured empty". */
function read(env: Record<string, string | undefined>, names: readonly string[]) {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return { name, value };
  }
  return undefined;
}

function quoted(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Parses and checks the whole environment; throws one ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const problems: ConfigProblem[] = [];
  const values: Partial<Record<keyof Values, unknown>> = {};
  for (const [key, row] of Object.entries(VARIABLES) as [keyof Values, Variable<unknown>][]) {
    const raw = read(env, row.names);
    const result = row.schema.safeParse(raw?.value);
    if (result.success) {
      values[key] = result.data;
      continue;
    }
    const name = raw?.name ?? row.names[0];
    const [gotZh, gotEn] =
      raw === undefined
        ? ['', '']
        : row.secret
          ? ['（值已隐藏）', ' (value hidden)']
          : [`，当前值 ${quoted(raw.value)}`, ` (got ${quoted(raw.value)})`];
    problems.push({
      variable: name,
      messageZh: `${name} 应为${row.expected.zh}${gotZh}`,
      messageEn: `${name}: expected ${row.expected.en}${gotEn}`,
    });
  }
  // Cross-variable rules look at what was set, so a value that failed its own row is not reported twice.
  if (values.environment === 'production') {
    for (const { names, zh, en } of missingInProduction(env)) {
      const [zhNames, enNames] =
        names.length === 1
          ? [names[0], names[0]]
          : [`${names.join('、')} 之一`, `one of ${names.join(', ')}`];
      problems.push({
        variable: names[0],
        messageZh: `生产环境必须设置 ${zhNames}（${zh}）`,
        messageEn: `${enNames} (${en}) is required in production`,
      });
    }
    for (const name of developmentOnlyViolations(env)) {
      problems.push({
        variable: name,
        messageZh: `生产环境下拒绝启动：${name} 只允许在开发环境（GONGJIAN_ENV=development）设置`,
        messageEn: `refusing to start: ${name} is only allowed in development (GONGJIAN_ENV=development)`,
      });
    }
  }

  const [first, ...rest] = problems;
  if (first) throw new ConfigError([first, ...rest]);
  // Every row either parsed or added a problem, so without problems every value is there and typed.
  const v = values as Values;

  return {
    environment: v.environment,
    projectId: v.projectId ?? DEFAULT_DEV_PROJECT,
    ...(v.firestoreEmulatorHost !== undefined && { firestoreEmulatorHost: v.firestoreEmulatorHost }),
    audiences: v.audiences,
    ...(v.devToken !== undefined && { devToken: v.devToken }),
    devEmail: v.devEmail,
    admins: v.admins,
    maxBodyBytes: v.maxBodyBytes,
    ...(v.smtpUrl !== undefined && { smtpUrl: v.smtpUrl }),
    ...(v.mailFrom !== undefined && { mailFrom: v.mailFrom }),
    mailRetentionDays: v.mailRetentionDays,
    ...(v.outboxDir !== undefined && { outboxDir: v.outboxDir }),
    ...(v.localWorkbook !== undefined && { localWorkbook: v.localWorkbook }),
    ...(v.sheetsRootUrl !== undefined && { sheetsRootUrl: v.sheetsRootUrl }),
    ...(v.formUrl !== undefined && { formUrl: v.formUrl }),
    ...(v.storageEmulatorHost !== undefined && { storageEmulatorHost: v.storageEmulatorHost }),
    ...(v.storageBucket !== undefined && { storageBucket: v.storageBucket }),
    requestEmailsPerDay: v.requestEmailsPerDay,
  };
}

const REDACTED = '***';

function redactUrlPassword(value: string): string {
  if (!URL.canParse(value)) return REDACTED;
  const url = new URL(value);
  if (url.password !== '') url.password = REDACTED;
  return url.toString();
}

/** A copy safe to log: the development token and the SMTP password replaced by `***`. */
export function redactConfig(config: Config): Config {
  return {
    ...config,
    ...(config.devToken !== undefined && { devToken: REDACTED }),
    ...(config.smtpUrl !== undefined && { smtpUrl: redactUrlPassword(config.smtpUrl) }),
  };
}
