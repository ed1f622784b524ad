/**
 * Rate limits that hold across instances: fixed-window counters in Firestore, one document per
 * (scope, key, window), so every instance of a function counts into the same number — an
 * in-memory counter bounded each instance only (max instances × limit). The document ID is a
 * hash: the key (an address, an email) is not stored in it, and odd characters cannot break it.
 * Each document carries `deleteAt`, the field of the Firestore TTL policy (firestore.indexes.json),
 * so old windows delete themselves.
 *
 * Counting without a transaction: each request adds its amount (an atomic increment) and then
 * reads the total. The total read is at least this request's place in the window, so a request is
 * never let through past the limit; under a race a request near the limit may see others'
 * increments and be refused a little early — the safe side. No lock is held: a burst on one link
 * does not abort itself as a transaction per request would.
 *
 * Takes of one counter in one process are coalesced (requests/coalesce.ts): while one increment
 * and read is under way, the takes that arrive join the next, which adds their sum at once and
 * reads once; each is given its place in that sum, counted back from the total read. Fifty posts
 * from one address at once cost a few round trips on its document, not a hundred, and each
 * verdict is as safe as above: every unit is counted before the read that decides it.
 */
import { createHash } from 'node:crypto';
import { FieldValue, type Firestore, Timestamp } from 'firebase-admin/firestore';
import { rateLimitRef } from '../store/paths';
import { Coalescer } from './coalesce';

/** At most `limit` units per key in each window of `windowMs` (aligned to the epoch). */
export interface RateRule {
  limit: number;
  windowMs: number;
}

export type RateVerdict =
  | { ok: true }
  | { ok: false /** Whole seconds until the window ends. */; retryAfterS: number };

/** How long a window's counter outlives its window, for a question about it. */
const KEPT_AFTER_WINDOW_MS = 86_400_000;

/** Counters of one kind (scope: 'formAddress', 'formLink', 'requestEmails') in one database. */
export class RateLimiter {
  /** Per counter document: the takes of one increment and read, and the total it read. */
  private readonly counts: Coalescer<Take, { total: number; takes: Take[] }>;

  constructor(
    private readonly db: Firestore,
    private readonly scope: string,
    private readonly rule: RateRule,
    private readonly now: () => Date,
  ) {
    this.counts = new Coalescer(async (id, takes) => {
      const ref = rateLimitRef(this.db, id);
      const windowEnd = (takes[0] as Take).windowEnd;
      await ref.set(
        {
          scope: this.scope,
          count: FieldValue.increment(takes.reduce((sum, take) => sum + take.amount, 0)),
          windowEnd: Timestamp.fromMillis(windowEnd),
          deleteAt: Timestamp.fromMillis(windowEnd + KEPT_AFTER_WINDOW_MS),
        },
        { merge: true },
      );
      return { total: Number((await ref.get()).get('count') ?? 0), takes };
    });
  }

  /** Counts `amount` units under the key; refused (and still counted) once the window is over its limit. */
  async take(key: string, amount = 1): Promise<RateVerdict> {
    const at = this.now().getTime();
    const { ref, windowEnd } = this.window(key, at);
    const mine: Take = { amount, windowEnd };
    const { total, takes } = await this.counts.run(ref.id, mine);
    // This take's place: the total read, less what the takes after it in the same sum added.
    let place = total;
    for (let i = takes.length - 1; takes[i] !== mine; i -= 1) place -= (takes[i] as Take).amount;
    if (place <= this.rule.limit) return { ok: true };
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((windowEnd - at) / 1000)) };
  }

  /** Gives back units taken in the current window that turned out not to be used. */
  async giveBack(key: string, amount: number): Promise<void> {
    if (amount <= 0) return;
    const { ref } = this.window(key, this.now().getTime());
    await ref.update({ count: FieldValue.increment(-amount) }).catch(() => {});
  }

  private window(key: string, at: number) {
    const index = Math.floor(at / this.rule.windowMs);
    const id = createHash('sha256')
      .update(`${this.scope}\u0000${key}\u0000${this.rule.windowMs}\u0000${index}`)
      .digest('hex');
    return { ref: rateLimitRef(this.db, id), windowEnd: (index + 1) * this.rule.windowMs };
  }
}

/** One take in a coalesced count: its units, and the end of the window its document counts. */
interface Take {
  amount: number;
  windowEnd: number;
}
