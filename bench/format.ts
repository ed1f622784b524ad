/** How the benchmark summarises and prints numbers: one home for every part's rows. */

/** A count with thousands separators. */
export const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** Milliseconds, with more digits the smaller they are. */
export const ms = (n: number) => `${n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : int(n)} ms`;

/** The median of some timings (the mean of the middle two for an even count; NaN for none). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? Number.NaN;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}
