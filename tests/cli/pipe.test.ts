/**
 * `gongjian … | head -1`: the reader closes the pipe after the first line. That is the reader's
 * choice, so the CLI ends quietly — no unhandled EPIPE, no stack trace.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../adapters/workbook/helpers';

const BIN = resolve(import.meta.dirname, '../../bin/gongjian.js');
const folder = tempFolder();
afterAll(() => folder.remove());

describe('a reader that stops early', () => {
  it('ends the CLI quietly, with nothing on stderr', () => {
    // 20,000 rejected activities: a JSON report far larger than a pipe's buffer.
    const dir = join(folder.dir, 'big');
    mkdirSync(dir);
    writeFileSync(join(dir, '计划.csv'), '编号,类别,事项\n4.1,党建共商,召开联席会议\n');
    const rows = Array.from({ length: 20_000 }, (_, i) => `不是日期${i},4.1,活动${i}`);
    writeFileSync(join(dir, '活动.csv'), `日期,关联事项,活动名称\n${rows.join('\n')}\n`);
    // A shell pipe, exactly as a person types it; `set -o pipefail` is off, so the pipeline's code
    // is head's, and stderr of the CLI is captured on its own.
    const script = `"${process.execPath}" "${BIN}" validate "${dir}" --json 2>"${join(folder.dir, 'err.txt')}" | head -1`;
    const first = execFileSync('bash', ['-c', script], { encoding: 'utf8' });
    expect(first.trim()).toBe('{');
    const stderr = readFileSync(join(folder.dir, 'err.txt'), 'utf8');
    expect(stderr).not.toMatch(/EPIPE|Error|at /);
  });
});
