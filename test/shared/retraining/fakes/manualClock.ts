import type { Clock } from '../../../../shared/retraining/ports.js';

/** A clock tests move by hand (leases and cooldowns span seconds to hours). */
export class ManualClock implements Clock {
  constructor(private at = Date.parse('2026-03-02T10:00:00.000Z')) {}

  nowInMs(): number {
    return this.at;
  }

  advance(ms: number): void {
    this.at += ms;
  }
}
