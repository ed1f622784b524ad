import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { UnusableInputError } from '../../shared/errors';

/** A fresh temporary folder and a way to remove it. */
export function tempFolder(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gongjian-workbook-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
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
