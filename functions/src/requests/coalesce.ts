/**
 * Coalesced runs of one piece of work per key (a plan): however many callers ask at once, at most
 * one run per key is under way, and the callers that arrive meanwhile share the next run.
 *
 * The guarantee callers rely on: `run(key, item)` settles with a run that *started after the call*
 * and was given `item` — so whatever the caller committed before calling is seen by that run (a
 * version move after a record, a flush after a queue entry). A burst of N callers costs two runs,
 * not N, and no two runs of one key overlap (no lock contention between them).
 */
export class Coalescer<Item, Result> {
  private readonly keys = new Map<string, { running: Promise<Result>; next?: Batch<Item, Result> }>();

  constructor(private readonly work: (key: string, items: Item[]) => Promise<Result>) {}

  /** True while a run of `key` is under way: a call now would wait for it before its own run. */
  busy(key: string): boolean {
    return this.keys.has(key);
  }

  /** Resolves (or rejects) with the first run of `key` that starts after this call. */
  run(key: string, item: Item): Promise<Result> {
    const state = this.keys.get(key);
    if (state?.next) {
      state.next.items.push(item);
      return state.next.done;
    }
    const previous = state?.running;
    const batch: Batch<Item, Result> = {
      items: [item],
      done: Promise.resolve() as unknown as Promise<Result>,
    };
    batch.done = (async () => {
      if (previous) await previous.then(settled, settled);
      // From here on this batch runs: later callers form the next one.
      const current = this.keys.get(key);
      if (current?.next === batch) delete current.next;
      return this.work(key, batch.items);
    })();
    this.keys.set(key, { running: batch.done, ...(previous ? { next: batch } : {}) });
    const forget = () => {
      // Idle again: no later batch replaced this one as the running run.
      if (this.keys.get(key)?.running === batch.done) this.keys.delete(key);
    };
    batch.done.then(forget, forget);
    return batch.done;
  }
}

interface Batch<Item, Result> {
  items: Item[];
  done: Promise<Result>;
}

function settled(): void {}
