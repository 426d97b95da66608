import type { Clock } from '../contracts/clock.js';

/** The wall clock, given to the core by the composition roots and the CLI. */
export const systemClock: Clock = { nowInMs: () => Date.now() };

/** A clock that never steps back (for timings and time-to-live, not for dates). */
export const monotonicClock: Clock = { nowInMs: () => performance.now() };
