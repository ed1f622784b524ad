/** Progress on large inputs (issue 8, item 4): one redrawn line on a terminal, plain lines elsewhere. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LARGE_INPUT_BYTES, streamProgress } from '../../adapters/terminal/progress';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian, json } from './run-cli';

function recorder(isTTY: boolean) {
  const written: string[] = [];
  return { stream: { isTTY, write: (text: string) => written.push(text) }, written };
}

describe('streamProgress', () => {
  it('on a terminal redraws one line, at most every 100 ms, and clears it at the end', () => {
    const { stream, written } = recorder(true);
    let clock = 0;
    const progress = streamProgress(stream, () => clock);
    progress.rows('活动', 5_000, false);
    clock = 50;
    progress.rows('活动', 10_000, false); // too soon: not drawn
    clock = 200;
    progress.rows('活动', 15_000, false);
    progress.rows('活动', 17_123, true); // the tab's end is always drawn
    progress.end();
    expect(written).toEqual([
      '\r\x1b[K读取“活动”：5,000 行 / reading "活动": 5,000 rows',
      '\r\x1b[K读取“活动”：15,000 行 / reading "活动": 15,000 rows',
      '\r\x1b[K读取“活动”：17,123 行 / reading "活动": 17,123 rows',
      '\r\x1b[K',
    ]);
    expect(written.join('')).not.toContain('\n');
  });

  it('elsewhere writes plain lines: every 50,000 rows and each tab read', () => {
    const { stream, written } = recorder(false);
    const progress = streamProgress(stream, () => 0);
    for (let rows = 5_000; rows <= 120_000; rows += 5_000) progress.rows('活动', rows, false);
    progress.rows('活动', 123_456, true);
    progress.end();
    expect(written).toEqual([
      '[进度] 读取“活动”：50,000 行 / [progress] reading "活动": 50,000 rows\n',
      '[进度] 读取“活动”：100,000 行 / [progress] reading "活动": 100,000 rows\n',
      '[进度] 已读取“活动” 123,456 行 / [progress] read "活动": 123,456 rows\n',
    ]);
  });
});

describe('streamProgress for a command over many plans (gongjian rollup)', () => {
  it('says which plan of how many is begun: a line each elsewhere, the redrawn line on a terminal', () => {
    const plain = recorder(false);
    const progress = streamProgress(plain.stream, () => 0);
    progress.plan(1, 1_200, 'a.xlsx');
    progress.plan(2, 1_200, '街道/b.xlsx');
    expect(plain.written).toEqual([
      '[进度] 汇总 1/1,200：a.xlsx / [progress] rolling up 1/1,200: a.xlsx\n',
      '[进度] 汇总 2/1,200：街道/b.xlsx / [progress] rolling up 2/1,200: 街道/b.xlsx\n',
    ]);
    const tty = recorder(true);
    const drawn = streamProgress(tty.stream, () => 0);
    drawn.plan(1, 2, 'a.xlsx');
    drawn.plan(2, 2, 'b.xlsx'); // at once: a new plan is always drawn
    drawn.end();
    expect(tty.written).toEqual([
      '\r\x1b[K汇总 1/2：a.xlsx / rolling up 1/2: a.xlsx',
      '\r\x1b[K汇总 2/2：b.xlsx / rolling up 2/2: b.xlsx',
      '\r\x1b[K',
    ]);
  });
});

describe('gongjian on a large input', () => {
  const folder = tempFolder();
  afterAll(() => folder.remove());

  it('shows plain progress lines on stderr when it is not a terminal, and keeps stdout the report', () => {
    const dir = join(folder.dir, 'large');
    mkdirSync(dir);
    const lines = ['日期,关联事项,活动名称,备注'];
    const note = '社区共建活动记录备注'.repeat(6);
    for (let r = 0; r < 20_000; r++) lines.push(`2026-03-05,M1,活动${r},${note}`);
    const text = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(LARGE_INPUT_BYTES);
    writeFileSync(join(dir, '活动.csv'), text);
    const run = gongjian(['stats', dir, '--as-of', '2026-06-30', '--json']);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      '[进度] 已读取“活动” 20,000 行 / [progress] read "活动": 20,000 rows',
    ]);
    expect(json<{ asOf: string }>(run).asOf).toBe('2026-06-30');
  });

  it('shows none on a small input', () => {
    const dir = join(folder.dir, 'small');
    mkdirSync(dir);
    writeFileSync(join(dir, '活动.csv'), '日期,关联事项,活动名称\n2026-03-05,M1,活动\n');
    expect(gongjian(['validate', dir, '--as-of', '2026-06-30']).stderr).toBe('');
  });
});
