import type { Clock } from '../../contracts/clock.js';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failed requests (after their retries) that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before one trial request is let through. */
  cooldownInMs: number;
  clock: Clock;
}

/**
 * Stops calling an endpoint that keeps failing, so a dead deployment costs one fast dead-letter per event instead of
 * timeouts and retries on every batch, and so a recovering one is not hammered.
 *
 * closed --(failureThreshold consecutive failures)--> open --(cooldown elapsed, one caller acquires)--> half-open;
 * half-open --(trial succeeds)--> closed, --(trial fails)--> open again for another cooldown. While the trial is in
 * flight exactly one request probes the endpoint: `tryAcquire` refuses the others, `acquire` has them wait for the
 * trial's outcome (a recovering endpoint then gets the rest of the batch, a failing one refuses it at once).
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAtInMs: number | undefined;
  private trialInFlight = false;
  private trialSettled: Promise<void> = Promise.resolve();
  private settleTrial: () => void = () => undefined;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a whole number >= 1, got ${options.failureThreshold}`);
    }
    if (!(options.cooldownInMs >= 0)) throw new RangeError(`cooldownInMs must be >= 0, got ${options.cooldownInMs}`);
  }

  get state(): BreakerState {
    if (this.openedAtInMs === undefined) return 'closed';
    if (this.trialInFlight || this.options.clock.nowInMs() - this.openedAtInMs >= this.options.cooldownInMs)
      return 'half-open';
    return 'open';
  }

  /**
   * Asks to send one request. Undefined: fail fast without touching the network. A permit: go ahead, then hand it
   * back with `succeeded`, `failed`, or `released` when our own caller abandoned the request (which says nothing
   * about the endpoint).
   */
  tryAcquire(): BreakerPermit | undefined {
    if (this.openedAtInMs === undefined) return normalPermit;
    if (this.trialInFlight) return undefined;
    if (this.options.clock.nowInMs() - this.openedAtInMs < this.options.cooldownInMs) return undefined;
    this.trialInFlight = true;
    this.trialSettled = new Promise((resolve) => (this.settleTrial = resolve));
    return trialPermit;
  }

  /** As `tryAcquire`, but waits for a trial in flight to settle rather than refusing while it runs. */
  async acquire(): Promise<BreakerPermit | undefined> {
    for (;;) {
      const permit = this.tryAcquire();
      if (permit || !this.trialInFlight) return permit;
      await this.trialSettled;
    }
  }

  /** Any answer proves the endpoint is back: close. */
  succeeded(permit: BreakerPermit): void {
    this.consecutiveFailures = 0;
    this.openedAtInMs = undefined;
    if (permit.trial) this.endTrial();
  }

  failed(permit: BreakerPermit): void {
    if (permit.trial) {
      this.openedAtInMs = this.options.clock.nowInMs();
      this.endTrial();
      return;
    }
    // A request that was already in flight when the breaker opened adds nothing to what opened it.
    if (this.openedAtInMs !== undefined) return;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.options.failureThreshold) this.openedAtInMs = this.options.clock.nowInMs();
  }

  released(permit: BreakerPermit): void {
    if (permit.trial) this.endTrial();
  }

  private endTrial(): void {
    this.trialInFlight = false;
    this.settleTrial();
  }
}

/** Proof that `tryAcquire` let a request through; `trial` marks the single half-open probe. */
export interface BreakerPermit {
  readonly trial: boolean;
}

const normalPermit: BreakerPermit = Object.freeze({ trial: false });
const trialPermit: BreakerPermit = Object.freeze({ trial: true });
