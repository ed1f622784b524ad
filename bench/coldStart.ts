/**
 * Cold start of the deployed functions entry: how long a fresh `node` takes to import
 * functions/deploy/index.js, beside a bare `node` doing nothing, each the median of N fresh child
 * processes (interleaved, after one unmeasured warm-up of each, so disk caches and machine load
 * weigh on both alike). The difference is what every cold instance pays before its first request.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './format';

/** The import may cost at most this much over bare `node` startup. */
export const COLD_START_TARGET_MS = 300;

export interface ColdStartOptions {
  /** Measured runs of each command (default 9). */
  runs?: number;
  /** The bundle to import (default functions/deploy/index.js under the working directory). */
  entry?: string;
}

export interface ColdStart {
  entry: string;
  runs: number;
  /** Median wall time of `node -e ""`, ms. */
  bareMs: number;
  /** Median wall time of `node -e "import(entry)"`, ms. */
  importMs: number;
  /** importMs − bareMs: the cost of loading the functions. */
  differenceMs: number;
  targetMs: number;
  withinTarget: boolean;
}

/** Wall time of one fresh `node -e script`, with no configuration in its environment. */
function timeNode(script: string): number {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['-e', script], { env: {}, encoding: 'utf8' });
  const elapsed = performance.now() - started;
  if (child.status !== 0) throw new Error(`node -e ${JSON.stringify(script)} failed:\n${child.stderr}`);
  return elapsed;
}

/** Times importing the functions bundle in fresh processes against bare `node` startup. */
export function measureColdStart({
  runs = 9,
  entry = 'functions/deploy/index.js',
}: ColdStartOptions = {}): ColdStart {
  const path = resolve(entry);
  if (!existsSync(path)) throw new Error(`${path} does not exist: run \`npm run build:functions\` first`);
  const url = pathToFileURL(path).href;
  const importScript = `import(${JSON.stringify(url)}).catch((e) => { console.error(e); process.exit(1); })`;
  timeNode('');
  timeNode(importScript);
  const bare: number[] = [];
  const imported: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push(timeNode(''));
    imported.push(timeNode(importScript));
  }
  const bareMs = median(bare);
  const importMs = median(imported);
  const differenceMs = importMs - bareMs;
  return {
    entry: path,
    runs,
    bareMs,
    importMs,
    differenceMs,
    targetMs: COLD_START_TARGET_MS,
    withinTarget: differenceMs <= COLD_START_TARGET_MS,
  };
}
