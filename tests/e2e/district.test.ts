/**
 * `npm start -- --district DIR` end to end, as a 街道 runs it: the real bundled entry over a folder
 * of three communities' workbooks, the real emulator and triggers. One community saves; the
 * folder's 街道汇总.xlsx follows (the test waits for the file to change, no fixed pause), and its
 * row for that community is `gongjian stats --json` on the saved workbook. With `--viewer`, the
 * start sends the latest month's 街道月报 to the folder's outbox.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeTabs } from '../../adapters/workbook/sample';
import { writeXlsx } from '../../adapters/workbook/xlsx';
import { generateWorkbook } from '../../bench/generate';
import { MEASURE_STATE_LABELS, STATUS_LABELS } from '../../shared/i18n';
import type { Stats } from '../../shared/stats-types';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian, json } from '../cli/run-cli';
import { type StackRun, startStack, stopStack } from './run-start';

const folder = tempFolder();
afterAll(() => folder.remove());

const COMMUNITIES = ['东区.xlsx', '南区.xlsx', '西区.xlsx'];
const VIEWER = 'leader@jiedao.example.cn';

/** 社区总览's community rows by 文件, each a map from header to value; undefined while being replaced. */
async function overview(path: string): Promise<Map<string, Record<string, unknown>> | undefined> {
  if (!existsSync(path)) return undefined;
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch {
    return undefined;
  }
  const sheet = workbook.getWorksheet('社区总览');
  if (!sheet) return undefined;
  const header = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? ''));
  const rows = new Map<string, Record<string, unknown>>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells: Record<string, unknown> = {};
    header.forEach((name, column) => {
      if (name !== '') cells[name] = row.getCell(column).value;
    });
    if (typeof cells.文件 === 'string' && cells.文件 !== '') rows.set(cells.文件, cells);
  });
  return rows;
}

/** Cancels the first measure not cancelled yet, as a person does in Excel: the file is replaced. */
async function cancelOneMeasure(path: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const sheet = workbook.getWorksheet('计划');
  if (!sheet) throw new Error('no 计划 tab');
  const status = (sheet.getRow(1).values as unknown[]).indexOf('状态');
  for (let n = 2; n <= sheet.rowCount; n++) {
    const cell = sheet.getRow(n).getCell(status);
    if (String(cell.value ?? '') !== MEASURE_STATE_LABELS.cancelled) {
      cell.value = MEASURE_STATE_LABELS.cancelled;
      break;
    }
  }
  const temporary = `${path}.saving`;
  await workbook.xlsx.writeFile(temporary);
  renameSync(temporary, path);
}

function statsOf(path: string): Stats {
  return json<Stats>(gongjian(['stats', path, '--as-of', todayIn(new Date()), '--json']));
}

describe('npm start -- --district DIR', () => {
  it('keeps DIR/街道汇总.xlsx current: one community saves, its row follows', async () => {
    const dir = join(folder.dir, '和平街道');
    mkdirSync(dir);
    for (const [i, name] of COMMUNITIES.entries()) {
      await writeXlsx(
        join(dir, name),
        writeTabs(generateWorkbook({ seed: 100 + i, measures: 12, partners: 5, activities: 60 })),
      );
    }
    const rollupPath = join(dir, '街道汇总.xlsx');
    let stack: StackRun | undefined;
    try {
      stack = startStack(['--district', dir, '--viewer', VIEWER]);
      const running = stack;
      // A stack that stops early fails the test at once, with what it printed.
      await Promise.race([
        vi.waitFor(() => expect(running.output()).toContain('正在监视'), { timeout: 240_000, interval: 250 }),
        running.exited.then((code) => {
          throw new Error(`npm start exited (${code}):\n${running.output()}`);
        }),
      ]);
      expect(running.output()).not.toMatch(/内部错误|Internal error/);
      expect(running.output()).toContain('已写入街道汇总（3 个社区）');
      // The latest month's 街道月报 went to the viewer, in the folder's outbox.
      const summaries = readdirSync(join(dir, 'outbox')).filter(
        (f) => f.startsWith('districtSummary') && f.endsWith('.eml'),
      );
      expect(summaries, running.output()).toHaveLength(1);
      const eml = readFileSync(join(dir, 'outbox', summaries[0] as string), 'utf8');
      expect(eml).toMatch(new RegExp(`^To: ${VIEWER}\r?$`, 'm'));
      const html = readFileSync(
        join(dir, 'outbox', (summaries[0] as string).replace(/\.eml$/, '.html')),
        'utf8',
      );
      expect(html).toContain('和平街道');
      expect(html).toContain('各社区共建工作月报');
      expect(html).toContain('3 个社区');

      const before = (await overview(rollupPath)) as Map<string, Record<string, unknown>>;
      expect([...before.keys()].sort()).toEqual(COMMUNITIES);
      // Each community's row is what `gongjian stats` says of its workbook.
      for (const name of COMMUNITIES) {
        const stats = statsOf(join(dir, name));
        expect(before.get(name)?.[STATUS_LABELS.cancelled], name).toBe(stats.plan.cancelled);
        expect(before.get(name)?.事项数, name).toBe(stats.plan.measures);
      }
      const cancelledBefore = Number(before.get('西区.xlsx')?.[STATUS_LABELS.cancelled]);

      await cancelOneMeasure(join(dir, '西区.xlsx'));
      await vi.waitFor(
        async () => {
          const now = await overview(rollupPath);
          expect(now?.get('西区.xlsx')?.[STATUS_LABELS.cancelled]).toBe(cancelledBefore + 1);
        },
        { timeout: 120_000, interval: 250 },
      );
      const after = (await overview(rollupPath)) as Map<string, Record<string, unknown>>;
      expect(after.get('西区.xlsx')?.[STATUS_LABELS.cancelled]).toBe(
        statsOf(join(dir, '西区.xlsx')).plan.cancelled,
      );
      // The communities that did not save keep their rows.
      for (const name of ['东区.xlsx', '南区.xlsx'])
        expect(after.get(name)?.[STATUS_LABELS.cancelled]).toBe(before.get(name)?.[STATUS_LABELS.cancelled]);
    } finally {
      await stopStack(stack);
    }
    expect(await stack?.exited).toBe(130);
  }, 420_000);
});
