/**
 * The charts in the .xlsx 汇总 tab: two PNG pictures anchored right of the table, read back by
 * exceljs and by openpyxl; a second sync replaces them without the file collecting old pictures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSample } from '../../../adapters/workbook/sample';
import { readXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { chartData } from '../../../shared/charts';
import { computeStats } from '../../../shared/stats';
import { summaryTables } from '../../../shared/summary';
import { validateWorkbook } from '../../../shared/validate';
import { tempFolder } from './helpers';

const folder = tempFolder();
afterAll(() => folder.remove());
const path = join(folder.dir, 'plan.xlsx');

async function sync(asOf: string): Promise<void> {
  const result = validateWorkbook(await readXlsx(path), { asOf });
  const stats = computeStats(result.model, asOf);
  await updateXlsx(path, { generated: summaryTables(result, stats), charts: chartData(stats) });
}

const media = () =>
  Object.keys(unzipSync(readFileSync(path))).filter((name) => /^xl\/media\/.+\.png$/.test(name));

beforeAll(async () => {
  await writeSample(path, 2026, '2026-12-31');
  await sync('2026-06-30');
});

describe('charts in the .xlsx 汇总 tab', () => {
  it('are two PNG pictures anchored beside the table, one under the other', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const overview = workbook.getWorksheet('汇总');
    if (!overview) throw new Error('no 汇总 tab');
    const images = overview.getImages();
    expect(images).toHaveLength(2);
    const tableWidth = overview.actualColumnCount;
    const [first, second] = images.map((image) => image.range.tl);
    expect(first?.nativeCol).toBeGreaterThan(tableWidth);
    expect(second?.nativeCol).toBe(first?.nativeCol);
    expect(second?.nativeRow).toBeGreaterThan((first?.nativeRow ?? 0) + 10);
    for (const image of images) {
      const picture = workbook.getImage(Number(image.imageId));
      expect(picture.extension).toBe('png');
      const bytes = picture.buffer as unknown as Buffer;
      expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(bytes.readUInt32BE(16)).toBe(1000);
    }
    // Only 汇总 has pictures.
    for (const sheet of workbook.worksheets) if (sheet !== overview) expect(sheet.getImages()).toEqual([]);
  });

  it('are what openpyxl, a second reader, finds in 汇总', () => {
    const script = [
      'import sys, openpyxl',
      'wb = openpyxl.load_workbook(sys.argv[1])',
      'print(len(wb["汇总"]._images), sum(len(ws._images) for ws in wb.worksheets))',
    ].join('\n');
    let out: string;
    try {
      out = execFileSync('/usr/bin/python3', ['-c', script, path], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`openpyxl could not read the workbook (apt-get install python3-openpyxl): ${error}`);
    }
    expect(out.trim()).toBe('2 2');
  });

  it('are replaced at the next sync, and the file keeps two pictures, not four', async () => {
    expect(media()).toHaveLength(2);
    const before = media().map((name) => unzipSync(readFileSync(path))[name]?.length);
    await sync('2026-12-31');
    await sync('2026-12-31');
    expect(media()).toHaveLength(2);
    const after = media().map((name) => unzipSync(readFileSync(path))[name]?.length);
    // Half a year more activities: different pictures.
    expect(after).not.toEqual(before);
  });
});
