/**
 * `npm start -- --once` end to end, as a person runs it: the real bundled entry point, the real
 * emulator, the workbook written back. Then nothing may be left running.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { writeSample } from '../../adapters/workbook/sample';
import { writeXlsx } from '../../adapters/workbook/xlsx';
import { generateWorkbook } from '../../bench/generate';
import { GENERATED_TAB_LABELS } from '../../shared/i18n';
import { sampleWorkbook } from '../../shared/sample';
import type { Stats } from '../../shared/stats-types';
import { todayIn } from '../../shared/today';
import { tempFolder } from '../adapters/workbook/helpers';
import { gongjian, json } from '../cli/run-cli';
import { holdOpenInLibreOffice } from '../support/libreoffice';
import { START, startStack } from './run-start';

const folder = tempFolder();
afterAll(() => folder.remove());

function startOnce(path: string, timeout = 120_000) {
  const run = spawnSync(process.execPath, [START, '--once', path], { encoding: 'utf8', timeout });
  const pid = /pid (\d+)/.exec(run.stdout)?.[1];
  return {
    code: run.status,
    stdout: run.stdout,
    stderr: run.stderr,
    emulatorPid: pid ? Number(pid) : undefined,
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function sheet(path: string, name: string): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name} in ${path}`);
  return found;
}

describe('npm start -- --once', () => {
  it('writes the sample on first run, syncs it, writes everything back and leaves no process behind', async () => {
    const path = join(folder.dir, 'sample', 'plan.xlsx');
    const run = startOnce(path);
    expect(run.stderr).not.toMatch(/内部错误|Internal error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('首次运行');
    expect(run.stdout).toMatch(/同步完成/);
    expect(run.stdout).toMatch(/共建单位\s+11\s+11\s+0/);
    expect(run.emulatorPid).toBeDefined();
    expect(isRunning(run.emulatorPid as number)).toBe(false);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    for (const label of Object.values(GENERATED_TAB_LABELS)) {
      expect(workbook.getWorksheet(label.zh), label.zh).toBeDefined();
    }
    // Every activity row that was accepted now has an ID in the sheet.
    const activities = await sheet(path, '活动');
    const idColumn = activities.getRow(1).values as unknown[];
    const idIndex = idColumn.indexOf('记录编号');
    let withId = 0;
    activities.eachRow((row, n) => {
      if (n > 1 && String(row.getCell(idIndex).value ?? '') !== '') withId += 1;
    });
    expect(withId).toBe(116); // 120 rows, 4 rejected by deliberate mistakes
    const overview = await sheet(path, '汇总');
    expect(overview.getCell('A1').value).toBe('指标');

    // The sample's emails wait in the outbox beside the workbook: digests, the overdue notice.
    const outbox = readdirSync(join(folder.dir, 'sample', 'outbox'));
    expect(outbox.some((f) => f.startsWith('leaderSummary') && f.endsWith('.eml'))).toBe(true);
    expect(outbox.some((f) => f.startsWith('partnerDigest') && f.endsWith('.html'))).toBe(true);
    expect(outbox.some((f) => f.startsWith('overdue') && f.endsWith('.eml'))).toBe(true);
    expect(run.stdout).toMatch(/邮件：新放入队列 \d+ 封，队列中累计已投递 \d+ 封/);

    // A second run on the now-synced workbook assigns nothing new.
    const again = startOnce(path);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/新分配编号 0/);
  }, 240_000);

  it('handles a workbook full of mistakes: exit 0, every issue marked and listed', async () => {
    const path = join(folder.dir, 'mistakes.xlsx');
    const sample = sampleWorkbook(2026);
    const tabs = sample.tabs.map((tab) => {
      const header = tab.header.map((cell) => String(cell ?? ''));
      const rows = tab.rows.map((row) => [...row.cells]);
      if (tab.name === '活动') {
        const date = header.indexOf('日期');
        const measure = header.indexOf('关联事项');
        rows.forEach((cells, i) => {
          if (i % 2 === 0) cells[date] = '三月五日';
          if (i % 3 === 0) cells[measure] = '99';
        });
      }
      if (tab.name === '计划') {
        const category = header.indexOf('类别');
        rows.forEach((cells, i) => {
          if (i % 4 === 0) cells[category] = '杂项';
        });
      }
      return { name: tab.name, header, rows };
    });
    await writeXlsx(path, tabs);

    const run = startOnce(path);
    expect(run.stderr).not.toMatch(/内部错误|Internal error/);
    expect(run.code).toBe(0);
    const errors = Number(/错误 (\d+) 条/.exec(run.stdout)?.[1]);
    expect(errors).toBeGreaterThan(60);
    expect(run.emulatorPid).toBeDefined();
    expect(isRunning(run.emulatorPid as number)).toBe(false);

    const validation = await sheet(path, '校验');
    expect(validation.rowCount - 1).toBeGreaterThanOrEqual(errors);
    const activities = await sheet(path, '活动');
    const note = activities.getCell('B2').note;
    expect(JSON.stringify(note)).toContain('日期无法识别：三月五日');
  }, 240_000);

  it('syncs a generated 10,000-activity workbook in one pass: the tabs equal `gongjian stats` on the file', async () => {
    const path = join(folder.dir, 'large.xlsx');
    const generated = generateWorkbook({ activities: 10_000, measures: 200, partners: 50 });
    await writeXlsx(
      path,
      generated.tabs.map((tab) => ({
        name: tab.name,
        header: tab.header.map(String),
        rows: tab.rows.map((r) => r.cells),
      })),
    );
    const run = startOnce(path, 300_000);
    expect(run.stderr).not.toMatch(/内部错误|Internal error/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/活动\s+10,?000\s+10,?000\s+0/);
    // One sync, one statistics trigger invocation, one recomputation.
    expect(run.stdout).toMatch(/统计重算 1 次（触发 1 次）/);
    // Not a terminal: the progress is plain lines, records counted up to all of them.
    expect(run.stdout).toMatch(/读取工作簿：10,2\d\d 行/);
    expect(run.stdout).toMatch(/写入记录 (\d[\d,]*) \/ \1（100%）/);
    expect(run.stdout).not.toContain('\r');

    // The same file (now with IDs and marks written back) through the offline engine, as of the same day.
    const cli = gongjian(['stats', path, '--as-of', todayIn(new Date()), '--json']);
    expect(cli.code).toBe(0);
    const stats = json<Stats>(cli);
    const byMonth = await sheet(path, '按月');
    for (const month of stats.months) {
      const row = findRow(byMonth, month.month);
      expect(row.slice(1, 6), month.month).toEqual([
        month.activities,
        month.participants,
        month.beneficiaries,
        month.hours,
        month.funds,
      ]);
    }
    const byCategory = await sheet(path, '按类别');
    for (const category of stats.categories) {
      const row = findRow(byCategory, category.label);
      expect(row[1], category.label).toBe(category.measures);
      expect(row[8] as number).toBeCloseTo(category.completionRate, 9);
      expect(row[9] as number).toBeCloseTo(category.averageProgress, 9);
      expect(row[10] as number).toBeCloseTo(category.evidenceCoverage, 9);
      expect(row[11], category.label).toBe(category.activities);
    }
    expect(run.stdout).toContain(`事项 ${stats.plan.measures} 项`);
    expect(run.stdout).toContain(`活动 ${stats.plan.activities} 次`);
  }, 400_000);

  it('does not write under Excel: statistics and mail done, exit 2 with the reason, the file untouched', async () => {
    const dir = join(folder.dir, 'open-in-excel');
    mkdirSync(dir);
    const path = join(dir, 'plan.xlsx');
    await writeSample(path, 2026, '2026-06-30');
    const before = readFileSync(path);
    writeFileSync(join(dir, '~$plan.xlsx'), 'staff');
    const run = startOnce(path);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/同步完成/);
    expect(run.stdout).toMatch(/邮件：新放入队列 \d+ 封/);
    expect(run.stderr).toContain('工作簿正在 Excel/WPS 中打开，关闭后写回');
    expect(run.stderr.match(/工作簿正在/g)).toHaveLength(1); // said once
    expect(readFileSync(path).equals(before)).toBe(true);

    rmSync(join(dir, '~$plan.xlsx'));
    const after = startOnce(path);
    expect(after.code).toBe(0);
    expect((await sheet(path, '汇总')).getCell('A1').value).toBe('指标');
  }, 240_000);
});

describe('npm start (watching)', () => {
  it('waits while LibreOffice has the workbook open and writes back once it is closed', async () => {
    const dir = join(folder.dir, 'open-in-libreoffice');
    mkdirSync(dir);
    const path = join(dir, 'plan.xlsx');
    await writeSample(path, 2026, '2026-06-30');
    const before = readFileSync(path);
    const held = await holdOpenInLibreOffice(path);
    const stack = startStack([path]);
    try {
      await vi.waitFor(() => expect(stack.output()).toContain('正在监视'), {
        timeout: 120_000,
        interval: 200,
      });
      expect(stack.output()).toContain('工作簿正在 LibreOffice 中打开，关闭后写回');
      expect(stack.output()).toContain('尚未写回');
      expect(readFileSync(path).equals(before)).toBe(true);
    } finally {
      await held.close();
    }
    try {
      await vi.waitFor(() => expect(stack.output()).toContain('工作簿已关闭，已写回'), {
        timeout: 30_000,
        interval: 200,
      });
      expect(stack.output().match(/工作簿正在 LibreOffice 中打开/g)).toHaveLength(1);
      expect((await sheet(path, '汇总')).getCell('A1').value).toBe('指标');
      const activities = await sheet(path, '活动');
      const idIndex = (activities.getRow(1).values as unknown[]).indexOf('记录编号');
      expect(String(activities.getCell(2, idIndex).value ?? '')).not.toBe('');
    } finally {
      stack.child.kill('SIGINT');
      await stack.exited;
    }
    const pid = Number(/pid (\d+)/.exec(stack.output())?.[1]);
    expect(isRunning(pid)).toBe(false);
  }, 240_000);
});

/** The values of the row whose first cell is `key` (without exceljs's leading empty slot). */
function findRow(worksheet: ExcelJS.Worksheet, key: string): unknown[] {
  let found: unknown[] | undefined;
  worksheet.eachRow((row) => {
    const values = (row.values as unknown[]).slice(1);
    if (values[0] === key) found = values;
  });
  if (!found) throw new Error(`no row ${key} in ${worksheet.name}`);
  return found;
}
