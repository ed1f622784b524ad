/**
 * The .xlsx write side of the workbook port, on workbooks shaped like the ones staff keep: user
 * notes and fills, a dropdown, a conditional format, an extra sheet with a formula. Every test
 * works on its own copy in a temporary folder.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GENERATED_TAB_ORDER,
  ISSUE_FILL_ARGB,
  ISSUE_NOTE_MARKER,
  STATUS_FILLS,
} from '../../../adapters/workbook/port';
import { readXlsx, writeXlsx } from '../../../adapters/workbook/xlsx';
import { applyUpdate, updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { locateColumns, recogniseTab } from '../../../shared/columns';
import { historyTable } from '../../../shared/history';
import { GENERATED_TAB_LABELS, type GeneratedTab } from '../../../shared/i18n';
import type { Issue } from '../../../shared/issues';
import { sampleWorkbook } from '../../../shared/sample';
import { computeStats } from '../../../shared/stats';
import { percentCells, SUMMARY_HEADERS, summaryTables } from '../../../shared/summary';
import { validateWorkbook } from '../../../shared/validate';
import type { RawWorkbook, Table } from '../../../shared/workbook';
import { openWithExcelJs, sheet, tempFolder, unusable } from './helpers';

const folder = tempFolder();
afterAll(() => folder.remove());

const march = (day: number) => new Date(Date.UTC(2026, 2, day));
const STAFF_NOTE = '张老师：这条待核实';
const STAFF_GREEN = 'FF00B050';
/** A note as Excel writes one: the author in bold, then the text. */
const RICH_NOTE: ExcelJS.RichText[] = [
  { text: '王芳:', font: { bold: true, size: 9 } },
  { text: '\n另一条备注', font: { size: 9 } },
];
const INJECTION = "=cmd|' /C calc'!A0";

interface WithValidations {
  dataValidations: { add(range: string, rule: ExcelJS.DataValidation): void };
}

/** A workbook as staff keep it; the activities tab has no ID column. */
async function staffWorkbook(path: string): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const settings = workbook.addWorksheet('设置');
  settings.addRows([
    ['项目', '值'],
    ['社区名称', '测试社区'],
    ['计划年度', 2026],
  ]);
  const plan = workbook.addWorksheet('计划');
  plan.addRows([
    ['编号', '类别', '事项', '目标值'],
    ['4.30', '实事共办', INJECTION, 2],
    ['4.1', '党建共商', '召开联席会议', 4],
  ]);
  const activities = workbook.addWorksheet('活动');
  activities.columns = [{ width: 14 }, { width: 12 }, { width: 30 }, { width: 20 }];
  activities.getRow(1).values = ['日期', '关联事项（编号）', '活动名称', '备注'];
  activities.getRow(1).font = { bold: true };
  activities.getRow(2).values = [march(5), '4.1', '第一次联席会议', ' 前后有空格 '];
  activities.getRow(3).values = [march(9), '4.30', '加装电梯协调会'];
  activities.getRow(5).values = [march(20), '4.1', '第二次联席会议', '第一行\n第二行'];
  for (const row of [2, 3, 5]) activities.getCell(row, 1).numFmt = 'yyyy-mm-dd';
  activities.getCell('C3').note = STAFF_NOTE;
  activities.getCell('B3').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: STAFF_GREEN } };
  activities.getCell('D5').note = { texts: RICH_NOTE };
  activities.getCell('C5').value = {
    richText: [{ text: '第二次', font: { bold: true } }, { text: '联席会议' }],
  };
  // More than nine rows: exceljs alone would write this dropdown back as overlapping ranges. The
  // range API is not in exceljs's typings; a range rule is what Excel itself writes.
  (activities as unknown as WithValidations).dataValidations.add('B2:B200', {
    type: 'list',
    allowBlank: true,
    formulae: ['"4.1,4.30"'],
  });
  activities.addConditionalFormatting({
    ref: 'A2:A200',
    rules: [
      {
        type: 'expression',
        priority: 1,
        formulae: ['A2>TODAY()'],
        style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFFF0000' } } },
      },
    ],
  });
  const notes = workbook.addWorksheet('说明');
  notes.getCell('A1').value = '填表说明';
  notes.getCell('A2').value = { formula: '1+1', result: 2 };
  await workbook.xlsx.writeFile(path);
}

let template = '';
let counter = 0;
beforeAll(async () => {
  template = join(folder.dir, 'template.xlsx');
  await staffWorkbook(template);
});

/** A fresh copy of the staff workbook. */
function copy(): string {
  const path = join(folder.dir, `plan-${++counter}.xlsx`);
  copyFileSync(template, path);
  return path;
}

/** What a sync computes from the workbook: the generated tabs (变更记录 empty) and the issues. */
async function syncOf(path: string): Promise<{ generated: Record<GeneratedTab, Table>; issues: Issue[] }> {
  const result = validateWorkbook(await readXlsx(path), { asOf: '2026-06-30' });
  return {
    generated: {
      ...summaryTables(result, computeStats(result.model, '2026-06-30')),
      history: historyTable([], 'Asia/Shanghai'),
    },
    issues: result.issues,
  };
}

/** The entries of a zip file (an .xlsx), by name, decompressed; no library needed. */
function unzip(path: string): Map<string, string> {
  const zip = readFileSync(path);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const skip = nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const local = zip.readUInt32LE(at + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + size);
    entries.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    at += 46 + skip;
  }
  return entries;
}

/** All worksheet XML of a file, concatenated. */
function worksheetXml(path: string): string {
  return [...unzip(path)]
    .filter(([name]) => name.startsWith('xl/worksheets/sheet'))
    .map(([, xml]) => xml)
    .join('\n');
}

function tabOf(workbook: RawWorkbook, name: string) {
  const found = workbook.tabs.find((tab) => tab.name === name);
  if (found === undefined) throw new Error(`no tab ${name}`);
  return found;
}

function noteText(cell: ExcelJS.Cell): string | undefined {
  const note = cell.note as string | ExcelJS.Comment | undefined;
  if (note === undefined) return undefined;
  return typeof note === 'string' ? note : (note.texts ?? []).map((run) => run.text).join('');
}

function fillArgb(cell: ExcelJS.Cell): string | undefined {
  const fill = cell.fill;
  if (fill === undefined || fill.type !== 'pattern' || fill.pattern === 'none') return undefined;
  return fill.fgColor?.argb;
}

function issue(
  tab: Issue['tab'],
  row: number,
  column: string,
  severity: Issue['severity'],
  message: string,
): Issue {
  return { tab, row, column, field: '', code: 'required', severity, message, messageEn: message };
}

const ZH = GENERATED_TAB_ORDER.map((tab) => GENERATED_TAB_LABELS[tab].zh);

describe('generated tabs', () => {
  it('are added after the data tabs in order, then replaced in place without duplicates', async () => {
    const path = copy();
    const { generated } = await syncOf(path);
    await updateXlsx(path, { generated });
    expect((await readXlsx(path)).tabs.map((tab) => tab.name)).toEqual([
      '设置',
      '计划',
      '活动',
      ...ZH,
      '说明',
    ]);

    const changed = {
      ...generated,
      overview: [
        ['指标', '数值'],
        ['社区名称', '第二次'],
      ],
    };
    await updateXlsx(path, { generated: changed });
    const after = await readXlsx(path);
    expect(after.tabs.map((tab) => tab.name)).toEqual(['设置', '计划', '活动', ...ZH, '说明']);
    expect(tabOf(after, '汇总').rows.map((row) => row.cells)).toEqual([['社区名称', '第二次']]);
  });

  it('adds a missing tab next to the generated tabs already there, in canonical order', async () => {
    const path = copy();
    const { generated } = await syncOf(path);
    await updateXlsx(path, { generated: { overview: generated.overview, validation: generated.validation } });
    await updateXlsx(path, { generated: { byMonth: generated.byMonth } });
    const names = (await readXlsx(path)).tabs.map((tab) => tab.name);
    expect(names).toEqual(['设置', '计划', '活动', '汇总', '按月', '校验', '说明']);
  });

  it('replaces a tab under its English name and keeps that name', async () => {
    const path = copy();
    const workbook = await openWithExcelJs(path);
    workbook.addWorksheet('Overview').getCell('A1').value = 'stale';
    await workbook.xlsx.writeFile(path);
    await updateXlsx(path, {
      generated: {
        overview: [
          ['指标', '数值'],
          ['计划年度', 2026],
        ],
      },
    });
    const after = await readXlsx(path);
    expect(after.tabs.map((tab) => tab.name)).toEqual(['设置', '计划', '活动', '说明', 'Overview']);
    expect(tabOf(after, 'Overview').header).toEqual(['指标', '数值']);
  });

  it('writes text starting with = as text, never as a formula', async () => {
    const path = copy();
    const formulasBefore = worksheetXml(path).split('<f>').length;
    const attention: Table = [
      [...SUMMARY_HEADERS.attention],
      ['已逾期', '4.30', INJECTION, '=HYPERLINK("http://x")', '2026-03-01', 0.5, '+1'],
    ];
    await updateXlsx(path, { generated: { attention } });
    const cells = sheet(await openWithExcelJs(path), '关注事项').getRow(2);
    for (const column of [3, 4, 7]) {
      expect(cells.getCell(column).type).toBe(ExcelJS.ValueType.String);
      expect(cells.getCell(column).formula).toBeUndefined();
    }
    expect(cells.getCell(3).value).toBe(INJECTION);
    // The user's own formula on 说明 is the only one in the file, before and after.
    expect(worksheetXml(path).split('<f>').length).toBe(formulasBefore);
    expect(tabOf(await readXlsx(path), '关注事项').rows[0]?.cells[2]).toBe(INJECTION);
  });

  it('formats fractions as percentages and large quantities with thousands separators', async () => {
    const path = copy();
    const { generated } = await syncOf(path);
    const byCategory: Table = [
      [...SUMMARY_HEADERS.byCategory],
      ['实事共办', 2, 1, 0, 1, 0, 0, 0, 0.5, 0.625, 0.75, 3, 1200, 0, 12.5, 1234567.5],
    ];
    await updateXlsx(path, { generated: { ...generated, byCategory } });
    const workbook = await openWithExcelJs(path);
    const written = sheet(workbook, '按类别');
    const cells = percentCells('byCategory', byCategory);
    // 完成率, 平均进度 and 佐证覆盖率 (the evidence coverage of SPEC §11).
    expect(cells).toEqual([
      [1, 8],
      [1, 9],
      [1, 10],
    ]);
    for (const [r, c] of cells) expect(written.getCell(r + 1, c + 1).numFmt).toBe('0.0%');
    const column = (header: string) => SUMMARY_HEADERS.byCategory.indexOf(header) + 1;
    expect(written.getCell(2, column('佐证覆盖率')).numFmt).toBe('0.0%');
    expect(written.getCell(2, column('参与人数')).numFmt).toBe('#,##0');
    expect(written.getCell(2, column('投入资金')).numFmt).toBe('#,##0.0#');
    expect(written.getCell(2, column('服务时长')).numFmt).toBeUndefined();

    const overview = sheet(workbook, '汇总');
    const rows = generated.overview.map((row) => row[0]);
    const rate = rows.indexOf('完成率');
    expect(overview.getCell(rate + 1, 2).numFmt).toBe('0.0%');
    // The plan year is a number but not a quantity: 2026, never 2,026.
    expect(overview.getCell(rows.indexOf('计划年度') + 1, 2).numFmt).toBeUndefined();
  });

  it('are protected, with a bold frozen header, widths fitted to CJK text and set up to print', async () => {
    const path = copy();
    const { generated } = await syncOf(path);
    await updateXlsx(path, { generated });
    const validation = sheet(await openWithExcelJs(path), '校验');
    expect((validation as unknown as { sheetProtection?: { sheet?: boolean } }).sheetProtection?.sheet).toBe(
      true,
    );
    expect(validation.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    // Printed: A4 landscape, one page wide, the header on every page.
    expect(validation.pageSetup).toMatchObject({
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
    });
    expect(validation.getCell('A1').font?.bold).toBe(true);
    // 说明 (the message) is the widest column; each CJK character counts two.
    const message = validation.getColumn(6).width ?? 0;
    expect(message).toBeGreaterThan(validation.getColumn(5).width ?? 0);
    expect(message).toBeLessThanOrEqual(60);
  });

  it('colours the cells the statuses name, by kind: a label alone colours nothing', async () => {
    const path = copy();
    const attention: Table = [
      [...SUMMARY_HEADERS.attention],
      ['已逾期', '4.1', '联席会议', null, '2026-03-01', 0.25, '逾期'],
      ['已逾期', '4.2', '安防改造', null, '2026-03-02', 0.5, '逾期'],
    ];
    await updateXlsx(path, {
      generated: { attention },
      statuses: { attention: [{ row: 1, column: 0, status: 'overdue' }] },
    });
    const written = sheet(await openWithExcelJs(path), '关注事项');
    expect(fillArgb(written.getCell('A2'))).toBe(STATUS_FILLS.attention?.overdue);
    expect(fillArgb(written.getCell('B2'))).toBeUndefined();
    expect(fillArgb(written.getCell('A3'))).toBeUndefined();
  });
});

describe('assigned activity IDs', () => {
  it('go into the right rows, under a 记录编号 column added after the last used one', async () => {
    const path = copy();
    const result = await updateXlsx(path, {
      activityIds: [
        { row: 2, activityId: 'A0001' },
        { row: 3, activityId: '4.30' },
        { row: 4, activityId: 'A0003' },
        { row: 5, activityId: 'A0004' },
      ],
    });
    // Row 4 is empty: an ID alone there would become a record of its own.
    expect(result.skippedIds).toEqual([{ row: 4, activityId: 'A0003', reason: 'empty_row' }]);
    const activities = tabOf(await readXlsx(path), '活动');
    expect(activities.header).toEqual(['日期', '关联事项（编号）', '活动名称', '备注', '记录编号']);
    const id = locateColumns('activities', activities.header).get('activityId') ?? -1;
    expect(id).toBe(4);
    expect(activities.rows.map((row) => [row.row, row.cells[id]])).toEqual([
      [2, 'A0001'],
      [3, '4.30'],
      [5, 'A0004'],
    ]);
    const written = sheet(await openWithExcelJs(path), '活动');
    expect(written.getCell('E3').numFmt).toBe('@');
    expect(written.getCell('E3').type).toBe(ExcelJS.ValueType.String);
    expect(written.getCell('E1').font?.bold).toBe(true);
  });

  it('never overwrite an ID already in the cell, and report it', async () => {
    const path = copy();
    await updateXlsx(path, { activityIds: [{ row: 2, activityId: 'A0001' }] });
    const result = await updateXlsx(path, {
      activityIds: [
        { row: 2, activityId: 'A0999' },
        { row: 2, activityId: 'A0001' },
        { row: 1, activityId: 'A0998' },
      ],
    });
    expect(result.skippedIds).toEqual([
      { row: 2, activityId: 'A0999', reason: 'occupied', existing: 'A0001' },
      { row: 1, activityId: 'A0998', reason: 'invalid' },
    ]);
    expect(tabOf(await readXlsx(path), '活动').rows[0]?.cells[4]).toBe('A0001');
  });

  it('use the ID column that is there, wherever it stands', async () => {
    const path = join(folder.dir, 'with-id.xlsx');
    await writeXlsx(path, [
      {
        name: 'Activities',
        header: ['Date', 'ID', 'Measure', 'Title'],
        rows: [
          [march(1), 'typed-by-staff', '4.1', 'a'],
          [march(2), null, '4.1', 'b'],
        ],
      },
    ]);
    const result = await updateXlsx(path, {
      activityIds: [
        { row: 2, activityId: 'A0001' },
        { row: 3, activityId: 'A0002' },
      ],
    });
    expect(result.skippedIds).toMatchObject([{ row: 2, reason: 'occupied', existing: 'typed-by-staff' }]);
    const tab = tabOf(await readXlsx(path), 'Activities');
    expect(tab.header).toEqual(['Date', 'ID', 'Measure', 'Title']);
    expect(tab.rows.map((row) => row.cells[1])).toEqual(['typed-by-staff', 'A0002']);
  });
});

describe('issue marks', () => {
  const issues = [
    issue('activities', 3, '活动名称', 'error', '「活动名称」超过200个字符'),
    issue('activities', 3, '活动名称', 'warning', '与第2行重复'),
    issue('activities', 3, '关联事项（编号）', 'warning', '关联事项有误'),
    // Found by headerKey: the trailing unit in parentheses is not part of the name.
    issue('activities', 5, '关联事项', 'error', '找不到关联事项'),
    issue('activities', 1, '记录编号', 'error', '缺少列'),
    issue('partners', 0, '', 'warning', '缺少工作表「共建单位」'),
    issue('plan', 2, '事项', 'warning', '以 = 开头的文本'),
    issue('activities', 5, '备注', 'warning', '备注太长'),
  ];

  it('fill the cell and add one note listing every message, keeping staff notes and fills', async () => {
    const path = copy();
    const result = await updateXlsx(path, { issues });
    expect(result.unmarkedIssues.map((i) => i.message)).toEqual(['缺少列', '缺少工作表「共建单位」']);
    const workbook = await openWithExcelJs(path);
    const activities = sheet(workbook, '活动');

    const c3 = activities.getCell('C3');
    expect(fillArgb(c3)).toBe(ISSUE_FILL_ARGB.error);
    const note = noteText(c3) ?? '';
    expect(note.startsWith(`${STAFF_NOTE}\n\n${ISSUE_NOTE_MARKER}`)).toBe(true);
    expect(note).toContain('错误：「活动名称」超过200个字符');
    expect(note).toContain('警告：与第2行重复');

    // Staff's green stays; the note alone marks the cell.
    const b3 = activities.getCell('B3');
    expect(fillArgb(b3)).toBe(STAFF_GREEN);
    expect(noteText(b3)?.startsWith(ISSUE_NOTE_MARKER)).toBe(true);

    expect(fillArgb(activities.getCell('B5'))).toBe(ISSUE_FILL_ARGB.error);
    expect(fillArgb(sheet(workbook, '计划').getCell('C2'))).toBe(ISSUE_FILL_ARGB.warning);
    const d5 = noteText(activities.getCell('D5')) ?? '';
    expect(d5.startsWith(`王芳:\n另一条备注\n\n${ISSUE_NOTE_MARKER}`)).toBe(true);
    expect(d5).toContain('警告：备注太长');
    // Unnamed cells of the same style are not coloured with the marked one.
    expect(fillArgb(activities.getCell('C2'))).toBeUndefined();
    expect(fillArgb(activities.getCell('B2'))).toBeUndefined();
  });

  it('are cleared on the next update once fixed, leaving what staff added', async () => {
    const path = copy();
    await updateXlsx(path, { issues });
    // An update that carries no issue list leaves the marks alone.
    await updateXlsx(path, { activityIds: [{ row: 2, activityId: 'A0001' }] });
    expect(fillArgb(sheet(await openWithExcelJs(path), '活动').getCell('C3'))).toBe(ISSUE_FILL_ARGB.error);

    await updateXlsx(path, { issues: [issue('activities', 5, '关联事项', 'warning', '仍有问题')] });
    const workbook = await openWithExcelJs(path);
    const activities = sheet(workbook, '活动');
    expect(activities.getCell('C3').note).toBe(STAFF_NOTE);
    expect(fillArgb(activities.getCell('C3'))).toBeUndefined();
    expect(activities.getCell('B3').note).toBeUndefined();
    expect(fillArgb(activities.getCell('B3'))).toBe(STAFF_GREEN);
    expect(fillArgb(sheet(workbook, '计划').getCell('C2'))).toBeUndefined();
    expect(sheet(workbook, '计划').getCell('C2').note).toBeUndefined();
    expect((activities.getCell('D5').note as ExcelJS.Comment).texts).toEqual(RICH_NOTE);
    expect(fillArgb(activities.getCell('B5'))).toBe(ISSUE_FILL_ARGB.warning);
    expect(noteText(activities.getCell('B5'))).toBe(
      `${ISSUE_NOTE_MARKER}校验结果（下次同步时自动更新）\n警告：仍有问题`,
    );

    await updateXlsx(path, { issues: [] });
    const clean = sheet(await openWithExcelJs(path), '活动');
    expect(clean.getCell('B5').note).toBeUndefined();
    expect(fillArgb(clean.getCell('B5'))).toBeUndefined();
    expect(unzip(path).has('xl/comments3.xml')).toBe(true); // staff's notes are still there
  });
});

describe('what staff made', () => {
  it('keeps every user value, other sheets, widths, dropdowns and conditional formats', async () => {
    const path = copy();
    const before = await readXlsx(path);
    const { generated, issues } = await syncOf(path);
    await updateXlsx(path, {
      generated,
      issues: [...issues, issue('activities', 2, '活动名称', 'error', 'x')],
      activityIds: [{ row: 2, activityId: 'A0001' }],
    });
    const after = await readXlsx(path);
    for (const name of ['设置', '计划', '说明']) expect(tabOf(after, name)).toEqual(tabOf(before, name));
    const activities = tabOf(after, '活动');
    expect({
      ...activities,
      header: activities.header.slice(0, 4),
      rows: activities.rows.map((row) => ({ row: row.row, cells: row.cells.slice(0, 4) })),
    }).toEqual(tabOf(before, '活动'));

    const workbook = await openWithExcelJs(path);
    const written = sheet(workbook, '活动');
    expect([1, 2, 3, 4].map((c) => written.getColumn(c).width)).toEqual([14, 12, 30, 20]);
    expect(written.getCell('A2').numFmt).toBe('yyyy-mm-dd');
    expect(sheet(workbook, '说明').getCell('A2').formula).toBe('1+1');
    const xml = worksheetXml(path);
    expect(xml).toContain('<formula>A2&gt;TODAY()</formula>');
    // One dropdown rule over one range, as staff made it (exceljs alone writes two that overlap).
    expect(
      xml.match(/<dataValidation [^>]*sqref="[^"]*"/g)?.map((dv) => /sqref="([^"]*)"/.exec(dv)?.[1]),
    ).toEqual(['B2:B200']);
  });

  it('lets concurrent updates of one file all land', async () => {
    const path = copy();
    const { generated } = await syncOf(path);
    await Promise.all([
      updateXlsx(path, { generated }),
      updateXlsx(path, { activityIds: [{ row: 2, activityId: 'A0001' }] }),
      updateXlsx(path, { issues: [issue('activities', 3, '活动名称', 'error', 'x')] }),
    ]);
    const after = await readXlsx(path);
    expect(after.tabs.map((tab) => tab.name)).toEqual(['设置', '计划', '活动', ...ZH, '说明']);
    expect(tabOf(after, '活动').rows[0]?.cells[4]).toBe('A0001');
    expect(fillArgb(sheet(await openWithExcelJs(path), '活动').getCell('C3'))).toBe(ISSUE_FILL_ARGB.error);
    expect(readdirSync(folder.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('fails on a missing or corrupt file without creating anything', async () => {
    expect((await unusable(updateXlsx(join(folder.dir, 'missing.xlsx'), {}))).code).toBe('not_found');
    const fake = join(folder.dir, 'fake.xlsx');
    writeFileSync(fake, 'PK not really a zip');
    expect((await unusable(updateXlsx(fake, { issues: [] }))).code).toBe('corrupt_xlsx');
    expect(
      readdirSync(folder.dir).filter((name) => name.startsWith('.') || name.includes('missing')),
    ).toEqual([]);
  });
});

describe('exceljs repairs', () => {
  it('drops a defined name exceljs mangled into a reference to a sheet that does not exist', async () => {
    const workbook = await openWithExcelJs(template);
    const names = workbook.definedNames as unknown as { model: { name: string; ranges: string[] }[] };
    names.model = [
      { name: 'kept', ranges: ["'活动'!$A$1:$A$3"] },
      { name: 'mangled', ranges: ["'OFFSET(活动'!$A$1"] },
    ];
    applyUpdate(workbook, {});
    expect(names.model.map((name) => name.name)).toEqual(['kept']);
  });
});

describe('the sample workbook, synced', () => {
  it('gets its generated tabs and a mark on every issue that names a cell', async () => {
    const path = join(folder.dir, 'sample.xlsx');
    const sample = sampleWorkbook(2026);
    await writeXlsx(
      path,
      sample.tabs.map((tab) => ({
        name: tab.name,
        header: tab.header.map((cell) => String(cell ?? '')),
        rows: tab.rows.map((row) => row.cells),
      })),
    );
    const { generated, issues } = await syncOf(path);
    const result = await updateXlsx(path, { generated, issues });
    expect(result.unmarkedIssues.every((i) => i.row < 2 || i.column === '')).toBe(true);
    const workbook = await openWithExcelJs(path);
    for (const marked of issues.filter((i) => !result.unmarkedIssues.includes(i))) {
      const tab = sample.tabs.find((t) => recogniseTab(t.name) === marked.tab);
      const written = sheet(workbook, tab?.name ?? '');
      const column = tab?.header.indexOf(marked.column) ?? -1;
      expect(noteText(written.getCell(marked.row, column + 1))).toContain(marked.message);
    }
    expect((await readXlsx(path)).tabs.map((tab) => tab.name).slice(4)).toEqual(ZH);
  });
});
