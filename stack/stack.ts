/**
 * The local stack: everything the deployed system runs, on this machine and on 127.0.0.1 only —
 * the Cloud Firestore emulator (a Java child process), the `api` function served by
 * functions-framework, and the deployed Firestore triggers fed by the emulator through the
 * trigger bridge. Used by `npm start`, the end-to-end tests and the benchmark.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import type { WorkbookUpdate } from '../adapters/workbook/port';
import { parseConfig } from '../functions/src/config';
import { guardFormServer, socketAddress } from '../functions/src/http/form';
import { buildRuntime, installRuntime, type Runtime } from '../functions/src/runtime';
import { sweepStats } from '../functions/src/stats/refresh';
import type { SyncProgress } from '../functions/src/sync/syncPlan';
import { onMailWritten } from '../functions/src/triggers/onMailWritten';
import { onPlanWritten } from '../functions/src/triggers/onPlanWritten';
import { startTriggerBridge, type TriggerBridge, triggerSpecOf } from './bridge';
import { LocalDataDir } from './dataDir';
import { type FirestoreEmulator, startFirestoreEmulator } from './emulator';
import { LocalWorkbookFile } from './workbookFile';

/** The deployed triggers, by the names they are registered under. */
export const TRIGGERS = { onPlanWritten, onMailWritten };

/** The deployed sweepStats schedule's period (functions/src/schedules/sweepStats.ts). */
const STATS_SWEEP_MS = 5 * 60_000;

export interface LocalStackOptions {
  projectId?: string;
  /** The .xlsx the triggers write generated tabs into. */
  workbookPath?: string;
  /** Where mail goes when SMTP_URL is not set (default: outbox/ beside the workbook). */
  outboxDir?: string;
  /** Progress lines ("starting the emulator…"). */
  progress?: (line: string) => void;
  /** Log lines of the functions and the emulator (quiet by default). */
  log?: (line: string) => void;
  /** Sentences about the workbook file (open in an office program, written back later). */
  say?: (zh: string, en: string) => void;
  /** How far each sync through the API has got. */
  syncProgress?: (planId: string, progress: SyncProgress) => void;
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
  /** Resolves, saying how, if the emulator dies while the stack runs. */
  readonly crashed: Promise<string>;
  /** Saves the database beside the workbook (a stack without a workbook keeps nothing). */
  persist(): Promise<void>;
  stop(): Promise<void>;
}

const DEV_EMAIL = 'developer@gongjian.local';

/** Starts the emulator, the trigger bridge and the API; stop() ends all of them. */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const projectId = options.projectId ?? 'demo-gongjian';
  const progress = options.progress ?? (() => {});
  const log = options.log ?? (() => {});
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
  const workbook = options.workbookPath
    ? new LocalWorkbookFile(options.workbookPath, { say: options.say ?? ((zh, en) => log(`${zh} / ${en}`)) })
    : undefined;
  let dataDir: LocalDataDir | undefined;
  let crashed = false;
  const persist = async () => {
    if (dataDir && parts.emulator && !crashed) await dataDir.save(parts.emulator);
  };
  const stop = async () => {
    workbook?.stop();
    const { server, formServer, emulator, bridge, runtime, sweeper } = parts;
    clearInterval(sweeper);
    if (server) await closeServer(server);
    if (formServer) await closeServer(formServer);
    await bridge?.stop().catch(() => {});
    // What the last handlers wrote is kept for the next start.
    await persist().catch((error: unknown) => log(`Could not save the local database: ${String(error)}`));
    await emulator?.stop().catch(() => {});
    await dataDir?.release();
    await runtime?.close().catch(() => {});
    installRuntime(undefined);
    for (const key of Object.keys(parts)) delete parts[key as keyof typeof parts];
  };
  try {
    // firebase-functions reads the project from the environment, as on Cloud Functions.
    process.env.GCLOUD_PROJECT ??= projectId;
    process.env.FIREBASE_CONFIG ??= JSON.stringify({ projectId });
    progress('启动触发器桥接 / trigger bridge');
    const bridge = await startTriggerBridge({ projectId, triggers: TRIGGERS, log });
    parts.bridge = bridge;

    // One stack per workbook, and its database from the last run (emails already sent among it).
    dataDir = options.workbookPath ? await LocalDataDir.claim(options.workbookPath) : undefined;
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
      return formRuntime.form(req, res);
    });
    const formServer = getTestServer('form');
    // Route, method and body size are checked before the framework reads a body (http/form.ts).
    guardFormServer(formServer);
    await new Promise<void>((resolve) => formServer.listen(0, '127.0.0.1', resolve));
    parts.formServer = formServer;
    const formUrl = `http://127.0.0.1:${(formServer.address() as AddressInfo).port}`;
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
      GONGJIAN_OUTBOX_DIR:
        options.outboxDir ??
        (options.workbookPath ? join(dirname(options.workbookPath), 'outbox') : undefined),
      // A real mail server, if the person running the stack wants one.
      SMTP_URL: process.env.SMTP_URL,
      MAIL_FROM: process.env.MAIL_FROM,
    });
    const runtime = buildRuntime(config, log, {
      ...(workbook ? { writeXlsx: (_path: string, update: WorkbookUpdate) => workbook.write(update) } : {}),
      ...(options.syncProgress ? { syncProgress: options.syncProgress } : {}),
      // Nothing stands in front of the stack's form: the socket is the caller.
      clientAddress: socketAddress,
    });
    installRuntime(runtime);
    parts.runtime = runtime;
    formRuntime = runtime;
    // What the deployed sweepStats schedule does: statistics a lost event left behind catch up.
    parts.sweeper = setInterval(() => {
      sweepStats(runtime.refresh).catch((error: unknown) => log(`stats sweep failed: ${String(error)}`));
    }, STATS_SWEEP_MS).unref();

    http('api', (req, res) => runtime.api(req, res));
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
