import { SketchGrid } from '../../sketch/logBucketSketch.js';
import type { NumericFeatureProfile } from '../profile.js';
import type { NumericFeatureSchema } from '../schema.js';
import { sketchStatistics, type MeanDifference } from './sketchStatistics.js';

/**
 * KS statistic and Wasserstein-1 between two numeric profiles: exactly from the raw values when both profiles still
 * hold them (small windows, scipy's ks_2samp / wasserstein_distance semantics), else from the sketches, which share
 * one bucket grid, and the raw values of a side that kept them (see sketchStatistics). Sketch results come with an
 * error bound computed from the histograms themselves: the true KS statistic lies in [statistic, statistic + ksBound]
 * and the true W within ±wassersteinBound of the value. On the distribution zoo (bench/quality/distributionZoo.ts)
 * the sketch is within the targets of bench/quality/accuracyTargets.ts from 1,000 values a side.
 */
export interface DistributionComparison {
  method: 'exact' | 'sketch';
  ksStatistic: number;
  wasserstein: number;
  /** 0 for the exact method. */
  ksBound: number;
  wassersteinBound: number;
}

export function compareDistributions(
  reference: NumericFeatureProfile,
  current: NumericFeatureProfile,
  feature: NumericFeatureSchema,
): DistributionComparison | null {
  if (reference.count === 0 || current.count === 0) return null;
  if (hasAllValues(reference) && hasAllValues(current)) {
    return { method: 'exact', ...exactStatistics(reference.values, current.values), ksBound: 0, wassersteinBound: 0 };
  }
  const globalMin = Math.min(reference.min!, current.min!);
  const globalMax = Math.max(reference.max!, current.max!);
  const grid = new SketchGrid(feature.sketch);
  const meanDifference = meanDifferenceOf(reference, current);
  // A side that still holds its values (a small window) is used exactly; KS and W are symmetric, so it goes second.
  const statistics = hasAllValues(reference)
    ? sketchStatistics(grid, current.sketch, reference.sketch, globalMin, globalMax, {
        meanDifference: { value: -meanDifference.value, allowance: meanDifference.allowance },
        bValues: reference.values,
      })
    : sketchStatistics(grid, reference.sketch, current.sketch, globalMin, globalMax, {
        meanDifference,
        bValues: hasAllValues(current) ? current.values : null,
      });
  return { method: 'sketch', ...statistics };
}

function hasAllValues(profile: NumericFeatureProfile): profile is NumericFeatureProfile & { values: number[] } {
  return profile.values !== null && profile.values.length === profile.count;
}

/** Two-sample KS statistic (right-continuous empirical CDFs) and W1, on sorted values, in one merge walk. */
export function exactStatistics(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): { ksStatistic: number; wasserstein: number } {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let maxPlus = 0;
  let maxMinus = 0;
  let wasserstein = 0;
  let previous = Number.NaN;
  let previousDiff = 0;
  while (i < n || j < m) {
    const v = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n && a[i]! <= v) i++;
    while (j < m && b[j]! <= v) j++;
    if (!Number.isNaN(previous)) wasserstein += Math.abs(previousDiff) * (v - previous);
    const diff = i / n - j / m;
    if (diff > maxPlus) maxPlus = diff;
    if (-diff > maxMinus) maxMinus = -diff;
    previous = v;
    previousDiff = diff;
  }
  return { ksStatistic: Math.max(maxPlus, maxMinus), wasserstein };
}

/**
 * mean_current − mean_reference from the profiles' float sums, with a rounding allowance: a sum of n values rounds by
 * at most (n − 1)·u·Σ|x| in any order, merges included (u = 2^-53, half of Number.EPSILON), and Σ|x| ≤ n·max|x|.
 */
export function meanDifferenceOf(reference: NumericFeatureProfile, current: NumericFeatureProfile): MeanDifference {
  const value = current.sum / current.count - reference.sum / reference.count;
  const meanError = (p: NumericFeatureProfile): number =>
    (p.count + 1) * 1.01 * Number.EPSILON * Math.max(Math.abs(p.min!), Math.abs(p.max!));
  return { value, allowance: meanError(reference) + meanError(current) + Number.EPSILON * Math.abs(value) };
}

/** Mean and population standard deviation of a numeric profile (null when it has no values). */
export function moments(profile: NumericFeatureProfile, center: number): { mean: number; std: number } | null {
  if (profile.count === 0) return null;
  const mean = profile.sum / profile.count;
  const shifted = mean - center;
  const variance = profile.centeredSumSquares / profile.count - shifted * shifted;
  return { mean, std: Math.sqrt(Math.max(0, variance)) };
}
