/**
 * Our write-back through the programs offices use: LibreOffice and openpyxl open the written
 * workbook and save it, then we read it, sync it and write back into it again.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSample } from '../../../adapters/workbook/sample';
import { loadExcelWorkbook, readXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { computeStats } from '../../../shared/stats';
import { summaryTables } from '../../../shared/summary';
import { validateWorkbook } from '../../../shared/validate';
import { resaveInLibreOffice } from '../../support/libreoffice';
import { tempFolder } from './helpers';

const folder = tempFolder();
afterAll(() => folder.remove());
const AS_OF = '2026-06-30';

async function sync(path: string) {
  const result = validateWorkbook(await readXlsx(path), { asOf: AS_OF });
  await updateXlsx(path, {
    generated: summaryTables(result, computeStats(result.model, AS_OF)),
    issues: result.issues,
  });
  return result;
}

let written = '';
let firstSync: Awaited<ReturnType<typeof sync>>;
beforeAll(async () => {
  written = join(folder.dir, 'written.xlsx');
  await writeSample(written, 2026, AS_OF);
  firstSync = await sync(written);
});

/** Re-saved by openpyxl, the Python library many office scripts use. */
function resaveWithOpenpyxl(source: string, target: string): void {
  const run = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      'import sys, openpyxl; wb = openpyxl.load_workbook(sys.argv[1]); wb.save(sys.argv[2])',
      source,
      target,
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) {
    throw new Error(`openpyxl failed (apt-get install python3-openpyxl; .ci/run installs it): ${run.stderr}`);
  }
}

/** Opened and saved as .xlsx by LibreOffice Calc. */
function resaveWithLibreOffice(source: string, target: string): void {
  resaveInLibreOffice(source, target, folder.dir);
}

describe.each([
  ['openpyxl', resaveWithOpenpyxl],
  ['LibreOffice', resaveWithLibreOffice],
])('a write-back workbook re-saved by %s', (_program, resave) => {
  it('reads as the same data, syncs, and takes our write-back again', async () => {
    const path = join(folder.dir, `resaved-${_program}.xlsx`);
    resave(written, path);
    const again = validateWorkbook(await readXlsx(path), { asOf: AS_OF });
    expect(again.tabs).toEqual(firstSync.tabs);
    expect(again.issues.map((i) => [i.tab, i.row, i.code])).toEqual(
      firstSync.issues.map((i) => [i.tab, i.row, i.code]),
    );
    await sync(path);
    const third = validateWorkbook(await readXlsx(path), { asOf: AS_OF });
    expect(third.tabs).toEqual(firstSync.tabs);
    // The marks (notes) came through the other program and ours again.
    const marked = firstSync.issues.find((i) => i.tab === 'activities' && i.severity === 'error');
    const activities = (await loadExcelWorkbook(path)).getWorksheet('活动');
    const notes: string[] = [];
    activities?.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.note) notes.push(JSON.stringify(cell.note));
      }),
    );
    expect(notes.filter((note) => note.includes(marked?.message ?? '?'))).toHaveLength(1);
  }, 120_000);
});
