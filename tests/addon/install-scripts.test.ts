/**
 * npm 11 runs a dependency's install script only when package.json's `allowScripts` approves it,
 * and ends every install with a warning naming the packages it has no decision for. Every package
 * the lockfile marks `hasInstallScript` must have a decision, so a fresh `npm ci` prints nothing a
 * newcomer has to research, and the add-on's bundler must be among the approved.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync(resolve(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
};

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
const nameOf = (path: string) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

/** The allowScripts decision for a package: a pinned `name@version` entry, else a name-only one. */
function decision(name: string, version: string | undefined): boolean | undefined {
  const policy = manifest.allowScripts ?? {};
  return policy[`${name}@${version}`] ?? policy[name];
}

describe('install scripts', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript)
    .map(([path, entry]) => ({ name: nameOf(path), version: entry.version }));

  it('every dependency with an install script has an allowScripts decision', () => {
    expect(withScripts.length).toBeGreaterThan(0);
    const undecided = withScripts.filter(({ name, version }) => decision(name, version) === undefined);
    expect(undecided).toEqual([]);
  });

  it('esbuild may link its platform binary; the others need nothing their scripts do', () => {
    expect(decision('esbuild', withScripts.find((p) => p.name === 'esbuild')?.version)).toBe(true);
    // @firebase/util: web-app auto-config from FIREBASE_WEBAPP_CONFIG (may fetch over the network);
    // the admin SDK never reads it, and the package ships the empty default the script would write.
    expect(decision('@firebase/util', undefined)).toBe(false);
    // protobufjs: only prints a warning about its dependents' version ranges.
    expect(decision('protobufjs', undefined)).toBe(false);
  });

  it('keeps no decision for a package that is no longer installed with a script', () => {
    const names = new Set(withScripts.map((p) => p.name));
    const stale = Object.keys(manifest.allowScripts ?? {}).filter(
      (entry) => !names.has(entry.replace(/(?<=.)@[^@]*$/, '')),
    );
    expect(stale).toEqual([]);
  });
});
