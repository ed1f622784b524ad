/**
 * The local stack's folders at rest: the database exports, the outbox and the files beside them
 * hold the update links (bearer tokens to a person's form) and everyone's addresses, so they are
 * the owner's alone — folders 0700, files 0600 — whatever the umask, and folders left readable by
 * an earlier version are tightened at start. And the one rule of a write that must survive a power
 * cut: a file's bytes and its name are on disk only once the file and then its folder are fsynced
 * (a rename alone may be lost, or land before the bytes it names).
 */
import { chmod, mkdir, open, readdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { syncFolder, writeSynced } from '../adapters/workbook/common';

// The one folder sync lives beside writeSynced (the photo store uses it too); re-exported for the stack.
export { syncFolder };

export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and its parents) if missing; makes it and everything in it the owner's alone. */
export async function ensurePrivateFolder(folder: string): Promise<void> {
  await mkdir(folder, { recursive: true, mode: PRIVATE_FOLDER_MODE });
  await walk(folder, false);
}

/** Makes a folder written by another program (the emulator's export) private and durable: every file and folder fsynced. */
export async function syncPrivateTree(folder: string): Promise<void> {
  await walk(folder, true);
}

/** Writes a small file privately and durably, replacing any file of that name in one rename. */
export async function writeFileDurably(path: string, data: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeSynced(temporary, data, 'w', PRIVATE_FILE_MODE);
  await rename(temporary, path);
  await syncFolder(dirname(path));
}

async function walk(folder: string, durable: boolean): Promise<void> {
  await chmod(folder, PRIVATE_FOLDER_MODE);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await walk(path, durable);
    else if (entry.isFile()) {
      if (!durable) {
        await chmod(path, PRIVATE_FILE_MODE);
        continue;
      }
      const handle = await open(path, 'r');
      try {
        await handle.chmod(PRIVATE_FILE_MODE);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  if (durable) await syncFolder(folder);
}
