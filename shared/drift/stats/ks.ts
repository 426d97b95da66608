import { kolmogorovSf } from './special/kolmogorov.js';
import { chiSquareSf } from './special/gamma.js';
import { baselineSupport, type BaselineSupport } from './baselineSupport.js';
import { compareDistributions } from './distribution.js';
import { DEFAULT_FALSE_ALARM_BUDGET, type StatTest } from './statTest.js';
import type { NumericFeatureProfile } from '../profile.js';
import type { NumericFeatureSchema } from '../schema.js';

/** n_eff = round(n·m / (n + m)) as scipy computes it (larger size first, numpy's round half to even). */
export function effectiveSize(n: number, m: number): number {
  const [big, small] = n >= m ? [n, m] : [m, n];
  const en = (big * small) / (big + small);
  const floor = Math.floor(en);
  const fraction = en - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** Asymptotic two-sided p-value of a two-sample KS statistic (scipy ks_2samp method='asymp'). */
export function ksPValue(statistic: number, n: number, m: number): number {
  return kolmogorovSf(effectiveSize(n, m), statistic);
}

/**
 * The p-value of a KS statistic under "both samples come from the baseline's distribution", at these sizes.
 * Kolmogorov's distribution is exact for a continuous baseline and conservative for a discrete one (the CDFs can only
 * differ at its few values), where the test then misses real changes. For a discrete baseline the sup runs over its
 * values only, and a union bound over them, each difference normal with variance F(1 − F)(1/n + 1/m), is tighter
 * (exact with one value, as for a binary feature); the smaller of the two valid bounds is the p-value.
 */
export function ksSignificance(
  statistic: number,
  referenceCount: number,
  currentCount: number,
  support: BaselineSupport,
): { pValue: number; method: 'kolmogorov' | 'discrete' } {
  const kolmogorov = ksPValue(statistic, referenceCount, currentCount);
  if (!support.discrete) return { pValue: kolmogorov, method: 'kolmogorov' };
  const union = unionBound(statistic, referenceCount, currentCount, support);
  return union < kolmogorov ? { pValue: union, method: 'discrete' } : { pValue: kolmogorov, method: 'kolmogorov' };
}

/**
 * The KS statistic whose p-value is `level` at these sizes (bisection: the p-value falls as D grows). It only says
 * what a window could detect, so Kolmogorov's limit distribution stands in for the exact finite-n one (a few
 * percent apart at these levels, and far cheaper than the Durbin matrix in a 60-step bisection).
 */
export function ksCritical(
  level: number,
  referenceCount: number,
  currentCount: number,
  support: BaselineSupport,
): number {
  const nEff = (referenceCount * currentCount) / (referenceCount + currentCount);
  const pValue = (d: number): number => {
    const limit = kolmogorovLimitSf(d * Math.sqrt(nEff));
    return support.discrete ? Math.min(limit, unionBound(d, referenceCount, currentCount, support)) : limit;
  };
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (pValue(mid) > level) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** Kolmogorov's limit distribution: P(sup |B| > t) = 2 Σ (−1)^(k−1) exp(−2k²t²) (1 below t = 0.2, where it is). */
export function kolmogorovLimitSf(t: number): number {
  if (t < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * t * t);
    sum += (k % 2 === 1 ? 2 : -2) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Σ over the baseline's values of P(|F_ref − F_cur| >= D), each difference normal with variance F(1 − F)(1/n + 1/m). */
function unionBound(statistic: number, referenceCount: number, currentCount: number, support: BaselineSupport): number {
  const scale = Math.sqrt(1 / referenceCount + 1 / currentCount);
  let union = 0;
  let cdf = 0;
  for (let i = 0; i < support.masses.length - 1; i++) {
    cdf += support.masses[i]!;
    const sd = scale * Math.sqrt(cdf * (1 - cdf));
    // P(|Z| >= D / sd) = chi2.sf((D / sd)², 1).
    if (sd > 0) union += chiSquareSf((statistic / sd) ** 2, 1);
  }
  return union;
}

export function numericProfiles(
  reference: NumericFeatureProfile | { type: string },
  current: NumericFeatureProfile | { type: string },
  feature: { type: string },
  test: string,
): [NumericFeatureProfile, NumericFeatureProfile, NumericFeatureSchema] {
  if (reference.type !== 'numeric' || current.type !== 'numeric' || feature.type !== 'numeric') {
    throw new TypeError(`${test} applies to numeric features`);
  }
  return [reference as NumericFeatureProfile, current as NumericFeatureProfile, feature as NumericFeatureSchema];
}

export const ksTest: StatTest = {
  name: 'ks',
  label: 'KS p',
  description:
    "Kolmogorov–Smirnov test of the two samples (significance: p-value at this window's size, null from the baseline)",
  roles: { numeric: 'significance' },
  direction: 'p-value',
  defaultThreshold: DEFAULT_FALSE_ALARM_BUDGET,
  run(referenceProfile, currentProfile, context) {
    const [reference, current, feature] = numericProfiles(referenceProfile, currentProfile, context.feature, 'ks');
    const comparison = compareDistributions(reference, current, feature);
    if (comparison === null) return null;
    const significance = ksSignificance(
      comparison.ksStatistic,
      reference.count,
      current.count,
      baselineSupport(reference, feature),
    );
    return {
      score: significance.pValue,
      threshold: context.threshold,
      direction: 'p-value',
      beyondThreshold: significance.pValue < context.threshold,
      minimumDetectable: null,
      details: {
        statistic: comparison.ksStatistic,
        errorBound: comparison.ksBound,
        method: comparison.method,
        nullDistribution: significance.method,
        nEff: effectiveSize(reference.count, current.count),
      },
    };
  },
};
