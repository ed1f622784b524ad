/**
 * The local stack's database on disk. For an office without Google the local stack is the
 * deployment, so what the deployed system keeps in Firestore must outlive the process: the records,
 * the statistics and above all the mail queue, whose document IDs are the emails' idempotency keys
 * (a second run must not send them again). The emulator keeps everything in memory; after every
 * pass the stack exports it beside the workbook (`.<name>.gongjian/`), and the next start seeds the
 * emulator from the newest complete export. An export is made under a fresh name and only then
 * named current (one rename), so a crash mid-export leaves the previous one in use.
 *
 * One stack per workbook: two would each deliver the same emails from their own database. The
 * folder holds `stack.pid` (created exclusively); a second stack finds it and the process alive,
 * and refuses to start. A file left by a process that is gone is taken over.
 */
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dataFolderOf, isAlive } from '../adapters/stackEndpoint';
import { errorCode, pathExists } from '../adapters/workbook/common';
import { GongjianError } from '../shared/errors';
import type { FirestoreEmulator } from './emulator';

/** Another local stack is running on the same workbook. */
export class StackRunningError extends GongjianError<'stack_running'> {
  override readonly name = 'StackRunningError';
  constructor(
    readonly workbookPath: string,
    readonly pid: number,
  ) {
    super(
      'stack_running',
      `另一个本地服务（进程 ${pid}）正在使用此工作簿：${workbookPath}；请先停止它（在其窗口按 Ctrl-C）`,
      `Another local stack (process ${pid}) is already running on ${workbookPath}; stop it first (Ctrl-C in its window)`,
    );
  }
}

const CURRENT = 'current';
const PID_FILE = 'stack.pid';

/** The data folder of one workbook, claimed by this process until release(). */
export class LocalDataDir {
  private constructor(readonly folder: string) {}

  /** Claims the data folder beside the workbook; throws {@link StackRunningError} if another stack has it. */
  static async claim(workbookPath: string): Promise<LocalDataDir> {
    const folder = dataFolderOf(workbookPath);
    await mkdir(folder, { recursive: true });
    const pidFile = join(folder, PID_FILE);
    for (;;) {
      try {
        const handle = await open(pidFile, 'wx');
        await handle.writeFile(String(process.pid));
        await handle.close();
        return new LocalDataDir(folder);
      } catch (error) {
        if (errorCode(error) !== 'EEXIST') throw error;
      }
      const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StackRunningError(workbookPath, pid);
      }
      await rm(pidFile, { force: true }); // left by a process that is gone
    }
  }

  /** The newest complete export to seed the emulator from, if any. */
  async latestExport(): Promise<string | undefined> {
    const name = (await readFile(join(this.folder, CURRENT), 'utf8').catch(() => '')).trim();
    const metadata = join(this.folder, name, `${name}.overall_export_metadata`);
    return name && (await pathExists(metadata)) ? metadata : undefined;
  }

  /** Exports the emulator's documents and makes that export the current one. */
  async save(emulator: FirestoreEmulator): Promise<void> {
    const name = `export-${Date.now()}`;
    await emulator.exportTo(this.folder, name);
    const pointer = join(this.folder, `${CURRENT}.tmp`);
    await writeFile(pointer, name);
    await rename(pointer, join(this.folder, CURRENT));
    for (const entry of await readdir(this.folder)) {
      if (entry.startsWith('export-') && entry !== name) {
        await rm(join(this.folder, entry), { recursive: true, force: true });
      }
    }
  }

  /** Gives the folder up for the next stack. */
  async release(): Promise<void> {
    const pidFile = join(this.folder, PID_FILE);
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid === process.pid) await rm(pidFile, { force: true });
  }
}
