/**
 * Hostile and huge inputs (issue 9, items 10, 12–16): each runs the real `gongjian` in a child
 * process with a capped heap and asserts the exit code, the message and the peak RSS the child
 * reports for itself. The files are generated here, in a temporary folder.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCsvFolder } from '../../adapters/workbook/csv';
import { type Measured, measureScript } from '../../bench/cliBench';
import { generateWorkbook } from '../../bench/generate';
import { tempFolder } from '../adapters/workbook/helpers';
import { inlineCell, repeated, SHEET_END, SHEET_START, workbookParts, writeZip } from '../support/xlsx-parts';

const BIN = resolve(import.meta.dirname, '../../bin/gongjian.js');
const folder = tempFolder();
afterAll(() => folder.remove());
const at = (name: string) => join(folder.dir, name);

/** `gongjian …` with the heap capped, as a user's small machine would be. */
function gongjian(args: string[], heapMb = 256): Promise<Measured> {
  return measureScript(BIN, args, [`--max-old-space-size=${heapMb}`]);
}

const MiB = 1024 * 1024;
const ACTIVITY_HEADER = ['日期', '关联事项', '活动名称']
  .map((h, i) => inlineCell(`${'ABC'[i]}1`, h))
  .join('');

describe('a cell far beyond Excel’s 32,767 characters (item 13)', () => {
  it('in the shared strings: exit 2 with a clear message, in bounded memory', async () => {
    const path = at('huge-shared.xlsx');
    const sheet = [
      SHEET_START,
      `<row r="1">${ACTIVITY_HEADER}</row>`,
      '<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
      SHEET_END,
    ];
    const strings = [
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
      ...repeated('共建', 100 * MiB),
      '</t></si></sst>',
    ];
    await writeZip(path, workbookParts('活动', sheet, strings));
    const run = await gongjian(['validate', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('32,767');
    expect(run.stderr).toContain('Excel');
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(run.peakRssMb).toBeLessThan(200);
  }, 120_000);

  it('inline in a sheet: the message names the sheet and the cell', async () => {
    const path = at('huge-inline.xlsx');
    const sheet = [
      SHEET_START,
      `<row r="1">${ACTIVITY_HEADER}</row>`,
      '<row r="2"><c r="C2" t="inlineStr"><is><t>',
      ...repeated('x', 200 * MiB),
      `</t></is></c></row>${SHEET_END}`,
    ];
    await writeZip(path, workbookParts('活动', sheet));
    const run = await gongjian(['stats', path, '--as-of', '2026-06-30']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('“活动”的单元格 C2');
    expect(run.stderr).toContain('Cell C2 of sheet "活动"');
    expect(run.peakRssMb).toBeLessThan(200);
  }, 120_000);
});

describe('rows that each hold one cell in column XFD (item 14)', () => {
  it.each([
    ['a normal header', ACTIVITY_HEADER],
    ['a header reaching XFD too', `${ACTIVITY_HEADER}${inlineCell('XFD1', '远处')}`],
  ])(
    '30,000 rows under %s read in bounded memory',
    async (label, header) => {
      const path = at(`xfd-${label.length}.xlsx`);
      const rows = function* () {
        yield `${SHEET_START}<row r="1">${header}</row>`;
        for (let r = 2; r <= 30_001; r++) {
          yield `<row r="${r}">${inlineCell(`A${r}`, '2026-03-05')}${inlineCell(`XFD${r}`, 'x')}</row>`;
        }
        yield SHEET_END;
      };
      await writeZip(path, workbookParts('活动', rows()));
      const run = await gongjian(['validate', path, '--as-of', '2026-06-30', '--json'], 512);
      // Every row lacks its measure and title: 30,000 rejected rows, reported, not a crash.
      expect(run.code).toBe(1);
      const report = JSON.parse(run.stdout) as { tabs: { activities: { rows: number; rejected: number } } };
      expect(report.tabs.activities).toMatchObject({ rows: 30_000, rejected: 30_000 });
      expect(run.peakRssMb).toBeLessThan(400);
    },
    120_000,
  );
});

describe('a password-protected workbook (item 12)', () => {
  it('says it is encrypted and how to save it without a password', async () => {
    // An OLE compound file as Excel writes for an encrypted workbook: the header signature, and
    // directory entries named EncryptionInfo and EncryptedPackage (UTF-16LE, 128 bytes each).
    const header = Buffer.alloc(512);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header);
    const entry = (name: string) => {
      const bytes = Buffer.alloc(128);
      bytes.write(name, 0, 'utf16le');
      bytes.writeUInt16LE((name.length + 1) * 2, 64);
      bytes[66] = 2; // a stream
      return bytes;
    };
    const path = at('encrypted.xlsx');
    writeFileSync(
      path,
      Buffer.concat([
        header,
        entry('Root Entry'),
        entry('EncryptionInfo'),
        entry('EncryptedPackage'),
        Buffer.alloc(4096),
      ]),
    );
    const run = await gongjian(['validate', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('设置了打开密码（已加密）');
    expect(run.stderr).toContain('清空密码并保存');
    expect(run.stderr).toContain('password-protected (encrypted)');
    expect(run.stderr).not.toContain('corrupt');
  });

  it('tells a legacy .xls renamed to .xlsx apart from an encrypted one', async () => {
    const path = at('legacy.xlsx');
    const header = Buffer.alloc(1024);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header);
    header.write('Workbook', 512, 'utf16le');
    writeFileSync(path, header);
    const run = await gongjian(['validate', path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Excel 97-2003');
  });
});

describe('CSV encodings (item 10)', () => {
  it('a UTF-8 file with one GBK cell: exit 2 naming that row, nothing decoded as garbage', async () => {
    const dir = at('mixed');
    mkdirSync(dir);
    const utf8 = (text: string) => Buffer.from(text, 'utf8');
    writeFileSync(
      join(dir, '共建单位.csv'),
      Buffer.concat([
        utf8('单位编号,单位名称,邮箱\nP01,区住建局,a@example.cn\nP02,'),
        iconv.encode('第一中学', 'gbk'),
        utf8(',b@example.cn\nP03,实验小学,c@example.cn\n'),
      ]),
    );
    const run = await gongjian(['validate', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('第 3 行');
    expect(run.stderr).toContain('row 3');
    expect(run.stderr).toContain('UTF-8');
    expect(run.stdout).toBe('');
  });

  it('a whole GBK file is still read as GBK', async () => {
    const dir = at('gbk');
    mkdirSync(dir);
    writeFileSync(
      join(dir, '共建单位.csv'),
      iconv.encode('单位编号,单位名称,邮箱\nP01,第一中学（东校区）,a@example.cn\n', 'gbk'),
    );
    const run = await gongjian(['validate', dir, '--as-of', '2026-06-30', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('reports of any size (item 15)', () => {
  const dir = at('many-issues');
  const ROWS = 200_000;

  it('200,000 rejected rows: the human report is capped and says how many it left out', async () => {
    mkdirSync(dir);
    const lines = ['日期,关联事项,活动名称'];
    for (let r = 0; r < ROWS; r++) lines.push(`2026-13-01,M${r},活动${r}`);
    writeFileSync(join(dir, '活动.csv'), `${lines.join('\n')}\n`);
    const run = await gongjian(['validate', dir, '--as-of', '2026-06-30']);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/错误|Error/);
    // Two errors a row (invalid date, unknown measure), 500 shown.
    expect(run.stdout).toContain(`另有 ${(2 * ROWS - 500).toLocaleString('en')} 条未显示`);
    expect(run.stdout.split('\n').length).toBeLessThan(600);
  }, 120_000);

  it('--json streams every issue, in bounded memory', async () => {
    const run = await gongjian(['validate', dir, '--as-of', '2026-06-30', '--json'], 512);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { issues: { tab: string; code: string }[] };
    const activities = report.issues.filter((issue) => issue.tab === 'activities');
    expect(activities.filter((issue) => issue.code === 'invalid_date')).toHaveLength(ROWS);
    expect(activities.filter((issue) => issue.code === 'unknown_measure')).toHaveLength(ROWS);
    expect(run.peakRssMb).toBeLessThan(700);
  }, 120_000);
});

describe('the CSV memory budget (item 16): peak RSS ≤ 10 × the input + 200 MB', () => {
  it('holds for 200,000 generated activities (about 25 MB), read and validated as a stream', async () => {
    const dir = at('budget');
    const workbook = generateWorkbook({ activities: 200_000 });
    await writeCsvFolder(
      dir,
      workbook.tabs.map((tab) => ({
        name: tab.name,
        header: tab.header.map((cell) => String(cell ?? '')),
        rows: tab.rows.map((row) => row.cells),
      })),
    );
    const inputMb =
      workbook.tabs.reduce((sum, tab) => sum + statSync(join(dir, `${tab.name}.csv`)).size, 0) / MiB;
    expect(inputMb).toBeGreaterThan(20);
    const run = await gongjian(['stats', dir, '--as-of', '2026-10-15', '--json'], 1024);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { plan: { activities: number } }).plan.activities).toBeGreaterThan(
      100_000,
    );
    expect(
      run.peakRssMb,
      `peak ${run.peakRssMb.toFixed(0)} MB for ${inputMb.toFixed(1)} MB`,
    ).toBeLessThanOrEqual(10 * inputMb + 200);
  }, 180_000);
});
