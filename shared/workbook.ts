/**
 * The neutral form every workbook adapter (.xlsx, CSV folder, Google Sheets, Apps Script) yields
 * and accepts. Cells are raw: normalisation happens in the domain, never in an adapter.
 */

/**
 * A raw cell. A `Date` is a spreadsheet date cell whose UTC fields carry the wall-clock value
 * (as exceljs returns them); numbers are numeric cells, strings text cells.
 */
export type CellValue = string | number | boolean | Date | null;

/**
 * One data row with its sheet row number (header = 1, first data row = 2). `cells` is indexed by
 * 0-based column and not padded: an index past its end, or a hole in it, is an empty cell.
 */
export interface RawRow {
  row: number;
  cells: CellValue[];
}

/** One tab as read: its name, its header row and its data rows. */
export interface RawTab {
  name: string;
  header: CellValue[];
  rows: RawRow[];
}

/** A whole workbook as read by an adapter, tabs in workbook order. */
export interface RawWorkbook {
  tabs: RawTab[];
}

/** A table to write as a generated tab: the first row is the header. */
export type Table = (string | number | null)[][];
