import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../../shared/scoring/aml/circuitBreaker.js';

function breaker(failureThreshold = 3, cooldownInMs = 1000) {
  const clock = { t: 0 };
  return { clock, breaker: new CircuitBreaker({ failureThreshold, cooldownInMs, clock: { nowInMs: () => clock.t } }) };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, and refuses while open', () => {
    const { breaker: b } = breaker(3);
    for (let i = 0; i < 2; i++) b.failed(b.tryAcquire()!);
    expect(b.state).toBe('closed');
    b.failed(b.tryAcquire()!);
    expect(b.state).toBe('open');
    expect(b.tryAcquire()).toBeUndefined();
  });

  it('counts only consecutive failures: a success resets the count', () => {
    const { breaker: b } = breaker(3);
    b.failed(b.tryAcquire()!);
    b.failed(b.tryAcquire()!);
    b.succeeded(b.tryAcquire()!);
    b.failed(b.tryAcquire()!);
    b.failed(b.tryAcquire()!);
    expect(b.state).toBe('closed');
  });

  it('lets exactly one trial through after the cooldown, and closes when it succeeds', () => {
    const { breaker: b, clock } = breaker(1, 1000);
    b.failed(b.tryAcquire()!);
    clock.t = 999;
    expect(b.tryAcquire()).toBeUndefined();
    clock.t = 1000;
    expect(b.state).toBe('half-open');
    const trial = b.tryAcquire();
    expect(trial?.trial).toBe(true);
    expect(b.tryAcquire()).toBeUndefined();
    b.succeeded(trial!);
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()?.trial).toBe(false);
  });

  it('reopens for a whole new cooldown when the trial fails', () => {
    const { breaker: b, clock } = breaker(1, 1000);
    b.failed(b.tryAcquire()!);
    clock.t = 1500;
    b.failed(b.tryAcquire()!);
    expect(b.state).toBe('open');
    clock.t = 2499;
    expect(b.tryAcquire()).toBeUndefined();
    clock.t = 2500;
    expect(b.tryAcquire()?.trial).toBe(true);
  });

  it('frees the trial slot when the trial is abandoned by our caller, without judging the endpoint', () => {
    const { breaker: b, clock } = breaker(1, 1000);
    b.failed(b.tryAcquire()!);
    clock.t = 1000;
    b.released(b.tryAcquire()!);
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()?.trial).toBe(true);
  });

  it('ignores late failures of requests sent before it opened (they neither extend the cooldown nor free the trial)', () => {
    const { breaker: b, clock } = breaker(1, 1000);
    const early = b.tryAcquire()!;
    b.failed(b.tryAcquire()!);
    clock.t = 1000;
    const trial = b.tryAcquire()!;
    b.failed(early);
    expect(b.tryAcquire()).toBeUndefined();
    b.succeeded(trial);
    expect(b.state).toBe('closed');
  });

  it('has callers of acquire() wait for the trial in flight: a success lets them all through, a failure refuses them', async () => {
    const { breaker: b, clock } = breaker(1, 1000);
    b.failed(b.tryAcquire()!);
    clock.t = 1000;
    const trial = (await b.acquire())!;
    const waiting = [b.acquire(), b.acquire()];
    b.succeeded(trial);
    expect((await Promise.all(waiting)).map((p) => p?.trial)).toEqual([false, false]);

    b.failed(b.tryAcquire()!);
    clock.t = 2000;
    const second = (await b.acquire())!;
    const refused = b.acquire();
    b.failed(second);
    expect(await refused).toBeUndefined();
  });

  it('hands the trial to one waiter when the trial is abandoned', async () => {
    const { breaker: b, clock } = breaker(1, 1000);
    b.failed(b.tryAcquire()!);
    clock.t = 1000;
    const trial = (await b.acquire())!;
    const waiting = [b.acquire(), b.acquire()];
    b.released(trial);
    const [first] = await Promise.race([Promise.all([waiting[0]]), Promise.all([waiting[1]])]);
    expect(first?.trial).toBe(true);
    b.succeeded(first!);
    expect((await Promise.all(waiting)).filter((p) => p?.trial)).toHaveLength(1);
  });

  it('rejects a nonsensical configuration', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, cooldownInMs: 1, clock: { nowInMs: () => 0 } })).toThrow(
      'failureThreshold must be a whole number >= 1, got 0',
    );
    expect(() => new CircuitBreaker({ failureThreshold: 1, cooldownInMs: -1, clock: { nowInMs: () => 0 } })).toThrow(
      'cooldownInMs must be >= 0, got -1',
    );
  });
});
