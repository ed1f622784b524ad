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

/** A row of the benchmark's table; `pass` undefined: informational, no target. */
export interface BenchRow {
  metric: string;
  value: string;
  target: string;
  pass?: boolean;
}

/** Milliseconds as seconds with two decimals. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Whole megabytes. */
export const mb = (value: number) => `${value.toFixed(0)} MB`;

/** A ratio of two timings. */
export const times = (ratio: number) => `${ratio.toFixed(2)}×`;

/** A row whose figure passes at or below its limit, both shown by `show`. */
export function atMost(metric: string, value: number, limit: number, show: (n: number) => string): BenchRow {
  return { metric, value: show(value), target: `≤ ${show(limit)}`, pass: value <= limit };
}
