/**
 * What production requires and forbids of the environment, zod-free because part of it runs on
 * every cold start.
 *
 * Forbidden: a development token under production settings would let anyone holding it act as the
 * development user, so such an instance must not start at all (and `firebase deploy`, which loads
 * the entry to discover the functions, stops too) — `refuseUnsafeStart`.
 *
 * Required: the variables a production instance cannot serve correctly without
 * (`PRODUCTION_REQUIRED`). Their absence is reported by parseConfig (config.ts) when the runtime is
 * first built — a ConfigError naming each one in the log, 503 to callers — not here at import: the
 * entry must stay importable in an empty environment, which is how deploy's discovery and the
 * bundle's own checks load it. This table is the one home of the rule; parseConfig reads it.
 */
import { cloudLog, type Log, logs } from './logs';

/** Variables that only `GONGJIAN_ENV=development` may set. */
export const DEVELOPMENT_ONLY = ['GONGJIAN_DEV_TOKEN', 'GONGJIAN_DEV_EMAIL'] as const;

/** Where the project ID may come from, first set wins (config.ts reads them in this order). */
export const PROJECT_VARIABLES = ['GONGJIAN_PROJECT', 'GCLOUD_PROJECT', 'GOOGLE_CLOUD_PROJECT'] as const;

/** A requirement of production: one of `names` must be set; `zh`/`en` say what it is for. */
export interface ProductionRequirement {
  readonly names: readonly [string, ...string[]];
  readonly zh: string;
  readonly en: string;
}

/** What production must have, each row with why. */
export const PRODUCTION_REQUIRED: readonly ProductionRequirement[] = [
  { names: PROJECT_VARIABLES, zh: 'Google Cloud 项目 ID', en: 'the Google Cloud project ID' },
  {
    names: ['GONGJIAN_AUDIENCES'],
    zh: '接受的 ID 令牌受众，即 OAuth 客户端 ID',
    en: 'accepted ID-token audiences, OAuth client IDs',
  },
  {
    // The functions that queue mail (schedules, the API) have no SMTP_URL to borrow an address
    // from, so without MAIL_FROM the documents carry no `from` and every email loses the plan's
    // 发件人 as its sender name, whichever sender delivers it.
    names: ['MAIL_FROM'],
    zh: '所有邮件的发件地址；缺少时邮件不带计划的发件人名称',
    en: "the From address of every email; without it emails lose the plan's sender name",
  },
];

function isProduction(env: Record<string, string | undefined>): boolean {
  return (env.GONGJIAN_ENV?.trim() || 'production') === 'production';
}

/** The development-only variables set under production settings (GONGJIAN_ENV unset or production). */
export function developmentOnlyViolations(env: Record<string, string | undefined>): string[] {
  if (!isProduction(env)) return [];
  return DEVELOPMENT_ONLY.filter((name) => Boolean(env[name]?.trim()));
}

/** The requirements of production that `env` does not meet (none outside production). Blank is unset. */
export function missingInProduction(env: Record<string, string | undefined>): ProductionRequirement[] {
  if (!isProduction(env)) return [];
  return PRODUCTION_REQUIRED.filter((row) => row.names.every((name) => !env[name]?.trim()));
}

/** Throws, after saying why in the log, when the environment must not serve (see the module comment). */
export function refuseUnsafeStart(
  env: Record<string, string | undefined> = process.env,
  log: Log = cloudLog,
): void {
  const violations = developmentOnlyViolations(env);
  if (violations.length === 0) return;
  const message =
    `生产环境下拒绝启动：${violations.join('、')} 只允许在开发环境（GONGJIAN_ENV=development）设置 / ` +
    `Refusing to start: ${violations.join(', ')} is only allowed in development (GONGJIAN_ENV=development)`;
  log(logs.unsafeStartRefused(message));
  throw new Error(message);
}
