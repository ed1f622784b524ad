/** `npm start` (its bundled entry) as a child process whose output the test reads while it runs. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

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
