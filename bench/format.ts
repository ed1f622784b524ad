/** How the benchmark's tables print numbers: one home for every part's rows. */

/** A count with thousands separators. */
export const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Milliseconds, with more digits the smaller they are. */
export const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : int(n)} ms`;
