/**
 * The .xlsx adapter's cell-level helpers: reading a cell without creating it, finding a data tab
 * and its header, and writing one record cell as staff would have typed it — a date as a date
 * cell under the tab's own date format, text as a text cell (never a formula), a photo folder as
 * a relative hyperlink. xlsxPort.ts appends rows with them; restoreCells puts one restored field
 * value (§12 `restore --field`) back into the cell of the row holding its record ID.
 */
import ExcelJS from 'exceljs';
import { recordDateColumns, recordFieldColumn, recordRowCells } from '../../shared/activityRow';
import { locateColumns, RECORD_ID_FIELD, recogniseTab, type TabKey } from '../../shared/columns';
import { parseIsoDate } from '../../shared/dates';
import { isEvidenceFolderLink } from '../../shared/evidence';
import { headerTexts } from '../../shared/marks';
import { cellText } from '../../shared/normalize';
import type { CellValue } from '../../shared/workbook';
import { DATE_CELL_FORMAT, type RestoredCell } from './port';
import { plainValue } from './xlsx';

/** A photo folder's link as a cell: a relative hyperlink whose text is the link (SPEC §11). */
export function evidenceCell(link: string): ExcelJS.CellValue {
  return { text: link, hyperlink: link };
}

/** One record cell as staff would have typed it: a date cell under `dateFormat`, text as text. */
export function setRecordCell(
  cell: ExcelJS.Cell,
  value: string | number,
  dateFormat?: string,
  evidence = false,
): void {
  if (dateFormat !== undefined && typeof value === 'string' && parseIsoDate(value) !== undefined) {
    cell.style = { ...cell.style, numFmt: dateFormat };
    // exceljs stores a Date's UTC fields as the serial, as the reader reads them back.
    cell.value = new Date(`${value}T00:00:00Z`);
    return;
  }
  // Text is a string cell (shared string): "=1+1" typed in a form stays text.
  if (typeof value === 'string') cell.style = { ...cell.style, numFmt: '@' };
  // A photo folder's link is a relative hyperlink, which Excel, WPS and LibreOffice open
  // beside the workbook (SPEC §11); its text is the link, so a reader of values reads it alike.
  cell.value =
    evidence && typeof value === 'string' && isEvidenceFolderLink(value) ? evidenceCell(value) : value;
}

/**
 * Restored field values (§12): each into the cell of the row holding its ID, under its field's
 * column (absent value: the cell cleared). A row or column the tab no longer has takes nothing.
 */
export function restoreCells(workbook: ExcelJS.Workbook, cells: readonly RestoredCell[]): void {
  for (const { tab, id, field, value } of cells) {
    const sheet = dataSheet(workbook, tab);
    const header = sheet ? headerOf(sheet) : [];
    const idColumn = locateColumns(tab, header).get(RECORD_ID_FIELD[tab]);
    const column = recordFieldColumn(tab, header, field);
    if (sheet === undefined || idColumn === undefined || column === undefined) continue;
    for (let r = 2; r <= sheet.rowCount; r++) {
      if (cellText(valueAt(sheet, r, idColumn + 1)) !== id) continue;
      const shown = recordRowCells(tab, header, { [field]: value })[column] ?? null;
      const dates = recordDateColumns(tab, header).includes(column);
      if (shown === null) sheet.getCell(r, column + 1).value = null;
      else
        setRecordCell(
          sheet.getCell(r, column + 1),
          shown,
          dates ? dateFormatAbove(sheet, column + 1, r) : undefined,
        );
      break;
    }
  }
}

/**
 * The number format of the nearest date cell at or above `row` in `column` — the tab's own way of
 * showing its dates — or DATE_CELL_FORMAT when there is none, or it has no format.
 */
export function dateFormatAbove(sheet: ExcelJS.Worksheet, column: number, row: number): string {
  for (let r = row; r >= 2; r--) {
    const cell = sheet.findCell(r, column);
    if (cell?.value instanceof Date)
      return cell.numFmt && cell.numFmt !== '@' ? cell.numFmt : DATE_CELL_FORMAT;
  }
  return DATE_CELL_FORMAT;
}

/** The value at a cell, or null; never creates the cell (getCell would add it to the file). */
export function valueAt(sheet: ExcelJS.Worksheet, row: number, column: number): CellValue {
  const cell = sheet.findCell(row, column);
  if (cell === undefined || cell.type === ExcelJS.ValueType.Merge) return null;
  return plainValue(cell.value);
}

/** Row 1 as written: trimmed text per 0-based column, '' where empty. */
export function headerOf(sheet: ExcelJS.Worksheet): string[] {
  const row = sheet.findRow(1);
  if (row === undefined) return [];
  return headerTexts(Array.from({ length: row.cellCount }, (_, c) => valueAt(sheet, 1, c + 1)));
}

/** The first worksheet recognised as the given data tab (validation refuses two). */
export function dataSheet(workbook: ExcelJS.Workbook, tab: TabKey): ExcelJS.Worksheet | undefined {
  return workbook.worksheets.find((sheet) => recogniseTab(sheet.name) === tab);
}
