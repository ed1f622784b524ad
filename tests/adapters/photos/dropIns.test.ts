/**
 * Photos staff drop into 佐证材料/<记录编号>/ (issue 20 item 2): processed the way the form's are,
 * the original replaced only by a stored copy, what is no photo left alone and reported, folders
 * of no activity not looked into; and the workbook's empty 佐证链接 cell of that activity linked,
 * a typed link kept.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { processDropIns } from '../../../adapters/photos/dropIns';
import { writeXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { metadataSegments, phoneJpeg, zipAsJpeg } from '../../support/phonePhotos';
import { tempFolder } from '../workbook/helpers';

const folder = tempFolder();
afterAll(() => folder.remove());

describe('dropped-in photos', () => {
  it('are processed in place after the stored ones; the rest is left and reported', async () => {
    const dir = join(folder.dir, 'drop');
    const a1 = join(dir, '佐证材料', 'A1');
    const stranger = join(dir, '佐证材料', 'NOT-AN-ID');
    mkdirSync(a1, { recursive: true });
    mkdirSync(stranger, { recursive: true });
    writeFileSync(
      join(a1, '1.jpg'),
      await sharp({ create: { width: 10, height: 10, channels: 3, background: '#888' } })
        .jpeg()
        .toBuffer(),
    );
    writeFileSync(join(a1, 'IMG_2001.JPG'), await phoneJpeg(3000, 2000));
    writeFileSync(join(a1, '说明.pdf'), zipAsJpeg());
    writeFileSync(join(stranger, 'x.jpg'), await phoneJpeg(300, 200));

    const outcome = await processDropIns(join(dir, '计划.xlsx'), ['A1', 'A2']);
    expect(outcome.withPhotos).toEqual(['A1']);
    expect(outcome.processed).toBe(1);
    expect(outcome.refused).toEqual([
      { file: '佐证材料/A1/说明.pdf', message: expect.stringContaining('无法识别的照片') },
    ]);
    expect(readdirSync(a1).sort()).toEqual(['1.jpg', '2.jpg', '说明.pdf']);
    const stored = readFileSync(join(a1, '2.jpg'));
    const meta = await sharp(stored).metadata();
    expect([meta.width, meta.height]).toEqual([1365, 2048]);
    expect(metadataSegments(stored)).toEqual([]);
    // Not an activity of the workbook: not looked into.
    expect(readdirSync(stranger)).toEqual(['x.jpg']);

    // A second pass has nothing left to do.
    const again = await processDropIns(join(dir, '计划.xlsx'), ['A1']);
    expect(again.processed).toBe(0);
    expect(readdirSync(a1).sort()).toEqual(['1.jpg', '2.jpg', '说明.pdf']);
  }, 60_000);

  it('link an empty 佐证链接 cell and keep a typed one', async () => {
    const path = join(folder.dir, 'links.xlsx');
    await writeXlsx(path, [
      {
        name: '活动',
        header: ['记录编号', '日期', '关联事项', '活动名称', '佐证链接'],
        rows: [
          ['A1', '2026-03-01', 'M1', '义诊', null],
          ['A2', '2026-03-02', 'M1', '讲座', 'https://example.cn/2'],
        ],
      },
    ]);
    await updateXlsx(path, {
      evidenceLinks: [
        { row: 2, activityId: 'A1', link: '佐证材料/A1/' },
        { row: 3, activityId: 'A2', link: '佐证材料/A2/' },
        // A row that no longer holds the ID it was read with is left alone.
        { row: 2, activityId: 'A9', link: '佐证材料/A9/' },
      ],
    });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.getWorksheet('活动');
    expect(sheet?.getCell('E2').value).toEqual({ text: '佐证材料/A1/', hyperlink: '佐证材料/A1/' });
    expect(sheet?.getCell('E3').value).toBe('https://example.cn/2');
    expect(existsSync(path)).toBe(true);
  }, 60_000);
});
