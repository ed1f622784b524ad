/**
 * Fixed-window request counters per key (a link, an address), in the memory of one instance:
 * they bound what one instance accepts from one link or address. Cloud Functions may run several
 * instances, each with its own counters, so the bound is per instance (max instances × limit).
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => Date,
  ) {}

  /** Counts one request under the key; false once the key is over its limit in this window. */
  take(key: string): boolean {
    const at = this.now().getTime();
    const window = this.windows.get(key);
    if (!window || at - window.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.prune(at);
      this.windows.set(key, { start: at, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= this.limit;
  }

  private prune(at: number): void {
    for (const [key, window] of this.windows)
      if (at - window.start >= this.windowMs) this.windows.delete(key);
  }
}
