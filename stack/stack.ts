/**
 * The local stack: everything the deployed system runs, on this machine and on 127.0.0.1 only —
 * the Cloud Firestore emulator (a Java child process), the `api` function served by
 * functions-framework, and the deployed Firestore triggers fed by the emulator through the
 * trigger bridge. Used by `npm start`, the end-to-end tests and the benchmark.
 *
 * Over one workbook (`workbookPath`: every plan's generated tabs go there) or over several, one plan
 * each (`planWorkbooks`, `npm start -- --district DIR`): either way one emulator, one runtime and
 * one writer per file, and the database kept beside `workbookPath` or `dataPath`.
 *
 * Acknowledged means kept (durability.ts): the runtime's `durable()` exports the database beside
 * the workbook before the form, the API or the mail sender acknowledges anything. stop() shuts
 * down in order: stop accepting (the servers close), settle what is in flight (HTTP handlers,
 * trigger handlers and the workbook writes they wait for, for at most SETTLE_MS), persist, and only
 * then stop the emulator — which has a process group of its own, so a Ctrl-C reaches us, not it.
 *
 * The form's address is the one the emailed links carry, so it stays: the port chosen at the first
 * start is kept in the data folder and listened on again (`formPort` or GONGJIAN_FORM_URL set it
 * explicitly). Loopback unless `lan`: then the form, and only the form, is served on the office
 * network and its links carry this machine's address there.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { getApps, initializeApp } from 'firebase-admin/app';
import { app as functionsApp } from 'firebase-functions/v2';
import { errorCode } from '../adapters/workbook/common';
import type { WorkbookUpdate } from '../adapters/workbook/port';
import { type Clock, systemClock } from '../functions/src/clock';
import { parseConfig } from '../functions/src/config';
import { guardFormServer, socketAddress } from '../functions/src/http/form';
import { type Log, logs, noLog } from '../functions/src/logs';
import { buildRuntime, installRuntime, type Runtime } from '../functions/src/runtime';
import { sweepStats } from '../functions/src/stats/refresh';
import type { SyncProgress } from '../functions/src/sync/syncPlan';
import { onLedgerRequested } from '../functions/src/triggers/onLedgerRequested';
import { onMailWritten } from '../functions/src/triggers/onMailWritten';
import { onPlanWritten } from '../functions/src/triggers/onPlanWritten';
import { GongjianError } from '../shared/errors';
import { startTriggerBridge, type TriggerBridge, triggerSpecOf } from './bridge';
import { LocalDataDir } from './dataDir';
import { GroupCommit } from './durability';
import { type FirestoreEmulator, startFirestoreEmulator } from './emulator';
import { ensurePrivateFolder } from './privateFiles';
import { LocalWorkbookFile } from './workbookFile';

/** The deployed triggers, by the names they are registered under. */
export const TRIGGERS = { onPlanWritten, onMailWritten, onLedgerRequested };

/** The deployed sweepStats schedule's period (functions/src/schedules/sweepStats.ts). */
const STATS_SWEEP_MS = 5 * 60_000;
/**
 * How long stop() lets requests and trigger handlers finish before it saves anyway. What they
 * acknowledged is durable already; what is still running is not acknowledged, and the next start
 * redoes it (a queued submission is flushed, statistics are swept). Ctrl-C must feel immediate.
 */
const SETTLE_MS = 2_500;
/** The Firestore client's close waits for calls in flight; a straggler must not hold the exit. */
const CLOSE_MS = 1_000;

export interface LocalStackOptions {
  projectId?: string;
  /** The .xlsx the triggers write generated tabs into. */
  workbookPath?: string;
  /** Several workbooks, one plan each (plan ID → .xlsx): each plan's tabs go to its own file. */
  planWorkbooks?: ReadonlyMap<string, string>;
  /** Where the database is kept when there is no `workbookPath`: beside this path (see dataDir.ts). */
  dataPath?: string;
  /** Where mail goes when SMTP_URL is not set (default: outbox/ beside the workbook). */
  outboxDir?: string;
  /** Progress lines ("starting the emulator…"). */
  progress?: (line: string) => void;
  /** Log lines of the functions and the emulator (quiet by default). */
  log?: Log;
  /** Sentences about the workbook file (open in an office program, written back later). */
  say?: (zh: string, en: string) => void;
  /** How far each sync through the API has got. */
  syncProgress?: (planId: string, progress: SyncProgress) => void;
  /** The form's port (`--form-port`); by default the one kept from the first start, else any free one. */
  formPort?: number | undefined;
  /** The form's root as the links carry it (GONGJIAN_FORM_URL), e.g. behind a proxy. */
  formUrl?: string | undefined;
  /** Serve the form on the office network (`--lan`) rather than on 127.0.0.1 only. */
  lan?: boolean | undefined;
  /** Held deletions were confirmed (`gongjian confirm-deletions`): sync the workbook again. */
  deletionsConfirmed?: (planId: string) => void;
  /**
   * The clock of every time the stack stamps, logs or decides on (the runtime's, the saves' names,
   * an event's missing time); by default the machine's. Waits for children and servers stay on
   * timers, which a pinned clock must not stop.
   */
  clock?: Clock;
}

export interface LocalStack {
  readonly apiUrl: string;
  /** The update-request form's root: links are `<formUrl>/r/<token>` (GONGJIAN_FORM_URL). */
  readonly formUrl: string;
  /** The development token this run made up: `Authorization: Bearer <devToken>`. */
  readonly devToken: string;
  readonly devEmail: string;
  readonly runtime: Runtime;
  readonly emulator: FirestoreEmulator;
  readonly bridge: TriggerBridge;
  /** The one writer of the workbook file, when the stack has one. */
  readonly workbook?: LocalWorkbookFile;
  /** The writer of a plan's workbook file: its own (`planWorkbooks`), else the stack's one. */
  workbookOf(planId: string): LocalWorkbookFile | undefined;
  /** Resolves, saying how, if the emulator dies while the stack runs. */
  readonly crashed: Promise<string>;
  /** Saves the database beside the workbook or `dataPath` (a stack without either keeps nothing). */
  persist(): Promise<void>;
  /** Stops in order (see the module comment); idempotent. */
  stop(): Promise<void>;
}

const DEV_EMAIL = 'developer@gongjian.local';

/** Starts the emulator, the trigger bridge and the API; stop() ends all of them. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const projectId = options.projectId ?? 'demo-gongjian';
  const progress = options.progress ?? (() => {});
  const log = options.log ?? noLog;
  const clock = options.clock ?? systemClock;
  // Stopped in this order: no new requests; no new events, while the handlers still running finish
  // against a live emulator; the emulator; then the Firestore client.
  const parts: {
    server?: Server;
    formServer?: Server;
    emulator?: FirestoreEmulator;
    bridge?: TriggerBridge;
    runtime?: Runtime;
    sweeper?: NodeJS.Timeout;
  } = {};
  // One writer per file, whoever writes it: the sync's write-back, generated tabs, submitted rows.
  const files = new Map<string, LocalWorkbookFile>();
  const fileOf = (path: string) => {
    let file = files.get(path);
    if (!file) {
      file = new LocalWorkbookFile(path, {
        say: options.say ?? ((zh, en) => log(logs.workbookSaid(zh, en))),
      });
      files.set(path, file);
    }
    return file;
  };
  const workbook = options.workbookPath ? fileOf(options.workbookPath) : undefined;
  for (const path of options.planWorkbooks?.values() ?? []) fileOf(path);
  const workbookPathOf = (planId: string) => options.planWorkbooks?.get(planId) ?? options.workbookPath;
  const workbookOf = (planId: string) => {
    const path = workbookPathOf(planId);
    return path === undefined ? undefined : fileOf(path);
  };
  const dataPath = options.workbookPath ?? options.dataPath;
  let dataDir: LocalDataDir | undefined;
  let crashed = false;
  // The one writer of exports: the barrier, the passes' saves and the last save at stop.
  const commit = new GroupCommit(async () => {
    if (crashed) throw new Error('The Firestore emulator has exited: nothing more can be saved');
    if (!dataDir || !parts.emulator) return;
    const started = clock.now().getTime();
    await dataDir.save(parts.emulator);
    log(logs.databaseSaved(clock.now().getTime() - started));
  });
  const persist = () => commit.durable();
  // Requests being answered: stop() lets them finish (their answers wait for the barrier).
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    inFlight.add(work);
    void work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
    return work;
  };
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stopInOrder();
    return stopping;
  };
  const stopInOrder = async () => {
    const { server, formServer, emulator, bridge, runtime, sweeper } = parts;
    clearInterval(sweeper);
    // Stop accepting: no new connections, idle ones closed; requests under way go on.
    const closed = [server, formServer].flatMap((s) => (s ? [closeServer(s)] : []));
    // Settle: requests, trigger handlers (the bridge stops taking events) and the workbook writes
    // they wait for; a held write settles as held (the next start writes it).
    const settled = await within(
      SETTLE_MS,
      Promise.all([
        (async () => {
          while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        })(),
        bridge?.stop(),
        ...[...files.values()].map((file) => file.settle()),
      ]),
    );
    if (!settled) log(logs.stopUnsettled(SETTLE_MS));
    for (const s of [server, formServer]) s?.closeAllConnections();
    await Promise.all(closed);
    for (const file of files.values()) file.stop();
    // Persist: the last save, after every acknowledged write (those were saved already).
    if (!crashed) {
      await persist().catch((error: unknown) => log(logs.databaseSaveFailed(error)));
    }
    await commit.idle();
    // Only now the children.
    await emulator?.stop().catch(() => {});
    await dataDir?.release();
    if (runtime)
      await within(
        CLOSE_MS,
        runtime.close().catch(() => {}),
      );
    installRuntime(undefined);
    for (const key of Object.keys(parts)) delete parts[key as keyof typeof parts];
  };
  try {
    // firebase-functions builds the triggers' snapshots with an admin app. On Cloud Functions it
    // configures one from GCLOUD_PROJECT/FIREBASE_CONFIG; here it is given one with the project
    // explicitly, so starting the stack writes nothing into this process's environment (which a
    // test, a second stack or the CLI around it shares). No credential and no client settings:
    // snapshots only decode protobuf, they never call Firestore. One app per project, kept for the
    // process (it holds no connection), so a stack started after another finds it.
    const triggersAppName = `gongjian-triggers-${projectId}`;
    functionsApp.setEmulatedAdminApp(
      getApps().find((app) => app.name === triggersAppName) ?? initializeApp({ projectId }, triggersAppName),
    );
    progress('启动触发器桥接 / trigger bridge');
    const bridge = await startTriggerBridge({ projectId, triggers: TRIGGERS, log, now: clock.now });
    parts.bridge = bridge;

    // One stack per workbook, and its database from the last run (emails already sent among it).
    dataDir = dataPath ? await LocalDataDir.claim(dataPath, clock.now) : undefined;
    const outboxDir = options.outboxDir ?? (dataPath ? join(dirname(dataPath), 'outbox') : undefined);
    // The outbox holds every link sent: the owner's alone, also when an earlier version made it.
    if (outboxDir && process.env.SMTP_URL === undefined) await ensurePrivateFolder(outboxDir);
    const seedFrom = await dataDir?.latestExport();
    progress('启动 Firestore 模拟器 / Firestore emulator');
    const emulator = await startFirestoreEmulator({
      projectId,
      functionsEmulator: bridge.hostPort,
      // Clients get what deployed clients get: nothing (only the functions' admin access works).
      rules: deployedRulesFile(),
      seedFrom,
      log,
    });
    parts.emulator = emulator;
    void emulator.crashed.then(() => {
      crashed = true;
    });
    for (const [name, fn] of Object.entries(TRIGGERS)) {
      await emulator.registerTrigger(name, triggerSpecOf(fn));
    }
    progress(`Firestore 模拟器就绪 / emulator ready: ${emulator.host} (pid ${emulator.pid})`);

    progress('启动云函数 / functions');
    // The form is its own function on its own port, as deployed; its address goes into the config
    // (the links in emails), so it listens first and finds the runtime on its first request.
    let formRuntime: Runtime | undefined;
    http('form', (req, res) => {
      if (!formRuntime) throw new Error('the runtime is not built yet');
      return track(formRuntime.form(req, res));
    });
    const formServer = getTestServer('form');
    // Route, method and body size are checked before the framework reads a body (http/form.ts).
    guardFormServer(formServer);
    const lanHost = options.lan ? lanAddress() : undefined;
    const keptPort = await dataDir?.formPort();
    const wantedPort = options.formPort ?? keptPort ?? 0;
    await listen(formServer, wantedPort, lanHost === undefined ? '127.0.0.1' : '0.0.0.0').catch(
      (error: unknown) => {
        if (errorCode(error) === 'EADDRINUSE') {
          throw new FormPortTakenError(wantedPort, options.formPort === undefined);
        }
        throw error;
      },
    );
    parts.formServer = formServer;
    const formPort = (formServer.address() as AddressInfo).port;
    // Kept before any link naming it goes out.
    await dataDir?.keepFormPort(formPort);
    const formUrl = (options.formUrl ?? `http://${lanHost ?? '127.0.0.1'}:${formPort}`).replace(/\/+$/, '');
    const devToken = randomBytes(24).toString('base64url');
    const config = parseConfig({
      GONGJIAN_ENV: 'development',
      GONGJIAN_PROJECT: projectId,
      FIRESTORE_EMULATOR_HOST: emulator.host,
      GONGJIAN_DEV_TOKEN: devToken,
      GONGJIAN_DEV_EMAIL: DEV_EMAIL,
      GONGJIAN_ADMINS: DEV_EMAIL,
      GONGJIAN_FORM_URL: formUrl,
      GONGJIAN_LOCAL_WORKBOOK: options.workbookPath,
      GONGJIAN_OUTBOX_DIR: outboxDir,
      // A real mail server, if the person running the stack wants one.
      SMTP_URL: process.env.SMTP_URL,
      MAIL_FROM: process.env.MAIL_FROM,
    });
    const runtime = buildRuntime(config, log, {
      ...(files.size > 0
        ? { writeXlsx: (path: string, update: WorkbookUpdate) => fileOf(path).write(update) }
        : {}),
      ...(options.planWorkbooks ? { localWorkbookOf: workbookPathOf } : {}),
      ...(options.syncProgress ? { syncProgress: options.syncProgress } : {}),
      ...(options.deletionsConfirmed ? { deletionsConfirmed: options.deletionsConfirmed } : {}),
      // Nothing stands in front of the stack's form: the socket is the caller.
      clientAddress: socketAddress,
      clock,
      ...(dataDir ? { durable: persist } : {}),
    });
    installRuntime(runtime);
    parts.runtime = runtime;
    formRuntime = runtime;
    // What the deployed sweepStats schedule does: statistics a lost event left behind catch up.
    parts.sweeper = setInterval(() => {
      sweepStats(runtime.refresh).catch((error: unknown) => log(logs.statsSweepFailed(error)));
    }, STATS_SWEEP_MS).unref();

    http('api', (req, res) => track(runtime.api(req, res)));
    const server = getTestServer('api');
    // Credentials and the body limit are checked before the framework reads a body.
    runtime.guardApiServer(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    parts.server = server;
    const { port } = server.address() as AddressInfo;

    return {
      apiUrl: `http://127.0.0.1:${port}`,
      formUrl,
      devToken,
      devEmail: DEV_EMAIL,
      runtime,
      emulator,
      bridge,
      ...(workbook ? { workbook } : {}),
      workbookOf,
      crashed: emulator.crashed,
      persist,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The rules file that deploys use, as firebase.json at the top of the repository names it. */
function deployedRulesFile(): string {
  for (let folder = import.meta.dirname; ; folder = dirname(folder)) {
    const config = join(folder, 'firebase.json');
    if (existsSync(config)) {
      const rules = (JSON.parse(readFileSync(config, 'utf8')) as { firestore?: { rules?: string } }).firestore
        ?.rules;
      if (!rules) throw new Error(`${config} names no Firestore rules file`);
      return join(folder, rules);
    }
    if (dirname(folder) === folder) throw new Error('firebase.json not found above the local stack');
  }
}

/** Stops listening and closes idle connections; resolves once every connection is closed. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** True if the work finished within the time; it goes on either way. */
async function within(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** This machine's address on the office network: the first IPv4 that is not loopback. */
export function lanAddress(interfaces = networkInterfaces()): string {
  for (const addresses of Object.values(interfaces)) {
    const found = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (found) return found.address;
  }
  throw new NoLanError();
}

/** The form's port is taken by another program. */
export class FormPortTakenError extends GongjianError<'form_port_taken'> {
  override readonly name = 'FormPortTakenError';
  constructor(
    readonly port: number,
    /** Kept from an earlier start (links already sent name it), rather than asked for. */
    readonly kept: boolean,
  ) {
    super(
      'form_port_taken',
      kept
        ? `填报表单的端口 ${port} 已被其他程序占用；已发出的填报链接都指向这个端口。请关闭占用它的程序后重新运行，或用 --form-port 端口号 换一个端口（已发出的链接将无法打开）。`
        : `填报表单的端口 ${port} 已被其他程序占用，请用 --form-port 指定另一个端口。`,
      kept
        ? `The form's port ${port} is taken by another program, and the links already emailed name it. Close that program and start again, or choose another port with --form-port N (links already sent will not open).`
        : `The form's port ${port} is taken by another program; choose another with --form-port N.`,
    );
  }
}

/** `--lan` on a machine with no network address but loopback. */
export class NoLanError extends GongjianError<'no_lan'> {
  override readonly name = 'NoLanError';
  constructor() {
    super(
      'no_lan',
      '找不到本机的局域网地址（只有 127.0.0.1）：请先连接办公室网络，或去掉 --lan。',
      'This machine has no office-network address (only 127.0.0.1): connect to the network first, or leave out --lan.',
    );
  }
}
