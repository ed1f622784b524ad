/**
 * A date submitted through the form lands in 活动 as a date cell (issue 18, item 10d), in both
 * places the row can go: the local stack's .xlsx (updateXlsx) and the Google Sheet (the Sheets
 * adapter, against the fake Sheets server) — while the row's text stays text, never a formula.
 * Checked by our readers, and for the .xlsx by openpyxl and by LibreOffice, which must see a date.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_CELL_FORMAT, type WorkbookUpdate } from '../../../adapters/workbook/port';
import { writeSample } from '../../../adapters/workbook/sample';
import { createSheetsWorkbook } from '../../../adapters/workbook/sheets';
import { readXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import { dayOf, serialOf } from '../../../shared/dates';
import type { IsoDate } from '../../../shared/model';
import { sampleWorkbook } from '../../../shared/sample';
import { validateWorkbook } from '../../../shared/validate';
import {
  cellAt,
  type FakeSheets,
  type FakeSpreadsheet,
  seedSpreadsheet,
  sheetNamed,
  startFakeSheets,
} from '../../support/fake-sheets';
import { resaveInLibreOffice } from '../../support/libreoffice';
import { tempFolder } from './helpers';

const folder = tempFolder();
afterAll(() => folder.remove());
const AS_OF = '2026-06-30';
const DATE: IsoDate = '2026-06-12';
const TITLE = '=HYPERLINK("http://evil.example","点我")';
const ID = 'R0123456789';

const submitted: NonNullable<WorkbookUpdate['appendActivities']> = [
  {
    activityId: ID,
    activity: {
      date: DATE,
      measureId: '4.1',
      partners: ['P01'],
      title: TITLE,
      participants: 25,
      status: 'done',
      recorder: '王老师（填报）',
    },
  },
];

/** The submitted activity as a validation of the workbook reads it back. */
function readBack(workbook: Parameters<typeof validateWorkbook>[0]) {
  return validateWorkbook(workbook, { asOf: AS_OF }).model.activities.find((a) => a.activityId === ID);
}

/** What openpyxl, the Python library office scripts use, sees in the submitted row's 日期 and title cells. */
function openpyxlView(path: string): { isDate: boolean; value: string; format: string; titleType: string } {
  const script = [
    'import sys, json, openpyxl',
    'ws = openpyxl.load_workbook(sys.argv[1])["活动"]',
    'head = [c.value for c in ws[1]]',
    'row = next(r for r in ws.iter_rows(min_row=2) if r[head.index("记录编号")].value == sys.argv[2])',
    'date, title = row[head.index("日期")], row[head.index("活动名称")]',
    'print(json.dumps({"isDate": date.is_date, "value": str(date.value), "format": date.number_format, "titleType": title.data_type}))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', script, path, ID], { encoding: 'utf8' });
  if (run.status !== 0) {
    throw new Error(`openpyxl failed (apt-get install python3-openpyxl; .ci/run installs it): ${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}

describe('a submitted row in the .xlsx (the local stack)', () => {
  it('has a date cell in the date format of the sample, and its formula-like title as text', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    await writeSample(path, 2026, AS_OF);
    const result = await updateXlsx(path, { appendActivities: submitted });
    expect(result.inWorkbook).toEqual([ID]);

    const read = await readXlsx(path);
    const row = read.tabs.find((t) => t.name === '活动')?.rows.at(-1)?.cells ?? [];
    // The reader returns date cells as Dates: a text cell would come back as the string.
    expect(row).toContainEqual(new Date(`${DATE}T00:00:00Z`));
    expect(row).toContain(TITLE);
    expect(readBack(read)).toMatchObject({ date: DATE, title: TITLE });

    expect(openpyxlView(path)).toEqual({
      isDate: true,
      value: `${DATE} 00:00:00`,
      format: DATE_CELL_FORMAT,
      titleType: 's',
    });

    const resaved = join(folder.dir, 'plan-libreoffice.xlsx');
    // Opened and saved as .xlsx by LibreOffice Calc: a text cell would come back text.
    resaveInLibreOffice(path, resaved, folder.dir);
    expect(openpyxlView(resaved)).toMatchObject({ isDate: true, value: `${DATE} 00:00:00`, titleType: 's' });
    expect(readBack(await readXlsx(resaved))).toMatchObject({ date: DATE, title: TITLE });
  }, 180_000);

  it('takes the format the tab’s dates already show', async () => {
    const path = join(folder.dir, 'chinese-dates.xlsx');
    await writeSample(path, 2026, AS_OF);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path);
    const sheet = workbook.getWorksheet('活动');
    if (!sheet) throw new Error('the sample has no 活动 tab');
    const dateColumn = (sheet.getRow(1).values as unknown[]).indexOf('日期');
    sheet.eachRow((row, n) => {
      if (n > 1) row.getCell(dateColumn).numFmt = 'yyyy"年"m"月"d"日"';
    });
    await workbook.xlsx.writeFile(path);

    await updateXlsx(path, { appendActivities: submitted });
    expect(openpyxlView(path)).toMatchObject({ isDate: true, format: 'yyyy"年"m"月"d"日"' });
    expect(readBack(await readXlsx(path))).toMatchObject({ date: DATE });
  }, 60_000);
});

describe('a submitted row in the Google Sheet', () => {
  const TOKEN = 'ya29.submitted-dates';
  let fake: FakeSheets;
  beforeAll(async () => {
    fake = await startFakeSheets({ token: TOKEN });
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('holds the date as a serial under a date format; its text stays RAW text', async () => {
    const id = 'sheet-submitted-dates';
    seedSpreadsheet(fake, id, sampleWorkbook(2026, AS_OF));
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: TOKEN });
    const adapter = createSheetsWorkbook({ spreadsheetId: id, auth, rootUrl: fake.rootUrl });

    const result = await adapter.update({ appendActivities: submitted });
    expect(result.inWorkbook).toEqual([ID]);

    const sheet = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '活动');
    const header = (sheet.cells[0] ?? []).map((cell) => cell?.userEnteredValue?.stringValue);
    const row = sheet.cells.findIndex((cells) =>
      cells?.some((cell) => cell?.userEnteredValue?.stringValue === ID),
    );
    const date = cellAt(sheet, row, header.indexOf('日期'));
    expect(date?.userEnteredValue).toEqual({ numberValue: serialOf(dayOf(DATE)) });
    expect(date?.userEnteredFormat?.numberFormat).toEqual({ type: 'DATE', pattern: DATE_CELL_FORMAT });
    expect(cellAt(sheet, row, header.indexOf('活动名称'))?.userEnteredValue).toEqual({ stringValue: TITLE });
    // Appended RAW: nothing of the row was parsed as typed.
    const append = fake.requests.find((r) => r.path.includes(id) && r.path.endsWith(':append'));
    expect(append?.query.valueInputOption).toEqual(['RAW']);

    expect(readBack(await adapter.read())).toMatchObject({ date: DATE, title: TITLE });

    // Retried (a lost response): nothing appended twice, the format applied again.
    await adapter.update({ appendActivities: submitted });
    const again = sheetNamed(fake.spreadsheets.get(id) as FakeSpreadsheet, '活动');
    expect(
      again.cells.filter((cells) => cells?.some((c) => c?.userEnteredValue?.stringValue === ID)),
    ).toHaveLength(1);
  });
});
