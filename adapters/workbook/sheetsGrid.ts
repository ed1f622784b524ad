/**
 * The Sheets adapter's view of a spreadsheet's sheets and cells (sheets.ts fetches them): sheet
 * metadata, one sheet's fetched cells as a grid, and the requests that write assigned activity IDs
 * and issue marks into the data tabs, as shared/marks.ts plans them.
 */
import type { sheets_v4 } from '@googleapis/sheets';
import type { TabKey } from '../../shared/columns';
import { ID_HEADER, planIdWrites, type SkippedId } from '../../shared/idWrites';
import type { Issue } from '../../shared/issues';
import { fillOwner, hasIssueNote, headerTexts, planCellMark, planMarks } from '../../shared/marks';
import type { CellValue } from '../../shared/workbook';
import { ISSUE_FILL_ARGB } from './port';

/** A sheet of `spreadsheets.get`, its properties present. */
export type SheetMeta = sheets_v4.Schema$Sheet & { properties: sheets_v4.Schema$SheetProperties };

/** Only the cells' values, notes and fills: all that IDs and marks need. */
export const CELL_FIELDS =
  'sheets(properties(sheetId,title),data(startRow,startColumn,' +
  'rowData(values(effectiveValue,note,' +
  'userEnteredFormat(backgroundColor,backgroundColorStyle)))))';

/** Grid sheets in workbook order. */
export function gridSheets(spreadsheet: sheets_v4.Schema$Spreadsheet): SheetMeta[] {
  return (spreadsheet.sheets ?? [])
    .filter((sheet): sheet is SheetMeta => !!sheet.properties)
    .filter((sheet) => (sheet.properties.sheetType ?? 'GRID') === 'GRID')
    .sort((a, b) => (a.properties.index ?? 0) - (b.properties.index ?? 0));
}

/** A sheet's title ('' when Google leaves it out). */
export function titleOf(sheet: SheetMeta): string {
  return sheet.properties.title ?? '';
}

/** A sheet's ID (0, the first sheet's, when Google leaves it out). */
export function idOf(sheet: SheetMeta): number {
  return sheet.properties.sheetId ?? 0;
}

/** A colour `FFRRGGBB` as the Sheets API takes it. */
export function rgb(argb: string): sheets_v4.Schema$Color {
  const channel = (at: number) => Number.parseInt(argb.slice(at, at + 2), 16) / 255;
  return { red: channel(2), green: channel(4), blue: channel(6) };
}

/** A colour as `FFRRGGBB`, the form ISSUE_FILL_ARGB uses (channels Google omits are 0). */
export function argbOf(color: sheets_v4.Schema$Color | null | undefined): string | undefined {
  if (!color) return undefined;
  const hex = (value: number | null | undefined) =>
    Math.round((value ?? 0) * 255)
      .toString(16)
      .padStart(2, '0')
      .toUpperCase();
  return `FF${hex(color.red)}${hex(color.green)}${hex(color.blue)}`;
}

/** A fill as two fields: Google reads the style first; older clients read the plain colour. */
export function fill(
  argb: string,
): Pick<sheets_v4.Schema$CellFormat, 'backgroundColor' | 'backgroundColorStyle'> {
  return { backgroundColor: rgb(argb), backgroundColorStyle: { rgbColor: rgb(argb) } };
}

/** A cell's own fill (`FFRRGGBB`), a theme colour as `theme`, or undefined when it has none. */
function fillOf(cell: sheets_v4.Schema$CellData | undefined): string | undefined {
  const format = cell?.userEnteredFormat;
  if (!format) return undefined;
  if (format.backgroundColorStyle?.themeColor) return 'theme';
  return argbOf(format.backgroundColorStyle?.rgbColor ?? format.backgroundColor);
}

/** A cell's value as the sheet shows it. */
function shownValueOf(cell: sheets_v4.Schema$CellData | undefined): CellValue {
  const value = cell?.effectiveValue;
  if (!value) return null;
  if (typeof value.stringValue === 'string') return value.stringValue === '' ? null : value.stringValue;
  if (typeof value.numberValue === 'number') return value.numberValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.errorValue) return value.errorValue.message ?? '#ERROR!';
  return null;
}

// ---------------------------------------------------------------------------------------------
// The cells of a data tab.

/** One sheet's cells as fetched: 0-based rows and columns. */
export class Grid {
  constructor(
    readonly sheet: SheetMeta,
    private readonly data: sheets_v4.Schema$GridData | undefined,
  ) {}

  get rowCount(): number {
    return this.sheet.properties.gridProperties?.rowCount ?? 0;
  }

  get columnCount(): number {
    return this.sheet.properties.gridProperties?.columnCount ?? 0;
  }

  cell(row: number, column: number): sheets_v4.Schema$CellData | undefined {
    const data = this.data;
    if (!data) return undefined;
    const r = row - (data.startRow ?? 0);
    const c = column - (data.startColumn ?? 0);
    if (r < 0 || c < 0) return undefined;
    return data.rowData?.[r]?.values?.[c] ?? undefined;
  }

  value(row: number, column: number): CellValue {
    return shownValueOf(this.cell(row, column));
  }

  /** Row 1 as written: trimmed text per column. */
  header(): string[] {
    const data = this.data;
    const width =
      (data?.startRow ?? 0) > 0 ? 0 : (data?.startColumn ?? 0) + (data?.rowData?.[0]?.values?.length ?? 0);
    return headerTexts(Array.from({ length: width }, (_, c) => this.value(0, c)));
  }

  /** Every fetched cell with its 0-based position. */
  *cells(): Generator<{ row: number; column: number; cell: sheets_v4.Schema$CellData }> {
    const startRow = this.data?.startRow ?? 0;
    const startColumn = this.data?.startColumn ?? 0;
    const rows = this.data?.rowData ?? [];
    for (let r = 0; r < rows.length; r++) {
      const values = rows[r]?.values ?? [];
      for (let c = 0; c < values.length; c++) {
        const cell = values[c];
        if (cell) yield { row: startRow + r, column: startColumn + c, cell };
      }
    }
  }

  /** 1 + the last column holding a value in any row, so an added column never lands on data. */
  usedWidth(): number {
    let width = 0;
    for (const { column, cell } of this.cells())
      if (column >= width && shownValueOf(cell) !== null) width = column + 1;
    return width;
  }
}

// ---------------------------------------------------------------------------------------------
// Assigned activity IDs.

/** IDs are text, so `4.30` typed later stays `4.30`. */
const TEXT_FORMAT: sheets_v4.Schema$NumberFormat = { type: 'TEXT' };

/** Consecutive rows as one `updateCells`, the rest one each. */
function idWrites(
  sheetId: number,
  column: number,
  written: ReadonlyMap<number, string>,
): sheets_v4.Schema$Request[] {
  const rows = [...written.keys()].sort((a, b) => a - b);
  const requests: sheets_v4.Schema$Request[] = [];
  for (let i = 0; i < rows.length; ) {
    const first = rows[i] as number;
    const run: sheets_v4.Schema$RowData[] = [];
    let row = first;
    while (rows[i] === row) {
      const activityId = written.get(row) ?? '';
      run.push({
        values: [
          { userEnteredValue: { stringValue: activityId }, userEnteredFormat: { numberFormat: TEXT_FORMAT } },
        ],
      });
      i++;
      row++;
    }
    requests.push({
      updateCells: {
        start: { sheetId, rowIndex: first - 1, columnIndex: column },
        rows: run,
        fields: 'userEnteredValue,userEnteredFormat.numberFormat',
      },
    });
  }
  return requests;
}

/**
 * Writes the assigned IDs that shared/marks.ts's planner allows (empty ID cells on rows that still
 * hold something); a tab without an ID column gets one after its used columns.
 */
export function writeActivityIds(
  grid: Grid | undefined,
  ids: readonly { row: number; activityId: string }[],
  requests: sheets_v4.Schema$Request[],
): SkippedId[] {
  const plan = planIdWrites(
    ids,
    grid && {
      header: grid.header(),
      value: (row, column) => grid.value(row - 1, column),
      nextFreeColumn: () => grid.usedWidth(),
    },
  );
  const { column } = plan;
  if (grid === undefined || column === undefined || plan.writes.size === 0) return plan.skipped;
  const sheetId = idOf(grid.sheet);
  if (plan.added) {
    if (column >= grid.columnCount) {
      requests.push({
        appendDimension: { sheetId, dimension: 'COLUMNS', length: column + 1 - grid.columnCount },
      });
    }
    // The header looks like its neighbour; the column is text so IDs typed later stay text (4.30).
    if (column > 0) {
      requests.push({
        copyPaste: {
          source: {
            sheetId,
            startRowIndex: 0,
            endRowIndex: 1,
            startColumnIndex: column - 1,
            endColumnIndex: column,
          },
          destination: {
            sheetId,
            startRowIndex: 0,
            endRowIndex: 1,
            startColumnIndex: column,
            endColumnIndex: column + 1,
          },
          pasteType: 'PASTE_FORMAT',
        },
      });
    }
    requests.push({
      updateCells: {
        start: { sheetId, rowIndex: 0, columnIndex: column },
        rows: [{ values: [{ userEnteredValue: { stringValue: ID_HEADER } }] }],
        fields: 'userEnteredValue',
      },
    });
    if (grid.rowCount > 1) {
      requests.push({
        repeatCell: {
          range: {
            sheetId,
            startRowIndex: 1,
            endRowIndex: grid.rowCount,
            startColumnIndex: column,
            endColumnIndex: column + 1,
          },
          cell: { userEnteredFormat: { numberFormat: TEXT_FORMAT } },
          fields: 'userEnteredFormat.numberFormat',
        },
      });
    }
  }
  requests.push(...idWrites(sheetId, column, plan.writes));
  return plan.skipped;
}

// ---------------------------------------------------------------------------------------------
// Issue marks.

/** One cell's note and fill brought to what shared/marks.ts plans, or nothing when they are already so. */
function markRequest(
  sheetId: number,
  row: number,
  column: number,
  cell: sheets_v4.Schema$CellData | undefined,
  issues: readonly Issue[],
): sheets_v4.Schema$Request | undefined {
  const note = cell?.note ?? '';
  const before = fillOf(cell);
  const owner = fillOwner(before);
  const mark = planCellMark({ note, fill: owner }, issues);
  const nextFill =
    mark.fill === 'staff' ? before : mark.fill === 'none' ? undefined : ISSUE_FILL_ARGB[mark.fill];
  const fields: string[] = [];
  const data: sheets_v4.Schema$CellData = {};
  if (mark.note !== note) {
    fields.push('note');
    if (mark.note !== '') data.note = mark.note;
  }
  if (nextFill !== before) {
    fields.push('userEnteredFormat.backgroundColor', 'userEnteredFormat.backgroundColorStyle');
    if (nextFill !== undefined) data.userEnteredFormat = fill(nextFill);
  }
  if (fields.length === 0) return undefined;
  return {
    updateCells: {
      start: { sheetId, rowIndex: row, columnIndex: column },
      rows: [{ values: [data] }],
      fields: fields.join(','),
    },
  };
}

/**
 * Replaces the previous run's marks by the issues' (as the .xlsx adapter and the add-on, all
 * planned by shared/marks.ts): a cell with our note or fill that no issue names loses them, each
 * cell an issue names is marked. Only cells whose note or fill changes are written.
 */
export function markIssues(
  grids: ReadonlyMap<TabKey, Grid>,
  issues: readonly Issue[],
  requests: sheets_v4.Schema$Request[],
): Issue[] {
  const plan = planMarks(issues, (tab) => {
    const grid = grids.get(tab);
    return grid && { header: grid.header(), rowCount: grid.rowCount, columnCount: grid.columnCount };
  });
  const add = (request: sheets_v4.Schema$Request | undefined) => {
    if (request) requests.push(request);
  };
  for (const [tab, grid] of grids) {
    const sheetId = idOf(grid.sheet);
    const cells = plan.cells.get(tab);
    for (const { row, column, cell } of grid.cells()) {
      if (cells?.get(row + 1)?.has(column)) continue;
      if (hasIssueNote(cell.note ?? '') || fillOwner(fillOf(cell)) === 'ours')
        add(markRequest(sheetId, row, column, cell, []));
    }
    for (const [row, columns] of cells ?? []) {
      for (const [column, here] of columns)
        add(markRequest(sheetId, row - 1, column, grid.cell(row - 1, column), here));
    }
  }
  return plan.unmarked;
}
