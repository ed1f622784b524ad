/**
 * How a running local stack is found by other programs on this machine (`gongjian request`): the
 * stack writes its API address, its plan ID and the development token it made up for this run to
 * `stack.json` in the workbook's data folder, readable by its owner only; a reader trusts the file
 * only while the process that wrote it is alive. The token is the same one the stack's own syncs
 * use, so whoever can read the file could already read the workbook and its database beside it.
 * No firebase-admin here: the CLI loads this.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as z from 'zod';
import { errorCode } from './workbook/common';

/** The data folder beside a workbook: `.<name>.gongjian/`. */
export function dataFolderOf(workbookPath: string): string {
  return join(dirname(workbookPath), `.${basename(workbookPath, extname(workbookPath))}.gongjian`);
}

/** Whether a process is running (ours or another user's). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) === 'EPERM'; // alive, someone else's
  }
}

const ENDPOINT_FILE = 'stack.json';

export const StackEndpoint = z.object({
  pid: z.number().int().positive(),
  apiUrl: z.string().regex(/^http:\/\/127\.0\.0\.1:\d+$/),
  devToken: z.string().min(16),
  planId: z.string(),
});
export type StackEndpoint = z.infer<typeof StackEndpoint>;

/** Publishes a running stack's endpoint beside its workbook (mode 0600, replaced in one rename). */
export async function publishEndpoint(workbookPath: string, endpoint: StackEndpoint): Promise<void> {
  const file = join(dataFolderOf(workbookPath), ENDPOINT_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(endpoint), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

/** The endpoint of the stack running on this workbook, or undefined when none is. */
export async function findEndpoint(workbookPath: string): Promise<StackEndpoint | undefined> {
  const text = await readFile(join(dataFolderOf(workbookPath), ENDPOINT_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = StackEndpoint.safeParse(value);
  // A file left by a stack that has ended (or crashed) names a dead process.
  return parsed.success && isAlive(parsed.data.pid) ? parsed.data : undefined;
}
