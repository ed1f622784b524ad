/**
 * The CSV adapter of the workbook port: a folder holding one CSV file per tab, named after the
 * tab (`计划.csv`, `Plan.CSV`, …), in UTF-8 or the GB18030/GBK that Excel on Chinese Windows saves.
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Options, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { recogniseTab, TAB_KEYS, type TabKey } from '../../shared/columns';
import { UnusableInputError } from '../../shared/errors';
import { TAB_LABELS } from '../../shared/i18n';
import type { CellValue, RawRow, RawWorkbook } from '../../shared/workbook';
import {
  accessError,
  errorCode,
  isEmptyCell,
  type RowsRead,
  readAllTabs,
  shapeTab,
  type WorkbookSource,
  type WriteTab,
} from './common';

const CSV_EXTENSION = /\.csv$/i;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// Lenient like Excel: ragged rows and stray quotes inside unquoted cells are accepted.
const CSV_OPTIONS: Options = {
  relax_column_count: true,
  relax_quotes: true,
  skip_empty_lines: false,
  trim: false,
  bom: false,
};

/**
 * A UTF-8 sequence of a CJK character (U+3400–U+9FFF): evidence that a line was written as UTF-8.
 * GBK text almost never forms one, let alone a whole valid line of them.
 */
const UTF8_CJK = /[\u3400-\u9fff]/;

/**
 * Which encoding a file is in (§3): UTF-8 when every byte is valid UTF-8 — tried strictly first,
 * since GB18030 would accept many UTF-8 byte runs too — else GB18030 (GBK) when that decodes
 * cleanly and no line is UTF-8 Chinese; anything else is unusable, naming the first row that is
 * in neither (or in the other) encoding, instead of decoding it as something it is not.
 */
async function detectEncoding(path: string): Promise<'utf-8' | 'gb18030'> {
  // Strict UTF-8 is checked as a stream: a UTF-8 file, the usual case, is never held whole.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      decoder.decode(chunk as Buffer, { stream: true });
    }
    decoder.decode();
    return 'utf-8';
  } catch (error) {
    if (!(error instanceof TypeError)) throw accessError(error, path);
  }
  const bytes = await readBytes(path);
  const body = withoutBom(bytes);
  let utf8Line = false;
  let gbkClean = true;
  try {
    new TextDecoder('gb18030', { fatal: true }).decode(body);
  } catch {
    gbkClean = false;
  }
  // Lines (not records) are enough to tell: a quoted line break splits a cell, not a character.
  let start = 0;
  while (start < body.length && !utf8Line) {
    const end = body.indexOf(0x0a, start);
    const bytesOfLine = body.subarray(start, end < 0 ? body.length : end);
    if (isUtf8(bytesOfLine) && UTF8_CJK.test(bytesOfLine.toString('utf8'))) utf8Line = true;
    start = end < 0 ? body.length : end + 1;
  }
  if (gbkClean && !utf8Line) return 'gb18030';
  const foreignRow = firstUndecodableRow(body, utf8Line ? 'utf-8' : 'gb18030');
  const row = foreignRow === undefined ? '' : `第 ${foreignRow} 行`;
  const rowEn = foreignRow === undefined ? '' : `row ${foreignRow}`;
  if (utf8Line) {
    throw new UnusableInputError(
      'bad_encoding',
      `文件混用了两种文字编码：大部分是 UTF-8，但${row || '有的行'}不是（可能是从 GBK 文件粘贴来的）。请在 Excel 或 WPS 中检查该行文字，将文件另存为“CSV UTF-8”后重试：${path}`,
      `The file mixes two text encodings: mostly UTF-8, but ${rowEn || 'some rows are'} not (perhaps pasted from a GBK file). Check that row's text, save the file as "CSV UTF-8" and try again: ${path}`,
    );
  }
  throw new UnusableInputError(
    'bad_encoding',
    `无法识别文件的文字编码（${row || '有的行'}既不是 UTF-8 也不是 GBK），请将其另存为 UTF-8 或 GBK 编码的 CSV 文件：${path}`,
    `Unrecognised text encoding (${rowEn || 'some rows are'} neither UTF-8 nor GBK); save the file as CSV in UTF-8 or GBK: ${path}`,
  );
}

/** The sheet row (record number + 1) of the first record that does not decode in `encoding`. */
function firstUndecodableRow(body: Buffer, encoding: 'utf-8' | 'gb18030'): number | undefined {
  const text = new TextDecoder(encoding).decode(body);
  try {
    const records = parseSync(text, CSV_OPTIONS) as string[][];
    const index = records.findIndex((record) => record.some((cell) => cell.includes('\ufffd')));
    return index < 0 ? undefined : index + 1;
  } catch {
    return undefined;
  }
}

function withoutBom(bytes: Buffer): Buffer {
  return bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
}

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw accessError(error, path);
  }
}

/** Decoded text of a file, in chunks, without its BOM. */
async function* decodedChunks(path: string, encoding: 'utf-8' | 'gb18030'): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { ignoreBOM: false });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const text = decoder.decode(chunk as Buffer, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * Repeated short values (status, measure, partner, place, dates, numbers) share one string: a
 * large file repeats them on every row, and the rows are held until validation ends.
 */
function interner(): (text: string) => string {
  const seen = new Map<string, string>();
  return (text) => {
    if (text.length > 24) return text;
    const known = seen.get(text);
    if (known !== undefined) return known;
    if (seen.size < 1 << 20) seen.set(text, text);
    return text;
  };
}

/** A CSV file's records as strings, errors turned into the user's message about the file. */
async function* csvRecords(path: string): AsyncGenerator<string[]> {
  const encoding = await detectEncoding(path);
  try {
    const parser = Readable.from(decodedChunks(path, encoding)).pipe(parse(CSV_OPTIONS));
    yield* parser as AsyncIterable<string[]>;
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    if (errorCode(error)?.startsWith('CSV_')) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnusableInputError(
        'unreadable',
        `CSV 文件格式有误（例如引号未配对），无法读取：${path}`,
        `Malformed CSV file (${reason}): ${path}`,
      );
    }
    throw accessError(error, path);
  }
}

/** Opens one CSV file as a tab: its header now, its data rows as they are parsed. */
async function openCsvTab(
  path: string,
  name: string,
  onRows?: RowsRead,
): Promise<{ header: CellValue[]; rows: AsyncIterable<RawRow> }> {
  const records = csvRecords(path);
  const first = await records.next();
  const header = shapeTab(name, first.done ? [] : first.value, []).header;
  async function* rows(): AsyncGenerator<RawRow> {
    const intern = interner();
    let index = 1;
    let count = 0;
    for await (const record of records) {
      index++;
      // Numbered by record, not by physical line, so a cell holding a line break does not shift
      // the row numbers away from what a spreadsheet shows.
      if (!record.some((cell) => !isEmptyCell(cell))) continue;
      const cells: CellValue[] = record;
      for (let i = 0; i < record.length; i++)
        cells[i] = record[i] === '' ? null : intern(record[i] as string);
      count++;
      if (count % 5_000 === 0) onRows?.(name, count, false);
      yield { row: index, cells };
    }
    onRows?.(name, count, true);
  }
  return { header, rows: rows() };
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
export async function readCsvFolder(dir: string, onRows?: RowsRead): Promise<RawWorkbook> {
  return readAllTabs(await openCsvFolder(dir, onRows), shapeTab);
}

/**
 * Opens a folder of CSV files as a workbook source: one tab per recognised file name, in the
 * order of the spec's tabs, each file parsed as a stream when opened.
 */
export async function openCsvFolder(dir: string, onRows?: RowsRead): Promise<WorkbookSource> {
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
  const found = TAB_KEYS.flatMap((tab) => {
    const file = files.get(tab);
    return file === undefined ? [] : [file];
  });
  return {
    names: found.map((file) => file.name),
    open: (index) => {
      const file = found[index];
      if (file === undefined) throw new RangeError(`no tab ${index}`);
      return openCsvTab(join(dir, file.file), file.name, onRows);
    },
  };
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
