/**
 * The offline CLI loads no Firebase or Google API client (issue 10, item 4): each command runs
 * the real binary with a preload that lists, at exit, every package of theirs in the module cache.
 * Their packages are CommonJS, so whatever imports them — the bundle or a dependency — lands there.
 */

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../workbook/helpers';
import { gongjian } from './run-cli';

const BIN = resolve(import.meta.dirname, '../../bin/gongjian.js');
const FORBIDDEN =
  /[\\/]node_modules[\\/](firebase-admin|firebase-functions|@google-cloud[\\/]firestore|googleapis|@googleapis[\\/][^\\/]+)[\\/]/;

const folder = tempFolder();
afterAll(() => folder.remove());
const at = (name: string) => join(folder.dir, name);

const WATCH = `import { createRequire } from 'node:module';
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => {
  const found = new Set();
  for (const path of Object.keys(cache)) {
    const match = ${FORBIDDEN}.exec(path);
    if (match) found.add(match[1].replace(/\\\\/g, '/'));
  }
  process.stderr.write('[loaded] ' + JSON.stringify([...found]) + '\\n');
});
`;

function loadedBy(args: string[]): { code: number | null; loaded: string[] } {
  const run = spawnSync(process.execPath, ['--import', at('watch.mjs'), BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  const line = /^\[loaded\] (.*)$/m.exec(run.stderr);
  expect(line, run.stderr).not.toBeNull();
  return { code: run.status, loaded: JSON.parse(line?.[1] ?? '[]') as string[] };
}

describe('the offline CLI', () => {
  beforeAll(() => {
    writeFileSync(at('watch.mjs'), WATCH);
    expect(gongjian(['init', at('plan.xlsx'), '--year', '2026']).code).toBe(0);
  });

  it.each([
    ['validate', () => ['validate', at('plan.xlsx'), '--as-of', '2026-07-01'], 1],
    ['stats', () => ['stats', at('plan.xlsx'), '--as-of', '2026-07-01'], 0],
    ['digest', () => ['digest', at('plan.xlsx'), '--as-of', '2026-07-01', '--out', at('mail')], 0],
    ['report', () => ['report', at('plan.xlsx'), '--out', at('report.docx')], 0],
    ['init', () => ['init', at('again.xlsx')], 0],
  ])('%s loads neither firebase-admin nor Firestore nor googleapis', (_name, args, code) => {
    const run = loadedBy(args());
    expect(run.code).toBe(code);
    expect(run.loaded).toEqual([]);
  });

  it('the watch does see them when they are loaded', () => {
    const importing = ['--input-type=module', '--eval', "import 'firebase-admin/firestore';"];
    const run = spawnSync(process.execPath, ['--import', at('watch.mjs'), ...importing], {
      encoding: 'utf8',
      cwd: resolve(import.meta.dirname, '../..'),
    });
    expect(run.stderr).toMatch(/\[loaded\] .*"firebase-admin".*"@google-cloud\/firestore"/);
  });
});
