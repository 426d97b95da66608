import { describe, expect, it } from 'vitest';
import { compareSamples } from '../../../../bench/quality/compareSamples.js';
import { sample } from '../../../../bench/quality/distributionZoo.js';
import { SketchGrid } from '../../../../shared/sketch/logBucketSketch.js';
import { exactStatistics } from '../../../../shared/drift/stats/distribution.js';
import { sketchStatistics } from '../../../../shared/drift/stats/sketchStatistics.js';

const repeat = (value: number, count: number): Float64Array => new Float64Array(count).fill(value);
const exactOf = (a: Float64Array, b: Float64Array) => exactStatistics(a.slice().sort(), b.slice().sort());

describe('sketchStatistics', () => {
  it('counts the whole width of buckets that are empty on both sides: two point masses 10 apart are W = 10 apart', () => {
    // 6,000 rows of 0 against 6,000 of 10: both past a cap of 5,000, hundreds of empty buckets in between.
    const { comparison } = compareSamples(repeat(0, 6000), repeat(10, 6000));
    expect(comparison.method).toBe('sketch');
    expect(comparison.ksStatistic).toBe(1);
    expect(comparison.ksBound).toBe(0);
    expect(comparison.wasserstein).toBeCloseTo(10, 12);
    expect(comparison.wassersteinBound).toBeLessThan(1e-9);
  });

  it('a binary feature: W is the difference of the shares of ones, as scipy has it', () => {
    const reference = Float64Array.from({ length: 6000 }, (_, i) => (i % 10 < 3 ? 1 : 0));
    const current = Float64Array.from({ length: 20_000 }, (_, i) => (i % 100 < 45 ? 1 : 0));
    const { comparison } = compareSamples(reference, current);
    expect(comparison.method).toBe('sketch');
    expect(comparison.wasserstein).toBeCloseTo(0.15, 12);
    expect(comparison.ksStatistic).toBeCloseTo(0.15, 12);
  });

  it('when one CDF lies above the other everywhere, W is the exact difference of the means', () => {
    const reference = sample({ kind: 'normal', mean: 0, std: 1 }, 20_000, 1);
    const current = sample({ kind: 'normal', mean: 1000, std: 1 }, 20_000, 2);
    const { comparison } = compareSamples(reference, current);
    const exact = exactOf(reference, current);
    expect(Math.abs(comparison.wasserstein - exact.wasserstein)).toBeLessThan(1e-9 * exact.wasserstein);
    expect(comparison.wassersteinBound).toBeLessThan(1e-6);
  });

  it('far from zero (values near 1e12), the rounding allowance of the sums keeps the truth inside the bound', () => {
    const reference = sample({ kind: 'normal', mean: 1e12, std: 1 }, 20_000, 3);
    const current = sample({ kind: 'normal', mean: 1e12 + 0.05, std: 1 }, 20_000, 4);
    const { comparison } = compareSamples(reference, current);
    const exact = exactOf(reference, current);
    expect(Math.abs(comparison.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(comparison.wassersteinBound);
    expect(exact.ksStatistic).toBeGreaterThanOrEqual(comparison.ksStatistic);
    expect(exact.ksStatistic).toBeLessThanOrEqual(comparison.ksStatistic + comparison.ksBound);
  });

  it('uses the raw values of a side that kept them (a small window), in either position', () => {
    const baseline = sample({ kind: 'uniform', low: 0, high: 1 }, 20_000, 5);
    const window = sample({ kind: 'uniform', low: 0.1, high: 1.1 }, 40, 6);
    const exact = exactOf(baseline, window);
    for (const [a, b] of [
      [baseline, window],
      [window, baseline],
    ] as const) {
      const { comparison, reference, current } = compareSamples(a, b);
      expect([reference.values === null, current.values === null]).toEqual([a === baseline, b === baseline]);
      expect(comparison.method).toBe('sketch');
      expect(Math.abs(comparison.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(0.02 * exact.wasserstein);
      expect(Math.abs(comparison.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(comparison.wassersteinBound);
    }
  });

  it('refuses raw values that are not all of the side’s values', () => {
    const grid = new SketchGrid({ center: 0, scale: 1, relativeAccuracy: 0.005, linearLimit: 0.25 });
    const counts = { offset: 0, counts: [2] };
    expect(() => sketchStatistics(grid, counts, counts, 0, 0.001, { bValues: [0.0001] })).toThrow(
      new RangeError('bValues must hold every value of b'),
    );
  });
});
