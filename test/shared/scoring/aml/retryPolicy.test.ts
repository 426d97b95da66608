import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isRetryableStatus, retryAfterInMs, retryDelayInMs } from '../../../../shared/scoring/aml/retryPolicy.js';

const headers = (values: Record<string, string>) => (name: string) => values[name] ?? null;
const now = Date.parse('2026-03-01T12:00:00Z');

describe('isRetryableStatus', () => {
  it('retries 408, 429 and every 5xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status)).toBe(true);
  });

  it('never retries the other 4xx, nor success or redirects', () => {
    for (const status of [200, 301, 400, 401, 403, 404, 409, 413, 422]) expect(isRetryableStatus(status)).toBe(false);
  });
});

describe('retryAfterInMs', () => {
  it('reads delta-seconds', () => {
    expect(retryAfterInMs(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterInMs(headers({ 'retry-after': ' 0 ' }), now)).toBe(0);
  });

  it('reads an HTTP-date relative to the clock, and a past date as 0', () => {
    expect(retryAfterInMs(headers({ 'retry-after': 'Sun, 01 Mar 2026 12:00:05 GMT' }), now)).toBe(5000);
    expect(retryAfterInMs(headers({ 'retry-after': 'Sun, 01 Mar 2026 11:59:00 GMT' }), now)).toBe(0);
  });

  it("prefers Azure's millisecond headers", () => {
    expect(retryAfterInMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
    expect(retryAfterInMs(headers({ 'x-ms-retry-after-ms': '250' }), now)).toBe(250);
  });

  it('is undefined when absent or unreadable', () => {
    expect(retryAfterInMs(headers({}), now)).toBeUndefined();
    expect(retryAfterInMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterInMs(headers({ 'retry-after': '-3' }), now)).toBeUndefined();
  });
});

describe('retryDelayInMs', () => {
  const base = { baseDelayInMs: 100, maxDelayInMs: 5000 };

  it('is full jitter: uniform between 0 and base·2^n', () => {
    expect(retryDelayInMs({ ...base, retryIndex: 0, random: () => 0 })).toBe(0);
    expect(retryDelayInMs({ ...base, retryIndex: 0, random: () => 0.5 })).toBe(50);
    expect(retryDelayInMs({ ...base, retryIndex: 3, random: () => 0.5 })).toBe(400);
    expect(retryDelayInMs({ ...base, retryIndex: 3, random: () => 0.999999 })).toBe(799);
  });

  it('caps the exponential ceiling', () => {
    expect(retryDelayInMs({ ...base, retryIndex: 20, random: () => 0.5 })).toBe(2500);
  });

  it('never comes back sooner than Retry-After asks, up to the cap', () => {
    expect(retryDelayInMs({ ...base, retryIndex: 0, retryAfterInMs: 2000, random: () => 0.5 })).toBe(2000);
    expect(retryDelayInMs({ ...base, retryIndex: 0, retryAfterInMs: 60_000, random: () => 0.5 })).toBe(5000);
  });

  it('stays within [min(Retry-After, cap), cap] for any input', () => {
    fc.assert(
      fc.property(
        fc.nat(30),
        fc.nat(1000),
        fc.nat(20_000),
        fc.option(fc.nat(100_000), { nil: undefined }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retryIndex, baseDelayInMs, maxDelayInMs, retryAfter, r) => {
          const delay = retryDelayInMs({
            retryIndex,
            baseDelayInMs,
            maxDelayInMs,
            retryAfterInMs: retryAfter,
            random: () => r,
          });
          expect(delay).toBeGreaterThanOrEqual(Math.min(retryAfter ?? 0, maxDelayInMs));
          expect(delay).toBeLessThanOrEqual(maxDelayInMs);
          expect(Number.isInteger(delay)).toBe(true);
        },
      ),
    );
  });
});
