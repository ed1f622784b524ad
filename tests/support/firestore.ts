/**
 * One real Cloud Firestore emulator per test file. `useFirestoreEmulator('name')` registers the
 * vitest hooks (start in beforeAll, optional reset in beforeEach, stop in afterAll) and returns
 * a handle whose fields are usable inside tests. Nothing global is touched: no
 * FIRESTORE_EMULATOR_HOST, no default firebase-admin app.
 *
 * Connecting firebase-admin without the environment variable: a uniquely named app plus
 * `getFirestore(app).settings({ host, ssl: false })`. `ssl: false` makes @google-cloud/firestore
 * use an insecure gRPC channel (no Google credentials are looked up) and send
 * `Authorization: Bearer owner`, which the emulator treats as admin. Pitfalls, each measured:
 * firebase-admin's `initializeFirestore(app, settings)` only honours `preferRest` and drops
 * `host`/`ssl`, and `preferRest: true` with `ssl: false` still asks for application default
 * credentials — both fail with "Could not load the default credentials".
 *
 * With `triggers`, a TriggerBridge is started first and every trigger is registered with the
 * emulator from its own declaration (triggerSpecOf), so the emulator itself fires them. Beware:
 * `reset` fires a delete event per document into those triggers, asynchronously — give each test
 * its own document paths rather than counting events globally.
 *
 * Without the emulator or Java on the machine, every test in the calling scope fails with
 * EmulatorMissingError and its install hint; nothing is skipped. Call it inside a `describe` to
 * keep tests that need no emulator out of that scope.
 */

import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { type DocumentReference, type Firestore, getFirestore } from 'firebase-admin/firestore';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { lineLog } from '../../functions/src/logs';
import {
  startTriggerBridge,
  type TriggerBridge,
  type TriggerFunction,
  triggerSpecOf,
} from '../../stack/bridge';
import { type FirestoreEmulator, startFirestoreEmulator } from '../../stack/emulator';

export interface FirestoreEmulatorHandle {
  /** `demo-gongjian-<name>`: the demo- prefix keeps every client away from real projects. */
  readonly projectId: string;
  /** `127.0.0.1:<port>`; throws before beforeAll has run. */
  readonly host: string;
  readonly emulator: FirestoreEmulator;
  /** Present when the file declared triggers. */
  readonly bridge: TriggerBridge;
  /** Every line the emulator printed, and every line the bridge logged (trigger failures). */
  readonly logs: { readonly emulator: string[]; readonly bridge: string[] };
  /** A firebase-admin Firestore connected to this emulator (one per file, created on first use). */
  firestore(): Firestore;
}

export interface UseFirestoreEmulatorOptions {
  /** Delete every document before each test. */
  reset?: boolean;
  /** Trigger name → firebase-functions v2 Firestore function, fired by the emulator through a bridge. */
  triggers?: Record<string, TriggerFunction & { __endpoint?: unknown }>;
}

/** Starts one emulator for the calling test file; see the module comment. */
export function useFirestoreEmulator(
  name: string,
  options: UseFirestoreEmulatorOptions = {},
): FirestoreEmulatorHandle {
  const projectId = `demo-gongjian-${name}`;
  const logs = { emulator: [] as string[], bridge: [] as string[] };
  let emulator: FirestoreEmulator | undefined;
  let bridge: TriggerBridge | undefined;
  let app: App | undefined;
  let db: Firestore | undefined;

  const started = (): FirestoreEmulator => {
    if (!emulator)
      throw new Error(`The Firestore emulator for ${projectId} is not running (use it inside tests)`);
    return emulator;
  };

  // A failed start is rethrown in every test rather than from beforeAll: vitest reports the
  // tests of a failed beforeAll as "skipped", and a missing emulator must read as failures.
  let startError: unknown;
  beforeAll(async () => {
    await start().catch((error: unknown) => {
      startError = error;
    });
  }, 60_000);
  beforeEach(async () => {
    if (startError) throw startError;
    if (options.reset) await started().reset();
    // The emulator's admin calls wait up to 60 s under load (stack/emulator.ts); so does the reset.
  }, 60_000);

  const start = async () => {
    const triggers = options.triggers;
    if (triggers) {
      bridge = await startTriggerBridge({
        projectId,
        triggers,
        log: lineLog((line) => logs.bridge.push(line)),
      });
    }
    emulator = await startFirestoreEmulator({
      projectId,
      functionsEmulator: bridge?.hostPort,
      log: lineLog((line) => logs.emulator.push(line)),
    });
    for (const [triggerName, fn] of Object.entries(triggers ?? {})) {
      await emulator.registerTrigger(triggerName, triggerSpecOf(fn));
    }
  };

  afterAll(async () => {
    // Handlers still running finish against a live emulator; then the gRPC channels close before
    // the emulator goes, so no client retries against a dead port.
    await bridge?.stop();
    if (app) await deleteApp(app);
    await emulator?.stop();
  }, 30_000);

  return {
    projectId,
    logs,
    get host() {
      return started().host;
    },
    get emulator() {
      return started();
    },
    get bridge() {
      if (!bridge)
        throw new Error(`No trigger bridge for ${projectId}: pass triggers to useFirestoreEmulator`);
      return bridge;
    },
    firestore() {
      if (!db) {
        app = initializeApp({ projectId }, `${projectId}-${process.pid}`);
        db = getFirestore(app);
        // universeDomain spares google-auth-library a probe of the GCE metadata server (about
        // 0.6 s even when answered locally, seconds where 169.254.169.254 is unreachable).
        db.settings({ host: started().host, ssl: false, universeDomain: 'googleapis.com' });
      }
      return db;
    },
  };
}

/**
 * Gives this test process the environment Cloud Functions gives every function: the project in
 * GCLOUD_PROJECT and FIREBASE_CONFIG (the local stack hands firebase-functions an admin app
 * instead, stack/stack.ts; these trigger tests call the triggers without a stack).
 * firebase-functions builds trigger snapshots with an admin app configured from FIREBASE_CONFIG;
 * without it, it guesses from GCLOUD_PROJECT and warns "estimating Firebase Config".
 */
export function useFunctionsEnvironment(projectId: string): void {
  process.env.GCLOUD_PROJECT ??= projectId;
  process.env.FIREBASE_CONFIG ??= JSON.stringify({ projectId });
}

/** Polls `probe` until it returns a value other than undefined/false, or fails at the deadline. */
export async function eventually<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 10_000, what = 'the expected effect' }: { timeoutMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The real database, except that the first bulk write to `path` is refused by the emulator: the
 * document is deleted just before that write is sent, so an update fails with NOT_FOUND (no
 * retry), as when the document went away between a query and the write. Everything else passes
 * straight through.
 */
export function refusingBulkWriteTo(db: Firestore, path: string): Firestore {
  return new Proxy(db, {
    get(target, key) {
      if (key !== 'bulkWriter') {
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return () => {
        const writer = target.bulkWriter();
        let deleted: Promise<unknown> | undefined;
        return new Proxy(writer, {
          get(w, k) {
            const value: unknown = Reflect.get(w, k, w);
            if (typeof value !== 'function') return value;
            const call = (...args: unknown[]): unknown => value.apply(w, args);
            if (k === 'update') {
              return (ref: DocumentReference, ...rest: unknown[]) => {
                if (ref.path !== path || deleted) return call(ref, ...rest);
                // Enqueued once the delete has landed; close() below waits for that first.
                deleted = target.doc(path).delete();
                return deleted.then(() => call(ref, ...rest));
              };
            }
            if (k === 'close')
              return async () => {
                await deleted;
                return call();
              };
            return call;
          },
        });
      };
    },
  });
}
