/**
 * The CSV adapter of the workbook port: a folder holding one CSV file per tab, named after the
 * tab (`计划.csv`, `Plan.CSV`, …), in UTF-8 or the GB18030/GBK that Excel on Chinese Windows saves.
 */
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { recogniseTab, TAB_KEYS, type TabKey } from '../../../shared/columns';
import { UnusableInputError } from '../../../shared/errors';
import { TAB_LABELS } from '../../../shared/i18n';
import type { CellValue, RawRow, RawTab, RawWorkbook } from '../../../shared/workbook';
import { accessError, isEmptyCell, shapeTab, type WriteTab } from './common';

const CSV_EXTENSION = /\.csv$/i;
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Decodes a CSV file: UTF-8 (BOM or not) first, since GB18030 would accept many UTF-8 byte runs too. */
function decode(bytes: Uint8Array, path: string): string {
  const hasBom = UTF8_BOM.every((byte, i) => bytes[i] === byte);
  const body = hasBom ? bytes.subarray(UTF8_BOM.length) : bytes;
  for (const encoding of ['utf-8', 'gb18030']) {
    try {
      return new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
    } catch {
      // Not this encoding: try the next one.
    }
  }
  throw new UnusableInputError(
    'bad_encoding',
    `无法识别文件的文字编码，请将其另存为 UTF-8 或 GBK 编码的 CSV 文件：${path}`,
    `Unrecognised text encoding; save the file as CSV in UTF-8 or GBK: ${path}`,
  );
}

function parseRecords(text: string, path: string): string[][] {
  try {
    // Lenient like Excel: ragged rows and stray quotes inside unquoted cells are accepted.
    return parse(text, {
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: false,
      bom: false,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnusableInputError(
      'unreadable',
      `CSV 文件格式有误（例如引号未配对），无法读取：${path}`,
      `Malformed CSV file (${reason}): ${path}`,
    );
  }
}

async function readCsvTab(path: string, name: string): Promise<RawTab> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw accessError(error, path);
  }
  const [header = [], ...records] = parseRecords(decode(bytes, path), path);
  const rows: RawRow[] = [];
  records.forEach((record, index) => {
    // Numbered by record, not by physical line, so a cell holding a line break does not shift
    // the row numbers away from what a spreadsheet shows.
    if (record.some((cell) => !isEmptyCell(cell))) rows.push({ row: index + 2, cells: record });
  });
  return shapeTab(name, header, rows);
}

function tabNames(): string {
  return TAB_KEYS.map((tab) => `${TAB_LABELS[tab].zh}.csv / ${TAB_LABELS[tab].en.toLowerCase()}.csv`).join(
    ', ',
  );
}

/**
 * Reads a folder of CSV files (not recursively) as a workbook, one tab per recognised file name,
 * in the order of the spec's tabs. Files with other names are ignored.
 */
export async function readCsvFolder(dir: string): Promise<RawWorkbook> {
  let names: string[];
  try {
    if (!(await stat(dir)).isDirectory()) {
      throw new UnusableInputError('unreadable', `不是文件夹：${dir}`, `Not a folder: ${dir}`);
    }
    names = await readdir(dir);
  } catch (error) {
    throw error instanceof UnusableInputError ? error : accessError(error, dir);
  }
  const files = new Map<TabKey, { name: string; file: string }>();
  // Sorted so that which of two clashing files is named first does not depend on the file system.
  for (const file of names.sort()) {
    if (!CSV_EXTENSION.test(file)) continue;
    const name = file.replace(CSV_EXTENSION, '');
    const tab = recogniseTab(name);
    if (tab === undefined) continue;
    const isFile = await stat(join(dir, file)).then(
      (info) => info.isFile(),
      (error: unknown) => {
        throw accessError(error, join(dir, file));
      },
    );
    if (!isFile) continue;
    const earlier = files.get(tab);
    if (earlier !== undefined) {
      const { zh, en } = TAB_LABELS[tab];
      throw new UnusableInputError(
        'duplicate_tab',
        `有两个文件都对应工作表“${zh}”，请只保留一个：${earlier.file}、${file}（${dir}）`,
        `Two files are the same tab "${en}"; keep only one: ${earlier.file}, ${file} (${dir})`,
      );
    }
    files.set(tab, { name, file });
  }
  if (files.size === 0) {
    throw new UnusableInputError(
      'no_tabs',
      `文件夹中没有可识别的 CSV 文件，文件应按工作表命名（${tabNames()}）：${dir}`,
      `No recognisable CSV file in the folder; name each file after its tab (${tabNames()}): ${dir}`,
    );
  }
  const tabs = TAB_KEYS.flatMap((tab) => {
    const found = files.get(tab);
    return found === undefined ? [] : [readCsvTab(join(dir, found.file), found.name)];
  });
  return { tabs: await Promise.all(tabs) };
}

/** A cell as CSV text: dates as `YYYY-MM-DD`, everything else as it reads. */
function csvText(cell: CellValue): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell);
}

/**
 * Writes each tab as `<name>.csv` in a folder (created if needed), UTF-8 with a BOM so that Excel
 * on Chinese Windows opens it with the right encoding.
 */
export async function writeCsvFolder(dir: string, tabs: readonly WriteTab[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const tab of tabs) {
    const text = stringify([tab.header, ...tab.rows.map((row) => row.map(csvText))], { bom: true });
    await writeFile(join(dir, `${tab.name}.csv`), text);
  }
}
