/**
 * The one configuration rule checked when the functions load, before any request: a development
 * token under production settings would let anyone holding it act as the development user, so
 * such an instance must not start at all (and `firebase deploy`, which loads the entry to discover
 * the functions, stops too). No zod here: this runs on every cold start.
 */

/** Variables that only `GONGJIAN_ENV=development` may set. */
export const DEVELOPMENT_ONLY = ['GONGJIAN_DEV_TOKEN', 'GONGJIAN_DEV_EMAIL'] as const;

/** The development-only variables set under production settings (GONGJIAN_ENV unset or production). */
export function developmentOnlyViolations(env: Record<string, string | undefined>): string[] {
  const environment = env.GONGJIAN_ENV?.trim() || 'production';
  if (environment !== 'production') return [];
  return DEVELOPMENT_ONLY.filter((name) => Boolean(env[name]?.trim()));
}

/** Throws, after saying why in the log, when the environment must not serve (see the module comment). */
export function refuseUnsafeStart(
  env: Record<string, string | undefined> = process.env,
  log: (line: string) => void = console.error,
): void {
  const violations = developmentOnlyViolations(env);
  if (violations.length === 0) return;
  const message =
    `生产环境下拒绝启动：${violations.join('、')} 只允许在开发环境（GONGJIAN_ENV=development）设置 / ` +
    `Refusing to start: ${violations.join(', ')} is only allowed in development (GONGJIAN_ENV=development)`;
  log(JSON.stringify({ severity: 'ERROR', message }));
  throw new Error(message);
}
