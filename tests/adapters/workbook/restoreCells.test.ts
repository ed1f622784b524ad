/**
 * A restored field value (§12 `restore --field`) goes into the one cell of the row holding its
 * record's ID, in both writers: the .xlsx (updateXlsx) and the Google Sheet (the Sheets adapter,
 * against the fake Sheets server). Read back by our readers and the validation, each value is the
 * restored one — a date a date, text that looks like a formula still text, a number a number, an
 * absent value an empty cell — and nothing else of the row or the tab changed.
 */
import { join } from 'node:path';
import { OAuth2Client } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoredCell } from '../../../adapters/workbook/port';
import { writeSample } from '../../../adapters/workbook/sample';
import { createSheetsWorkbook } from '../../../adapters/workbook/sheets';
import { readXlsx } from '../../../adapters/workbook/xlsx';
import { updateXlsx } from '../../../adapters/workbook/xlsxPort';
import type { Activity } from '../../../shared/model';
import { sampleWorkbook } from '../../../shared/sample';
import { validateWorkbook } from '../../../shared/validate';
import type { RawWorkbook } from '../../../shared/workbook';
import { type FakeSheets, seedSpreadsheet, startFakeSheets } from '../../support/fake-sheets';
import { tempFolder } from './helpers';

const AS_OF = '2026-06-30';
const FORMULA = '=HYPERLINK("http://evil.example","点我")';
const CELLS: RestoredCell[] = [
  { tab: 'activities', id: 'A0002', field: 'date', value: '2026-01-11' },
  { tab: 'activities', id: 'A0002', field: 'title', value: FORMULA },
  { tab: 'activities', id: 'A0002', field: 'participants', value: 9 },
  { tab: 'activities', id: 'A0002', field: 'beneficiaries' },
  // A measure's 状态 is stored as `state`; an enum goes back as its Chinese label.
  { tab: 'plan', id: '1.1', field: 'state', value: 'cancelled' },
];

/** The validated records of a workbook, by ID. */
function records(workbook: RawWorkbook) {
  const { model } = validateWorkbook(workbook, { asOf: AS_OF });
  return {
    activities: new Map(model.activities.map((a) => [a.activityId, a] as [string | undefined, Activity])),
    measures: new Map(model.measures.map((m) => [m.measureId, m])),
  };
}

/** What every restored value must read back as, the rest of the workbook unchanged. */
function expectRestored(before: RawWorkbook, after: RawWorkbook): void {
  const was = records(before);
  const now = records(after);
  const { row: _row, ...restored } = now.activities.get('A0002') as Activity;
  const { row: _was, beneficiaries: _b, ...original } = was.activities.get('A0002') as Activity;
  expect(restored).toEqual({ ...original, date: '2026-01-11', title: FORMULA, participants: 9 });
  expect(now.measures.get('1.1')?.state).toBe('cancelled');
  for (const [id, activity] of was.activities)
    if (id !== 'A0002') expect(now.activities.get(id)).toEqual(activity);
}

describe('a restored cell', () => {
  const folder = tempFolder();
  const TOKEN = 'ya29.restore-cells';
  let fake: FakeSheets;
  beforeAll(async () => {
    fake = await startFakeSheets({ token: TOKEN });
  });
  afterAll(async () => {
    await fake.stop();
    folder.remove();
  });

  it('in the .xlsx: each value in its cell of the row holding the ID', async () => {
    const path = join(folder.dir, 'plan.xlsx');
    await writeSample(path, 2026, AS_OF);
    const before = await readXlsx(path);
    expect(records(before).measures.get('1.1')?.state).not.toBe('cancelled');
    const result = await updateXlsx(path, { restoreCells: CELLS });
    expect(result.cellsDone).toHaveLength(CELLS.length);
    expectRestored(before, await readXlsx(path));
  });

  it('in the Google Sheet: each value in its cell, text as a string value, never a formula', async () => {
    const id = 'sheet-restore-cells';
    seedSpreadsheet(fake, id, sampleWorkbook(2026, AS_OF));
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: TOKEN });
    const adapter = createSheetsWorkbook({ spreadsheetId: id, auth, rootUrl: fake.rootUrl });
    const before = await adapter.read();
    const result = await adapter.update({ restoreCells: CELLS });
    expect(result.cellsDone).toHaveLength(CELLS.length);
    expectRestored(before, await adapter.read());
    const batch = JSON.stringify(
      fake.requests.filter((r) => r.path.endsWith(':batchUpdate')).map((r) => r.body),
    );
    expect(batch).not.toContain('formulaValue');
  });
});
