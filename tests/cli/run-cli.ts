/** Runs the real `gongjian` binary as a user would, and captures what it says. */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The `gongjian` binary (bin/gongjian.js, which loads the built bundle). */
export const BIN = resolve(import.meta.dirname, '../../bin/gongjian.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `gongjian ...args` in a working directory. */
export function gongjian(args: string[], cwd?: string): CliRun {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The parsed JSON a `--json` run printed. */
export function json<T = Record<string, unknown>>(run: CliRun): T {
  return JSON.parse(run.stdout) as T;
}
