/**
 * Rate-limit counters against the real Firestore emulator: takes that arrive together in one
 * process share one increment and read of their document, and each still gets its own place —
 * exactly `limit` of a burst pass, the rest are refused and counted, and a second limiter (another
 * instance) counting into the same document sees every unit.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../functions/src/requests/rateLimit';
import { useFirestoreEmulator } from '../../support/firestore';

describe('rate-limit counters', () => {
  const emulator = useFirestoreEmulator('ratelimit', { reset: true });
  const now = () => new Date('2026-06-01T08:00:00Z');

  it('a burst of 30 takes in one process: 12 pass, 18 are refused, and another instance sees all 30', async () => {
    const rule = { limit: 12, windowMs: 600_000 };
    const limiter = new RateLimiter(emulator.firestore(), 'burst', rule, now);
    const verdicts = await Promise.all(Array.from({ length: 30 }, () => limiter.take('203.0.113.9')));
    expect(verdicts.filter((v) => v.ok)).toHaveLength(12);
    for (const verdict of verdicts.filter((v) => !v.ok)) {
      expect(verdict).toEqual({ ok: false, retryAfterS: expect.any(Number) });
    }
    const other = new RateLimiter(emulator.firestore(), 'burst', rule, now);
    expect(await other.take('203.0.113.9', 0)).toEqual({ ok: false, retryAfterS: expect.any(Number) });
    // Another key counts apart; amounts count as units.
    expect(await other.take('198.51.100.7', 12)).toEqual({ ok: true });
    expect((await other.take('198.51.100.7')).ok).toBe(false);
  });
});
