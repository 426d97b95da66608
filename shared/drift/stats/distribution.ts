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
    ...sketchStatistics(new SketchGrid(feature.sketch), reference.sketch, current.sketch, globalMin, globalMax),
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

/** KS and W1 from two sketches on one grid, each bucket's mass spread uniformly over the bucket. */
export function sketchStatistics(
  grid: SketchGrid,
  a: SketchCounts,
  b: SketchCounts,
  globalMin: number,
  globalMax: number,
): { ksStatistic: number; wasserstein: number; ksBound: number; wassersteinBound: number } {
  const totalA = a.counts.reduce((s, c) => s + c, 0);
  const totalB = b.counts.reduce((s, c) => s + c, 0);
  const lo = Math.min(a.offset, b.offset);
  const hi = Math.max(a.offset + a.counts.length, b.offset + b.counts.length) - 1;
  let fa = 0;
  let fb = 0;
  let ks = 0;
  let ksUpper = 0;
  let wasserstein = 0;
  let wassersteinBound = 0;
  for (let index = lo; index <= hi; index++) {
    const pa = (a.counts[index - a.offset] ?? 0) / totalA;
    const pb = (b.counts[index - b.offset] ?? 0) / totalB;
    const lower = index === lo ? globalMin : Math.max(grid.lower(index), globalMin);
    const upper = index === hi ? globalMax : Math.min(grid.upper(index), globalMax);
    const width = Math.max(0, upper - lower);
    if (pa === 0 && pb === 0) {
      wasserstein += width * Math.abs(fa - fb);
      continue;
    }
    const nextA = fa + pa;
    const nextB = fb + pb;
    const d0 = fa - fb;
    const d1 = nextA - nextB;
    ks = Math.max(ks, Math.abs(d1));
    ksUpper = Math.max(ksUpper, Math.abs(d1), Math.abs(nextA - fb), Math.abs(fa - nextB));
    wasserstein +=
      d0 * d1 >= 0
        ? (width * (Math.abs(d0) + Math.abs(d1))) / 2
        : (width * (d0 * d0 + d1 * d1)) / (2 * (Math.abs(d0) + Math.abs(d1)));
    wassersteinBound += width * (pa + pb);
    fa = nextA;
    fb = nextB;
  }
  return { ksStatistic: ks, wasserstein, ksBound: ksUpper - ks, wassersteinBound };
}

/** Mean and population standard deviation of a numeric profile (null when it has no values). */
export function moments(profile: NumericFeatureProfile, center: number): { mean: number; std: number } | null {
  if (profile.count === 0) return null;
  const mean = profile.sum / profile.count;
  const shifted = mean - center;
  const variance = profile.centeredSumSquares / profile.count - shifted * shifted;
  return { mean, std: Math.sqrt(Math.max(0, variance)) };
}
