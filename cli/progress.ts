/**
 * Progress on long work (large workbooks: rows read and validated as they are read), on stderr so
 * that stdout stays the report: on a terminal one line rewritten in place, elsewhere (a log, a
 * pipe) plain lines — one per tab read, and every PLAIN_EVERY rows while a tab is read.
 */

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

/** Where progress goes: stderr, and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Inputs from this size on are large enough to show progress (about 30,000 .xlsx rows). */
export const LARGE_INPUT_BYTES = 2 * 1024 * 1024;
const PLAIN_EVERY = 50_000;
/** A log gets a photo line this often (and at the first and the last). */
const PLAIN_PHOTOS_EVERY = 200;
/** A terminal line is redrawn at most this often: redrawing costs more than reading a row. */
const REDRAW_MS = 100;

const count = (n: number) => n.toLocaleString('en');

/** Progress written to a stream, in the form that suits it. */
export function streamProgress(stream: ProgressStream, now: () => number = Date.now): Progress {
  if (stream.isTTY === true) {
    let drawnAt = Number.NEGATIVE_INFINITY;
    let shown = false;
    const draw = (line: string, force: boolean) => {
      const time = now();
      if (!force && time - drawnAt < REDRAW_MS) return;
      drawnAt = time;
      shown = true;
      // Carriage return and erase-to-end-of-line: the same line, whatever was there before.
      stream.write(`\r\x1b[K${line}`);
    };
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
      end: () => {
        if (shown) stream.write('\r\x1b[K');
        shown = false;
      },
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
