import { describe, expect, it } from 'vitest';
import { todayIn } from '../../shared/today';

describe('todayIn', () => {
  it("is the calendar date of the instant in the plan's time zone, Asia/Shanghai by default", () => {
    // 17:30 UTC on New Year's Eve is already 1 January in Shanghai (UTC+8), not yet in London.
    const instant = new Date('2026-12-31T17:30:00Z');
    expect(todayIn(instant)).toBe('2027-01-01');
    expect(todayIn(instant, 'Asia/Shanghai')).toBe('2027-01-01');
    expect(todayIn(instant, 'Europe/London')).toBe('2026-12-31');
    expect(todayIn(new Date('2027-01-01T03:00:00Z'), 'America/Los_Angeles')).toBe('2026-12-31');
  });
});
