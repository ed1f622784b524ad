/**
 * The local stack's one writer of its workbook file, shared by the sync's write-back and the
 * triggers' generated tabs. It knows which versions of the file hold nothing unsynced, so that
 * every save by staff leads to a sync (including one that lands while a sync runs: the write-back
 * then starts from a version nobody synced, and the file stays "to be synced"), and it holds the
 * write-back while an office program has the workbook open, writing it once the program closes
 * it. Statistics and emails never wait for it.
 */

import { errorCode } from '../adapters/workbook/common';
import { fileVersion, officeLockOf, WorkbookOpenError } from '../adapters/workbook/fileGuard';
import type { SkippedId, WorkbookUpdate, WorkbookUpdateResult } from '../adapters/workbook/port';
import { readXlsx } from '../adapters/workbook/xlsx';
import { updateXlsx } from '../adapters/workbook/xlsxPort';
import { GongjianError } from '../shared/errors';
import type { RawWorkbook } from '../shared/workbook';

/** What became of one write. */
export type WriteOutcome =
  | ({ state: 'written'; skippedIds: SkippedId[] } & Pick<
      WorkbookUpdateResult,
      'inWorkbook' | 'recordsInWorkbook' | 'cellsDone'
    >)
  /** Held until the office program closes the workbook; written then. */
  | { state: 'waiting'; reason: WorkbookOpenError };

export interface WorkbookFileOptions {
  /** Says a sentence in Chinese and in English (the lock, a held write landing, a failure). */
  say: (zh: string, en: string) => void;
  /** How often to look whether the office program has closed the workbook (default 1 s). */
  pollMs?: number;
}

/** How many synced versions to remember: enough for a sync and the writes that follow it. */
const KNOWN_VERSIONS = 16;

/** The workbook file of the local stack (see the module comment). */
export class LocalWorkbookFile {
  private readonly known: string[] = [];
  private held: WorkbookUpdate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    readonly path: string,
    private readonly options: WorkbookFileOptions,
  ) {}

  /** Reads the workbook for a sync; {@link markSynced} the version once the sync succeeded. */
  async read(): Promise<{ workbook: RawWorkbook; version: string }> {
    const version = await fileVersion(this.path).catch(() => '');
    return { workbook: await readXlsx(this.path), version };
  }

  /** Records that the data of this version is in the record store. */
  markSynced(version: string): void {
    if (version === '' || this.known.includes(version)) return;
    this.known.push(version);
    if (this.known.length > KNOWN_VERSIONS) this.known.shift();
  }

  /** True when the file on disk holds a save that no sync has read yet. */
  async needsSync(): Promise<boolean> {
    try {
      return !this.known.includes(await fileVersion(this.path));
    } catch (error) {
      // Absent for a moment while a program (or we) replace it: the event of its return decides.
      if (errorCode(error) === 'ENOENT') return false;
      throw error;
    }
  }

  /** Writes an update now, or holds it (merged with any held one) while the workbook is open. */
  write(update: WorkbookUpdate): Promise<WriteOutcome> {
    const run = this.writing.then(() => this.writeNow(update));
    this.writing = run.catch(() => {});
    return run;
  }

  /** Resolves once the writes asked for so far have settled: written, failed, or held. */
  async settle(): Promise<void> {
    for (let last: Promise<unknown> | undefined; last !== this.writing; ) {
      last = this.writing;
      await last;
    }
  }

  /**
   * Stops looking for the office program to close the workbook. A held write is not lost: every
   * write has settled as written or held (`waiting`), and what a held one carries is rebuilt by the
   * next start — its sync writes the IDs and marks, its refresh the generated tabs, and submitted
   * rows stay queued in the database until a flush finds them in the file.
   */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.held) {
      this.options.say(
        '工作簿仍在其他程序中打开，尚未写回的内容将在下次启动时写回',
        'The workbook is still open in another program; what was not written back will be at the next start',
      );
    }
  }

  /** True while a write is held for an open workbook. */
  get waiting(): boolean {
    return this.held !== undefined;
  }

  private async writeNow(update: WorkbookUpdate): Promise<WriteOutcome> {
    if (this.held) {
      // A later sync's IDs and issues replace the earlier ones (IDs derive from the rows'
      // content, so the later sync assigns the same ones again); newer generated tabs win.
      this.held = { ...this.held, ...update };
      const lock = await officeLockOf(this.path);
      if (lock) {
        this.pollForClose();
        return { state: 'waiting', reason: new WorkbookOpenError(this.path, lock.program, lock.lockFile) };
      }
      update = this.held;
    }
    try {
      const written = await updateXlsx(this.path, update);
      this.held = undefined;
      // Our write keeps a synced version synced; from a save nobody synced, it stays to be synced.
      // Appended rows and restored cells are data a sync has to read (it clears their queue
      // entries): to be synced.
      const appended =
        (update.appendActivities?.length ?? 0) +
          (update.appendRecords?.length ?? 0) +
          (update.restoreCells?.length ?? 0) >
        0;
      if (!appended && this.known.includes(written.readVersion)) this.markSynced(written.writtenVersion);
      return {
        state: 'written',
        skippedIds: written.skippedIds,
        ...(written.inWorkbook ? { inWorkbook: written.inWorkbook } : {}),
        ...(written.recordsInWorkbook ? { recordsInWorkbook: written.recordsInWorkbook } : {}),
        ...(written.cellsDone ? { cellsDone: written.cellsDone } : {}),
      };
    } catch (error) {
      if (!(error instanceof WorkbookOpenError)) throw error;
      if (!this.held) this.options.say(error.messageZh, error.messageEn);
      this.held = update;
      this.pollForClose();
      return { state: 'waiting', reason: error };
    }
  }

  private pollForClose(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flushIfClosed();
    }, this.options.pollMs ?? 1000);
  }

  private async flushIfClosed(): Promise<void> {
    if (this.stopped || !this.held) return;
    if (await officeLockOf(this.path)) return this.pollForClose();
    const held = this.held;
    const outcome = await this.write({}).catch((error: unknown) => {
      const detail = error instanceof Error ? error.message : String(error);
      const [zh, en] = error instanceof GongjianError ? [error.messageZh, error.messageEn] : [detail, detail];
      this.options.say(`写回失败：${zh}`, `Write-back failed: ${en}`);
      this.held = held;
      this.pollForClose();
    });
    if (outcome?.state === 'written') {
      this.options.say(
        `工作簿已关闭，已写回 ${this.path}`,
        `The workbook was closed; written back to ${this.path}`,
      );
      for (const skipped of outcome.skippedIds) {
        this.options.say(
          `未写入编号 ${skipped.activityId}（第 ${skipped.row} 行：${skipped.reason}）`,
          `ID ${skipped.activityId} not written (row ${skipped.row}: ${skipped.reason})`,
        );
      }
    }
  }
}
