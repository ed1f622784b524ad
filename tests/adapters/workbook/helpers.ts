import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import { UnusableInputError } from '../../../shared/errors';

/** A fresh temporary folder and a way to remove it. */
export function tempFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gongjian-workbook-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A workbook file as exceljs reads it (the oracle these tests check our writers against). */
export async function openWithExcelJs(path: string): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
  return workbook;
}

/** The worksheet called `name`; a missing one fails the test by name. */
export function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = workbook.getWorksheet(name);
  if (found === undefined) throw new Error(`no sheet ${name}`);
  return found;
}

/** Awaits a promise that must reject with an UnusableInputError, and returns that error. */
export async function unusable(promise: Promise<unknown>): Promise<UnusableInputError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UnusableInputError);
  return error as UnusableInputError;
}
