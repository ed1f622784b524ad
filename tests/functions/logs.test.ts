/**
 * Logs are named events (functions/src/logs.ts): on Cloud Functions one structured JSON entry per
 * event, which Cloud Logging reads (severity, message, and the event's name and fields in
 * jsonPayload); in the local stack the event's readable line. The Cloud Functions form is checked
 * in a child process, as Cloud Functions runs it — through firebase-functions' logger on the real
 * stdout/stderr, not vitest's captured console.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { lineLog, logs } from '../../functions/src/logs';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'gongjian-logs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('named log events', () => {
  it('the local stack writes each event as its readable sentence', () => {
    const lines: string[] = [];
    const log = lineLog((line) => lines.push(line));
    log(logs.statsRefreshed('p1', 7, '2026-06-15'));
    log(logs.rowsKeptForRetry('p1', new Error('磁盘已满')));
    expect(lines).toEqual([
      '统计已更新 plan=p1 version=7 asOf=2026-06-15',
      '填报行写入工作簿失败，已保留待重试 plan=p1：磁盘已满 / rows kept queued for a retry',
    ]);
  });

  it('every event has a stable snake_case name, and no two share one', () => {
    const source = readFileSync(join(root, 'functions/src/logs.ts'), 'utf8');
    const names = [...source.matchAll(/\bat\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(Object.keys(logs).length);
    for (const name of names) expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(new Set(names).size).toBe(names.length);
  });

  it('on Cloud Functions each event is one JSON entry with its severity, name and fields', async () => {
    const entry = join(scratch, 'emit.ts');
    const bundle = join(scratch, 'emit.cjs');
    writeFileSync(
      entry,
      `import { cloudLog, logs } from ${JSON.stringify(join(root, 'functions/src/logs'))};
cloudLog(logs.statsRefreshed('p1', 7, '2026-06-15'));
cloudLog(logs.mailFailed('m1', 'ERROR', '550 mailbox unavailable'));
cloudLog(logs.versionMoveDeferred('p2', new Error('deadline exceeded')));
`,
    );
    await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'silent',
    });
    const run = spawnSync(process.execPath, [bundle], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const err = run.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    // INFO goes to stdout; WARNING and ERROR to stderr, as firebase-functions' logger routes them.
    expect(out).toEqual([
      {
        severity: 'INFO',
        message: '统计已更新 plan=p1 version=7 asOf=2026-06-15',
        event: 'stats_refreshed',
        planId: 'p1',
        version: 7,
        asOf: '2026-06-15',
      },
    ]);
    expect(err).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        event: 'mail_failed',
        docId: 'm1',
        error: '550 mailbox unavailable',
      }),
      expect.objectContaining({
        severity: 'WARNING',
        event: 'version_move_deferred',
        planId: 'p2',
        error: 'deadline exceeded',
      }),
    ]);
  });
});
