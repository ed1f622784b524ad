/** Coalesced runs: a burst costs two runs, each caller is served by a run that started after it asked. */
import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../../functions/src/requests/coalesce';

/** A run that waits until the test lets it finish. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('Coalescer', () => {
  it('serves a burst with two runs; every caller’s item is in a run that started after the call', async () => {
    const runs: string[][] = [];
    const gates = [gate(), gate(), gate()];
    const coalescer = new Coalescer<string, number>(async (_key, items) => {
      const n = runs.push([...items]) - 1;
      await gates[n]?.opened;
      return n;
    });
    const first = coalescer.run('plan', 'a');
    const burst = ['b', 'c', 'd'].map((item) => coalescer.run('plan', item));
    expect(runs).toEqual([['a']]);
    gates[0]?.open();
    expect(await first).toBe(0);
    // The second run started only once the first was over, with everyone who asked meanwhile.
    await Promise.resolve();
    gates[1]?.open();
    expect(await Promise.all(burst)).toEqual([1, 1, 1]);
    expect(runs).toEqual([['a'], ['b', 'c', 'd']]);
    // Idle again: the next caller starts a run at once.
    gates[2]?.open();
    expect(await coalescer.run('plan', 'e')).toBe(2);
    expect(runs[2]).toEqual(['e']);
  });

  it('keeps keys apart, and a failed run fails its callers only', async () => {
    const coalescer = new Coalescer<number, string>(async (key, items) => {
      if (key === 'bad') throw new Error(`failed ${items.join(',')}`);
      return `${key}:${items.join(',')}`;
    });
    const [good, bad] = await Promise.allSettled([coalescer.run('good', 1), coalescer.run('bad', 2)]);
    expect(good).toEqual({ status: 'fulfilled', value: 'good:1' });
    expect(bad).toMatchObject({ status: 'rejected', reason: new Error('failed 2') });
    expect(await coalescer.run('bad', 3).catch((e: Error) => e.message)).toBe('failed 3');
  });
});
