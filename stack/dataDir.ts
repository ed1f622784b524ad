/**
 * The local stack's database on disk. For an office without Google the local stack is the
 * deployment, so what the deployed system keeps in Firestore must outlive the process: the records,
 * the statistics and above all the mail queue, whose document IDs are the emails' idempotency keys
 * (a second run must not send them again). The emulator keeps everything in memory; after every
 * pass, and before anything is acknowledged (durability.ts), the stack exports it beside the
 * workbook (`.<name>.gongjian/`), and the next start seeds the emulator from the newest complete
 * export. Crash-safe: an export is made under a fresh name, its files and folders fsynced, and only
 * then named current by a pointer file written, fsynced, renamed into place and its folder fsynced;
 * a kill or a power cut at any moment leaves either the previous export current or the new one,
 * whole. Older exports are removed only after that. The folder is the owner's alone (0700, files
 * 0600; privateFiles.ts): it holds every update link and address.
 *
 * The form's port is kept here too (`form-port`): links already emailed name it, so the next start
 * listens on it again.
 *
 * One stack per workbook: two would each deliver the same emails from their own database. The
 * folder holds `stack.pid` (created exclusively); a second stack finds it and the process alive,
 * and refuses to start. A file left by a process that is gone is taken over.
 */
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { dataFolderOf, isAlive } from '../adapters/stackEndpoint';
import { errorCode, pathExists } from '../adapters/workbook/common';
import { systemClock } from '../functions/src/clock';
import { GongjianError } from '../shared/errors';
import type { FirestoreEmulator } from './emulator';
import {
  ensurePrivateFolder,
  PRIVATE_FILE_MODE,
  syncFolder,
  syncPrivateTree,
  writeFileDurably,
} from './privateFiles';

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
const FORM_PORT = 'form-port';

/** The data folder of one workbook, claimed by this process until release(). */
export class LocalDataDir {
  private saves = 0;

  private constructor(
    readonly folder: string,
    /** Stamps the exports' names (the stack's clock). */
    private readonly now: () => Date,
  ) {}

  /** Claims the data folder beside the workbook; throws {@link StackRunningError} if another stack has it. */
  static async claim(workbookPath: string, now: () => Date = systemClock.now): Promise<LocalDataDir> {
    const folder = dataFolderOf(workbookPath);
    // Private, and tightened if an earlier version left it readable to others.
    await ensurePrivateFolder(folder);
    const pidFile = join(folder, PID_FILE);
    for (;;) {
      try {
        const handle = await open(pidFile, 'wx', PRIVATE_FILE_MODE);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return new LocalDataDir(folder, now);
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

  /**
   * Exports the emulator's documents and makes that export the current one, durably (see the
   * module comment). Not to be called concurrently: the stack's one committer (durability.ts) calls it.
   */
  async save(emulator: FirestoreEmulator): Promise<void> {
    // Named by the stack's clock, which may stand still (a test's) or step back (the machine's):
    // the name must still be new, or the save would overwrite the current export and then delete it.
    const taken = new Set(await readdir(this.folder));
    let name: string;
    do name = `export-${this.now().getTime()}-${++this.saves}`;
    while (taken.has(name));
    await emulator.exportTo(this.folder, name);
    await syncPrivateTree(join(this.folder, name));
    await syncFolder(this.folder);
    await writeFileDurably(join(this.folder, CURRENT), name);
    for (const entry of await readdir(this.folder)) {
      if (entry.startsWith('export-') && entry !== name) {
        await rm(join(this.folder, entry), { recursive: true, force: true });
      }
    }
  }

  /** The form's port of an earlier start, which the links already emailed name. */
  async formPort(): Promise<number | undefined> {
    const port = Number((await readFile(join(this.folder, FORM_PORT), 'utf8').catch(() => '')).trim());
    return Number.isInteger(port) && port > 0 && port < 65_536 ? port : undefined;
  }

  /** Keeps the form's port for the next start (before any link naming it goes out). */
  async keepFormPort(port: number): Promise<void> {
    if ((await this.formPort()) !== port) await writeFileDurably(join(this.folder, FORM_PORT), String(port));
  }

  /** Gives the folder up for the next stack. */
  async release(): Promise<void> {
    const pidFile = join(this.folder, PID_FILE);
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid === process.pid) await rm(pidFile, { force: true });
  }
}
