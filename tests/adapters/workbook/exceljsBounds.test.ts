/**
 * The write-back's exceljs load on hostile files (issue 18, item 10a): `loadExcelWorkbook` runs in a
 * child process with its heap capped, as the local stack would hold it, and each case asserts the
 * exit code, the message and the child's own peak RSS. A real workbook still loads there.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXCELJS_LIMITS } from '../../../adapters/workbook/exceljsLoad';
import { writeXlsx } from '../../../adapters/workbook/xlsx';
import { type Measured, measureScript } from '../../../bench/cliBench';
import { sampleWorkbook } from '../../../shared/sample';
import { repeated, SHEET_END, SHEET_START, workbookParts, writeZip } from '../../support/xlsx-parts';
import { tempFolder } from './helpers';

const ROOT = resolve(import.meta.dirname, '../../..');
/** Inside the repository, so the bundle finds exceljs in node_modules as the stack does. */
const LOADER = join(ROOT, 'node_modules/.cache/gongjian-tests/load-workbook.mjs');
const folder = tempFolder();
const at = (name: string) => join(folder.dir, name);
const MiB = 1024 * 1024;

beforeAll(async () => {
  mkdirSync(join(LOADER, '..'), { recursive: true });
  await build({
    stdin: {
      contents: [
        "import { loadExcelWorkbook } from './adapters/workbook/xlsx';",
        'try {',
        '  const workbook = await loadExcelWorkbook(process.argv[2]);',
        "  console.log('loaded ' + workbook.worksheets.length + ' sheets');",
        '} catch (error) {',
        "  console.error(error instanceof Error ? [error.name, error.code, error.message].join(' ') : String(error));",
        '  process.exitCode = 2;',
        '}',
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
    },
    outfile: LOADER,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.10',
    packages: 'external',
    logLevel: 'warning',
  });
}, 60_000);
afterAll(() => folder.remove());

/** loadExcelWorkbook(path) in a child with a 256 MB heap. */
function load(path: string): Promise<Measured> {
  return measureScript(LOADER, [path], ['--max-old-space-size=256']);
}

/**
 * Makes a zip entry lie about its size: its central-directory and local headers claim `claim`
 * bytes inflated, so only counting what it really inflates to can catch it.
 */
function understate(path: string, name: string, claim: number): void {
  const bytes = readFileSync(path);
  const nameBytes = Buffer.from(name, 'utf8');
  for (let i = 0; i + 46 < bytes.length; i++) {
    const signature = bytes.readUInt32LE(i);
    if (signature === 0x02014b50 && bytes.subarray(i + 46, i + 46 + nameBytes.length).equals(nameBytes)) {
      bytes.writeUInt32LE(claim, i + 24);
    } else if (
      signature === 0x04034b50 &&
      bytes.subarray(i + 30, i + 30 + nameBytes.length).equals(nameBytes)
    ) {
      bytes.writeUInt32LE(claim, i + 22);
    }
  }
  writeFileSync(path, bytes);
}

describe('loadExcelWorkbook on hostile files, in a child with a capped heap', () => {
  it('a real workbook loads', async () => {
    const path = at('sample.xlsx');
    const sample = sampleWorkbook(2026);
    await writeXlsx(
      path,
      sample.tabs.map((tab) => ({
        name: tab.name,
        header: tab.header.map(String),
        rows: tab.rows.map((r) => r.cells),
      })),
    );
    const run = await load(path);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`loaded ${sample.tabs.length} sheets`);
  }, 60_000);

  it('three million cells in a few hundred kilobytes: refused before exceljs builds them', async () => {
    const path = at('cells.xlsx');
    const row = `<row>${'<c><v>1</v></c>'.repeat(1000)}</row>`;
    await writeZip(path, workbookParts('活动', [SHEET_START, ...repeated(row, 3000), SHEET_END]));
    const run = await load(path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('workbook_too_large');
    expect(run.stderr).toContain(`工作簿的单元格超过 ${EXCELJS_LIMITS.cells.toLocaleString('en')} 个`);
    expect(run.stderr).toContain('holds more than 2,000,000 cells');
    expect(run.stderr).toContain(path);
    expect(run.peakRssMb).toBeLessThan(200);
  }, 120_000);

  it('a part that inflates to 600 MB while claiming 100 bytes: refused as it inflates', async () => {
    const path = at('bomb.xlsx');
    const parts = workbookParts('活动', [SHEET_START, '<row r="1"><c r="A1"><v>1</v></c></row>', SHEET_END]);
    await writeZip(path, { ...parts, 'xl/media/image1.png': repeated('\0'.repeat(1024), 600 * 1024) });
    understate(path, 'xl/media/image1.png', 100);
    const run = await load(path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('workbook_too_large');
    expect(run.stderr).toContain('工作簿解压后超过 512 MB');
    expect(run.peakRssMb).toBeLessThan(200);
  }, 120_000);

  it('a shared string of 50 MB: the reader’s own sentence about Excel’s cell limit', async () => {
    const path = at('string.xlsx');
    const strings = [
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
      ...repeated('共建', 25 * MiB),
      '</t></si></sst>',
    ];
    const sheet = [SHEET_START, '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', SHEET_END];
    await writeZip(path, workbookParts('活动', sheet, strings));
    const run = await load(path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('cell_too_large');
    expect(run.stderr).toContain('32,767');
    expect(run.peakRssMb).toBeLessThan(200);
  }, 120_000);
});
