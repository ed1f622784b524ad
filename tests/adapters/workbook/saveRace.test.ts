/**
 * The .xlsx write-back against staff saving the same file: a save before our read, during the
 * update, inside the final window (the path set aside), and in place into the set-aside file — each
 * made at an exact step of the protocol through its checkpoints, so nothing depends on timing. And
 * the lock files of the office programs that have the workbook open.
 */
import {
  closeSync,
  copyFileSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkbookChangingError, WorkbookOpenError } from '../../../adapters/workbook/fileGuard';
import { readXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { tempFolder } from './helpers';

const folder = tempFolder();
afterAll(() => folder.remove());

const UPDATE = { activityIds: [{ row: 2, activityId: 'A0001' }] };
let ours = '';
let staffSave = '';
let otherStaffSave = '';

async function workbookWith(path: string, extraTab?: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('计划').addRows([
    ['编号', '类别', '事项'],
    ['4.1', '党建共商', '召开联席会议'],
  ]);
  workbook.addWorksheet('活动').addRows([
    ['日期', '关联事项', '活动名称', '记录编号'],
    ['2026-03-05', '4.1', '第一次联席会议', null],
  ]);
  if (extraTab) workbook.addWorksheet(extraTab).addRow(['员工刚输入的内容']);
  await workbook.xlsx.writeFile(path);
}

beforeAll(async () => {
  ours = join(folder.dir, 'template.xlsx');
  staffSave = join(folder.dir, 'staff.xlsx');
  otherStaffSave = join(folder.dir, 'staff2.xlsx');
  await workbookWith(ours);
  await workbookWith(staffSave, '员工刚保存');
  await workbookWith(otherStaffSave, '员工又保存');
});

let cases = 0;
/** A copy of the workbook alone in a folder of its own (lock files and conflict copies are per folder). */
async function fresh(): Promise<{ dir: string; path: string }> {
  const dir = join(folder.dir, `case-${++cases}`);
  await mkdir(dir);
  const path = join(dir, 'plan.xlsx');
  copyFileSync(ours, path);
  return { dir, path };
}

async function tabsOf(path: string): Promise<string[]> {
  return (await readXlsx(path)).tabs.map((tab) => tab.name);
}

async function idAt(path: string): Promise<unknown> {
  const tab = (await readXlsx(path)).tabs.find((t) => t.name === '活动');
  return tab?.rows[0]?.cells[3];
}

/** Replaces the file as Excel and LibreOffice save: a new file renamed over the old one. */
function saveByReplacing(source: string, path: string): void {
  const temporary = `${path}.saving`;
  copyFileSync(source, temporary);
  renameSync(temporary, path);
}

describe('a save by staff while the write-back runs is never lost', () => {
  it('a save before the read is simply the file the update starts from', async () => {
    const { path } = await fresh();
    saveByReplacing(staffSave, path);
    await updateXlsx(path, UPDATE);
    expect(await tabsOf(path)).toContain('员工刚保存');
    expect(await idAt(path)).toBe('A0001');
  });

  it('a save during the update (after our read) makes it start again from the save', async () => {
    const { path, dir } = await fresh();
    const steps: string[] = [];
    await updateXlsx(path, UPDATE, {
      checkpoint: (step) => {
        steps.push(step);
        if (steps.length === 1) saveByReplacing(staffSave, path);
      },
    });
    expect(steps.filter((s) => s === 'built')).toHaveLength(2); // detected, then redone
    expect(await tabsOf(path)).toContain('员工刚保存');
    expect(await idAt(path)).toBe('A0001');
    expect(readdirSync(dir)).toEqual(['plan.xlsx']);
  });

  it('a save landing in the final window (the old file set aside) stays, and the update is redone on it', async () => {
    const { path, dir } = await fresh();
    let saved = false;
    await updateXlsx(path, UPDATE, {
      checkpoint: (step) => {
        if (step === 'setAside' && !saved) {
          saved = true;
          copyFileSync(staffSave, path); // the path is absent here: this save creates it
        }
      },
    });
    expect(saved).toBe(true);
    expect(await tabsOf(path)).toContain('员工刚保存');
    expect(await idAt(path)).toBe('A0001');
    expect(readdirSync(dir)).toEqual(['plan.xlsx']);
  });

  it('a program that held the file open and writes into it in place after our set-aside is not overwritten', async () => {
    const { path, dir } = await fresh();
    let handle: number | undefined;
    await updateXlsx(path, UPDATE, {
      checkpoint: (step) => {
        if (step === 'built' && handle === undefined) handle = openSync(path, 'r+');
        else if (step === 'linked' && handle !== undefined && handle >= 0) {
          // Our version is in place; the program now saves through the handle it kept.
          const bytes = readFileSync(staffSave);
          writeSync(handle, bytes, 0, bytes.length, 0);
          ftruncateSync(handle, bytes.length);
          closeSync(handle);
          handle = -1;
        }
      },
    });
    expect(handle).toBe(-1);
    expect(await tabsOf(path)).toContain('员工刚保存');
    expect(await idAt(path)).toBe('A0001');
    expect(readdirSync(dir)).toEqual(['plan.xlsx']);
  });

  it('two saves at once keep both: the earlier one under a conflict name, the later one in place', async () => {
    const { path, dir } = await fresh();
    let round = 0;
    await updateXlsx(path, UPDATE, {
      checkpoint: (step) => {
        if (round > 0) return;
        if (step === 'built') saveByReplacing(staffSave, path); // after our read…
        if (step === 'setAside') {
          round = 1;
          copyFileSync(otherStaffSave, path); // …and another one in the window
        }
      },
    });
    // The first save's version is set aside at step 1 and differs from our read; a later save
    // already created the path, so the first is kept, not deleted.
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    const conflict = files.find((name) => name.includes('保存冲突'));
    expect(conflict).toBeDefined();
    expect(await tabsOf(join(dir, conflict ?? ''))).toContain('员工刚保存');
    expect(await tabsOf(path)).toContain('员工又保存');
    expect(await idAt(path)).toBe('A0001');
  });

  it('saves that land in every attempt leave the staff file in place and say so', async () => {
    const { path } = await fresh();
    let saves = 0;
    const error = await updateXlsx(path, UPDATE, {
      checkpoint: (step) => {
        if (step === 'built') saveByReplacing(++saves % 2 ? staffSave : otherStaffSave, path);
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbookChangingError);
    expect((error as WorkbookChangingError).messageZh).toContain('写回期间工作簿一再被保存');
    expect(saves).toBe(3);
    expect(await tabsOf(path)).toContain('员工刚保存');
    expect((await idAt(path)) ?? null).toBeNull();
  });
});

describe('an office program has the workbook open', () => {
  for (const [program, lockName] of [
    ['Excel/WPS', '~$plan.xlsx'],
    ['Excel/WPS', '~$an.xlsx'], // Word-style truncation of a long name
    ['LibreOffice', '.~lock.plan.xlsx#'],
  ] as const) {
    it(`refuses to write while ${lockName} exists, and writes once it is gone`, async () => {
      const { path, dir } = await fresh();
      const before = readFileSync(path);
      writeFileSync(join(dir, lockName), ',staff,pc,29.11.2026 10:00,file:///home/staff;');
      const error = await updateXlsx(path, UPDATE).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkbookOpenError);
      expect((error as WorkbookOpenError).program).toBe(program);
      expect((error as WorkbookOpenError).messageZh).toContain(`工作簿正在 ${program} 中打开，关闭后写回`);
      expect(readFileSync(path).equals(before)).toBe(true);
      rmSync(join(dir, lockName));
      await updateXlsx(path, UPDATE);
      expect(await idAt(path)).toBe('A0001');
    });
  }

  it('a lock that appears while the update is built stops it before anything is replaced', async () => {
    const { path, dir } = await fresh();
    const before = readFileSync(path);
    const error = await updateXlsx(path, UPDATE, {
      checkpoint: (step) => {
        if (step === 'built') writeFileSync(join(dir, '.~lock.plan.xlsx#'), '');
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkbookOpenError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['.~lock.plan.xlsx#', 'plan.xlsx']);
  });
});
