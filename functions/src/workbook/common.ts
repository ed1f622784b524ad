/**
 * What the .xlsx and CSV adapters share: the shape of a tab as read, and how a failed file access
 * becomes an unusable-input error.
 */
import { access } from 'node:fs/promises';
import { UnusableInputError } from '../../../shared/errors';
import type { CellValue, RawRow, RawTab } from '../../../shared/workbook';

/** A tab to write: its name, its header row and its data rows. */
export interface WriteTab {
  name: string;
  header: string[];
  rows: CellValue[][];
}

/** An empty string is no value at all, whichever format the cell came from. */
export function isEmptyCell(value: CellValue | undefined): boolean {
  return value === null || value === undefined || value === '';
}

function usedWidth(cells: readonly (CellValue | undefined)[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (!isEmptyCell(cells[i])) return i + 1;
  return 0;
}

/**
 * Builds a rectangular tab: header and every row padded with null to the widest used column, so
 * a column index from the header addresses the same column in every row (and sparse cells read
 * from a sheet never leave holes). Only trailing empty cells are dropped.
 */
export function shapeTab(
  name: string,
  header: readonly (CellValue | undefined)[],
  rows: readonly RawRow[],
): RawTab {
  // A loop, not Math.max(...rows): spreading a large sheet's rows would overflow the call stack.
  let width = usedWidth(header);
  for (const row of rows) width = Math.max(width, usedWidth(row.cells));
  const toWidth = (cells: readonly (CellValue | undefined)[]): CellValue[] =>
    Array.from({ length: width }, (_, i) => {
      const cell = cells[i];
      return cell === undefined || cell === '' ? null : cell;
    });
  return {
    name,
    header: toWidth(header),
    rows: rows.map((row) => ({ row: row.row, cells: toWidth(row.cells) })),
  };
}

/** The errno code of a failed file-system call, when there is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** A missing path is `not_found`; any other failure to read it (permissions, a folder) `unreadable`. */
export function accessError(error: unknown, path: string): UnusableInputError {
  const code = errorCode(error);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new UnusableInputError(
      'not_found',
      `找不到文件或文件夹：${path}`,
      `No such file or folder: ${path}`,
    );
  }
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  return new UnusableInputError(
    'unreadable',
    `无法读取文件或文件夹（${reason}）：${path}`,
    `Cannot read the file or folder (${reason}): ${path}`,
  );
}

/** True when something is at the path (a file, a folder); false for nothing or no access. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
