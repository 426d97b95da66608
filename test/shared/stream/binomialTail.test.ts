import { describe, expect, it } from 'vitest';
import { binomialCriticalCount, binomialUpperTail } from '../../../shared/stream/binomialTail.js';

/** P(X ≥ x) by summing every pmf term from the recurrence, for checking on small n. */
function directTail(n: number, p: number, x: number): number {
  let pmf = (1 - p) ** n;
  let tail = 0;
  for (let k = 0; k <= n; k++) {
    if (k >= x) tail += pmf;
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
  }
  return tail;
}

describe('binomialUpperTail', () => {
  it('agrees with direct summation of the pmf', () => {
    for (const [n, p] of [
      [20, 0.05],
      [100, 0.3],
      [300, 0.01],
      [500, 0.5],
    ] as const) {
      for (const x of [0, 1, Math.floor(n * p), Math.floor(n * p) + 5, Math.floor(n * p * 2) + 3, n]) {
        expect(binomialUpperTail(n, p, x)).toBeCloseTo(directTail(n, p, x), 10);
        const direct = directTail(n, p, x);
        if (direct > 1e-300) expect(Math.abs(binomialUpperTail(n, p, x) / direct - 1)).toBeLessThan(1e-9);
      }
    }
  });

  it('keeps its precision far into the tail of a large window (Stirling for the factorials)', () => {
    // Normal approximation is only a sanity bound; the direct sum on n = 1000 is exact enough to compare with.
    const exact = directTail(1000, 0.05, 100);
    expect(Math.abs(binomialUpperTail(1000, 0.05, 100) / exact - 1)).toBeLessThan(1e-8);
  });

  it('is 1 at or below zero, 0 past n, and degenerate at p = 0 and p = 1', () => {
    expect(binomialUpperTail(10, 0.3, 0)).toBe(1);
    expect(binomialUpperTail(10, 0.3, 11)).toBe(0);
    expect(binomialUpperTail(10, 0, 3)).toBe(0);
    expect(binomialUpperTail(10, 1, 3)).toBe(1);
  });
});

describe('binomialCriticalCount', () => {
  it('is the smallest count at or below the level', () => {
    for (const alpha of [1e-2, 1e-4, 1e-6]) {
      const c = binomialCriticalCount(1000, 0.05, alpha);
      expect(binomialUpperTail(1000, 0.05, c)).toBeLessThanOrEqual(alpha);
      expect(binomialUpperTail(1000, 0.05, c - 1)).toBeGreaterThan(alpha);
    }
  });

  it('is n + 1 when not even every event being a hit is that unlikely', () => {
    expect(binomialCriticalCount(3, 0.5, 1e-3)).toBe(4);
  });
});
