/**
 * One real Firebase Storage emulator (firebase-tools, stack/storageEmulator.mjs) per test file.
 * `useStorageEmulator('name')` registers the vitest hooks (start in beforeAll, stop in afterAll)
 * and sets FIREBASE_STORAGE_EMULATOR_HOST for this test process: firebase-admin's Storage reads
 * only that variable (it has no settings for a host), and each test file runs in its own worker.
 *
 * The emulator keeps its blobs under a temporary folder of its own (TMPDIR), so files running at
 * once never share one; it exits when this process closes its stdin, so it never outlives us.
 * A failed start is rethrown in every test (never a skip), like tests/support/firestore.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import { getStorage } from 'firebase-admin/storage';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { PhotoBucket } from '../../functions/src/requests/cloudPhotoStore';

const SCRIPT = join(import.meta.dirname, '..', '..', 'stack', 'storageEmulator.mjs');
/** Loading firebase-tools takes seconds on a busy machine. */
const READY_TIMEOUT_MS = 60_000;

export interface StorageEmulatorHandle {
  readonly projectId: string;
  /** The default bucket's name, as a deployed project's `<project>.firebasestorage.app`. */
  readonly bucketName: string;
  /** `127.0.0.1:<port>`. */
  readonly host: string;
  /** The default bucket through firebase-admin, as the functions get it. */
  bucket(): PhotoBucket;
}

/** Starts one Storage emulator for the calling test file; see the module comment. */
export function useStorageEmulator(name: string): StorageEmulatorHandle {
  const projectId = `demo-gongjian-${name}`;
  const bucketName = `${projectId}.firebasestorage.app`;
  let child: ChildProcess | undefined;
  let folder: string | undefined;
  let host: string | undefined;
  let app: App | undefined;
  let startError: unknown;

  beforeAll(async () => {
    try {
      folder = await mkdtemp(join(tmpdir(), 'gongjian-storage-'));
      const started = spawn(process.execPath, [SCRIPT, projectId], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, TMPDIR: folder },
      });
      child = started;
      const output: string[] = [];
      started.stderr?.on('data', (chunk: Buffer) => output.push(String(chunk)));
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`Storage emulator not ready in ${READY_TIMEOUT_MS} ms:\n${output.join('')}`)),
          READY_TIMEOUT_MS,
        );
        createInterface({ input: started.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          const found = /^\{"port":(\d+)\}$/.exec(line.trim());
          if (found) {
            clearTimeout(timer);
            resolve(Number(found[1]));
          }
        });
        started.once('exit', (code) => {
          clearTimeout(timer);
          reject(
            new Error(
              `Storage emulator exited (${code}) — is firebase-tools installed (npm ci)?\n${output.join('')}`,
            ),
          );
        });
      });
      host = `127.0.0.1:${port}`;
      process.env.FIREBASE_STORAGE_EMULATOR_HOST = host;
    } catch (error) {
      startError = error;
    }
  }, READY_TIMEOUT_MS + 5_000);
  beforeEach(() => {
    if (startError) throw startError;
  });
  afterAll(async () => {
    if (app) await deleteApp(app);
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.stdin?.end();
      await exited;
    }
    if (folder) await rm(folder, { recursive: true, force: true });
  }, 30_000);

  return {
    projectId,
    bucketName,
    get host() {
      // A failed start says why (firebase-tools missing, …) to whichever hook asks first.
      if (!host) throw startError ?? new Error(`The Storage emulator for ${projectId} is not running`);
      return host;
    },
    bucket() {
      app ??= initializeApp({ projectId, storageBucket: bucketName }, `${projectId}-storage-${process.pid}`);
      return getStorage(app).bucket();
    },
  };
}
