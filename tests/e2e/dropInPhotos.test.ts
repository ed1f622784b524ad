/**
 * Drop-in photos through the real local stack (issue 20 item 2): staff put a phone photo into
 * 佐证材料/A0002/ beside the sample workbook; `npm start -- --once` processes it (stored as 1.jpg:
 * upright, within 2048 px, no metadata; the original gone) and links the row's empty 佐证链接 cell
 * with a relative hyperlink to the folder.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSample } from '../../adapters/workbook/sample';
import { tempFolder } from '../adapters/workbook/helpers';
import { metadataSegments, phoneJpeg } from '../support/phonePhotos';
import { startStack } from './run-start';

const folder = tempFolder();
afterAll(() => folder.remove());

describe('photos dropped beside the workbook', () => {
  it('are processed and linked by the next sync of the local stack', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    const year = new Date().getFullYear();
    await writeSample(path, year, `${year}-06-30`);
    // The sample links every done activity to an album; a link staff typed stays, so the row the
    // photos are dropped for starts with an empty 佐证链接 cell, as a new activity's does.
    const before = new ExcelJS.Workbook();
    await before.xlsx.readFile(path);
    const tab = before.getWorksheet('活动');
    if (!tab) throw new Error('no 活动 tab');
    const columns = (tab.getRow(1).values as unknown[]).map(String);
    tab.eachRow((row) => {
      if (row.getCell(columns.indexOf('记录编号')).text === 'A0002')
        row.getCell(columns.indexOf('佐证链接')).value = null;
    });
    await before.xlsx.writeFile(path);
    const dropped = join(folder.dir, '佐证材料', 'A0002');
    mkdirSync(dropped, { recursive: true });
    writeFileSync(join(dropped, 'IMG_20260110_093000.jpg'), await phoneJpeg(4000, 3000));

    const run = startStack(['--once', path]);
    expect(await run.exited, run.output()).toBe(0);

    expect(readdirSync(dropped)).toEqual(['1.jpg']);
    const stored = readFileSync(join(dropped, '1.jpg'));
    const meta = await sharp(stored).metadata();
    expect([meta.width, meta.height]).toEqual([1536, 2048]);
    expect(metadataSegments(stored)).toEqual([]);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.getWorksheet('活动');
    if (!sheet) throw new Error('no 活动 tab');
    const header = (sheet.getRow(1).values as unknown[]).map(String);
    let linked: ExcelJS.CellValue;
    sheet.eachRow((row) => {
      if (row.getCell(header.indexOf('记录编号')).text === 'A0002')
        linked = row.getCell(header.indexOf('佐证链接')).value;
    });
    expect(linked).toEqual({ text: '佐证材料/A0002/', hyperlink: '佐证材料/A0002/' });
    expect(existsSync(join(folder.dir, '佐证材料', 'A0001'))).toBe(false);
  }, 300_000);
});
