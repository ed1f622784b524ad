/**
 * The offline CLI loads no Firebase or Google API client (issue 10, item 4), and `validate` and
 * `stats` none of the packages only writing needs: each command runs the real binary with a
 * preload that logs every module it loads — each URL an import resolves to (a module hook), and at
 * exit every CommonJS file in the require cache (what those packages require among themselves).
 * Our own code is bundled (dist/, chunks split at each `await import`): the source map of each
 * loaded bundle file names the source modules in it, so a command's work (cli/commands/) loaded
 * by `--help`, or another command's, shows up too.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian } from './run-cli';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/gongjian.js');
const DIST = join(ROOT, 'dist');
const FIREBASE_AND_GOOGLE = [
  'firebase-admin',
  'firebase-functions',
  '@google-cloud/firestore',
  '@google-cloud/functions-framework',
  '@googleapis/sheets',
  'googleapis',
  'google-auth-library',
];
/** What writing a workbook, a .docx or an email needs (or a photo), and reading a workbook does not. */
const WRITING = ['exceljs', 'docx', '@resvg/resvg-js', 'nodemailer', 'sharp'];
/** Our modules that make documents, charts, emails and photos: no reading command needs them. */
const HEAVY_SOURCES = /^(adapters\/(report|charts|photos)|functions\/src\/mail|shared\/emails)\//;

const folder = tempFolder();
afterAll(() => folder.remove());
const at = (name: string) => join(folder.dir, name);

const HOOKS = `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(log, result.url + '\\n');
  return result;
}
`;
const WATCH = `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
const log = process.env.WATCH_LOG;
register(new URL('./hooks.mjs', import.meta.url), { data: { log } });
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(log, Object.keys(cache).join('\\n') + '\\n'));
`;

/**
 * The packages (from node_modules) a node process loaded, and our source modules (repository
 * paths) in the bundle files it loaded: `node --import watch.mjs ...args`.
 */
function packagesLoaded(args: string[]): {
  code: number | null;
  packages: Set<string>;
  sources: Set<string>;
} {
  const log = at('loaded.log');
  rmSync(log, { force: true });
  const run = spawnSync(process.execPath, ['--import', at('watch.mjs'), ...args], {
    encoding: 'utf8',
    cwd: resolve(import.meta.dirname, '../..'),
    env: { ...process.env, TZ: 'UTC', WATCH_LOG: log },
  });
  const packages = new Set<string>();
  const sources = new Set<string>();
  for (const line of new Set(readFileSync(log, 'utf8').split('\n'))) {
    const name = /\/node_modules\/((@[^/]+\/)?[^/]+)\//.exec(line.replace(/\\/g, '/'))?.[1];
    if (name !== undefined) packages.add(name);
    if (line.startsWith('file:') && line.startsWith(pathToFileURL(DIST).href) && line.endsWith('.js')) {
      const file = fileURLToPath(line);
      const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
      for (const source of map.sources)
        sources.add(relative(ROOT, resolve(dirname(file), source)).replace(/\\/g, '/'));
    }
  }
  return { code: run.status, packages, sources };
}

/** The command modules (cli/commands/<name>.ts, a command's work) among the sources loaded. */
const commandsIn = (sources: Set<string>) =>
  [...sources].filter((s) => s.startsWith('cli/commands/')).map((s) => s.slice('cli/commands/'.length));

describe('the offline CLI', () => {
  beforeAll(() => {
    writeFileSync(at('hooks.mjs'), HOOKS);
    writeFileSync(at('watch.mjs'), WATCH);
    expect(gongjian(['init', at('plan.xlsx'), '--year', '2026']).code).toBe(0);
  });

  it.each([
    ['validate', () => ['validate', at('plan.xlsx'), '--as-of', '2026-07-01'], 1],
    ['stats', () => ['stats', at('plan.xlsx'), '--as-of', '2026-07-01'], 0],
    ['digest', () => ['digest', at('plan.xlsx'), '--as-of', '2026-07-01', '--out', at('mail')], 0],
    ['report', () => ['report', at('plan.xlsx'), '--out', at('report.docx')], 0],
    ['init', () => ['init', at('again.xlsx')], 0],
    ['rollup', () => ['rollup', at('plan.xlsx'), '--out', at('rollup.xlsx')], 0],
    ['rollup --json', () => ['rollup', at('plan.xlsx'), '--as-of', '2026-07-01', '--json'], 0],
  ])('%s loads neither Firebase nor a Google API client', (name, args, code) => {
    const run = packagesLoaded([BIN, ...args()]);
    expect(run.code).toBe(code);
    expect(FIREBASE_AND_GOOGLE.filter((p) => run.packages.has(p))).toEqual([]);
    // Each command loads what it needs only: reading and counting need none of the writers.
    if (name === 'validate' || name === 'stats' || name === 'rollup --json') {
      expect(WRITING.filter((p) => run.packages.has(p))).toEqual([]);
      expect([...run.sources].filter((s) => HEAVY_SOURCES.test(s))).toEqual([]);
    }
    // The table (cli/registry.ts) loads a command's work when that command runs, and no other's
    // (rollup counts each plan as stats does).
    const own = `${name.split(' ')[0]}.ts`;
    const shared = own === 'rollup.ts' ? ['stats.ts'] : [];
    expect(commandsIn(run.sources).filter((c) => c !== own && !shared.includes(c))).toEqual([]);
    expect(commandsIn(run.sources)).toContain(own);
  });

  it('--help and --version load no package at all, and no command’s work', () => {
    for (const args of [['--help'], ['validate', '--help'], ['ledger', '--help'], ['--version']]) {
      const run = packagesLoaded([BIN, ...args]);
      expect(run.code).toBe(0);
      expect([...run.packages]).toEqual([]);
      // The sources are seen (the CLI's own modules), and none of them is a command's work.
      expect(run.sources).toContain('cli/run.ts');
      expect(commandsIn(run.sources)).toEqual([]);
      expect([...run.sources].filter((s) => HEAVY_SOURCES.test(s))).toEqual([]);
    }
  });

  it('a mistyped date loads no command’s work (the arguments are checked first)', () => {
    const run = packagesLoaded([BIN, 'ledger', at('plan.xlsx'), '--from', '2026-13-01']);
    expect(run.code).toBe(2);
    expect(commandsIn(run.sources)).toEqual([]);
  });

  it('the watch sees a package imported directly, and what it requires in turn', () => {
    const run = packagesLoaded([
      '--input-type=module',
      '--eval',
      "import 'firebase-admin/firestore'; import 'nodemailer';",
    ]);
    expect(run.code).toBe(0);
    for (const name of ['firebase-admin', '@google-cloud/firestore', 'google-gax', 'nodemailer'])
      expect(run.packages).toContain(name);
  });
});
