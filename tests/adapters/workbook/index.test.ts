import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../../adapters/workbook/index';
import { writeXlsx } from '../../../adapters/workbook/xlsx';
import { tempFolder, unusable } from './helpers';

const folder = tempFolder();
afterAll(folder.remove);

describe('readWorkbook', () => {
  it('reads a folder as CSV files', async () => {
    const dir = join(folder.dir, 'csv');
    mkdirSync(dir);
    writeFileSync(join(dir, '计划.csv'), '编号,事项\n4.30,x\n');
    const workbook = await readWorkbook(dir);
    expect(workbook.tabs).toEqual([
      { name: '计划', header: ['编号', '事项'], rows: [{ row: 2, cells: ['4.30', 'x'] }] },
    ]);
  });

  it('reads a file ending in .xlsx, whatever the case, as a workbook', async () => {
    const path = join(folder.dir, 'Plan.XLSX');
    await writeXlsx(path, [{ name: '计划', header: ['编号'], rows: [['4.30']] }]);
    const workbook = await readWorkbook(path);
    expect(workbook.tabs).toEqual([{ name: '计划', header: ['编号'], rows: [{ row: 2, cells: ['4.30'] }] }]);
  });

  it('rejects a single CSV file, asking for a folder', async () => {
    const path = join(folder.dir, 'plan.csv');
    writeFileSync(path, '编号\n1\n');
    const error = await unusable(readWorkbook(path));
    expect(error.code).toBe('unreadable');
    expect(error.messageEn).toMatch(/folder of CSV files/);
    expect(error.messageZh).toContain('文件夹');
    expect(error.messageEn).toContain(path);
  });

  it.each(['plan.xls', 'plan.ods', 'plan'])('rejects %s as an unsupported file', async (name) => {
    const path = join(folder.dir, name);
    writeFileSync(path, 'x');
    const error = await unusable(readWorkbook(path));
    expect(error.code).toBe('unreadable');
    expect(error.messageEn).toContain(path);
  });

  it('reports a missing path as not_found in both languages', async () => {
    const path = join(folder.dir, 'nowhere', 'plan.xlsx');
    const error = await unusable(readWorkbook(path));
    expect(error.code).toBe('not_found');
    expect(error.messageZh).toBe(`找不到文件或文件夹：${path}`);
    expect(error.messageEn).toBe(`No such file or folder: ${path}`);
  });

  it('passes on corrupt_xlsx from the .xlsx adapter', async () => {
    const path = join(folder.dir, 'renamed.xlsx');
    writeFileSync(path, '编号,事项\n4.1,x\n');
    expect((await unusable(readWorkbook(path))).code).toBe('corrupt_xlsx');
  });
});
