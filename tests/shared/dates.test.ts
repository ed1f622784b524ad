import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayFromParts,
  dayFromSerial,
  dayOf,
  isoOf,
  parseIsoDate,
  partsOf,
  serialOf,
} from '../../shared/dates';

const MS_PER_DAY = 86_400_000;

describe('calendar arithmetic without Date objects', () => {
  it('agrees with Date.UTC on every day from 1900 to 2100', () => {
    for (let ms = Date.UTC(1900, 0, 1); ms <= Date.UTC(2100, 11, 31); ms += MS_PER_DAY) {
      const date = new Date(ms);
      const day = ms / MS_PER_DAY;
      const iso = date.toISOString().slice(0, 10);
      expect(isoOf(day)).toBe(iso);
      expect(dayOf(iso)).toBe(day);
      expect(dayFromParts(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate())).toBe(day);
    }
  });

  it('round-trips any day of years 1 to 9999', () => {
    const first = dayOf('0001-01-01');
    const last = dayOf('9999-12-31');
    fc.assert(
      fc.property(fc.integer({ min: first, max: last }), (day) => {
        const { year, month, day: dom } = partsOf(day);
        expect(dayFromParts(year, month, dom)).toBe(day);
        expect(dayOf(isoOf(day))).toBe(day);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps years below 100 as they are', () => {
    expect(isoOf(dayFromParts(26, 3, 5) as number)).toBe('0026-03-05');
  });

  it.each([
    [2026, 2, 29, false],
    [2028, 2, 29, true],
    [1900, 2, 29, false],
    [2000, 2, 29, true],
    [2026, 4, 31, false],
    [2026, 13, 1, false],
    [0, 1, 1, false],
    [10000, 1, 1, false],
  ])('%i-%i-%i exists: %s', (year, month, day, exists) => {
    expect(dayFromParts(year, month, day) !== undefined).toBe(exists);
  });

  it('converts spreadsheet serials (days since 1899-12-30)', () => {
    expect(isoOf(dayFromSerial(1))).toBe('1899-12-31');
    expect(isoOf(dayFromSerial(46086))).toBe('2026-03-05');
    expect(isoOf(dayFromSerial(46086.75))).toBe('2026-03-05');
    expect(serialOf(dayOf('2026-03-05'))).toBe(46086);
  });

  it('parses only strict, real ISO dates', () => {
    expect(parseIsoDate('2026-06-30')).toBe('2026-06-30');
    expect(parseIsoDate('2026-6-30')).toBeUndefined();
    expect(parseIsoDate('2026-02-30')).toBeUndefined();
  });
});
