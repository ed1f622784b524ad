/**
 * The local database on disk (stack/dataDir.ts): an export becomes current only once it is whole,
 * so an export cut short (a kill mid-export) leaves the previous one current; and what the
 * emulator wrote with its own modes ends private (folders 0700, files 0600).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dataFolderOf } from '../../adapters/stackEndpoint';
import { LocalDataDir } from '../../stack/dataDir';
import type { FirestoreEmulator } from '../../stack/emulator';
import { tempFolder } from '../adapters/workbook/helpers';

const folder = tempFolder();
afterAll(() => folder.remove());

/** An emulator whose export writes the files the real one writes (with the modes a JVM leaves), or dies midway. */
function exportingEmulator(dies = false): FirestoreEmulator {
  return {
    async exportTo(into: string, name: string) {
      const kinds = join(into, name, 'all_namespaces', 'all_kinds');
      mkdirSync(kinds, { recursive: true, mode: 0o755 });
      writeFileSync(join(kinds, 'output-0'), 'documents', { mode: 0o644 });
      if (dies) throw new Error('read ECONNRESET');
      writeFileSync(join(kinds, 'all_namespaces_all_kinds.export_metadata'), 'm', { mode: 0o644 });
      writeFileSync(join(into, name, `${name}.overall_export_metadata`), 'm', { mode: 0o644 });
    },
  } as unknown as FirestoreEmulator;
}

function modes(path: string): number[] {
  const own = statSync(path).mode & 0o777;
  if (!statSync(path).isDirectory()) return [own];
  return [own, ...readdirSync(path).flatMap((entry) => modes(join(path, entry)))];
}

describe('the local database on disk', () => {
  it('makes an export current only once it is whole, and private', async () => {
    const workbook = join(folder.dir, 'plan.xlsx');
    const dataDir = await LocalDataDir.claim(workbook);
    expect(await dataDir.latestExport()).toBeUndefined();
    await dataDir.save(exportingEmulator());
    const first = await dataDir.latestExport();
    expect(first).toBeDefined();
    for (const mode of modes(dataFolderOf(workbook))) expect([0o700, 0o600]).toContain(mode);

    // Killed mid-export: the previous export stays current, and stays on disk.
    await expect(dataDir.save(exportingEmulator(true))).rejects.toThrow('ECONNRESET');
    expect(await dataDir.latestExport()).toBe(first);
    expect(statSync(first as string).isFile()).toBe(true);

    // The next whole export replaces both.
    await dataDir.save(exportingEmulator());
    const next = await dataDir.latestExport();
    expect(next).not.toBe(first);
    expect(readdirSync(dataFolderOf(workbook)).filter((e) => e.startsWith('export-'))).toHaveLength(1);
    await dataDir.release();
  });

  it('names every export anew on a clock that stands still, so a save never writes over the current one', async () => {
    const workbook = join(folder.dir, 'still.xlsx');
    const now = () => new Date('2025-11-03T04:00:00Z');
    const first = await LocalDataDir.claim(workbook, now);
    await first.save(exportingEmulator());
    const before = await first.latestExport();
    await first.release();
    // The next run counts its saves from one again, at the same instant.
    const second = await LocalDataDir.claim(workbook, now);
    await second.save(exportingEmulator());
    const after = await second.latestExport();
    expect(after).toMatch(/export-1762142400000-\d+/);
    expect(after).not.toBe(before);
    expect(readdirSync(dataFolderOf(workbook)).filter((e) => e.startsWith('export-'))).toHaveLength(1);
    await second.release();
  });
});
