/**
 * Progress on long work, one home for the CLI and the local stack: on a terminal one line
 * rewritten in place (at most ten times a second; liveLine), elsewhere (a log, a pipe) plain lines,
 * few enough that a log stays readable. The CLI's progress goes to stderr so that stdout stays the
 * report (streamProgress: rows read, plans rolled up, photos written); the stack's steps go to its
 * console (progressLine: named steps with counted progress inside a step).
 */

/** Where progress goes, and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A terminal line is redrawn at most this often: redrawing costs more than the work it counts. */
const REDRAW_MS = 100;

/** A terminal's one progress line. */
interface LiveLine {
  /** Shows `text`, unless the line was drawn less than REDRAW_MS ago and `force` is false. */
  draw(text: string, force: boolean): void;
  /** Erases the line: what follows is written where it stood. */
  clear(): void;
  /** Leaves the line as it is and moves to the next. */
  finish(): void;
}

function liveLine(stream: ProgressStream, now: () => number): LiveLine {
  let drawnAt = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    draw(text, force) {
      const time = now();
      if (!force && time - drawnAt < REDRAW_MS) return;
      drawnAt = time;
      shown = true;
      // Carriage return and erase-to-end-of-line: the same line, whatever was there before.
      stream.write(`\r\x1b[K${text}`);
    },
    clear() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
    finish() {
      if (shown) stream.write('\n');
      shown = false;
    },
  };
}

export interface Progress {
  /** Rows of a tab read so far; `done` once the tab is read whole. */
  rows(tab: string, rows: number, done: boolean): void;
  /** The `index`-th (1-based) of `total` plans a command goes through (`gongjian rollup`) is begun. */
  plan(index: number, total: number, path: string): void;
  /** `done` of `total` photos copied into a document (`gongjian ledger`); `total` alone first. */
  photos(done: number, total: number): void;
  /** The work is over: a terminal's progress line is cleared. */
  end(): void;
}

/** Inputs from this size on are large enough to show progress (about 30,000 .xlsx rows). */
export const LARGE_INPUT_BYTES = 2 * 1024 * 1024;
const PLAIN_EVERY = 50_000;
/** A log gets a photo line this often (and at the first and the last). */
const PLAIN_PHOTOS_EVERY = 200;

const count = (n: number) => n.toLocaleString('en');

/** Progress written to a stream, in the form that suits it. */
export function streamProgress(stream: ProgressStream, now: () => number = Date.now): Progress {
  if (stream.isTTY === true) {
    const line = liveLine(stream, now);
    const draw = (text: string, force: boolean) => line.draw(text, force);
    return {
      rows: (tab, rows, done) =>
        draw(`读取“${tab}”：${count(rows)} 行 / reading "${tab}": ${count(rows)} rows`, done),
      plan: (index, total, path) => {
        const [zh, en] = planLine(index, total, path);
        draw(`${zh} / ${en}`, true);
      },
      photos: (done, total) => {
        const [zh, en] = photoLine(done, total);
        draw(`${zh} / ${en}`, done === total);
      },
      end: () => line.clear(),
    };
  }
  let lastLine = 0;
  return {
    rows: (tab, rows, done) => {
      if (done) {
        stream.write(
          `[进度] 已读取“${tab}” ${count(rows)} 行 / [progress] read "${tab}": ${count(rows)} rows\n`,
        );
        lastLine = 0;
      } else if (rows - lastLine >= PLAIN_EVERY) {
        lastLine = rows;
        stream.write(
          `[进度] 读取“${tab}”：${count(rows)} 行 / [progress] reading "${tab}": ${count(rows)} rows\n`,
        );
      }
    },
    plan: (index, total, path) => {
      const [zh, en] = planLine(index, total, path);
      stream.write(`[进度] ${zh} / [progress] ${en}\n`);
    },
    photos: (done, total) => {
      if (done !== 0 && done !== total && done % PLAIN_PHOTOS_EVERY !== 0) return;
      const [zh, en] = photoLine(done, total);
      stream.write(`[进度] ${zh} / [progress] ${en}\n`);
    },
    end: () => {},
  };
}

/** The line saying which plan of how many is begun, in Chinese and in English. */
function planLine(index: number, total: number, path: string): [string, string] {
  const of = `${count(index)}/${count(total)}`;
  return [`汇总 ${of}：${path}`, `rolling up ${of}: ${path}`];
}

/** The line saying how many photos of how many are in the document. */
function photoLine(done: number, total: number): [string, string] {
  const of = `${count(done)}/${count(total)}`;
  return [`写入照片 ${of}`, `writing photos ${of}`];
}

export interface ProgressLine {
  /**
   * Shows `text` for step `step`. `fraction` (0–1) marks counted progress within a step: on a
   * terminal every update shows, elsewhere only a step's first update and each quarter crossed.
   */
  update(step: string, text: string, fraction?: number): void;
  /** Ends the line (a terminal's cursor goes to the next line); the next update starts anew. */
  done(): void;
}

/** A progress line on the given stream (stdout by default). */
export function progressLine(
  output: ProgressStream = process.stdout,
  now: () => number = Date.now,
): ProgressLine {
  let lastStep: string | undefined;
  let lastQuarter = -1;
  if (output.isTTY) {
    const line = liveLine(output, now);
    return {
      update(step, text, fraction) {
        // Counted updates come in bursts; a new step or the end of one always shows.
        line.draw(text, step !== lastStep || fraction === undefined || fraction >= 1);
        lastStep = step;
      },
      done() {
        line.finish();
        lastStep = undefined;
      },
    };
  }
  return {
    update(step, text, fraction) {
      const quarter = fraction === undefined ? -1 : Math.floor(fraction * 4);
      if (step === lastStep && quarter <= lastQuarter) return;
      lastStep = step;
      lastQuarter = quarter;
      output.write(`${text}\n`);
    },
    done() {
      lastStep = undefined;
      lastQuarter = -1;
    },
  };
}
