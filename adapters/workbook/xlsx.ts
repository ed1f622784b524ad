/**
 * The .xlsx adapter of the workbook port: writes tabs, and opens a workbook with exceljs for the
 * write-back path. Reading for validation streams (xlsxReader.ts).
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { COLUMNS, locateColumns, recogniseTab } from '../../shared/columns';
import { columnWidth, MAX_COLUMN_WIDTH, textWidth } from '../../shared/widths';
import type { CellValue } from '../../shared/workbook';
import type { WriteTab } from './common';
import { checkExceljsBounds, loadXlsxBytes } from './exceljsLoad';
import { DATE_CELL_FORMAT } from './port';
import { corruptXlsx, readXlsxBytes } from './xlsxReader';

/**
 * A cell's value as the sheet shows it: formulas by their cached result (the file is never
 * recalculated here), rich text and hyperlinks by their text, errors by their code (`#N/A`).
 */
export function plainValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value === '' ? null : value;
  if ('richText' in value) return value.richText.map((run) => run.text).join('') || null;
  if ('error' in value) return value.error;
  if ('formula' in value || 'sharedFormula' in value) return plainValue(value.result);
  // A hyperlink's text may itself be rich text, although the typings say string.
  if ('hyperlink' in value) return plainValue(value.text as ExcelJS.CellValue);
  return null;
}

/**
 * Opens an .xlsx file with exceljs (the write-back path, which edits the workbook in place); a
 * missing, unreadable, encrypted, corrupt or oversized file (exceljsLoad.ts, "Bounding") is
 * unusable input.
 */
export async function loadExcelWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const bytes = await readXlsxBytes(path);
  // exceljs holds all it reads, unbounded: a hostile file is measured and refused first.
  await checkExceljsBounds(bytes, path);
  const workbook = new ExcelJS.Workbook();
  try {
    await loadXlsxBytes(workbook, bytes);
  } catch {
    throw corruptXlsx(path);
  }
  // Any zip loads without error; a real workbook has at least one worksheet.
  if (workbook.worksheets.length === 0) throw corruptXlsx(path);
  return workbook;
}

export { readXlsx } from './xlsxReader';

/** The 0-based columns of a data tab's header that hold IDs, which must stay text in Excel. */
function idColumns(tab: WriteTab): Set<number> {
  const key = recogniseTab(tab.name);
  if (key === undefined || key === 'settings') return new Set();
  const located = locateColumns(key, tab.header);
  const ids = new Set<number>();
  for (const column of COLUMNS[key]) {
    const index = located.get(column.field);
    if (column.kind.type === 'id' && index !== undefined) ids.add(index);
  }
  return ids;
}

/** Display width in Excel's units (about one Latin digit); CJK characters count double. */
function displayWidth(value: CellValue | undefined, atLeast: number): number {
  if (value === null || value === undefined) return 0;
  if (value instanceof Date) return 10;
  const text = String(value);
  // No character is wider than two units: most cells of a long sheet are settled without measuring.
  if (text.length * 2 <= atLeast) return 0;
  return textWidth(text);
}

/** Each column's width: its widest cell plus a margin, within bounds. */
function columnWidths(tab: WriteTab): number[] {
  const widths: number[] = [];
  for (const cells of [tab.header, ...tab.rows]) {
    cells.forEach((value, c) => {
      const current = widths[c] ?? 0;
      if (current < MAX_COLUMN_WIDTH) widths[c] = Math.max(current, displayWidth(value, current));
    });
  }
  return widths.map(columnWidth);
}

function addSheet(workbook: ExcelJS.Workbook, tab: WriteTab): void {
  const sheet = workbook.addWorksheet(tab.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  const ids = idColumns(tab);
  columnWidths(tab).forEach((width, c) => {
    const column = sheet.getColumn(c + 1);
    // Set on the column before any cell exists: new cells inherit it, and so do cells typed
    // later in Excel, which would otherwise turn `4.30` into the number 4.3.
    if (ids.has(c)) column.numFmt = '@';
    column.width = width;
  });
  const headerRow = sheet.getRow(1);
  tab.header.forEach((text, c) => {
    headerRow.getCell(c + 1).value = text;
  });
  headerRow.font = { bold: true };
  tab.rows.forEach((values, r) => {
    const row = sheet.getRow(r + 2);
    values.forEach((value, c) => {
      if (value === null) return;
      const cell = row.getCell(c + 1);
      // A string is always stored as a shared string, so `=1+1` stays text and never runs.
      cell.value = value;
      if (value instanceof Date) cell.numFmt = DATE_CELL_FORMAT;
    });
  });
}

/**
 * Writes the tabs as a new .xlsx file: header bold and frozen, dates as date cells, ID columns of
 * the data tabs formatted as text. The file is written beside the target and renamed over it, so
 * a failure never leaves a half-written workbook.
 */
export async function writeXlsx(path: string, tabs: readonly WriteTab[]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  for (const tab of tabs) addSheet(workbook, tab);
  const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
