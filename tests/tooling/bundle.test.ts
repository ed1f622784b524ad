/**
 * The deployable functions folder, loaded the way Cloud Functions loads it: built by
 * scripts/build-functions.mjs into a fresh directory outside the repository, given only the
 * packages its own package.json declares (and what those need), then imported in a child `node`
 * with an empty environment and read by firebase-functions' own manifest loader, which is what
 * `firebase deploy` runs to discover the functions — once for each mail sender the build can be
 * told to deploy (GONGJIAN_MAIL_SENDER): with the extension, no mail function and no secret.
 *
 * No network: the declared packages come from the root node_modules that `npm ci` installed,
 * resolved package by package the way Node resolves them and hard-linked (copied when the
 * temporary directory is on another file system) into the same nested layout.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../functions/src/config';
import { REGION } from '../../functions/src/region';

const ROOT = resolve(import.meta.dirname, '../..');
const DEV_ONLY = [
  'vitest',
  'hyperformula',
  'fast-check',
  'esbuild',
  'typescript',
  'iconv-lite',
  '@biomejs/biome',
];
const WRITTEN = 'google.cloud.firestore.document.v1.written';

type MailSender = 'builtin' | 'extension';
const ENTRIES: Record<MailSender, string> = {
  builtin: 'functions/src/index.ts',
  extension: 'functions/src/indexExtension.ts',
};
/** Our sender's functions: the only ones that need the SMTP_URL secret. */
const SENDER_FUNCTIONS = ['onMailWritten', 'sweepMail'];
/** Deployed only beside the extension: it redacts what the extension delivered (our sender does so itself). */
const EXTENSION_FUNCTIONS = ['onMailDelivered'];

/** What each deployed function must declare; every other export of index.ts needs an endpoint too. */
const EXPECTED_TRIGGERS: Record<string, { http: true } | { document: string } | { schedule: string }> = {
  api: { http: true },
  form: { http: true },
  onMailWritten: { document: 'mail/{docId}' },
  onMailDelivered: { document: 'mail/{docId}' },
  sendEmails: { schedule: '0 * * * *' },
  sweepMail: { schedule: 'every 5 minutes' },
  sweepStats: { schedule: 'every 5 minutes' },
  onPlanWritten: { document: 'plans/{planId}' },
  onLedgerRequested: { document: 'plans/{planId}/ledgers/{jobId}' },
};

interface PackageManifest {
  type?: string;
  main?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface Endpoint {
  platform?: string;
  region?: string[];
  entryPoint?: string;
  httpsTrigger?: { invoker?: string[] };
  scheduleTrigger?: { schedule?: string; timeZone?: string };
  secretEnvironmentVariables?: { key: string }[];
  eventTrigger?: {
    eventType: string;
    eventFilters?: Record<string, string>;
    eventFilterPathPatterns?: Record<string, string>;
    retry?: boolean;
  };
}

interface ProbeReport {
  exports: Record<string, { type: string; endpoint: Endpoint | null }>;
  network: string[];
  resources: string[];
  adminApps: number;
  resolvable: Record<string, boolean>;
  importMs: number;
  node: string;
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The names an entry file re-exports, following `export *`: what `firebase deploy` should find. */
function exportedNames(entry: string): string[] {
  const source = readFileSync(join(ROOT, entry), 'utf8');
  const named = [...source.matchAll(/export\s*\{([^}]+)\}\s*from/g)]
    .flatMap((match) => (match[1] ?? '').split(','))
    .map(
      (name) =>
        name
          .trim()
          .split(/\s+as\s+/)
          .pop() ?? '',
    )
    .filter((name) => name !== '');
  const starred = [...source.matchAll(/export\s*\*\s*from\s*'([^']+)'/g)].flatMap((match) =>
    exportedNames(`${join(dirname(entry), match[1] ?? '')}.ts`),
  );
  return [...named, ...starred].sort();
}

/** The installed copy of `name` that code in `fromDir` would load (Node's node_modules walk). */
function findInstalled(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dir === dirname(dir)) return undefined;
  }
}

/** Every installed package directory the declared dependencies need, transitively. */
function dependencyClosure(declared: string[]): string[] {
  const found = new Set<string>();
  const queue = declared.map((name) => ({ name, from: ROOT, optional: false }));
  for (let next = queue.pop(); next; next = queue.pop()) {
    const dir = findInstalled(next.name, next.from);
    if (!dir) {
      if (next.optional) continue;
      throw new Error(
        `${next.name} (needed by ${relative(ROOT, next.from) || 'package.json'}) is not installed: run npm ci`,
      );
    }
    if (found.has(dir)) continue;
    found.add(dir);
    const manifest = readJson<PackageManifest>(join(dir, 'package.json'));
    for (const name of Object.keys(manifest.dependencies ?? {}))
      queue.push({ name, from: dir, optional: false });
    // npm installs peers too; an absent one was satisfied some other way when npm ci ran.
    for (const name of Object.keys({ ...manifest.optionalDependencies, ...manifest.peerDependencies }))
      queue.push({ name, from: dir, optional: true });
  }
  return [...found];
}

/** Mirrors one package directory (without its nested node_modules), hard-linking where it can. */
function mirror(from: string, to: string, state: { link: boolean; files: number }, skip?: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (source === skip) continue;
    if (entry.isDirectory()) mirror(source, target, state);
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else if (entry.isFile()) {
      state.files += 1;
      if (state.link) {
        try {
          linkSync(source, target);
          continue;
        } catch {
          state.link = false; // another file system: copy from now on
        }
      }
      copyFileSync(source, target);
    }
  }
}

/** Installs exactly the app's declared dependencies into its node_modules, offline. */
function installDeclared(appDir: string): { packages: number; files: number; linked: boolean; ms: number } {
  const started = performance.now();
  const declared = Object.keys(readJson<PackageManifest>(join(appDir, 'package.json')).dependencies ?? {});
  const packages = dependencyClosure(declared);
  const state = { link: true, files: 0 };
  for (const dir of packages)
    mirror(dir, join(appDir, relative(ROOT, dir)), state, join(dir, 'node_modules'));
  return {
    packages: packages.length,
    files: state.files,
    linked: state.link,
    ms: performance.now() - started,
  };
}

/** Runs in the app directory: traps network calls, imports the bundle, reports what it found. */
const PROBE = `
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
const network = [];
const trap = (owner, key, label) => {
  const original = owner[key];
  owner[key] = function (...args) { network.push(label); return original.apply(this, args); };
};
trap(net.Socket.prototype, 'connect', 'net.Socket#connect');
trap(dns, 'lookup', 'dns.lookup');
trap(dns, 'resolve', 'dns.resolve');
trap(dns.promises, 'lookup', 'dns.promises.lookup');
trap(dgram, 'createSocket', 'dgram.createSocket');
if (globalThis.fetch) trap(globalThis, 'fetch', 'fetch');

// Opening the standard streams creates their handles; a logger checking isTTY is no I/O.
void process.stdout.isTTY;
void process.stderr.isTTY;
const before = process.getActiveResourcesInfo();
const started = performance.now();
const bundle = await import('./index.js');
const importMs = performance.now() - started;
// Whatever the import left running (file reads of the module loader itself aside).
const resources = process.getActiveResourcesInfo()
  .filter((type) => !/^(FSReq|CloseReq|FileHandle)/.test(type))
  .filter((type) => { const i = before.indexOf(type); if (i < 0) return true; before.splice(i, 1); return false; });
const { getApps } = await import('firebase-admin/app');
const resolvable = {};
for (const name of ${JSON.stringify(DEV_ONLY)}) {
  try { import.meta.resolve(name); resolvable[name] = true; } catch { resolvable[name] = false; }
}
const exports = {};
for (const [name, value] of Object.entries(bundle)) {
  exports[name] = { type: typeof value, endpoint: value?.__endpoint ?? null };
}
process.stdout.write('PROBE ' + JSON.stringify({ exports, network, resources, adminApps: getApps().length, resolvable, importMs, node: process.version }) + '\\n');
`;

function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}

/** The functions a build for this mail sender deploys. */
function expectedFunctions(mailSender: MailSender): string[] {
  return Object.keys(EXPECTED_TRIGGERS)
    .filter((name) =>
      mailSender === 'builtin' ? !EXTENSION_FUNCTIONS.includes(name) : !SENDER_FUNCTIONS.includes(name),
    )
    .sort();
}

function expectTrigger(name: string, endpoint: Endpoint | null | undefined): void {
  expect(endpoint, `${name} carries no __endpoint`).toBeTruthy();
  expect(endpoint?.platform).toBe('gcfv2');
  expect(endpoint?.region).toEqual([REGION]);
  const expected = EXPECTED_TRIGGERS[name];
  if (!expected) return;
  if ('http' in expected) {
    expect(endpoint?.httpsTrigger, `${name} is not an HTTPS function`).toBeDefined();
    expect(endpoint?.eventTrigger).toBeUndefined();
  } else if ('schedule' in expected) {
    expect(endpoint?.scheduleTrigger).toMatchObject({
      schedule: expected.schedule,
      timeZone: 'Asia/Shanghai',
    });
  } else {
    expect(endpoint?.eventTrigger).toMatchObject({
      eventType: WRITTEN,
      eventFilters: { database: '(default)', namespace: '(default)' },
      eventFilterPathPatterns: { document: expected.document },
    });
  }
}

/** Builds the functions for a mail sender into `outdir`. */
function buildFunctions(outdir: string, mailSender: string) {
  return spawnSync(process.execPath, ['scripts/build-functions.mjs', '--outdir', outdir], {
    cwd: ROOT,
    env: { ...process.env, GONGJIAN_MAIL_SENDER: mailSender },
    encoding: 'utf8',
  });
}

it('refuses a mail sender it does not know, in Chinese and English', () => {
  const work = mkdtempSync(join(tmpdir(), 'gongjian-deploy-'));
  try {
    const build = buildFunctions(join(work, 'app'), 'smtp');
    expect(build.status).toBe(1);
    expect(build.stderr).toContain('GONGJIAN_MAIL_SENDER 应为 builtin 或 extension');
    expect(build.stderr).toContain('must be builtin or extension (got "smtp")');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

describe.each(['builtin', 'extension'] as const)(
  'the deployable functions bundle (mail sender: %s)',
  (mailSender) => {
    const entry = ENTRIES[mailSender];
    let work: string;
    let app: string;
    let manifest: PackageManifest;
    let bundleText: string;
    let install: ReturnType<typeof installDeclared>;

    beforeAll(() => {
      work = mkdtempSync(join(tmpdir(), 'gongjian-deploy-'));
      app = join(work, 'app');
      const build = buildFunctions(app, mailSender);
      if (build.status !== 0) throw new Error(`build-functions failed:\n${build.stdout}${build.stderr}`);
      manifest = readJson<PackageManifest>(join(app, 'package.json'));
      // The entry and the chunks behind its dynamic imports: everything that may be loaded.
      const chunks = existsSync(join(app, 'chunks'))
        ? readdirSync(join(app, 'chunks')).filter((name) => name.endsWith('.js'))
        : [];
      bundleText = [join(app, 'index.js'), ...chunks.map((name) => join(app, 'chunks', name))]
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      install = installDeclared(app);
    }, 120_000);

    afterAll(() => {
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('has a package.json Cloud Functions can install: ESM, main index.js, Node 22, firebase-admin 13', () => {
      expect(manifest.type).toBe('module');
      expect(manifest.main).toBe('index.js');
      expect(manifest.engines).toEqual({ node: '22' });
      expect(manifest.devDependencies).toBeUndefined();
      expect(manifest.dependencies?.['firebase-admin']).toMatch(/^\^?13\./);
      expect(manifest.dependencies?.['firebase-functions']).toBeDefined();
      for (const name of DEV_ONLY)
        expect(manifest.dependencies?.[name], `${name} is a dev dependency`).toBeUndefined();
    });

    it('declares exactly the packages the bundle imports, at the versions npm ci installed', () => {
      const specifiers = [
        ...bundleText.matchAll(/(?:^|[\s;])(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/gm),
        ...bundleText.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/gm),
        ...bundleText.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
      ].map((match) => match[1] ?? '');
      const external = specifiers.filter(
        (s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'),
      );
      const imported = [...new Set(external.map(packageOf))].sort();
      expect(imported).toEqual(Object.keys(manifest.dependencies ?? {}).sort());
      for (const name of DEV_ONLY) expect(imported).not.toContain(name);

      const lock = readJson<{ packages: Record<string, { version?: string }> }>(
        join(ROOT, 'package-lock.json'),
      );
      for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
        expect(version, name).toBe(lock.packages[`node_modules/${name}`]?.version);
      }
    });

    it('installs its declared dependencies offline, quickly', () => {
      // Printed so the test log shows the cost; the suite's own timeout bounds it.
      console.log(
        `deploy bundle: ${(bundleText.length / 1024).toFixed(1)} KiB; installed ${install.packages} packages, ` +
          `${install.files} files (${install.linked ? 'hard-linked' : 'copied'}) in ${install.ms.toFixed(0)} ms`,
      );
      expect(install.ms).toBeLessThan(60_000);
      expect(existsSync(join(app, 'node_modules/firebase-admin/package.json'))).toBe(true);
    });

    it('imports in a clean directory with an empty environment, exports every function, does no I/O', () => {
      // The empty environment the child gets would not even parse: only the lazy runtime makes
      // importing safe.
      expect(() => parseConfig({})).toThrow(ConfigError);
      writeFileSync(join(app, 'probe.mjs'), PROBE);
      const child = spawnSync(process.execPath, ['probe.mjs'], {
        cwd: app,
        env: {},
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.status, `probe failed or hung:\n${child.stderr}`).toBe(0);
      const line = child.stdout.split('\n').find((l) => l.startsWith('PROBE '));
      expect(line, child.stdout + child.stderr).toBeDefined();
      const report = JSON.parse((line ?? '').slice('PROBE '.length)) as ProbeReport;
      // Nothing else printed: the runtime (which logs its config when built) was not built.
      expect(child.stdout.trim()).toBe(line);
      expect(child.stderr).toBe('');

      expect(Object.keys(report.exports).sort()).toEqual(exportedNames(entry));
      for (const name of expectedFunctions(mailSender)) expect(report.exports).toHaveProperty(name);
      // Imported by the Node that runs the suite: .ci/run runs it on Node 20 and on Node 22.
      expect(report.node).toBe(process.version);
      for (const [name, { type, endpoint }] of Object.entries(report.exports)) {
        expect(type, name).toBe('function');
        expectTrigger(name, endpoint);
      }
      expect(report.network).toEqual([]);
      expect(report.resources).toEqual([]);
      expect(report.adminApps).toBe(0);
      // Isolated for real: the repository's dev dependencies are out of reach.
      for (const name of DEV_ONLY) expect(report.resolvable[name], name).toBe(false);
    });

    it('loads every chunk behind a dynamic import too, as the first run of a schedule or trigger does', () => {
      const chunks = readdirSync(join(app, 'chunks')).filter((name) => name.endsWith('.js'));
      expect(chunks.length).toBeGreaterThan(0);
      const child = spawnSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `for (const name of ${JSON.stringify(chunks)}) await import('./chunks/' + name);`,
        ],
        { cwd: app, env: {}, encoding: 'utf8', timeout: 30_000 },
      );
      // E.g. a JSON module imported without its attribute fails here, not in the index import.
      expect(child.status, child.stderr).toBe(0);
    });

    it("is what firebase-functions' manifest loader (firebase deploy's discovery) finds", () => {
      const out = join(work, 'functions.json');
      const child = spawnSync(
        process.execPath,
        ['node_modules/firebase-functions/lib/bin/firebase-functions.js'],
        {
          cwd: app,
          env: { FUNCTIONS_MANIFEST_OUTPUT_PATH: out },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(child.status, child.stderr).toBe(0);
      const wire = readJson<{ endpoints: Record<string, Endpoint> }>(out);
      expect(Object.keys(wire.endpoints).sort()).toEqual(exportedNames(entry));
      expect(Object.keys(wire.endpoints).sort()).toEqual(expectedFunctions(mailSender));
      for (const [name, endpoint] of Object.entries(wire.endpoints)) {
        expect(endpoint.entryPoint).toBe(name);
        expectTrigger(name, endpoint);
        // firebase deploy checks every declared secret has a version: only our sender declares one.
        const secrets = (endpoint.secretEnvironmentVariables ?? []).map((secret) => secret.key);
        expect(secrets, name).toEqual(SENDER_FUNCTIONS.includes(name) ? ['SMTP_URL'] : []);
      }
      if (mailSender === 'extension') expect(readFileSync(out, 'utf8')).not.toMatch(/secret|SMTP_URL/i);
    });

    it('refuses to load with a development token under production settings, saying why in the log', () => {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', "await import('./index.js')"], {
        cwd: app,
        env: { GCLOUD_PROJECT: 'demo-gongjian', GONGJIAN_DEV_TOKEN: 'a-development-token-0123456789' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(child.status).not.toBe(0);
      expect(child.stderr).toContain('Refusing to start: GONGJIAN_DEV_TOKEN is only allowed in development');
      expect(child.stderr).not.toContain('a-development-token-0123456789');
    });
  },
);
