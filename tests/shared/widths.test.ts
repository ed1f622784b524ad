/** Text and column widths (shared/widths.ts), the one rule of the tabs and the emails' text tables. */
import { describe, expect, it } from 'vitest';
import { columnWidth, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, textWidth } from '../../shared/widths';

describe('textWidth', () => {
  it('counts East Asian wide and fullwidth characters twice', () => {
    expect(textWidth('ab第一中学')).toBe(10);
    expect(textWidth('ＡＢ１')).toBe(6);
    expect(textWidth('한글')).toBe(4);
  });

  it('knows the wide characters the old hand-written table missed', () => {
    // CJK Extension B, a wide emoji outside the old emoji blocks, and a combining mark (zero width).
    expect(textWidth('𠀀')).toBe(2);
    expect(textWidth('🚀')).toBe(2);
    expect(textWidth('e\u0301')).toBe(1);
  });

  it('is the widest line of a multi-line text', () => {
    expect(textWidth('短\nlonger line')).toBe(11);
    expect(textWidth('')).toBe(0);
  });
});

describe('columnWidth', () => {
  it('adds a margin of two and stays within bounds', () => {
    expect(columnWidth(0)).toBe(MIN_COLUMN_WIDTH);
    expect(columnWidth(10)).toBe(12);
    expect(columnWidth(MAX_COLUMN_WIDTH)).toBe(MAX_COLUMN_WIDTH);
    expect(columnWidth(1000)).toBe(MAX_COLUMN_WIDTH);
  });
});
