import { expect } from 'vitest';
import { KS_ABSOLUTE_TOLERANCE, wassersteinTolerance } from '../../../../bench/quality/accuracyTargets.js';
import { compareSamples } from '../../../../bench/quality/compareSamples.js';
import { DISTRIBUTION_ZOO, sample, type Distribution } from '../../../../bench/quality/distributionZoo.js';
import { exactStatistics } from '../../../../shared/drift/stats/distribution.js';

/** The shape scripts/golden/distribution_zoo.py writes; shared by the committed-golden test and the live one. */
export interface ZooGoldenFile {
  cases: ZooGoldenCase[];
}

interface Checksum {
  sum: number;
  sumAbs: number;
  first: number;
  min: number;
  max: number;
}

interface Exact {
  ksStatistic: number;
  wasserstein: number;
  meanDifference: number;
  referenceStd: number;
  referenceRange: number;
}

interface SampleSpec {
  size: number;
  seed: number;
  checksum: Checksum;
}

export interface ZooGoldenCase {
  name: string;
  reference: Distribution;
  current: Distribution;
  referenceSample: SampleSpec;
  windows: Array<SampleSpec & Exact & { drifted: boolean }>;
  issueSizes: { reference: SampleSpec; current: SampleSpec } & Exact;
}

/** The zoo the fixture was made from is the one the Node side declares (else: rerun the script). */
export function checkSameZoo(golden: ZooGoldenFile): void {
  expect(golden.cases.map(({ name, reference, current }) => ({ name, reference, current }))).toEqual(
    DISTRIBUTION_ZOO.map(({ name, reference, current }) => ({ name, reference, current })),
  );
}

/** Draws the sample numpy drew, and checks that it is the same one. */
export function drawChecked(distribution: Distribution, spec: SampleSpec): Float64Array {
  const values = sample(distribution, spec.size, spec.seed);
  let sum = 0;
  let sumAbs = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    sumAbs += Math.abs(v);
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  // numpy's log, cos and tan may differ from V8's in the last bit: the sums agree to rounding, not bit for bit.
  const slack = 1e-12 * spec.checksum.sumAbs;
  expect(Math.abs(sum - spec.checksum.sum)).toBeLessThanOrEqual(slack);
  expect(Math.abs(sumAbs - spec.checksum.sumAbs)).toBeLessThanOrEqual(slack);
  expect(values[0]).toBeCloseTo(spec.checksum.first, 12);
  expect(min).toBeCloseTo(spec.checksum.min, 9);
  expect(max / spec.checksum.max).toBeCloseTo(1, 12);
  return values;
}

/**
 * One window against its baseline: our exact path equals scipy's numbers; the sketch (both sides folded on the
 * baseline's grid, the baseline always past the exact-path cap) is within the accuracy targets of them, and scipy's
 * values lie inside the sketch's reported bounds; and W is never below the difference of the means.
 */
export function checkZooWindow(reference: Float64Array, current: Float64Array, expected: Exact): void {
  const exact = exactStatistics(reference.slice().sort(), current.slice().sort());
  expect(Math.abs(exact.ksStatistic - expected.ksStatistic)).toBeLessThanOrEqual(1e-12);
  expect(Math.abs(exact.wasserstein - expected.wasserstein)).toBeLessThanOrEqual(1e-9 * expected.wasserstein + 1e-12);

  const { comparison } = compareSamples(reference, current);
  expect(comparison.method).toBe('sketch');
  expect(Math.abs(comparison.ksStatistic - expected.ksStatistic)).toBeLessThanOrEqual(KS_ABSOLUTE_TOLERANCE);
  expect(Math.abs(comparison.wasserstein - expected.wasserstein)).toBeLessThanOrEqual(
    wassersteinTolerance(expected.wasserstein, expected.referenceStd),
  );
  const slack = 1e-9 * Math.max(expected.referenceRange, expected.wasserstein, 1);
  expect(expected.ksStatistic).toBeGreaterThanOrEqual(comparison.ksStatistic - 1e-12);
  expect(expected.ksStatistic).toBeLessThanOrEqual(comparison.ksStatistic + comparison.ksBound + 1e-12);
  expect(Math.abs(comparison.wasserstein - expected.wasserstein)).toBeLessThanOrEqual(
    comparison.wassersteinBound + slack,
  );
  expect(comparison.wasserstein + comparison.wassersteinBound).toBeGreaterThanOrEqual(expected.meanDifference - slack);
}
