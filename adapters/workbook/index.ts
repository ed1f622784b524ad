/**
 * Opens whatever the user pointed at as a workbook: an .xlsx file or a folder of CSV files.
 * Writing an .xlsx (xlsx.ts) is imported from there, not from here: it loads exceljs, which
 * reading never needs, and `gongjian validate` would pay for it at every start.
 */
import { stat } from 'node:fs/promises';
import { UnusableInputError } from '../../shared/errors';
import type { RawWorkbook } from '../../shared/workbook';
import { accessError, type RowsRead, type WorkbookSource } from './common';
import { openCsvFolder, readCsvFolder } from './csv';
import { openXlsx, readXlsx } from './xlsxReader';

export type { RowsRead, WorkbookSource, WriteTab } from './common';
export { readCsvFolder, writeCsvFolder } from './csv';
export { readXlsx } from './xlsxReader';

/**
 * Reads an .xlsx workbook or a folder of CSV files (one per tab); anything else is unusable.
 * `onRows` hears how many rows of which tab have been read, for progress on large files.
 */
export async function readWorkbook(path: string, onRows?: RowsRead): Promise<RawWorkbook> {
  return (await workbookKind(path)) === 'csv' ? readCsvFolder(path, onRows) : readXlsx(path, onRows);
}

/** Opens an .xlsx workbook or a folder of CSV files as a source read tab by tab (see WorkbookSource). */
export async function openWorkbook(path: string, onRows?: RowsRead): Promise<WorkbookSource> {
  return (await workbookKind(path)) === 'csv' ? openCsvFolder(path, onRows) : openXlsx(path, onRows);
}

async function workbookKind(path: string): Promise<'csv' | 'xlsx'> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw accessError(error, path);
  }
  if (isDirectory) return 'csv';
  if (/\.xlsx$/i.test(path)) return 'xlsx';
  if (/\.csv$/i.test(path)) {
    throw new UnusableInputError(
      'unreadable',
      `请提供存放 CSV 文件的文件夹（每个工作表一个文件，如 计划.csv），而不是单个 CSV 文件：${path}`,
      `Expected a folder of CSV files (one per tab, e.g. plan.csv), not a single CSV file: ${path}`,
    );
  }
  throw new UnusableInputError(
    'unreadable',
    `不支持的文件类型，请提供 .xlsx 工作簿或存放 CSV 文件的文件夹：${path}`,
    `Unsupported file type; give an .xlsx workbook or a folder of CSV files: ${path}`,
  );
}
