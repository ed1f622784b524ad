/**
 * Writing a workbook file that people also save: never over an office program that has it open,
 * and never over a save that lands while we work.
 *
 * ## Open workbooks
 * Excel and WPS announce an open workbook with an owner file `~$plan.xlsx` beside it (for long
 * names Word-style truncation drops the first one or two characters: `~$an.xlsx`), LibreOffice with
 * `.~lock.plan.xlsx#`. Writing underneath an open program is what to avoid in the first place: it
 * either warns its user that the file changed or silently overwrites our write at its next save.
 * So nothing is written while such a file exists ({@link WorkbookOpenError}); the local stack
 * waits for it to go, the CLI refuses. A lock file left by a crashed program blocks too: the message
 * names it, so staff can delete it.
 *
 * ## A save that lands while we work: the replace protocol
 * An update reads the file (version V: inode, size, modification time), builds the new bytes in memory and
 * writes them, flushed, to a temporary file T beside it. Then:
 *
 * 1. `rename(path → A)`: the file as it is now is set aside, atomically. From here until step 3
 *    the path is absent: every save by another program now creates a new file at `path`.
 * 2. If A is not version V, a save landed after our read: put A back with `link(A → path)` (it fails
 *    if yet another save has already created `path`; then A, an earlier save, is kept under a
 *    visible conflict name, never deleted) and start the update again from the saved file.
 * 3. `link(T → path)` (or, on file systems without hard links, an exclusive copy): creation that
 *    fails if `path` exists. If a save created `path` in the window it fails, their file stays,
 *    and the update starts again from it.
 * 4. If A changed after step 1 — a program that held it open wrote into it in place — our version
 *    lacks that write: ours is set aside the same way and A goes back (a save that replaced ours
 *    meanwhile stays, and A is kept under a conflict name), and the update starts again.
 * 5. A, which is exactly version V and wholly contained in our version, is removed, and so is T.
 *
 * Every save therefore lands either before step 1 (it is A, and step 2 or 4 sees it), or after it
 * (it creates `path`, and step 3 sees it): none is replaced unseen. What remains is a program that
 * holds the file open and writes in place after step 4: its bytes go to the set-aside inode. Office
 * programs do not save that way (they write a new file and rename it), and while they have the
 * workbook open their lock file stops us before step 1. The cost is a window of two system calls in
 * which the path is absent; a reader that opens the file then sees "not found" and retries, as our
 * watcher does.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, constants as fs, link, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { GongjianError } from '../../shared/errors';
import { errorCode, pathExists, writeSynced } from './common';

/** The office program whose lock file says it has the workbook open. */
export type OfficeProgram = 'Excel/WPS' | 'LibreOffice';

/** Raised instead of writing a workbook that an office program has open. */
export class WorkbookOpenError extends GongjianError<'workbook_open'> {
  override readonly name = 'WorkbookOpenError';
  constructor(
    readonly path: string,
    readonly program: OfficeProgram,
    readonly lockFile: string,
  ) {
    super(
      'workbook_open',
      `工作簿正在 ${program} 中打开，关闭后写回（锁文件 ${basename(lockFile)}；若程序已关闭仍有此提示，可删除该锁文件）`,
      `The workbook is open in ${program}; it is written back once it is closed (lock file ${basename(lockFile)}; delete it if the program is already closed)`,
    );
  }
}

/** Raised when saves kept landing during every attempt of an update; their file is left as saved. */
export class WorkbookChangingError extends GongjianError<'workbook_changing'> {
  override readonly name = 'WorkbookChangingError';
  constructor(
    readonly path: string,
    readonly keptAside: string[],
  ) {
    const kept =
      keptAside.length > 0 ? `；较早保存的版本另存为 ${keptAside.map((p) => basename(p)).join('、')}` : '';
    const keptEn =
      keptAside.length > 0 ? `; earlier saves kept as ${keptAside.map((p) => basename(p)).join(', ')}` : '';
    super(
      'workbook_changing',
      `写回期间工作簿一再被保存，已保留保存的版本，稍后再试${kept}：${path}`,
      `The workbook kept being saved while it was updated; it was left as saved${keptEn}: ${path}`,
    );
  }
}

/** The lock file of an office program that has the workbook open, if there is one. */
export async function officeLockOf(
  path: string,
): Promise<{ program: OfficeProgram; lockFile: string } | undefined> {
  const folder = dirname(path);
  const name = basename(path);
  const candidates: [OfficeProgram, string][] = [
    ['Excel/WPS', `~$${name}`],
    ['Excel/WPS', `~$${name.slice(1)}`],
    ['Excel/WPS', `~$${name.slice(2)}`],
    ['LibreOffice', `.~lock.${name}#`],
  ];
  for (const [program, lockName] of candidates) {
    const lockFile = join(folder, lockName);
    if (await pathExists(lockFile)) return { program, lockFile };
  }
  return undefined;
}

/** Throws {@link WorkbookOpenError} while an office program has the workbook open. */
export async function assertNotOpen(path: string): Promise<void> {
  const lock = await officeLockOf(path);
  if (lock) throw new WorkbookOpenError(path, lock.program, lock.lockFile);
}

/**
 * One version of a file on disk; any save, in place or by replacing, gives another. Not the change
 * time: renaming and linking, our own steps, move it.
 */
export async function fileVersion(path: string): Promise<string> {
  const info = await stat(path, { bigint: true });
  return `${info.ino}:${info.size}:${info.mtimeNs}`;
}

/** The points of the replace protocol where a test may act as another program saving the file. */
export type ReplaceStep = 'built' | 'setAside' | 'linked';

/** Options of {@link guardedUpdate}. */
export interface GuardOptions {
  /** How many times to start again when a save lands (default 3). */
  attempts?: number;
  /** Called at each step of the protocol; tests save the file here. */
  checkpoint?: (step: ReplaceStep) => Promise<void> | void;
}

/** What an update wrote: the version it started from and the version it left on disk. */
export interface GuardedResult<T> {
  result: T;
  readVersion: string;
  writtenVersion: string;
}

/** Thrown inside an attempt: a save landed, start again from it. */
class SavedMeanwhile extends Error {}

/**
 * Reads the file, lets `build` make the new bytes from it, and replaces the file by the protocol in
 * this module's header; starts again from the saved file when a save lands, up to `attempts` times.
 */
export async function guardedUpdate<T>(
  path: string,
  build: () => Promise<{ bytes: Buffer; result: T }>,
  options: GuardOptions = {},
): Promise<GuardedResult<T>> {
  const attempts = options.attempts ?? 3;
  const checkpoint = options.checkpoint ?? (() => {});
  const keptAside: string[] = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    await assertNotOpen(path);
    const readVersion = await fileVersion(path);
    const { bytes, result } = await build();
    if ((await fileVersion(path)) !== readVersion) continue; // saved while we read it
    await checkpoint('built');
    try {
      const writtenVersion = await replace(path, bytes, readVersion, checkpoint, keptAside);
      return { result, readVersion, writtenVersion };
    } catch (error) {
      if (!(error instanceof SavedMeanwhile)) throw error;
    }
  }
  throw new WorkbookChangingError(path, keptAside);
}

async function replace(
  path: string,
  bytes: Buffer,
  readVersion: string,
  checkpoint: (step: ReplaceStep) => Promise<void> | void,
  keptAside: string[],
): Promise<string> {
  // Dot names keep the temporary files out of folder views; the UUID keeps two writers apart.
  const stem = join(dirname(path), `.${basename(path)}.${randomUUID()}`);
  const temporary = `${stem}.tmp`;
  const aside = `${stem}.aside`;
  try {
    const mode = (await stat(path)).mode & 0o777;
    await writeSynced(temporary, bytes, 'wx', mode);
    await assertNotOpen(path);

    // 1. Set the current file aside; the path is absent until step 3.
    try {
      await rename(path, aside);
    } catch (error) {
      // Windows refuses to move a file another program holds open.
      if (errorCode(error) === 'EBUSY' || errorCode(error) === 'EPERM') throw new SavedMeanwhile();
      throw error;
    }
    await checkpoint('setAside');

    // 2. A save landed after our read: put it back and start again.
    if ((await fileVersion(aside)) !== readVersion) {
      await restore(aside, path, keptAside);
      throw new SavedMeanwhile();
    }

    // 3. Our version in, unless a save created the path meanwhile.
    try {
      await createExclusively(temporary, path);
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') {
        await restore(aside, path, keptAside);
        throw error;
      }
      throw new SavedMeanwhile(); // their file stays; ours and the set-aside read version go
    }
    await checkpoint('linked');

    // 4. Written into in place after step 1: that write is not in ours, so it goes back instead
    //    of ours — by the same set-aside and exclusive creation, so a save landing now is kept too.
    if ((await fileVersion(aside)) !== readVersion) {
      const ours = `${stem}.ours`;
      await rename(path, ours);
      if ((await stat(ours)).ino === (await stat(temporary)).ino) {
        await rm(ours);
        await restore(aside, path, keptAside);
      } else {
        await restore(ours, path, keptAside); // a save replaced ours: it stays, the in-place one is kept aside
        await restore(aside, path, keptAside);
      }
      throw new SavedMeanwhile();
    }
    await rm(temporary, { force: true });
    return await fileVersion(path);
  } finally {
    // 5. Whatever is left here is the version we read or our own bytes.
    await rm(temporary, { force: true });
    await rm(aside, { force: true });
    await rm(`${stem}.ours`, { force: true });
  }
}

/** Creates `target` with the content of `source`, failing with EEXIST if it exists. */
async function createExclusively(source: string, target: string): Promise<void> {
  try {
    await link(source, target);
  } catch (error) {
    const code = errorCode(error);
    // FAT and exFAT drives and some network shares have no hard links.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    await copyFile(source, target, fs.COPYFILE_EXCL);
  }
}

/**
 * Puts the set-aside file back at `path`. If a save has created `path` meanwhile, the set-aside
 * file (an earlier save) is kept under a visible conflict name rather than deleted.
 */
async function restore(aside: string, path: string, keptAside: string[]): Promise<void> {
  try {
    await createExclusively(aside, path);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    const extension = extname(path);
    const kept = join(
      dirname(path),
      `${basename(path, extension)} (保存冲突 ${randomUUID().slice(0, 8)})${extension}`,
    );
    await rename(aside, kept);
    keptAside.push(kept);
  }
}
