/**
 * What the .xlsx and CSV adapters share: a workbook read as a source (tab by tab), the shape of a
 * tab as read, and how a failed file access becomes an unusable-input error.
 */
import { access, open } from 'node:fs/promises';
import { UnusableInputError } from '../../shared/errors';
import type { CellValue, RawRow, RawTab, RawWorkbook } from '../../shared/workbook';

/**
 * A workbook read tab by tab: every tab's name up front, and a tab's header and rows when opened
 * (rows may arrive one at a time), so validation can go along without the whole file in memory.
 */
export interface WorkbookSource {
  names: string[];
  open(index: number): Promise<{ header: CellValue[]; rows: Iterable<RawRow> | AsyncIterable<RawRow> }>;
}

/**
 * Reads every tab of a source whole (for callers that want the workbook in memory); `shape` turns
 * a tab as read into the tab returned (CSV: its columns recognised).
 */
export async function readAllTabs(
  source: WorkbookSource,
  shape: (name: string, header: CellValue[], rows: RawRow[]) => RawTab = (name, header, rows) => ({
    name,
    header,
    rows,
  }),
): Promise<RawWorkbook> {
  const tabs: RawTab[] = [];
  for (const [index, name] of source.names.entries()) {
    const { header, rows } = await source.open(index);
    const read: RawRow[] = [];
    for await (const row of rows) read.push(row);
    tabs.push(shape(name, header, read));
  }
  return { tabs };
}

/** Called as rows are read, so long reads can show progress; `done` once a tab is read whole. */
export type RowsRead = (tab: string, rows: number, done: boolean) => void;

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

/**
 * A data row in the neutral form, in place: an empty string made null, and holes made null where
 * that costs little — a wide row is visited by its keys (looping to its length would cost 16,384
 * steps for one cell in column XFD) and keeps its holes when it has few cells.
 */
export function shapeRow(cells: CellValue[]): void {
  if (cells.length <= DENSE_WIDTH) {
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined || cells[i] === '') cells[i] = null;
    return;
  }
  const keys = Object.keys(cells);
  for (const key of keys) if (cells[Number(key)] === '') cells[Number(key)] = null;
  if (cells.length <= 4 * keys.length + DENSE_WIDTH) {
    for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
  }
}

/** Rows up to this width are made dense whatever they hold. */
const DENSE_WIDTH = 256;

function usedWidth(cells: readonly (CellValue | undefined)[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (!isEmptyCell(cells[i])) return i + 1;
  return 0;
}

/**
 * Builds a tab in the neutral form: the header as a dense row up to its last used cell, and each
 * data row as read, an empty string made null. Rows are not padded to a common width (a missing
 * entry is an empty cell), and a row of a few far-apart cells keeps its holes: a sheet with one
 * cell in column XFD per row would otherwise cost 16,384 cells a row. The rows' arrays are
 * reused, not copied.
 */
export function shapeTab(
  name: string,
  header: readonly (CellValue | undefined)[],
  rows: readonly RawRow[],
): RawTab {
  const dense: CellValue[] = [];
  for (let i = 0, width = usedWidth(header); i < width; i++) {
    const cell = header[i];
    dense.push(cell === undefined || cell === '' ? null : cell);
  }
  for (const { cells } of rows) shapeRow(cells);
  return { name, header: dense, rows: rows as RawRow[] };
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

/**
 * Writes a file (`w`: created or truncated; `wx`: only created) with the given mode whatever the
 * umask, and fsyncs it before closing: its bytes are on disk when this resolves (its name is once
 * its folder is synced too).
 */
export async function writeSynced(
  path: string,
  data: string | Uint8Array,
  flag: 'w' | 'wx',
  mode?: number,
): Promise<void> {
  const handle = await open(path, flag, mode);
  try {
    // open's mode applies only to a file it creates, and through the umask.
    if (mode !== undefined) await handle.chmod(mode);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the entries of a folder (created, renamed or removed in it) durable. */
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
