import { SketchGrid, type SketchCounts } from '../../sketch/logBucketSketch.js';
import type { NumericFeatureProfile } from '../profile.js';
import type { NumericFeatureSchema } from '../schema.js';

/**
 * KS statistic and Wasserstein-1 between two numeric profiles: exactly from the raw values when both profiles still
 * hold them (small windows, scipy's ks_2samp / wasserstein_distance semantics), else from the two sketches, which
 * share one bucket grid. Sketch results come with an error bound computed from the histograms themselves:
 * the true KS statistic lies in [statistic, statistic + ksBound] and the true W within ±wassersteinBound of the value.
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
  if (
    reference.values &&
    current.values &&
    reference.values.length === reference.count &&
    current.values.length === current.count
  ) {
    return { method: 'exact', ...exactStatistics(reference.values, current.values), ksBound: 0, wassersteinBound: 0 };
  }
  const globalMin = Math.min(reference.min!, current.min!);
  const globalMax = Math.max(reference.max!, current.max!);
  return {
    method: 'sketch',
    ...sketchStatistics(
      new SketchGrid(feature.sketch),
      reference.sketch,
      current.sketch,
      globalMin,
      globalMax,
      meanDifferenceOf(reference, current),
    ),
  };
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
 * The difference of the means, current − reference, as the profiles' float sums give it, and how far it may be from
 * the exact one: a sum of n values rounds by at most (n − 1)·ε·Σ|x| (any order, merges included), Σ|x| ≤ n·max|x|.
 */
export interface MeanDifference {
  value: number;
  allowance: number;
}

export function meanDifferenceOf(reference: NumericFeatureProfile, current: NumericFeatureProfile): MeanDifference {
  const value = current.sum / current.count - reference.sum / reference.count;
  const meanError = (p: NumericFeatureProfile): number =>
    (p.count + 1) * 1.01 * Number.EPSILON * Math.max(Math.abs(p.min!), Math.abs(p.max!));
  return { value, allowance: meanError(reference) + meanError(current) + Number.EPSILON * Math.abs(value) };
}

/**
 * KS and W1 from two sketches on one grid. Within a bucket the true CDFs are unknown between their values at the
 * bucket's edges; outside the buckets that hold values they are known exactly. KS is read at the bucket edges and
 * ksBound is the most the gap can grow inside a bucket. For W, D = F_ref − F_cur is known on empty buckets and lies in
 * [d0 − p_cur, d0 + p_ref] on the others, which bounds ∫|D|; and, with s the sign of the mean difference,
 * ∫|D| = |Δmean| + 2∫(s·D)⁻ exactly, so only buckets where D may take the minority sign add uncertainty when the
 * mean difference is known (`meanDifference`). The value is the bucket-wise linear interpolation of the CDFs with
 * the mean difference put back, kept inside the interval; wassersteinBound is its distance to the far end.
 */
export function sketchStatistics(
  grid: SketchGrid,
  a: SketchCounts,
  b: SketchCounts,
  globalMin: number,
  globalMax: number,
  meanDifference: MeanDifference | null = null,
): { ksStatistic: number; wasserstein: number; ksBound: number; wassersteinBound: number } {
  const totalA = a.counts.reduce((s, c) => s + c, 0);
  const totalB = b.counts.reduce((s, c) => s + c, 0);
  const lo = Math.min(a.offset, b.offset);
  const hi = Math.max(a.offset + a.counts.length, b.offset + b.counts.length) - 1;
  // ∫(F_ref − F_cur) = mean_cur − mean_ref: s·D is mostly non-negative.
  const sign = meanDifference === null || meanDifference.value >= 0 ? 1 : -1;
  let fa = 0;
  let fb = 0;
  let ks = 0;
  let ksUpper = 0;
  // ∫|D|: interpolated, least and most; ∫(s·D)⁻ likewise.
  let interpolated = 0;
  let least = 0;
  let most = 0;
  let minorInterpolated = 0;
  let minorLeast = 0;
  let minorMost = 0;
  for (let index = lo; index <= hi; index++) {
    const pa = (a.counts[index - a.offset] ?? 0) / totalA;
    const pb = (b.counts[index - b.offset] ?? 0) / totalB;
    const lower = index === lo ? globalMin : Math.max(grid.lower(index), globalMin);
    const upper = index === hi ? globalMax : Math.min(grid.upper(index), globalMax);
    const width = Math.max(0, upper - lower);
    const d0 = fa - fb;
    if (pa === 0 && pb === 0) {
      // No value here: D is exactly d0 across the whole bucket.
      const area = width * Math.abs(d0);
      interpolated += area;
      least += area;
      most += area;
      if (sign * d0 < 0) {
        minorInterpolated += area;
        minorLeast += area;
        minorMost += area;
      }
      continue;
    }
    const nextA = fa + pa;
    const nextB = fb + pb;
    const d1 = nextA - nextB;
    ks = Math.max(ks, Math.abs(d1));
    ksUpper = Math.max(ksUpper, Math.abs(d1), Math.abs(nextA - fb), Math.abs(fa - nextB));
    interpolated += width * absoluteArea(d0, d1);
    minorInterpolated += width * negativeArea(sign * d0, sign * d1);
    // s·D ranges over [low, high] inside the bucket, and can take any value of it anywhere.
    const low = sign > 0 ? d0 - pb : -d0 - pa;
    const high = sign > 0 ? d0 + pa : -d0 + pb;
    least += width * (low > 0 ? low : high < 0 ? -high : 0);
    most += width * Math.max(Math.abs(low), Math.abs(high));
    minorLeast += width * Math.max(0, -high);
    minorMost += width * Math.max(0, -low);
    fa = nextA;
    fb = nextB;
  }
  let wasserstein = interpolated;
  let lowest = least;
  let highest = most;
  if (meanDifference !== null) {
    const shift = Math.abs(meanDifference.value);
    wasserstein = shift + 2 * minorInterpolated;
    lowest = Math.max(lowest, shift - meanDifference.allowance + 2 * minorLeast);
    highest = Math.min(highest, shift + meanDifference.allowance + 2 * minorMost);
  }
  wasserstein = Math.min(Math.max(wasserstein, lowest), highest);
  return {
    ksStatistic: ks,
    wasserstein,
    ksBound: ksUpper - ks,
    wassersteinBound: Math.max(0, wasserstein - lowest, highest - wasserstein),
  };
}

/** ∫|D| over a unit-width bucket where D goes linearly from d0 to d1. */
function absoluteArea(d0: number, d1: number): number {
  return d0 * d1 >= 0 ? (Math.abs(d0) + Math.abs(d1)) / 2 : (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/** ∫ max(−D, 0) over a unit-width bucket where D goes linearly from d0 to d1. */
function negativeArea(d0: number, d1: number): number {
  if (d0 >= 0 && d1 >= 0) return 0;
  if (d0 <= 0 && d1 <= 0) return -(d0 + d1) / 2;
  const negative = d0 < 0 ? -d0 : -d1;
  return (negative * negative) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/** Mean and population standard deviation of a numeric profile (null when it has no values). */
export function moments(profile: NumericFeatureProfile, center: number): { mean: number; std: number } | null {
  if (profile.count === 0) return null;
  const mean = profile.sum / profile.count;
  const shifted = mean - center;
  const variance = profile.centeredSumSquares / profile.count - shifted * shifted;
  return { mean, std: Math.sqrt(Math.max(0, variance)) };
}
