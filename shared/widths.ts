/**
 * How wide text shows and how wide a column is made for it, the one rule for the generated tabs
 * (Google Sheets and .xlsx), the tabs the CLI writes and the emails' plain-text tables. Widths are
 * in character cells: a Latin digit takes one (Excel's column unit), an East Asian wide or
 * fullwidth character two (string-width, which follows Unicode's East Asian Width table).
 */
import stringWidth from 'string-width';

/** No column is made narrower than this, so a short header stays readable. */
export const MIN_COLUMN_WIDTH = 8;
/** No column is made wider than this; longer text wraps or is cut off on screen. */
export const MAX_COLUMN_WIDTH = 60;

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The width of text in character cells: its widest line, wide characters counting two. */
export function textWidth(text: string): number {
  let widest = 0;
  for (const line of text.split('\n')) {
    // string-width is costly over a long sheet; printable ASCII is one cell per character.
    widest = Math.max(widest, PRINTABLE_ASCII.test(line) ? line.length : stringWidth(line));
  }
  return widest;
}

/** The width of a column whose widest content is `widest` cells: two cells of margin, within bounds. */
export function columnWidth(widest: number): number {
  return Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, widest + 2));
}
