/**
 * The mass-deletion guard in the local stack, as staff meet it: `npm start` watches the sample
 * workbook; someone clears the 活动 tab and saves; the stack deletes nothing, prints the sentence and
 * the command that confirms, and 汇总 and 校验 in the workbook say the figures still include the
 * rows. `gongjian confirm-deletions PATH` (the real binary, through the running stack's API)
 * confirms; the stack syncs again at once and the activities are gone from the statistics.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeSample } from '../../adapters/workbook/sample';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian } from '../cli/run-cli';
import { startStack } from './run-start';

const folder = tempFolder();
afterAll(() => folder.remove());

async function readBook(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

/** 汇总's value for a key, and every 待确认删除 note. */
async function overview(path: string): Promise<{ activities: unknown; pending: string[] }> {
  const sheet = (await readBook(path)).getWorksheet('汇总');
  if (!sheet) throw new Error('no 汇总 yet');
  let activities: unknown;
  const pending: string[] = [];
  sheet.eachRow((row) => {
    const [key, value] = (row.values as unknown[]).slice(1);
    if (key === '活动次数') activities = value;
    if (key === '待确认删除') pending.push(String(value));
  });
  return { activities, pending };
}

describe('npm start: a cleared 活动 tab', () => {
  it('deletes nothing until gongjian confirm-deletions, then the next sync deletes', async () => {
    const dir = join(folder.dir, 'cleared');
    mkdirSync(dir);
    const path = join(dir, 'plan.xlsx');
    await writeSample(path, 2026, '2026-06-30');
    const none = gongjian(['confirm-deletions', path]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('本地服务没有在运行');

    const stack = startStack([path]);
    try {
      await vi.waitFor(() => expect(stack.output()).toContain('正在监视'), {
        timeout: 180_000,
        interval: 200,
      });
      const before = await overview(path);
      expect(Number(before.activities)).toBeGreaterThan(10);
      expect(before.pending).toEqual([]);
      const nothing = gongjian(['confirm-deletions', path]);
      expect(nothing.code, nothing.stderr).toBe(2);
      expect(nothing.stderr).toContain('没有待确认的删除');

      // Staff select 活动's rows below the header, press Delete and save, as an office program saves:
      // a new file renamed over the old.
      const workbook = await readBook(path);
      const activities = workbook.getWorksheet('活动');
      if (!activities) throw new Error('no 活动');
      for (let row = 2; row <= activities.rowCount; row++) {
        activities.getRow(row).eachCell((cell) => {
          cell.value = null;
        });
      }
      await workbook.xlsx.writeFile(`${path}.saving`);
      renameSync(`${path}.saving`, path);

      const sentence = /本次同步将删除「活动」中的 (\d+) 行（共 (\d+) 行）。如确属有意，请确认后再同步。/;
      await vi.waitFor(() => expect(stack.output()).toMatch(sentence), { timeout: 120_000, interval: 200 });
      const [, count, total] = sentence.exec(stack.output()) ?? [];
      expect(count).toBe(total);
      expect(stack.output()).toContain(`npx gongjian confirm-deletions ${path}`);
      expect(stack.output()).toMatch(/记录写入：新增 0 · 更新 0 · 删除 0/);
      // The figures still count the rows, and the workbook says why.
      const held = await vi.waitFor(
        async () => {
          const now = await overview(path);
          expect(now.pending).toHaveLength(1);
          return now;
        },
        { timeout: 60_000, interval: 500 },
      );
      expect(held.activities).toBe(before.activities);
      expect(held.pending[0]).toContain(`「活动」中的 ${count} 行（共 ${total} 行）`);
      const validation = (await readBook(path)).getWorksheet('校验');
      const codes: unknown[] = [];
      validation?.eachRow((row) => codes.push((row.values as unknown[])[5]));
      expect(codes).toContain('deletion_pending');

      const confirmed = gongjian(['confirm-deletions', path]);
      expect(confirmed.code, confirmed.stderr).toBe(0);
      expect(confirmed.stdout).toContain(`已确认删除「活动」中的 ${count} 行（共 ${total} 行）`);

      // The stack syncs again by itself: the activities go, from the store and the statistics.
      await vi.waitFor(() => expect(stack.output()).toContain(`删除 ${count}`), {
        timeout: 120_000,
        interval: 200,
      });
      await vi.waitFor(
        async () => {
          const now = await overview(path);
          expect(now.pending).toEqual([]);
          expect(now.activities).toBe(0);
        },
        { timeout: 60_000, interval: 500 },
      );
      const again = gongjian(['confirm-deletions', path]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('没有待确认的删除');
    } finally {
      stack.child.kill('SIGINT');
      await stack.exited;
    }
  }, 420_000);
});
