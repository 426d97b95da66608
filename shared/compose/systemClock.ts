import type { Clock } from '../contracts/clock.js';

/** The wall clock, given to the core by the composition roots. */
export const systemClock: Clock = { nowInMs: () => Date.now() };
