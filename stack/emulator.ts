/**
 * The Cloud Firestore emulator as a child process of the local stack and of the tests: finds the
 * jar and Java, starts the JVM on 127.0.0.1, waits until it answers, and makes sure it dies with
 * us. See bridge.ts for how its trigger events reach the firebase-functions declarations.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { type Log, logs } from '../functions/src/logs';
import { GongjianError } from '../shared/errors';

const MAIN_CLASS = 'com.google.cloud.datastore.emulator.firestore.CloudFirestore';
const JAR_IN_SDK = join('platform', 'cloud-firestore-emulator', 'cloud-firestore-emulator.jar');
const HOST = '127.0.0.1';
/** Enough of the emulator's output to explain a failed start without flooding the message. */
const OUTPUT_LINES_KEPT = 200;
/** The JVM cold-starts in about a second; a loaded CI machine may need many times that. */
const DEFAULT_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
/** The default database is the only one the local stack and the triggers use. */
const DATABASE = '(default)';

const JAR_HINT_ZH =
  '请安装：sudo apt-get install google-cloud-cli-firestore-emulator（需要 Java 17 或更高版本；' +
  '自行安装的 gcloud 用 gcloud components install cloud-firestore-emulator），' +
  '或设置环境变量 FIRESTORE_EMULATOR_JAR 指向 cloud-firestore-emulator.jar。';
const JAR_HINT_EN =
  'Install it with `sudo apt-get install google-cloud-cli-firestore-emulator` (needs Java 17+; ' +
  'for a standalone gcloud: `gcloud components install cloud-firestore-emulator`), ' +
  'or set FIRESTORE_EMULATOR_JAR to the path of cloud-firestore-emulator.jar.';
const JAVA_HINT_ZH =
  'Cloud Firestore 模拟器需要 Java 17 或更高版本：sudo apt-get install openjdk-17-jre-headless，或设置 JAVA_HOME。';
const JAVA_HINT_EN =
  'The Cloud Firestore emulator needs Java 17 or newer: `sudo apt-get install openjdk-17-jre-headless`, or set JAVA_HOME.';

export type EmulatorMissingCode = 'JAR_NOT_FOUND' | 'JAVA_NOT_FOUND' | 'JAVA_TOO_OLD';

/** The emulator cannot run on this machine; the message says how to install what is missing. */
export class EmulatorMissingError extends GongjianError<EmulatorMissingCode> {
  override readonly name = 'EmulatorMissingError';
}

/** The JVM started but never answered, or exited; the message carries the emulator's own output. */
export class EmulatorStartError extends Error {
  override readonly name = 'EmulatorStartError';
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\n--- emulator output ---\n${output || '(none)'}`);
  }
}

/**
 * Where the emulator jar may be, in order of preference: the gcloud SDK roots (explicit root,
 * the `gcloud` found on PATH, the Debian/Snap locations), then firebase-tools' download cache,
 * newest version first. FIRESTORE_EMULATOR_JAR is not listed: findEmulatorJar handles it first.
 */
export function emulatorJarCandidates(env: NodeJS.ProcessEnv = process.env, home = homedir()): string[] {
  const sdkRoots = [
    env.CLOUDSDK_ROOT,
    env.CLOUDSDK_ROOT_DIR,
    ...gcloudSdkRootsOnPath(env.PATH),
    '/usr/lib/google-cloud-sdk',
    '/usr/share/google-cloud-sdk',
    '/opt/google-cloud-sdk',
    '/snap/google-cloud-cli/current',
    '/snap/google-cloud-sdk/current',
  ].filter((root): root is string => Boolean(root));
  return [...new Set([...sdkRoots.map((root) => join(root, JAR_IN_SDK)), ...firebaseToolsJars(home)])];
}

/**
 * The emulator jar: FIRESTORE_EMULATOR_JAR if set (a wrong override is an error, not a reason to
 * silently use another jar), else the first existing candidate; none → EmulatorMissingError.
 */
export function findEmulatorJar(
  env: NodeJS.ProcessEnv = process.env,
  candidates: readonly string[] = emulatorJarCandidates(env),
): string {
  const override = env.FIRESTORE_EMULATOR_JAR;
  if (override) {
    if (isFile(override)) return override;
    throw new EmulatorMissingError(
      'JAR_NOT_FOUND',
      `FIRESTORE_EMULATOR_JAR 指向的文件不存在：${override}。${JAR_HINT_ZH}`,
      `FIRESTORE_EMULATOR_JAR points to a missing file: ${override}. ${JAR_HINT_EN}`,
    );
  }
  const found = candidates.find(isFile);
  if (found) return found;
  const searched = candidates.length > 0 ? candidates.join(', ') : '(no candidate paths)';
  throw new EmulatorMissingError(
    'JAR_NOT_FOUND',
    `找不到 Cloud Firestore 模拟器（已查找：${searched}）。${JAR_HINT_ZH}`,
    `Cloud Firestore emulator not found (looked in: ${searched}). ${JAR_HINT_EN}`,
  );
}

/** The `java` executable: the first on PATH, else $JAVA_HOME/bin/java; none → EmulatorMissingError. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string {
  const onPath = (env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'java'));
  const fromHome = env.JAVA_HOME ? [join(env.JAVA_HOME, 'bin', 'java')] : [];
  const found = [...onPath, ...fromHome].find(isExecutable);
  if (found) return found;
  throw new EmulatorMissingError(
    'JAVA_NOT_FOUND',
    `找不到 Java（PATH 中没有 java，JAVA_HOME 也未指向 Java）。${JAVA_HINT_ZH}`,
    `Java not found (no java on PATH, no JAVA_HOME). ${JAVA_HINT_EN}`,
  );
}

export interface TriggerSpec {
  /** A document path pattern, e.g. `plans/{planId}/activities/{id}`. */
  document: string;
  /** Defaults to `google.cloud.firestore.document.v1.written`. */
  eventType?: string | undefined;
  database?: string | undefined;
  namespace?: string | undefined;
}

export interface FirestoreEmulatorOptions {
  projectId: string;
  /** 0 or undefined: a free port is picked (and picked again if another process took it first). */
  port?: number | undefined;
  /** host:port the emulator POSTs trigger events to (a TriggerBridge's hostPort). */
  functionsEmulator?: string | undefined;
  /** Path to firestore.rules; the rules then apply to clients that are not admin. */
  rules?: string | undefined;
  /** An export's `.overall_export_metadata` file to start from (see {@link FirestoreEmulator.exportTo}). */
  seedFrom?: string | undefined;
  /** Receives every line the emulator prints. */
  log?: Log | undefined;
  /** The jar to run; by default findEmulatorJar(env). */
  jar?: string | undefined;
  /** Where java and the jar are looked up; default process.env. */
  env?: NodeJS.ProcessEnv | undefined;
  readyTimeoutMs?: number | undefined;
}

export interface FirestoreEmulator {
  /** `127.0.0.1:<port>`, the form FIRESTORE_EMULATOR_HOST and Firestore's `settings.host` take. */
  readonly host: string;
  readonly port: number;
  readonly projectId: string;
  /** The JVM's process id (for checks that it is gone). */
  readonly pid: number;
  /** Deletes every document. Registered triggers stay, and each deleted document fires them. */
  reset(): Promise<void>;
  /** Makes the emulator POST events for matching writes to `<functionsEmulator>/functions/projects/<p>/triggers/<name>`; re-registering a name replaces it. */
  registerTrigger(name: string, spec: TriggerSpec): Promise<void>;
  /**
   * Writes every document to `<folder>/<name>/` (the folder must exist); start another emulator
   * from it with `seedFrom: <folder>/<name>/<name>.overall_export_metadata`.
   */
  exportTo(folder: string, name: string): Promise<void>;
  /** Resolves, with how it ended, if the JVM exits without stop() having been called. */
  readonly crashed: Promise<string>;
  /** The last lines the emulator printed. */
  recentOutput(): string;
  /** Stops the JVM and waits until it has exited; idempotent. */
  stop(): Promise<void>;
}

/** Starts the emulator on 127.0.0.1 and resolves once it answers HTTP. */
export async function startFirestoreEmulator(options: FirestoreEmulatorOptions): Promise<FirestoreEmulator> {
  const env = options.env ?? process.env;
  if (!/^[a-z][a-z0-9-]{2,62}$/.test(options.projectId)) {
    throw new Error(`Invalid project id for the emulator: ${JSON.stringify(options.projectId)}`);
  }
  const java = findJava(env);
  const jar = options.jar ?? findEmulatorJar(env);
  // Picking a free port and handing it to the JVM races with other processes doing the same
  // (parallel test files); a lost race shows as a BindException, so pick again.
  const attempts = options.port ? 1 : 3;
  for (let attempt = 1; ; attempt++) {
    const port = options.port || (await freePort());
    try {
      return await launch(java, jar, port, options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= attempts) throw error;
    }
  }
}

class PortTakenError extends EmulatorStartError {}

async function launch(
  java: string,
  jar: string,
  port: number,
  options: FirestoreEmulatorOptions,
): Promise<FirestoreEmulator> {
  const { projectId } = options;
  const args = [
    // The emulator only speaks English in its messages (as gcloud's own wrapper script sets).
    '-Duser.language=en',
    '-cp',
    jar,
    MAIN_CLASS,
    'start',
    `--host=${HOST}`,
    `--port=${port}`,
    `--project_id=${projectId}`,
  ];
  if (options.functionsEmulator) args.push(`--functions_emulator=${options.functionsEmulator}`);
  if (options.rules) args.push(`--rules=${resolve(options.rules)}`);
  if (options.seedFrom) args.push(`--seed_from_export=${resolve(options.seedFrom)}`);

  // The JVM gets a process group of its own (detached): a terminal's Ctrl-C and a signal to our
  // group then reach only us, and the owner (the local stack) saves the database before it stops
  // the JVM — an emulator that dies with the Ctrl-C takes everything since the last save with it.
  // Its orphan guard (below) still ends it whenever we end. The JVM starts no children of its
  // own, so killing its pid is enough.
  const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > OUTPUT_LINES_KEPT) output.shift();
    options.log?.(logs.emulatorOutput(line));
  };
  if (child.stdout) createInterface({ input: child.stdout }).on('line', onLine);
  if (child.stderr) createInterface({ input: child.stderr }).on('line', onLine);
  const recentOutput = () => output.join('\n');

  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolveExit();
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new EmulatorStartError(`Could not run ${java}: ${error.message}`, recentOutput())),
    );
  });
  spawnError.catch(() => {});

  const guard = guardAgainstOrphans(child);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exitInfo) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      // Only now: until the JVM is gone, a kill of this process must still take it along.
      guard.release();
    })();
    return stopping;
  };

  try {
    await Promise.race([
      waitUntilAnswering(
        port,
        options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
        () => exitInfo,
        () => output.some((line) => READY_LINE.test(line)),
      ),
      spawnError,
    ]);
  } catch (error) {
    await stop();
    // Let the last lines of a dying JVM reach the buffer before they are quoted.
    await new Promise((r) => setImmediate(r));
    throw explainStartFailure(error, port, recentOutput());
  }
  // A crash after a good start is for the owner to act on at once (the local stack stops).
  const crashed = new Promise<string>((resolveCrash) => {
    void exited.then(() => {
      if (stopping) return;
      options.log?.(logs.emulatorExited(describeExit(exitInfo)));
      resolveCrash(describeExit(exitInfo));
    });
  });

  const base = `http://${HOST}:${port}`;
  const ensureRunning = () => {
    if (exitInfo || stopping) throw new Error(`The Firestore emulator on ${HOST}:${port} is not running`);
  };
  return {
    host: `${HOST}:${port}`,
    port,
    projectId,
    pid: child.pid ?? -1,
    crashed,
    recentOutput,
    stop,
    async exportTo(folder, name) {
      ensureRunning();
      await expectOk(
        'POST',
        `${base}/emulator/v1/projects/${projectId}:export`,
        JSON.stringify({
          database: `projects/${projectId}/databases/${DATABASE}`,
          export_directory: resolve(folder),
          export_name: name,
        }),
      );
    },
    async reset() {
      ensureRunning();
      await expectOk(
        'DELETE',
        `${base}/emulator/v1/projects/${projectId}/databases/${encodeURIComponent(DATABASE)}/documents`,
      );
    },
    async registerTrigger(name, spec) {
      ensureRunning();
      if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`Invalid trigger name: ${JSON.stringify(name)}`);
      await expectOk(
        'POST',
        `${base}/emulator/v1/projects/${projectId}/eventarcTrigger?eventarcTriggerId=${name}`,
        JSON.stringify({
          eventType: spec.eventType ?? 'google.cloud.firestore.document.v1.written',
          database: spec.database ?? DATABASE,
          namespace: spec.namespace ?? DATABASE,
          document: { value: spec.document, matchType: 'PATH_PATTERN' },
        }),
      );
    },
  };
}

function explainStartFailure(error: unknown, port: number, output: string): Error {
  if (error instanceof EmulatorStartError) return error;
  if (output.includes('UnsupportedClassVersionError')) {
    return new EmulatorMissingError(
      'JAVA_TOO_OLD',
      `Java 版本过旧，无法运行 Cloud Firestore 模拟器。${JAVA_HINT_ZH}`,
      `This Java is too old for the Cloud Firestore emulator. ${JAVA_HINT_EN}\n${output}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (output.includes('BindException')) {
    return new PortTakenError(`The Firestore emulator could not bind ${HOST}:${port}: ${message}`, output);
  }
  return new EmulatorStartError(
    `The Firestore emulator did not start on ${HOST}:${port}: ${message}`,
    output,
  );
}

/**
 * Kills the JVM when this process ends however it ends, without ever deciding when it ends:
 * a normal exit or an uncaught exception ('exit' runs synchronously, so SIGKILL), and — through a
 * tiny watchdog process that notices its stdin pipe closing — a signal nobody handled (SIGINT,
 * SIGTERM, SIGHUP end Node without 'exit') and a SIGKILL, which no handler sees. It installs no
 * signal handler: a signal is the owner's to act on (the local stack exports the database, then
 * stops the emulator), and a guard that killed the JVM on SIGINT made every Ctrl-C lose the data.
 * The watchdog has a process group of its own, like the JVM, so a kill -9 of our whole group
 * leaves it alive to do its one job. Without it a killed test run leaves JVMs holding ports and memory.
 */
function guardAgainstOrphans(child: ChildProcess): { release(): void } {
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killNow);

  const watchdog =
    child.pid === undefined
      ? undefined
      : spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(child.pid)], {
          stdio: ['pipe', 'ignore', 'ignore'],
          detached: true,
        });
  // The watchdog must not keep this process alive, nor crash it if it cannot start.
  watchdog?.on('error', () => {});
  watchdog?.unref();
  (watchdog?.stdin as Socket | null | undefined)?.unref();

  function release() {
    process.off('exit', killNow);
    if (watchdog && watchdog.exitCode === null) watchdog.kill('SIGKILL');
  }
  return { release };
}

/** Kills the given pid once its parent's end of stdin closes, i.e. once the parent is gone. */
const WATCHDOG_SOURCE = `
const pid = Number(process.argv[1]);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => {});
process.stdin.on('data', () => {});
process.stdin.on('end', () => { try { process.kill(pid, 'SIGKILL'); } catch {} process.exit(0); });
`;

/**
 * An HTTP answer alone does not prove that *our* JVM is answering: when the port is taken, the
 * other process answers while ours is still booting towards its BindException. So readiness also
 * needs our JVM to have said it is up ("API endpoint: …" then "Dev App Server is now running.").
 */
const READY_LINE = /now running|^API endpoint: /;

async function waitUntilAnswering(
  port: number,
  timeoutMs: number,
  exitInfo: () => { code: number | null; signal: NodeJS.Signals | null } | undefined,
  saidReady: () => boolean,
): Promise<void> {
  // The monotonic clock, not the stack's: this bounds a child's start in real time, which neither
  // a test's pinned clock nor the wall clock stepping (NTP at boot) may stretch or cut short.
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const exit = exitInfo();
    if (exit) throw new Error(`the JVM exited (${describeExit(exit)})`);
    if (saidReady()) {
      const answer = await httpRequest('GET', `http://${HOST}:${port}/`).catch(() => undefined);
      if (answer?.status === 200) return;
    }
    if (performance.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function describeExit(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (!exit) return 'still running';
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

async function expectOk(method: string, url: string, body?: string): Promise<void> {
  const answer = await httpRequest(method, url, body);
  if (answer.status < 200 || answer.status >= 300) {
    throw new Error(`${method} ${url} → ${answer.status}: ${answer.body.slice(0, 500)}`);
  }
}

/** node:http without an agent: no pooled sockets outlive the request or the emulator. */
function httpRequest(method: string, url: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveRequest, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        // Generous: on a loaded two-core machine the JVM answered a trigger registration after more
        // than 10 s (the stack then failed to start); an emulator that is gone fails at once anyway.
        timeout: 60_000,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolveRequest({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** SDK roots of every `gcloud` on PATH (bin/gcloud is often a symlink into the SDK). */
function gcloudSdkRootsOnPath(path: string | undefined): string[] {
  return (path ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, 'gcloud'))
    .filter(isFile)
    .map((gcloud) => dirname(dirname(realpathSync(gcloud))));
}

/** firebase-tools downloads versioned jars (cloud-firestore-emulator-v1.19.7.jar); newest first. */
function firebaseToolsJars(home: string): string[] {
  const dir = join(home, '.cache', 'firebase', 'emulators');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((name) => /^cloud-firestore-emulator-.*\.jar$/.test(name))
    .sort((a, b) => b.localeCompare(a, 'en', { numeric: true }))
    .map((name) => join(dir, name));
}

function isFile(path: string): boolean {
  try {
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
