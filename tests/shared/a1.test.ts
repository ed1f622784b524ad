/** A1 notation (shared/a1.ts): column letters both ways, sheet names quoted, ranges split. */
import { describe, expect, it } from 'vitest';
import {
  cellLink,
  cellReference,
  columnIndex,
  columnLetter,
  parseCell,
  parseCellReference,
  quotedTabName,
  quoteTabName,
  splitRange,
} from '../../shared/a1';

describe('A1 helpers', () => {
  it('spells column letters in bijective base 26', () => {
    expect(columnLetter(0)).toBe('A');
    expect(columnLetter(25)).toBe('Z');
    expect(columnLetter(26)).toBe('AA');
    expect(columnLetter(51)).toBe('AZ');
    expect(columnLetter(52)).toBe('BA');
    expect(columnLetter(701)).toBe('ZZ');
    expect(columnLetter(702)).toBe('AAA');
    expect(() => columnLetter(-1)).toThrow(RangeError);
    expect(() => columnLetter(1.5)).toThrow(RangeError);
  });

  it('links to a cell of a sheet by its id, whatever the sheet is called', () => {
    expect(cellLink(0, 1, 0)).toBe('#gid=0&range=A1');
    expect(cellLink(1234567, 7, 2)).toBe('#gid=1234567&range=C7');
    expect(cellLink(42, 300, 27)).toBe('#gid=42&range=AB300');
    expect(() => cellLink(42, 3, -1)).toThrow(RangeError);
  });

  it('quotes tab names the way spreadsheets do', () => {
    expect(cellReference('活动', 7, 2)).toBe('活动!C7');
    expect(cellReference('Activities', 2, 27)).toBe('Activities!AB2');
    expect(cellReference('By category', 1, 0)).toBe("'By category'!A1");
    expect(cellReference("Bob's plan", 3, 1)).toBe("'Bob''s plan'!B3");
    expect(quoteTabName('共建-单位')).toBe("'共建-单位'");
    expect(quoteTabName('2026')).toBe("'2026'");
    expect(quoteTabName('A1')).toBe("'A1'");
    expect(quoteTabName('R1C1')).toBe("'R1C1'");
    expect(quoteTabName('Sheet_1')).toBe('Sheet_1');
  });
});

describe('reading A1 back', () => {
  it('turns letters into 0-based indexes, the inverse of columnLetter', () => {
    expect(columnIndex('A')).toBe(0);
    expect(columnIndex('z')).toBe(25);
    expect(columnIndex('AA')).toBe(26);
    for (const index of [0, 25, 26, 51, 52, 701, 702, 16_383])
      expect(columnIndex(columnLetter(index))).toBe(index);
    expect(() => columnIndex('')).toThrow(RangeError);
    expect(() => columnIndex('A1')).toThrow(RangeError);
  });

  it('always quotes a whole-sheet range', () => {
    expect(quotedTabName('活动')).toBe("'活动'");
    expect(quotedTabName("Bob's")).toBe("'Bob''s'");
  });

  it('splits ranges at the bang, quoted names unquoted', () => {
    expect(splitRange("'Bob''s plan'!A1:B2")).toEqual({ tab: "Bob's plan", cells: 'A1:B2' });
    expect(splitRange("'活动'")).toEqual({ tab: '活动', cells: '' });
    expect(splitRange('活动!C7')).toEqual({ tab: '活动', cells: 'C7' });
    expect(splitRange('A1:B2')).toEqual({ tab: undefined, cells: 'A1:B2' });
  });

  it('reads one end of a range, open ends left out', () => {
    expect(parseCell('C7')).toEqual({ column: 2, row: 7 });
    expect(parseCell('$AB$12')).toEqual({ column: 27, row: 12 });
    expect(parseCell('C')).toEqual({ column: 2, row: undefined });
    expect(parseCell('7')).toEqual({ column: undefined, row: 7 });
    expect(parseCell('')).toBeUndefined();
    expect(parseCell('C7D')).toBeUndefined();
    expect(parseCell('c7')).toEqual({ column: 2, row: 7 });
    expect(parseCell('XFD1048576')).toEqual({ column: 16_383, row: 1_048_576 });
    // No sheet has a column of four letters; a dollar sign alone is no cell.
    expect(parseCell('ABCD1')).toBeUndefined();
    expect(parseCell('$')).toBeUndefined();
    expect(parseCell('C-7')).toBeUndefined();
  });

  it('reads cell references back as cellReference writes them', () => {
    for (const [tab, row, column] of [
      ['活动', 7, 2],
      ['By category', 1, 0],
      ["Bob's plan", 3, 27],
      ['A1', 2, 1],
    ] as const) {
      expect(parseCellReference(cellReference(tab, row, column))).toEqual({ tab, row, column });
    }
    expect(parseCellReference('活动')).toBeUndefined();
    expect(parseCellReference('活动!A1:B2')).toBeUndefined();
    expect(parseCellReference('!A1')).toBeUndefined();
  });
});
