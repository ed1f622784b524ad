/**
 * The district roll-up workbook (§13, 街道汇总.xlsx): its four generated tabs, laid out as the
 * plan's generated tabs are (fillTableSheet: bold frozen header, percentages, fills, widths,
 * protection), each chart beside the tab it is drawn from. The file is wholly generated: it is
 * written new each time, never read back.
 *
 * - Never over an open workbook: while Excel, WPS or LibreOffice has the file open (its lock file
 *   beside it, the write-back's own check), nothing is written and WorkbookOpenError says so.
 * - Never half-written: the bytes go to a temporary file beside the target, flushed, then renamed
 *   over it, so the path holds the previous roll-up or the new one.
 */
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { ROLLUP_TAB_LABELS, ROLLUP_TABS } from '../../shared/i18n';
import { renderRollupChart } from '../charts/render';
import { writeSynced } from './common';
import { assertNotOpen } from './fileGuard';
import { ROLLUP_CHART_OF, type RollupWorkbook, rollupTabLook } from './port';
import { pictureImage, showPicture } from './xlsxCharts';
import { fillTableSheet } from './xlsxPort';

export { type RollupWorkbook, rollupWorkbook } from './port';

/** The roll-up as an .xlsx file's bytes. */
export async function rollupXlsxBytes(rollup: RollupWorkbook): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const tab of ROLLUP_TABS) {
    const table = rollup.tables[tab];
    const sheet = workbook.addWorksheet(ROLLUP_TAB_LABELS[tab].zh, {
      views: [{ state: 'frozen', ySplit: 1 }],
    });
    const { formatOf, fills } = rollupTabLook(rollup, tab);
    fillTableSheet(sheet, table, formatOf, fills);
    const chart = ROLLUP_CHART_OF[tab];
    if (chart !== undefined) {
      const picture = renderRollupChart(chart, rollup.charts);
      // Below the table, one empty row between: the roll-up's tables are wide (社区总览 has a
      // column per category), and a chart beside them would halve the printed page's scale.
      showPicture(sheet, workbook.addImage(pictureImage(picture)), picture, 0, table.length + 1);
    }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/**
 * Writes the roll-up workbook at `path`, replacing an earlier one; refuses (WorkbookOpenError)
 * while an office program has it open.
 */
export async function writeRollupXlsx(path: string, rollup: RollupWorkbook): Promise<void> {
  await assertNotOpen(path);
  const bytes = await rollupXlsxBytes(rollup);
  // A dot name keeps the temporary file out of folder views; the pid keeps two writers apart.
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeSynced(temporary, bytes, 'w');
    // Checked again: the program may have opened the old roll-up while this one was built.
    await assertNotOpen(path);
    await rename(temporary, path);
  } finally {
    await rm(temporary, { force: true });
  }
}
