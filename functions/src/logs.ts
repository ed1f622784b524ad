/**
 * Every line the functions and the local stack write to their log, as named events: one home for
 * what each says, its severity and the fields an operator filters on (as the official mail
 * extension's `logs.ts` does). A writer says `log(logs.statsRefreshed(…))`; where it ends up is the
 * program's choice, made once:
 * - on Cloud Functions, {@link cloudLog}: one structured JSON entry per event through
 *   firebase-functions' logger, so Cloud Logging shows the severity and puts `event` and the fields
 *   in `jsonPayload` (a filter such as `jsonPayload.event="mail_failed"` finds every failed mail);
 * - in the local stack and in tests, {@link lineLog}: the event's readable sentence, one line each.
 * No event carries a secret: configurations are logged through `redactConfig`, addresses of
 * recipients only where staff need them to act (who asked for links, who revoked one).
 */
import { write } from 'firebase-functions/logger';

/** Cloud Logging's severities that our events use. */
export type LogSeverity = 'DEBUG' | 'INFO' | 'NOTICE' | 'WARNING' | 'ERROR';

type FieldValue = string | number | boolean | undefined;

/** One thing that happened, with its readable sentence and the fields to filter on. */
export interface LogEvent {
  /** The event's name, snake_case, stable: dashboards and alerts key on it. */
  event: string;
  severity: LogSeverity;
  /** The readable sentence (Chinese, with the English where operators read both). */
  message: string;
  fields: Record<string, FieldValue>;
}

/** Where a program's events go. */
export type Log = (event: LogEvent) => void;

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function briefly(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const at = (
  event: string,
  severity: LogSeverity,
  message: string,
  fields: LogEvent['fields'] = {},
): LogEvent => ({
  event,
  severity,
  message,
  fields,
});

/** The catalogue: every event a program of ours logs. */
export const logs = {
  started: (config: unknown) =>
    at('functions_started', 'INFO', `共建助手 functions 启动：${JSON.stringify(config)}`),
  unsafeStartRefused: (message: string) => at('unsafe_start_refused', 'ERROR', message),
  configRefused: (error: unknown) => at('config_refused', 'ERROR', briefly(error)),
  apiFailed: (error: unknown) =>
    at('api_failed', 'ERROR', `api 内部错误：${describe(error)}`, { error: briefly(error) }),
  formFailed: (error: unknown) =>
    at('form_failed', 'ERROR', `填报表单出错 / form failed: ${describe(error)}`, { error: briefly(error) }),
  versionMoveDeferred: (planId: string, error: unknown) =>
    at(
      'version_move_deferred',
      'WARNING',
      `填报后统计版本未更新，将由定时任务补上 plan=${planId}: ${String(error)}`,
      {
        planId,
        error: briefly(error),
      },
    ),
  versionMoveFailed: (planId: string, error: unknown) =>
    at('version_move_failed', 'WARNING', `填报统计版本补记失败 plan=${planId}: ${String(error)}`, {
      planId,
      error: briefly(error),
    }),
  rowsKeptForRetry: (planId: string, error: unknown) =>
    at(
      'submitted_rows_kept',
      'WARNING',
      `填报行写入工作簿失败，已保留待重试 plan=${planId}：${briefly(error)} / rows kept queued for a retry`,
      { planId, error: briefly(error) },
    ),
  rowsRetryFailed: (planId: string, error: unknown) =>
    at('submitted_rows_retry_failed', 'WARNING', `填报行重试失败 plan=${planId}: ${String(error)}`, {
      planId,
      error: briefly(error),
    }),
  submissionsMarkFailed: (planId: string, failed: number, error: unknown) =>
    at(
      'submissions_mark_failed',
      'ERROR',
      `填报行的写入状态有 ${failed} 条未能记下，下次写入时再记 plan=${planId}：${briefly(error)} / ${failed} submissions not marked, the next flush marks them`,
      { planId, failed, error: briefly(error) },
    ),
  submissionsClearFailed: (planId: string, failed: number, error: unknown) =>
    at(
      'submissions_clear_failed',
      'WARNING',
      `已在工作簿中的填报有 ${failed} 条未能从队列清除，下次同步再清 plan=${planId}：${briefly(error)} / ${failed} entries not cleared, the next sync clears them`,
      { planId, failed, error: briefly(error) },
    ),
  statsRefreshed: (planId: string, version: number, asOf: string) =>
    at('stats_refreshed', 'INFO', `统计已更新 plan=${planId} version=${version} asOf=${asOf}`, {
      planId,
      version,
      asOf,
    }),
  statsSwept: (plans: number, recomputed: readonly string[], interrupted: readonly string[]) =>
    at(
      'stats_swept',
      interrupted.length > 0 ? 'WARNING' : 'INFO',
      `统计巡检 / stats sweep: ${plans} plans, recomputed ${JSON.stringify(recomputed)}, ` +
        `interrupted syncs (sync again to repair) ${JSON.stringify(interrupted)}`,
      { plans, recomputed: recomputed.length, interrupted: interrupted.join(',') },
    ),
  generatedTabsRefused: (planId: string, spreadsheetId: string, found: string, verdict: string) =>
    at(
      'generated_tabs_refused',
      'ERROR',
      `拒绝写入：Google 表格 ${spreadsheetId} ${found}，不属于计划 ${planId}，未写入汇总表 / ` +
        `refused: Google Sheet ${spreadsheetId} is not marked for plan ${planId} (${verdict}); no generated tabs written`,
      { planId, spreadsheetId, verdict },
    ),
  linksRequested: (planId: string, requestId: string, by: string, queued: number, duplicate: number) =>
    at(
      'links_requested',
      'INFO',
      `填报请求 plan=${planId} request=${requestId} by ${by}: ${queued} queued, ${duplicate} already queued`,
      { planId, requestId, by, queued, duplicate },
    ),
  linksRevoked: (planId: string, email: string, by: string, revoked: number) =>
    at('links_revoked', 'NOTICE', `撤销填报链接 plan=${planId} ${email} by ${by}: ${revoked}`, {
      planId,
      email,
      by,
      revoked,
    }),
  linksRevokeFailed: (planId: string, email: string, failed: number, error: unknown) =>
    at(
      'links_revoke_failed',
      'ERROR',
      `撤销填报链接未全部生效 plan=${planId} ${email}：${failed} 条失败：${briefly(error)} / revocation incomplete`,
      { planId, email, failed, error: briefly(error) },
    ),
  reportQueued: (planId: string, year: number, asOf: string, bytes: number, to: string, outcome: string) =>
    at(
      'report_queued',
      'INFO',
      `年度总结 plan=${planId} year=${year} asOf=${asOf} ${bytes} 字节 → ${to} (${outcome})`,
      { planId, year, asOf, bytes, outcome },
    ),
  ledgerRequested: (planId: string, jobId: string, to: string, duplicate: boolean) =>
    at(
      'ledger_requested',
      'INFO',
      `活动台账 plan=${planId} job=${jobId} → ${to}${duplicate ? ' (重复请求)' : ''}`,
      { planId, jobId, duplicate },
    ),
  ledgerBuilt: (planId: string, jobId: string, activities: number, photos: number, ms: number) =>
    at(
      'ledger_built',
      'INFO',
      `活动台账已生成 plan=${planId} job=${jobId} 活动 ${activities} 次 照片 ${photos} 张 ${ms} ms`,
      { planId, jobId, activities, photos, ms },
    ),
  ledgerFailed: (planId: string, jobId: string, error: unknown) =>
    at('ledger_failed', 'ERROR', `活动台账生成失败 plan=${planId} job=${jobId}: ${describe(error)}`, {
      planId,
      jobId,
      error: briefly(error),
    }),
  mailQueued: (
    planId: string,
    asOf: string,
    counts: {
      queued: number;
      duplicate: number;
      inactivePartners: number;
      partnersWithoutEmail: number;
      measuresWithoutOwnerEmail: number;
    },
    note: string,
  ) =>
    at(
      'mail_queued',
      'INFO',
      `邮件 / mail plan=${planId} ${asOf}: queued ${counts.queued}, already queued ${counts.duplicate}, ` +
        `skipped inactive partners ${counts.inactivePartners}, partners without email ` +
        `${counts.partnersWithoutEmail}, measures without owner email ${counts.measuresWithoutOwnerEmail}${note}`,
      { planId, asOf, ...counts },
    ),
  districtMailQueued: (districtId: string, date: string, queued: number, duplicate: number) =>
    at(
      'district_mail_queued',
      'INFO',
      `街道月报 / district summary district=${districtId} ${date}: queued ${queued}, already queued ${duplicate}`,
      { districtId, date, queued, duplicate },
    ),
  mailSwept: (found: number, outcomes: Record<string, number>) =>
    at('mail_swept', 'INFO', `邮件巡检 / mail sweep: ${found} ${JSON.stringify(outcomes)}`, {
      found,
      ...outcomes,
    }),
  mailLeaseTaken: (docId: string, attempts: number) =>
    at(
      'mail_lease_taken',
      'WARNING',
      `邮件 ${docId}：租约已过期，接管第 ${attempts} 次投递 / lease expired, taking over`,
      {
        docId,
        attempts,
      },
    ),
  mailAttemptSuperseded: (docId: string, result: string) =>
    at(
      'mail_attempt_superseded',
      'WARNING',
      `邮件 ${docId}：本次投递（${result}）已被接管，结果未记录 / attempt was taken over`,
      { docId, result },
    ),
  mailFailed: (docId: string, state: string, error: string | undefined) =>
    at('mail_failed', state === 'ERROR' ? 'ERROR' : 'WARNING', `邮件 ${docId}：${state} ${error ?? ''}`, {
      docId,
      state,
      error,
    }),
  districtsSwept: (recomputed: readonly string[]) =>
    at('districts_swept', 'INFO', `街道汇总巡检 / district sweep: recomputed ${JSON.stringify(recomputed)}`, {
      recomputed: recomputed.join(','),
    }),
  rollupFollowFailed: (planId: string, error: unknown) =>
    at('rollup_follow_failed', 'WARNING', `街道汇总更新失败 plan=${planId}: ${String(error)}`, {
      planId,
      error: briefly(error),
    }),
  rollupWriteFailed: (districtId: string, error: unknown) =>
    at('rollup_write_failed', 'WARNING', `街道汇总未写入 district=${districtId}: ${String(error)}`, {
      districtId,
      error: briefly(error),
    }),
  rollupRefreshed: (districtId: string, runs: number) =>
    at('rollup_refreshed', 'INFO', `街道汇总已更新 district=${districtId} runs=${runs}`, {
      districtId,
      runs,
    }),
  thumbnailFailed: (planId: string, activityId: string, error: unknown) =>
    at(
      'thumbnail_failed',
      'WARNING',
      `缩略图未生成，邮件中显示「无照片」/ thumbnail not made: plan=${planId} activity=${activityId}: ${briefly(error)}`,
      { planId, activityId },
    ),
  // The local stack's own events.
  photoLeft: (message: string) =>
    at('photo_left', 'WARNING', `佐证照片未处理 / photo left as it is: ${message}`),
  triggerBridge: (status: string, message: string) =>
    at('trigger_bridge', 'INFO', `trigger bridge: ${status} ${message}`, { status }),
  triggerFailed: (name: string, where: string, eventId: string, error: string) =>
    at('trigger_failed', 'ERROR', `trigger ${name} failed on ${where} (event ${eventId}): ${error}`, {
      trigger: name,
      document: where,
      eventId,
    }),
  triggerBridgeFailed: (error: string) => at('trigger_bridge_failed', 'ERROR', `trigger bridge: ${error}`),
  emulatorOutput: (line: string) => at('emulator_output', 'DEBUG', line),
  emulatorExited: (how: string) =>
    at('emulator_exited', 'ERROR', `Firestore emulator exited unexpectedly (${how})`, { how }),
  databaseSaved: (ms: number) => at('database_saved', 'DEBUG', `database saved in ${ms} ms`, { ms }),
  databaseSaveFailed: (error: unknown) =>
    at('database_save_failed', 'ERROR', `Could not save the local database: ${String(error)}`),
  stopUnsettled: (ms: number) =>
    at(
      'stop_unsettled',
      'WARNING',
      `stop: requests or triggers still running after ${ms} ms; saving without them`,
      {
        ms,
      },
    ),
  statsSweepFailed: (error: unknown) =>
    at('stats_sweep_failed', 'ERROR', `stats sweep failed: ${String(error)}`),
  workbookSaid: (zh: string, en: string) => at('workbook', 'INFO', `${zh} / ${en}`),
} satisfies Record<string, (...args: never[]) => LogEvent>;

/** Events as readable lines (the local stack, the CLI's verbose mode, tests). */
export function lineLog(writeLine: (line: string) => void): Log {
  return (event) => writeLine(event.message);
}

/** Events as structured Cloud Logging entries (Cloud Functions). */
export const cloudLog: Log = (event) => {
  const fields = Object.fromEntries(Object.entries(event.fields).filter(([, value]) => value !== undefined));
  write({ ...fields, severity: event.severity, message: event.message, event: event.event });
};

/** A log that keeps nothing. */
export const noLog: Log = () => {};
