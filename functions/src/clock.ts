/**
 * Time as the adapters see it: the current instant and a pause. Each composition root (the
 * functions' runtime.ts, the CLI, the local stack) passes one in; tests pass a fake one.
 */

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The machine's clock, for the composition roots. */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
