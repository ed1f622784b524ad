import { type Clock, systemClock } from '../../functions/src/clock';

/** A clock stopped at one instant; pauses still pass in real time (a busy claim is waited for). */
export function pinnedClock(at: Date): Clock {
  return { now: () => at, sleep: systemClock.sleep };
}
