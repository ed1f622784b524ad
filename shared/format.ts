/** Number formats shared by the emails and the year-end summary. Pure. */

/** A fraction as a percentage with at most one decimal: 0.4958 → `49.6%`, 1 → `100%`. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1).replace(/\.0$/, '')}%`;
}

/**
 * A figure as official documents write it: at most two decimals, no grouping (28500, 1234.5), so
 * the number reads the same as the statistics have it.
 */
export function figure(value: number): string {
  return String(Math.round(value * 100) / 100);
}
