import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KS_ABSOLUTE_TOLERANCE, wassersteinTolerance } from '../../../../bench/quality/accuracyTargets.js';
import { compareSamples } from '../../../../bench/quality/compareSamples.js';
import { DISTRIBUTION_ZOO, sample } from '../../../../bench/quality/distributionZoo.js';
import { exactStatistics, moments } from '../../../../shared/drift/stats/distribution.js';

// The exact-path cap is 5,000 raw values per side: sizes are drawn on both sides of it.
const CAP = 5000;
/** From this many values a side, the sketch also meets the accuracy targets (bench/quality/accuracyTargets.ts). */
const TARGET_SIZE = 1000;
const size = fc.oneof(fc.integer({ min: 1, max: CAP }), fc.integer({ min: CAP + 1, max: 8 * CAP }));
const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const window = fc.record({
  zoo: fc.integer({ min: 0, max: DISTRIBUTION_ZOO.length - 1 }),
  drifted: fc.boolean(),
  referenceSize: size,
  currentSize: size,
  referenceSeed: seed,
  currentSeed: seed,
});

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

describe('compareDistributions on the distribution zoo, against the exact values', () => {
  it('the exact KS and W lie inside the reported bounds at any sizes and seeds, W is never below the mean difference, and from 1,000 values a side the targets hold', () => {
    fc.assert(
      fc.property(window, (w) => {
        const zoo = DISTRIBUTION_ZOO[w.zoo]!;
        const reference = sample(zoo.reference, w.referenceSize, w.referenceSeed);
        const current = sample(w.drifted ? zoo.current : zoo.reference, w.currentSize, w.currentSeed);
        const { comparison: c, reference: profile, feature } = compareSamples(reference, current);
        const exact = exactStatistics(reference.slice().sort(), current.slice().sort());
        const meanDifference = Math.abs(mean(current) - mean(reference));
        let lo = Number.POSITIVE_INFINITY;
        let hi = Number.NEGATIVE_INFINITY;
        for (const v of [...reference, ...current]) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
        // Rounding of bucket edges and of the walk's sums: far below any bound that matters.
        const slack = 1e-9 * Math.max(hi - lo, 1);
        expect(c.method).toBe(w.referenceSize <= CAP && w.currentSize <= CAP ? 'exact' : 'sketch');
        expect(exact.ksStatistic).toBeGreaterThanOrEqual(c.ksStatistic - 1e-12);
        expect(exact.ksStatistic).toBeLessThanOrEqual(c.ksStatistic + c.ksBound + 1e-12);
        expect(Math.abs(c.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(c.wassersteinBound + slack);
        expect(exact.wasserstein).toBeGreaterThanOrEqual(meanDifference - slack);
        expect(c.wasserstein + c.wassersteinBound).toBeGreaterThanOrEqual(meanDifference - slack);
        if (Math.min(w.referenceSize, w.currentSize) >= TARGET_SIZE) {
          const std = moments(profile, feature.sketch.center)!.std;
          expect(Math.abs(c.ksStatistic - exact.ksStatistic)).toBeLessThanOrEqual(KS_ABSOLUTE_TOLERANCE);
          expect(Math.abs(c.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(
            wassersteinTolerance(exact.wasserstein, std),
          );
        }
      }),
      { numRuns: 200, seed: 20261101 },
    );
  });
});
