/**
 * The local stack's writer of its workbook file: it holds the write-back while an office program
 * has the workbook open — here a real LibreOffice — says so once, and writes once it is closed;
 * and it knows which saves no sync has read yet, including one made while a sync ran.
 */
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readXlsx } from '../../../adapters/workbook/xlsx';
import { LocalWorkbookFile } from '../../../stack/workbookFile';
import { holdOpenInLibreOffice } from '../../support/libreoffice';
import { tempFolder } from './helpers';

const folder = tempFolder();
afterAll(() => folder.remove());

let template = '';
beforeAll(async () => {
  template = join(folder.dir, 'template.xlsx');
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('活动').addRows([
    ['日期', '关联事项', '活动名称', '记录编号'],
    ['2026-03-05', '4.1', '第一次联席会议', null],
  ]);
  await workbook.xlsx.writeFile(template);
});

let cases = 0;
function fresh(): string {
  const dir = join(folder.dir, `case-${++cases}`);
  mkdirSync(dir);
  const path = join(dir, 'plan.xlsx');
  copyFileSync(template, path);
  return path;
}

async function idAt(path: string): Promise<unknown> {
  return (await readXlsx(path)).tabs[0]?.rows[0]?.cells[3];
}

function recorder() {
  const said: string[] = [];
  return { said, say: (zh: string) => said.push(zh) };
}

describe('a workbook open in LibreOffice', () => {
  it('holds the write-back, says so once, and writes it after LibreOffice closes the workbook', async () => {
    const path = fresh();
    const { said, say } = recorder();
    const file = new LocalWorkbookFile(path, { say, pollMs: 100 });
    const held = await holdOpenInLibreOffice(path);
    try {
      const first = await file.write({ activityIds: [{ row: 2, activityId: 'A0001' }] });
      expect(first.state).toBe('waiting');
      const second = await file.write({ generated: {} });
      expect(second.state).toBe('waiting');
      expect(said).toEqual([
        '工作簿正在 LibreOffice 中打开，关闭后写回（锁文件 .~lock.plan.xlsx#；若程序已关闭仍有此提示，可删除该锁文件）',
      ]);
      expect((await idAt(path)) ?? null).toBeNull();
    } finally {
      await held.close();
    }
    await vi.waitFor(async () => expect(await idAt(path)).toBe('A0001'), { timeout: 20_000, interval: 100 });
    expect(said[1]).toContain('工作簿已关闭，已写回');
    expect(file.waiting).toBe(false);
    file.stop();
  }, 90_000);
});

describe('saves no sync has read', () => {
  it('a save after the sync needs a sync; our own write-back does not', async () => {
    const path = fresh();
    const file = new LocalWorkbookFile(path, recorder());
    const { version } = await file.read();
    file.markSynced(version);
    expect(await file.needsSync()).toBe(false);
    await file.write({ activityIds: [{ row: 2, activityId: 'A0001' }] });
    expect(await file.needsSync()).toBe(false);
    copyFileSync(template, `${path}.new`);
    renameSync(`${path}.new`, path);
    expect(await file.needsSync()).toBe(true);
  });

  it('a save made while a sync ran (after its read, before its write-back) still needs a sync', async () => {
    const path = fresh();
    const file = new LocalWorkbookFile(path, recorder());
    const { version } = await file.read();
    copyFileSync(template, `${path}.new`);
    renameSync(`${path}.new`, path); // staff save while the sync is at the API
    file.markSynced(version);
    await file.write({ activityIds: [{ row: 2, activityId: 'A0001' }] });
    expect(await idAt(path)).toBe('A0001');
    expect(await file.needsSync()).toBe(true);
  });
});
