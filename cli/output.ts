/**
 * Checks on a command's output file made before any work, so a mistake in `--out` costs no wait.
 * One home for the rule every writing command shares; each command names what it writes.
 */
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CommandError } from '../adapters/terminal/errors';

/** What a command writes, named in its error sentences: `活动台账` / `the ledger`. */
export interface OutputName {
  zh: string;
  en: string;
}

/**
 * Refuses an output whose folder does not exist (or is not a folder): the writer would fail only
 * at the end, after the work, with the system's English.
 */
export async function assertOutputFolder(out: string, name: OutputName): Promise<void> {
  const folder = dirname(resolve(out));
  const isFolder = await stat(folder).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    throw new CommandError(
      `无法写入${name.zh}：文件夹不存在：${folder}`,
      `Cannot write ${name.en}: no such folder: ${folder}`,
    );
  }
}
