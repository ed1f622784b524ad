/**
 * Scratch copies of parts of the repository, for the tests that plant a mistake and expect the
 * type-checker to refuse it (tests/tooling): a copy resolves packages from the repository's
 * node_modules, is type-checked as `npm run typecheck` does, and is removed after the test file.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll } from 'vitest';

/** The repository's root. */
export const root = resolve(import.meta.dirname, '../..');
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/**
 * A maker of scratch copies: `folders` (paths from the root) copied as they are, and a
 * tsconfig.json extending `config` (a tsconfig of the repository) over `include` (paths in the copy).
 */
export function useScratchCopies(
  prefix: string,
): (folders: string[], config: string, include: string[]) => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return (folders, config, include) => {
    const dir = mkdtempSync(join(tmpdir(), `gongjian-${prefix}-`));
    dirs.push(dir);
    for (const folder of folders) cpSync(join(root, folder), join(dir, folder), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ extends: join(root, config), include: include.map((path) => join(dir, path)) }),
    );
    return dir;
  };
}

/** A file's text with `insert` put after the first line containing `anchor` (which must be there). */
export function plant(dir: string, file: string, anchor: string, insert: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(anchor);
  if (at < 0) throw new Error(`${file}: no line with ${JSON.stringify(anchor)} to plant after`);
  const end = text.indexOf('\n', at) + 1;
  writeFileSync(path, `${text.slice(0, end)}${insert}\n${text.slice(end)}`);
}

/** The type-checker's verdict on a scratch copy: its exit status and error lines, paths made relative. */
export function typecheck(dir: string): { status: number | null; errors: string[] } {
  const run = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(dir, 'tsconfig.json')], {
    cwd: dir,
    encoding: 'utf8',
  });
  const errors = run.stdout
    .split('\n')
    .filter((line) => /error TS\d+/.test(line))
    .map((line) => line.replace(`${dir}/`, ''));
  return { status: run.status, errors };
}
