/**
 * Progress of long work on one line: on a terminal the line is rewritten in place (at most ten
 * times a second); into a file or a pipe each step is a plain line of its own, and counts only
 * at every quarter, so logs stay short.
 */

export interface ProgressLine {
  /**
   * Shows `text` for step `step`. `fraction` (0–1) marks counted progress within a step: on a
   * terminal every update shows, elsewhere only a step's first update and each quarter crossed.
   */
  update(step: string, text: string, fraction?: number): void;
  /** Ends the line (a terminal's cursor goes to the next line); the next update starts anew. */
  done(): void;
}

interface Output {
  write(text: string): unknown;
  isTTY?: boolean;
}

const REDRAW_MS = 100;

/** A progress line on the given stream (stdout by default). */
export function progressLine(output: Output = process.stdout, now: () => number = Date.now): ProgressLine {
  let shown = false;
  let lastStep: string | undefined;
  let lastQuarter = -1;
  let lastDraw = 0;
  if (output.isTTY) {
    return {
      update(step, text, fraction) {
        const t = now();
        // Counted updates come in bursts; a new step or the end of one always shows.
        if (step === lastStep && fraction !== undefined && fraction < 1 && t - lastDraw < REDRAW_MS) return;
        lastStep = step;
        lastDraw = t;
        output.write(`\r\x1b[2K${text}`);
        shown = true;
      },
      done() {
        if (shown) output.write('\n');
        shown = false;
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
