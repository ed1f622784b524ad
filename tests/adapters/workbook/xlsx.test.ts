import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readXlsx, writeXlsx } from '../../../adapters/workbook/xlsx';
import { inlineCell, SHEET_START, workbookParts, writeZip } from '../../support/xlsx-parts';
import { openWithExcelJs, sheet, tempFolder, unusable } from './helpers';

const folder = tempFolder();
const previousTz = process.env.TZ;

beforeAll(() => {
  // West of UTC, a date cell read or written through local-time getters lands on the previous day.
  process.env.TZ = 'America/New_York';
});
afterAll(() => {
  if (previousTz === undefined) delete process.env.TZ;
  else process.env.TZ = previousTz;
  folder.remove();
});

const march5 = new Date(Date.UTC(2026, 2, 5));

describe('writeXlsx → readXlsx', () => {
  const path = join(folder.dir, 'round-trip.xlsx');
  const longTitle = '为辖区老旧小区增设安防设施并完善无物业小区管理';

  beforeAll(async () => {
    await writeXlsx(path, [
      {
        name: '计划',
        header: ['编号', '类别', '事项', '目标值', '开始日期', '完成'],
        rows: [
          ['4.30', '实事共办', '=1+1', 4.3, march5, true],
          [null, null, null, null, null, null],
          ['4.1', '党建共商', longTitle, 12, new Date(Date.UTC(2026, 11, 31)), false],
        ],
      },
      { name: 'Activities', header: ['ID', 'Date', 'Measure', 'Title'], rows: [['A1', march5, '4.30', 'x']] },
      { name: '汇总', header: ['编号', '值'], rows: [['1', 2]] },
    ]);
  });

  it('reads back tabs in order, raw values, and sheet row numbers', async () => {
    const workbook = await readXlsx(path);
    expect(workbook.tabs.map((tab) => tab.name)).toEqual(['计划', 'Activities', '汇总']);
    const [plan] = workbook.tabs;
    expect(plan?.header).toEqual(['编号', '类别', '事项', '目标值', '开始日期', '完成']);
    expect(plan?.rows.map((row) => row.row)).toEqual([2, 4]);
    const first = plan?.rows[0]?.cells;
    expect(first?.slice(0, 4)).toEqual(['4.30', '实事共办', '=1+1', 4.3]);
    expect(first?.[5]).toBe(true);
    expect(plan?.rows[1]?.cells[5]).toBe(false);
  });

  it('returns date cells as Dates whose UTC fields are the calendar date', async () => {
    const workbook = await readXlsx(path);
    const dates = workbook.tabs[0]?.rows.map((row) => row.cells[4]);
    expect(dates?.every((date) => date instanceof Date)).toBe(true);
    expect(dates?.map((date) => (date as Date).toISOString())).toEqual([
      '2026-03-05T00:00:00.000Z',
      '2026-12-31T00:00:00.000Z',
    ]);
  });

  it('stores text starting with = as a string, never as a formula', async () => {
    const cell = sheet(await openWithExcelJs(path), '计划').getCell('C2');
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect(cell.value).toBe('=1+1');
  });

  it('formats the ID columns of data tabs as text, and only those', async () => {
    const workbook = await openWithExcelJs(path);
    const plan = sheet(workbook, '计划');
    expect(plan.getColumn(1).numFmt).toBe('@');
    expect(plan.getCell('A2').numFmt).toBe('@');
    expect(plan.getCell('A2').type).toBe(ExcelJS.ValueType.String);
    expect(plan.getColumn(4).numFmt).toBeUndefined();
    expect(plan.getCell('D2').type).toBe(ExcelJS.ValueType.Number);
    const activities = sheet(workbook, 'Activities');
    // Both the record ID and the measure reference are IDs.
    expect(activities.getColumn(1).numFmt).toBe('@');
    expect(activities.getColumn(3).numFmt).toBe('@');
    expect(activities.getColumn(4).numFmt).toBeUndefined();
    // A generated tab is not a data tab, whatever its headers say.
    expect(sheet(workbook, '汇总').getColumn(1).numFmt).toBeUndefined();
  });

  it('writes dates as yyyy-mm-dd date cells, a bold frozen header and CJK-aware widths', async () => {
    const plan = sheet(await openWithExcelJs(path), '计划');
    expect(plan.getCell('E2').type).toBe(ExcelJS.ValueType.Date);
    expect(plan.getCell('E2').numFmt).toBe('yyyy-mm-dd');
    expect(plan.getCell('A1').font?.bold).toBe(true);
    expect(plan.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const titleWidth = plan.getColumn(3).width ?? 0;
    expect(titleWidth).toBeGreaterThanOrEqual(2 * longTitle.length);
    expect(plan.getColumn(1).width).toBeLessThan(titleWidth);
  });

  it('leaves no temporary file behind and replaces an existing file', async () => {
    const dir = join(folder.dir, 'atomic');
    await mkdir(dir);
    const target = join(dir, 'out.xlsx');
    await writeXlsx(target, [{ name: 'A', header: ['x'], rows: [['first']] }]);
    await writeXlsx(target, [{ name: 'B', header: ['x'], rows: [['second']] }]);
    expect(await readdir(dir)).toEqual(['out.xlsx']);
    const workbook = await readXlsx(target);
    expect(workbook.tabs.map((tab) => [tab.name, tab.rows[0]?.cells[0]])).toEqual([['B', 'second']]);
  });
});

describe('readXlsx on cells written by other tools', () => {
  const path = join(folder.dir, 'cells.xlsx');

  beforeAll(async () => {
    const workbook = new ExcelJS.Workbook();
    const first = workbook.addWorksheet('Second in name, first in order');
    first.getCell('A1').value = 'only';
    const sheet = workbook.addWorksheet('计划');
    sheet.getRow(1).values = ['编号', '事项', '日期', '备注', '链接'];
    sheet.getCell('A2').value = { richText: [{ text: '党建', font: { bold: true } }, { text: '共商' }] };
    sheet.getCell('B2').value = { formula: '1+1', result: 2 };
    sheet.getCell('C2').value = { formula: 'DATE(2026,3,5)', result: march5 };
    sheet.getCell('C2').numFmt = 'yyyy-mm-dd';
    sheet.getCell('D2').value = { formula: 'NA()', result: { error: '#N/A' } };
    sheet.getCell('E2').value = { text: 'https://example.org', hyperlink: 'https://example.org' };
    sheet.getCell('A3').value = { formula: '"a"&"b"', result: 'ab' };
    sheet.getCell('B3').value = { formula: 'B2=2', result: true };
    sheet.getCell('C3').value = { formula: 'NOW()' };
    sheet.getCell('D3').value = { error: '#DIV/0!' };
    sheet.getCell('E3').value = {
      // exceljs reads a hyperlink over rich text this way, although its typings say string.
      text: { richText: [{ text: '佐证' }, { text: '链接' }] } as unknown as string,
      hyperlink: 'https://example.org/x',
    };
    sheet.getCell('A5').value = '';
    sheet.getCell('B5').font = { bold: true };
    sheet.getCell('A6').value = '合并';
    sheet.mergeCells('A6:B7');
    sheet.getCell('A8').value = 7;
    sheet.getCell('G8').value = '远处';
    await workbook.xlsx.writeFile(path);
  });

  it('keeps every worksheet in workbook order', async () => {
    const workbook = await readXlsx(path);
    expect(workbook.tabs.map((tab) => tab.name)).toEqual(['Second in name, first in order', '计划']);
    expect(workbook.tabs[0]?.rows).toEqual([]);
    expect(workbook.tabs[0]?.header).toEqual(['only']);
  });

  it('reads rich text, cached formula results, hyperlinks and errors as plain values', async () => {
    const plan = (await readXlsx(path)).tabs[1];
    const [row2, row3] = plan?.rows ?? [];
    expect(row2?.row).toBe(2);
    expect(row2?.cells.slice(0, 2)).toEqual(['党建共商', 2]);
    const date = row2?.cells[2];
    expect(date).toBeInstanceOf(Date);
    expect(date instanceof Date && date.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(row2?.cells.slice(3, 5)).toEqual(['#N/A', 'https://example.org']);
    // A formula never calculated has no cached result: it reads as empty.
    expect(row3?.cells.slice(0, 5)).toEqual(['ab', true, null, '#DIV/0!', '佐证链接']);
  });

  it('skips rows without values, keeps sheet row numbers and each row as wide as its cells', async () => {
    const plan = (await readXlsx(path)).tabs[1];
    // Row 4 is absent, row 5 holds only an empty string and a styled empty cell.
    expect(plan?.rows.map((row) => row.row)).toEqual([2, 3, 6, 8]);
    expect(plan?.header).toEqual(['编号', '事项', '日期', '备注', '链接']);
    expect(plan?.rows.map((row) => row.cells.length)).toEqual([5, 5, 1, 7]);
    expect(plan?.rows.at(-1)?.cells).toEqual([7, null, null, null, null, null, '远处']);
  });

  it('holds a merged range’s value in its top-left cell only', async () => {
    const plan = (await readXlsx(path)).tabs[1];
    expect(plan?.rows.find((row) => row.row === 6)?.cells).toEqual(['合并']);
    // Row 7 is covered by the merge alone, so it has no value of its own.
    expect(plan?.rows.some((row) => row.row === 7)).toBe(false);
  });
});

describe('readXlsx on unusable files', () => {
  it.each([
    ['random bytes', Buffer.from([0x13, 0x37, 0x00, 0xff, 0x42, 0x10, 0x99])],
    ['a CSV renamed', Buffer.from('编号,类别,事项\n4.1,党建共商,x\n')],
    ['an empty file', Buffer.alloc(0)],
  ])('rejects %s as corrupt_xlsx, naming the file', async (label, bytes) => {
    const path = join(folder.dir, `${label}.xlsx`);
    writeFileSync(path, bytes);
    const error = await unusable(readXlsx(path));
    expect(error.code).toBe('corrupt_xlsx');
    expect(error.messageZh).toContain(path);
    expect(error.messageEn).toContain(path);
  });

  it('rejects a truncated workbook as corrupt_xlsx', async () => {
    const whole = join(folder.dir, 'whole.xlsx');
    await writeXlsx(whole, [{ name: '计划', header: ['编号'], rows: [['1']] }]);
    const bytes = readFileSync(whole);
    const path = join(folder.dir, 'truncated.xlsx');
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await unusable(readXlsx(path))).code).toBe('corrupt_xlsx');
  });

  it('rejects a zip holding no worksheet as corrupt_xlsx', async () => {
    const path = join(folder.dir, 'no-sheets.xlsx');
    await new ExcelJS.Workbook().xlsx.writeFile(path);
    expect((await unusable(readXlsx(path))).code).toBe('corrupt_xlsx');
  });

  it('reports a missing file as not_found and a folder as unreadable', async () => {
    const missing = join(folder.dir, 'missing.xlsx');
    const notFound = await unusable(readXlsx(missing));
    expect(notFound.code).toBe('not_found');
    expect(notFound.messageEn).toContain(missing);
    const dir = join(folder.dir, 'folder.xlsx');
    await mkdir(dir);
    expect((await unusable(readXlsx(dir))).code).toBe('unreadable');
  });
});

describe('readXlsx on parts other writers produce', () => {
  it('hides values stored under a merge, reads phonetic-free rich text, t="d" dates, booleans and 1904 dates', async () => {
    const path = join(folder.dir, 'hand-built.xlsx');
    const sheet = [
      SHEET_START,
      `<row r="1">${inlineCell('A1', '编号')}${inlineCell('B1', '事项')}${inlineCell('C1', '日期')}${inlineCell('D1', '完成')}</row>`,
      '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="inlineStr"><is><t>藏在合并区里</t></is></c>',
      '<c r="C2" t="d"><v>2026-03-05T00:00:00</v></c><c r="D2" t="b"><v>1</v></c></row>',
      '<row r="3"><c r="A3" t="s"><v>1</v></c><c r="C3" s="1"><v>0</v></c></row>',
      '</sheetData><mergeCells count="1"><mergeCell ref="A2:B2"/></mergeCells></worksheet>',
    ];
    const strings = [
      '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
      '<si><r><t>党建</t></r><r><t xml:space="preserve">共商 &amp; 共建</t></r><rPh sb="0" eb="2"><t>とう</t></rPh></si>',
      '<si><t>换行_x000D_符</t></si></sst>',
    ];
    const parts = workbookParts('计划', sheet, strings);
    // 1904 date system, and a style whose number format shows a date.
    parts['xl/workbook.xml'] = [
      (parts['xl/workbook.xml'] as string[])[0]?.replace('<sheets>', '<workbookPr date1904="1"/><sheets>') ??
        '',
    ];
    parts['xl/styles.xml'] = [
      '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1">',
      '<numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>',
      '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>',
    ];
    parts['xl/_rels/workbook.xml.rels'] = [
      (parts['xl/_rels/workbook.xml.rels'] as string[])[0]?.replace(
        '</Relationships>',
        '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
      ) ?? '',
    ];
    await writeZip(path, parts);
    const [plan] = (await readXlsx(path)).tabs;
    expect(plan?.header).toEqual(['编号', '事项', '日期', '完成']);
    const [row2, row3] = plan?.rows ?? [];
    expect(row2?.cells.slice(0, 2)).toEqual(['党建共商 & 共建', null]);
    expect((row2?.cells[2] as Date | undefined)?.toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(row2?.cells[3]).toBe(true);
    expect(row3?.cells[0]).toBe('换行\r符');
    // Serial 0 in the 1904 system is 1904-01-01.
    expect((row3?.cells[2] as Date | undefined)?.toISOString()).toBe('1904-01-01T00:00:00.000Z');
  });
});
