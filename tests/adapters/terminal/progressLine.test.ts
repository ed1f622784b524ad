/** The progress line of long work: rewritten in place on a terminal, plain lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../adapters/terminal/progress';

function output(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) } };
}

/** Writes a read step, 1,000 counted updates at the given interval, then a last step. */
function run(isTTY: boolean, msBetweenUpdates: number) {
  const { written, stream } = output(isTTY);
  let clock = 0;
  const line = progressLine(stream, () => clock);
  line.update('read', '读取工作簿：1,000 行');
  for (let n = 1; n <= 1000; n++) {
    clock += msBetweenUpdates;
    line.update('writing', `写入记录 ${n} / 1000`, n / 1000);
  }
  line.update('statistics', '重算统计…');
  line.done();
  return written;
}

describe('progressLine', () => {
  it('on a terminal rewrites one line, at most ten times a second, always showing the last count', () => {
    const written = run(true, 1);
    expect(written.every((text) => text.startsWith('\r\x1b[K') || text === '\n')).toBe(true);
    expect(written.filter((text) => text === '\n')).toHaveLength(1);
    const counts = written.filter((text) => text.includes('写入记录'));
    // 1,000 updates over one second: the first, about one per 100 ms, and the 1,000th.
    expect(counts.length).toBeGreaterThanOrEqual(10);
    expect(counts.length).toBeLessThanOrEqual(13);
    expect(counts.at(-1)).toContain('1000 / 1000');
    expect(written.at(-2)).toContain('重算统计');
  });

  it('elsewhere prints plain lines: each step once, counts at each quarter', () => {
    const written = run(false, 1);
    expect(written.every((text) => text.endsWith('\n') && !text.includes('\r'))).toBe(true);
    expect(written.map((text) => text.trim())).toEqual([
      '读取工作簿：1,000 行',
      '写入记录 1 / 1000',
      '写入记录 250 / 1000',
      '写入记录 500 / 1000',
      '写入记录 750 / 1000',
      '写入记录 1000 / 1000',
      '重算统计…',
    ]);
  });
});
