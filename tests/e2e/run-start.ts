/** `npm start` (its bundled entry) as a child process whose output the test reads while it runs. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { eventually } from '../support/firestore';

export const START = resolve(import.meta.dirname, '../../dist/start.js');

export interface StackRun {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved. */
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * Starts the local stack without blocking this process (which may be serving SMTP to it).
 * `group`: as the leader of a process group of its own, like a command in a terminal, so a test
 * can send a signal to the whole group as Ctrl-C does (`process.kill(-child.pid, 'SIGINT')`).
 */
export function startStack(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { group?: boolean } = {},
): StackRun {
  const child = spawn(process.execPath, [START, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => output, exited };
}

/** Stops a stack still running as Ctrl-C does, and waits until it has shut down in order. */
export async function stopStack(stack: StackRun | undefined): Promise<void> {
  if (stack && stack.child.exitCode === null) {
    stack.child.kill('SIGINT');
    await stack.exited;
  }
}

/**
 * Waits until a started stack has synced, mailed the digests and watches its file — its 正在监视
 * line. A stack that stopped instead fails the test with everything it printed, as does one that
 * answered anything with an internal error. The caller keeps `run` (to stop it) before waiting.
 */
export async function untilWatching(run: StackRun): Promise<StackRun> {
  await eventually(() => run.output().includes('正在监视') || run.child.exitCode !== null, {
    timeoutMs: 240_000,
    what: 'the local stack to sync, mail and watch',
  });
  expect(run.child.exitCode, run.output()).toBeNull();
  expect(run.output()).not.toMatch(/内部错误|Internal error/);
  return run;
}

/** The partner digests the stack left in `outbox` (their .html parts, file names). */
export function partnerDigests(outbox: string): string[] {
  return readdirSync(outbox).filter((f) => f.startsWith('partnerDigest') && f.endsWith('.html'));
}

/** The update-request link in a digest's HTML, if it carries one. */
export function formLinkIn(html: string): string | undefined {
  return /href="(http:\/\/127\.0\.0\.1:\d+\/r\/[A-Za-z0-9_-]{43})"/.exec(html)?.[1];
}
