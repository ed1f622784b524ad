import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { readCsvFolder } from '../../../adapters/workbook/csv';
import { tempFolder, unusable } from './helpers';

const folder = tempFolder();
afterAll(folder.remove);

let count = 0;
/** A new folder holding the given files (a string is written as UTF-8). */
function csvFolder(files: Record<string, string | Uint8Array>): string {
  const dir = join(folder.dir, `case-${++count}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

function decodes(encoding: string, bytes: Uint8Array): boolean {
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const PLAN =
  '编号,类别,事项,目标值\r\n4.30,实事共办,"办公电脑\r\n更新",3\r\n\r\n,,,\r\n4.1,党建共商,"说""好""",\r\n';

describe('readCsvFolder', () => {
  it('reads UTF-8, UTF-8 with BOM and GBK files, one tab per recognised name, in the spec’s order', async () => {
    const partners = '单位编号,单位名称\nP01,县税务局\n';
    const activities = '日期,关联事项,活动名称,地点\n2026/3/5,4.1,共建座谈会,社区会议室\n';
    const gbk = iconv.encode(activities, 'gbk');
    // Only meaningful when the GBK bytes are not valid UTF-8 too.
    expect(decodes('utf-8', gbk)).toBe(false);
    const dir = csvFolder({
      '活动.csv': gbk,
      '计划.csv': PLAN,
      '共建单位.csv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(partners)]),
    });
    const workbook = await readCsvFolder(dir);
    expect(workbook.tabs.map((tab) => tab.name)).toEqual(['共建单位', '计划', '活动']);
    const [partnersTab, , activitiesTab] = workbook.tabs;
    expect(partnersTab?.header).toEqual(['单位编号', '单位名称']);
    expect(partnersTab?.rows).toEqual([{ row: 2, cells: ['P01', '县税务局'] }]);
    expect(activitiesTab?.header).toEqual(['日期', '关联事项', '活动名称', '地点']);
    expect(activitiesTab?.rows).toEqual([{ row: 2, cells: ['2026/3/5', '4.1', '共建座谈会', '社区会议室'] }]);
  });

  it('keeps quoted line breaks, numbers rows by record, skips empty records and keeps every value a string', async () => {
    const [plan] = (await readCsvFolder(csvFolder({ '计划.csv': PLAN }))).tabs;
    expect(plan?.rows).toEqual([
      { row: 2, cells: ['4.30', '实事共办', '办公电脑\r\n更新', '3'] },
      // Records 3 (a blank line) and 4 (only commas) are empty; the next one is still row 5.
      { row: 5, cells: ['4.1', '党建共商', '说"好"', null] },
    ]);
  });

  it('trims nothing and keeps ragged records as they are', async () => {
    const [plan] = (await readCsvFolder(csvFolder({ 'plan.csv': ' 编号 ,事项\n 4.1 ,a,extra\n4.2\n' }))).tabs;
    expect(plan?.header).toEqual([' 编号 ', '事项']);
    expect(plan?.rows).toEqual([
      { row: 2, cells: [' 4.1 ', 'a', 'extra'] },
      { row: 3, cells: ['4.2'] },
    ]);
  });

  it('matches English and upper-case file names and names the tab after the file', async () => {
    const dir = csvFolder({
      'PLAN.CSV': '编号\n1\n',
      'Activities.Csv': 'Date\n2026-01-01\n',
      'settings.csv': 'Key,Value\n',
    });
    const workbook = await readCsvFolder(dir);
    expect(workbook.tabs.map((tab) => tab.name)).toEqual(['settings', 'PLAN', 'Activities']);
    expect(workbook.tabs[1]?.rows).toEqual([{ row: 2, cells: ['1'] }]);
  });

  it('ignores unrecognised files, other extensions and subfolders', async () => {
    const dir = csvFolder({
      '计划.csv': '编号\n1\n',
      'notes.csv': 'a\nb\n',
      '活动.txt': '日期\n',
      'plan.csv.bak': 'x\n',
    });
    mkdirSync(join(dir, '活动.csv'));
    mkdirSync(join(dir, 'nested'));
    writeFileSync(join(dir, 'nested', '共建单位.csv'), '单位编号\nP1\n');
    const workbook = await readCsvFolder(dir);
    expect(workbook.tabs.map((tab) => tab.name)).toEqual(['计划']);
  });

  it('reads an empty file as a tab with no header and no rows', async () => {
    const workbook = await readCsvFolder(csvFolder({ '活动.csv': '' }));
    expect(workbook.tabs).toEqual([{ name: '活动', header: [], rows: [] }]);
  });
});

describe('readCsvFolder on unusable folders', () => {
  it('rejects two files for one tab, naming both', async () => {
    const dir = csvFolder({ '计划.csv': '编号\n', 'plan.csv': 'ID\n' });
    const error = await unusable(readCsvFolder(dir));
    expect(error.code).toBe('duplicate_tab');
    for (const message of [error.messageZh, error.messageEn]) {
      expect(message).toContain('计划.csv');
      expect(message).toContain('plan.csv');
    }
  });

  it('rejects file names that differ only in case as duplicates', async () => {
    const error = await unusable(readCsvFolder(csvFolder({ 'Plan.csv': '编号\n', 'plan.CSV': '编号\n' })));
    expect(error.code).toBe('duplicate_tab');
    expect(error.messageEn).toContain('Plan.csv');
    expect(error.messageEn).toContain('plan.CSV');
  });

  it('rejects a folder without any recognisable file as no_tabs', async () => {
    const unrelated = csvFolder({ 'readme.csv': 'a\n', '计划.xlsx': 'x' });
    const error = await unusable(readCsvFolder(unrelated));
    expect(error.code).toBe('no_tabs');
    expect(error.messageEn).toContain(unrelated);
    expect((await unusable(readCsvFolder(csvFolder({})))).code).toBe('no_tabs');
  });

  it('rejects bytes that are neither UTF-8 nor GB18030 as bad_encoding, naming the file', async () => {
    const bytes = Buffer.from([0x49, 0x44, 0x0a, 0xff, 0xfe, 0xff, 0x81, 0x20, 0x0a]);
    expect(decodes('utf-8', bytes)).toBe(false);
    expect(decodes('gb18030', bytes)).toBe(false);
    const dir = csvFolder({ '计划.csv': '编号\n1\n', 'activities.csv': bytes });
    const error = await unusable(readCsvFolder(dir));
    expect(error.code).toBe('bad_encoding');
    expect(error.messageZh).toContain(join(dir, 'activities.csv'));
    expect(error.messageEn).toContain(join(dir, 'activities.csv'));
  });

  it('rejects an unclosed quote as unreadable, naming the file', async () => {
    const dir = csvFolder({ '计划.csv': '编号,事项\n4.1,"never closed\n4.2,x\n' });
    const error = await unusable(readCsvFolder(dir));
    expect(error.code).toBe('unreadable');
    expect(error.messageEn).toContain(join(dir, '计划.csv'));
  });

  it('reports a missing folder as not_found and a file as unreadable', async () => {
    const missing = join(folder.dir, 'no-such-folder');
    const error = await unusable(readCsvFolder(missing));
    expect(error.code).toBe('not_found');
    expect(error.messageZh).toContain(missing);
    const file = join(csvFolder({ '计划.csv': '编号\n' }), '计划.csv');
    expect((await unusable(readCsvFolder(file))).code).toBe('unreadable');
  });
});
