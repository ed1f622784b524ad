/**
 * `npm start [-- --once] [-- --form-port N] [-- --lan] [-- PATH | -- --district DIR]`: the local stack on the embedded default. Writes the sample
 * plan to local/plan.xlsx on first run, starts the Firestore emulator, the functions and the
 * trigger bridge, syncs the workbook through the HTTP API as the add-on would, writes back the
 * assigned IDs and issue marks (the trigger writes the generated tabs), prints a summary, then
 * watches the workbook and syncs again on every save. `--once` does one pass and exits (2 when an
 * office program has the workbook open: statistics and mail are done, the write-back is refused).
 * While a program has it open in watch mode, the write-back waits and lands once it is closed.
 * Each sync shows its progress — rows read, records written, recomputation — on one updating line
 * (plain lines when stdout is not a terminal).
 *
 * `--district DIR` runs the same over every workbook in DIR, one plan each, synced and watched as
 * one workbook is, and keeps `DIR/街道汇总.xlsx` current (stack/district.ts); one sync at a time.
 *
 * The form keeps its address across starts (the port of the first start, or `--form-port N`, or
 * GONGJIAN_FORM_URL for the address the links carry), so emailed links keep working; `--lan`
 * serves it on the office network for phones on the office Wi-Fi. Ctrl-C (SIGINT, SIGTERM, SIGHUP)
 * stops in order and saves; what was acknowledged before was saved already (stack/durability.ts).
 */

import { existsSync, watch } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { dataFolderOf, publishEndpoint } from '../adapters/stackEndpoint';
import { reportTerminalError, UsageError } from '../adapters/terminal/errors';
import { progressLine } from '../adapters/terminal/progress';
import { amount, percent, tabCountsTable } from '../adapters/terminal/table';
import { writeSample } from '../adapters/workbook/sample';
import { systemClock } from '../functions/src/clock';
import { lineLog } from '../functions/src/logs';
import { refreshStats } from '../functions/src/stats/refresh';
import type { SyncProgress } from '../functions/src/sync/syncPlan';
import { GongjianError } from '../shared/errors';
import { GENERATED_TAB_LABELS, SEVERITY_LABELS, STATUS_LABELS } from '../shared/i18n';
import { isEmail } from '../shared/normalize';
import { todayIn } from '../shared/today';
import {
  type DistrictFolder,
  type DistrictWorkbook,
  joinDistrict,
  LOCAL_DISTRICT,
  readDistrictFolder,
} from './district';
import { type LocalMailOutcome, sendLocalDistrictMail, sendLocalMail } from './mail';
import { ensurePrivateFolder } from './privateFiles';
import { type LocalStack, startLocalStack } from './stack';
import { type LocalSyncOutcome, type LocalSyncStage, syncLocalWorkbook } from './syncWorkbook';

const PLAN_ID = 'local';
const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);
// The program's one clock: the stack, the sample's dates and every elapsed time shown read it.
const clock = systemClock;
const ctx = { out, err, now: clock.now, debug: Boolean(process.env.GONGJIAN_DEBUG) };
const seconds = (since: number) => `${((clock.now().getTime() - since) / 1000).toFixed(1)} s`;
const progress = progressLine();
const count = (n: number) => n.toLocaleString('en-US');

function showSyncProgress(p: SyncProgress): void {
  if (p.phase === 'validated') progress.update('validated', `校验完成：${count(p.rows)} 行 / validated`);
  else if (p.phase === 'writing') {
    const fraction = p.total === 0 ? 1 : p.written / p.total;
    progress.update(
      'writing',
      `写入记录 ${count(p.written)} / ${count(p.total)}（${Math.round(fraction * 100)}%）/ records written`,
      fraction,
    );
  } else progress.update('saved', `已保存，版本 ${p.version} / saved`);
}

function showStage(s: LocalSyncStage): void {
  if (s.stage === 'read') progress.update('read', `读取工作簿：${count(s.rows)} 行 / rows read`);
  else if (s.stage === 'sent') progress.update('writeBack', '写回编号与校验标记… / writing back');
  else if (s.stage === 'statistics') progress.update('statistics', '重算统计… / recomputing statistics');
}

/** One sync with its progress line, which ends before the summary is printed. */
async function syncWithProgress(stack: LocalStack, planId: string): Promise<LocalSyncOutcome> {
  try {
    return await syncLocalWorkbook(stack, planId, undefined, showStage);
  } finally {
    progress.done();
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      once: { type: 'boolean' },
      verbose: { type: 'boolean' },
      'form-port': { type: 'string' },
      lan: { type: 'boolean' },
      district: { type: 'string' },
      viewer: { type: 'string', multiple: true },
    },
  });
  const formPort = values['form-port'] === undefined ? undefined : portOption(values['form-port']);
  if (values.district !== undefined && positionals.length > 0)
    throw new UsageError(
      '--district 文件夹 与工作簿路径不能同时给出',
      '--district DIR and a workbook PATH cannot be given together',
    );
  if (values.viewer !== undefined && values.district === undefined)
    throw new UsageError('--viewer 只能与 --district 一起使用', '--viewer needs --district DIR');
  const viewers = values.viewer ?? [];
  for (const viewer of viewers) {
    if (!isEmail(viewer))
      throw new UsageError(`--viewer ${viewer} 不是邮箱地址`, `--viewer ${viewer} is not an email address`);
  }
  const district: DistrictFolder | undefined =
    values.district === undefined ? undefined : await readDistrictFolder(values.district);
  const path = resolve(positionals[0] ?? 'local/plan.xlsx');
  // The plans this run syncs and watches: the folder's workbooks, or the one workbook as `local`.
  const plans: DistrictWorkbook[] = district?.workbooks ?? [{ planId: PLAN_ID, path }];
  const started = clock.now().getTime();
  const step = (label: string) => out(`… ${label}（${seconds(started)}）`);

  if (!district && !existsSync(path)) {
    await mkdir(dirname(path), { recursive: true });
    const today = todayIn(ctx.now());
    await writeSample(path, Number(today.slice(0, 4)), today);
    out(`首次运行：已写入示例工作簿 ${path}`);
  }
  // `gongjian confirm-deletions` asks for a sync of the unchanged workbook: the one that deletes.
  const confirmations = { received: (_planId: string) => {} };
  const stack = await startLocalStack({
    deletionsConfirmed: (planId) => confirmations.received(planId),
    ...(district
      ? {
          planWorkbooks: new Map(plans.map((p) => [p.planId, p.path])),
          dataPath: district.rollupPath,
        }
      : { workbookPath: path }),
    progress: step,
    say: (zh, en) => err(`${zh}\n${en}`),
    syncProgress: (_planId, p) => showSyncProgress(p),
    formPort,
    formUrl: process.env.GONGJIAN_FORM_URL || undefined,
    lan: values.lan === true,
    clock,
    ...(values.verbose ? { log: lineLog(err) } : {}),
  });
  // `gongjian request PATH` finds this run by the workbook and talks to its API (local/endpoint.ts).
  for (const plan of plans) {
    // With --district the database is the folder's; each workbook's own folder holds its endpoint.
    if (district) await ensurePrivateFolder(dataFolderOf(plan.path));
    await publishEndpoint(plan.path, {
      pid: process.pid,
      apiUrl: stack.apiUrl,
      devToken: stack.devToken,
      planId: plan.planId,
    });
  }
  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= stack.stop();
    return stopping;
  };
  // A second Ctrl-C ends the process at once: what was acknowledged is on disk already.
  process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));
  process.once('SIGHUP', () => void shutdown().then(() => process.exit(129)));

  const syncAndMail = async ({ planId, path }: DistrictWorkbook, since: number) => {
    const outcome = await syncWithProgress(stack, planId);
    printSummary(path, outcome, since);
    if (district && (await stack.runtime.districts.districtOf(planId)))
      out(`街道汇总已更新 / roll-up updated: ${district.rollupPath}`);
    step('邮件 / mail');
    printMail(
      await sendLocalMail(stack, planId),
      stack.runtime.config.smtpUrl === undefined ? outbox(district?.rollupPath ?? path) : 'SMTP',
    );
    // Records, statistics and the keys of the emails sent are kept for the next start.
    await stack.persist();
    return outcome;
  };
  // The emulator dying ends the run at once, whatever it is doing, with a clear reason.
  const crash = stack.crashed.then((how): never => {
    throw new EmulatorCrashedError(how);
  });
  const watching = new AbortController();
  try {
    return await Promise.race([crash, run()]);
  } finally {
    watching.abort();
    await shutdown();
  }

  async function run(): Promise<number> {
    let held = false;
    for (const plan of plans) {
      step(`同步 ${basename(plan.path)} / syncing`);
      const first = await syncAndMail(plan, started);
      // The database outlives runs, so an unchanged workbook recomputes nothing; its generated tabs
      // may still be owed (a previous run's write-back held for an open workbook), so write them.
      if (first.recomputations === 0) await refreshStats(plan.planId, stack.runtime.refresh, { force: true });
      held ||= first.writeBack.state === 'waiting';
    }
    if (district) {
      // Every plan is stored now, so each can be a member; joining writes the roll-up.
      await joinDistrict(stack, district, viewers);
      out(`已写入街道汇总（${plans.length} 个社区）/ roll-up written: ${district.rollupPath}`);
      step('街道月报 / district summary');
      printMail(
        await sendLocalDistrictMail(stack, LOCAL_DISTRICT),
        stack.runtime.config.smtpUrl === undefined ? outbox(district.rollupPath) : 'SMTP',
      );
      await stack.persist();
    }
    // The statistics and emails are done; a write-back held for an open workbook is refused here.
    if (values.once) return held ? 2 : 0;

    out(
      `\n填报表单 / update-request form: ${stack.formUrl}/r/<令牌 token>（链接见邮件 / links are in the emails）`,
    );
    if (values.lan) {
      out(
        `办公室网络中的手机可打开邮件中的链接 / phones on the office network can open the links: ${stack.formUrl}`,
      );
    }
    const watched = district?.dir ?? path;
    out(`\n正在监视 ${watched}，保存后自动同步；按 Ctrl-C 退出。`);
    out(`Watching ${watched}: saving syncs again; Ctrl-C stops.`);
    const confirmed = new Set<string>();
    let running = Promise.resolve();
    const needsSync = async (plan: DistrictWorkbook) =>
      confirmed.has(plan.planId) ||
      (await stack
        .workbookOf(plan.planId)
        ?.needsSync()
        .catch(() => false));
    // One sync at a time, whether a save or a confirmation asked for it, whichever workbook.
    const syncSerially = () => {
      running = running.then(async () => {
        // Every save that no sync has read leads to one, also a save made while a sync ran.
        for (let plan = await firstOf(plans, needsSync); plan; plan = await firstOf(plans, needsSync)) {
          confirmed.delete(plan.planId);
          try {
            await syncAndMail(plan, clock.now().getTime());
          } catch (error) {
            reportTerminalError(error, ctx);
            return;
          }
        }
      });
    };
    confirmations.received = (planId: string) => {
      confirmed.add(planId);
      syncSerially();
    };
    await watchWorkbooks(
      plans.map((p) => p.path),
      watching.signal,
      syncSerially,
    );
    return 0;
  }
}

/** The emulator, holding the local database, exited while the stack ran. */
class EmulatorCrashedError extends GongjianError<'emulator_crashed'> {
  override readonly name = 'EmulatorCrashedError';
  constructor(how: string) {
    super(
      'emulator_crashed',
      `Firestore 模拟器意外退出（${how}），本地服务已停止。此前确认已保存的内容都在，重新运行 npm start 即可继续。`,
      `The Firestore emulator exited unexpectedly (${how}); the local stack stopped. Everything acknowledged before is saved: run npm start again.`,
    );
  }
}

function portOption(given: string): number {
  const port = Number(given);
  if (!/^\d+$/.test(given) || port < 1 || port > 65_535)
    throw new UsageError(
      `--form-port 须为 1 到 65535 之间的端口号，而不是「${given}」`,
      `--form-port takes a port number from 1 to 65535, not "${given}"`,
    );
  return port;
}

function outbox(path: string): string {
  return join(dirname(path), 'outbox');
}

function printMail(outcome: LocalMailOutcome, where: string): void {
  out(
    `邮件：新放入队列 ${outcome.queued} 封，队列中累计已投递 ${outcome.delivered} 封（${where}）` +
      (outcome.failed > 0 ? `，${outcome.failed} 封未能投递` : ''),
  );
}

/** The first item the test holds for, looked at in order. */
async function firstOf<T>(
  items: readonly T[],
  test: (item: T) => Promise<boolean | undefined>,
): Promise<T | undefined> {
  for (const item of items) if (await test(item)) return item;
  return undefined;
}

/**
 * Calls onSave (debounced) whenever one of the files is saved; resolves when the process is
 * stopped. The files of one folder share a watcher (--district: the whole folder).
 */
function watchWorkbooks(paths: readonly string[], signal: AbortSignal, onSave: () => void): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const folders = new Map<string, Set<string>>();
    for (const path of paths) {
      const names = folders.get(dirname(path)) ?? new Set<string>();
      names.add(basename(path));
      folders.set(dirname(path), names);
    }
    // Editors save by replacing the file, so watch its folder rather than the file itself.
    for (const [folder, names] of folders) {
      watch(folder, { signal }, (_event, name) => {
        if (name === null || !names.has(name)) return;
        clearTimeout(timer);
        timer = setTimeout(onSave, 300);
      }).on('error', () => {}); // the abort
    }
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function printSummary(path: string, outcome: LocalSyncOutcome, since: number): void {
  const { result, stats } = outcome;
  const plan = stats.stats.plan;
  const errors = result.issues.filter((issue) => issue.severity === 'error').length;
  out('');
  out(`同步完成（${seconds(since)}）· 统计日期 ${stats.asOf} · 版本 ${result.version}`);
  out(tabCountsTable(result.tabs));
  out(
    `记录写入：新增 ${result.writes.created} · 更新 ${result.writes.updated} · 删除 ${result.writes.deleted}` +
      ` · 新分配编号 ${result.assignedIds.length} · 统计重算 ${outcome.recomputations} 次` +
      `（触发 ${outcome.triggerInvocations} 次）`,
  );
  out(
    `校验：${SEVERITY_LABELS.error} ${errors} 条，${SEVERITY_LABELS.warning} ${result.issues.length - errors} 条`,
  );
  out(
    `事项 ${plan.measures} 项：${Object.entries(STATUS_LABELS)
      .map(([status, label]) => `${label} ${plan[status as keyof typeof STATUS_LABELS]}`)
      .join(' · ')}`,
  );
  out(
    `完成率 ${percent(plan.completionRate)} · 平均进度 ${percent(plan.averageProgress)} · 活动 ${plan.activities} 次 · ` +
      `参与 ${amount(plan.participants)} 人次 · 服务 ${amount(plan.hours)} 小时 · 投入 ${amount(plan.funds)} 元`,
  );
  for (const pending of result.pendingDeletions) {
    // The person must act: the sentence goes where errors go, with the command that confirms.
    err(`${pending.message}\n${pending.messageEn}`);
    err(
      `确认删除请运行 / to confirm: npx gongjian confirm-deletions ${path}` +
        '（在此之前这些行仍计入统计 / until then the figures include them）',
    );
  }
  if (outcome.writeBack.state === 'waiting') {
    out(`尚未写回 ${path}：待 ${outcome.writeBack.reason.program} 关闭工作簿后自动写回`);
    return;
  }
  for (const skipped of outcome.writeBack.skippedIds) {
    err(`未写入编号 ${skipped.activityId}（第 ${skipped.row} 行：${skipped.reason}）`);
  }
  out(
    `已写回 ${path}：编号、校验标记，以及 ${Object.values(GENERATED_TAB_LABELS)
      .map((l) => l.zh)
      .join('、')} 各表`,
  );
}

process.exitCode = await main().catch((error: unknown) => reportTerminalError(error, ctx));
