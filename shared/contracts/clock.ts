/**
 * The core's one clock: milliseconds since the Unix epoch. The core reads no clock of its own (lint forbids
 * `Date.now()` there); the composition roots pass `systemClock` (shared/adapters/clocks.ts), tests a clock they move by hand.
 */
export interface Clock {
  nowInMs(): number;
}
