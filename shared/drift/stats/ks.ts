import { kolmogorovSf } from './special/kolmogorov.js';
import { chiSquareSf } from './special/gamma.js';
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
 * The two samples' pooled distribution on the sketch's buckets (one bucket per distinct value of an integer code or
 * flag): what "same distribution" would be, and where the empirical CDFs can differ.
 */
export interface PooledAtoms {
  /** Pooled CDF after each atom but the last. */
  cdf: Float64Array;
  /** Few atoms, each seen many times: the sup runs over them only, and the union bound applies. */
  discrete: boolean;
}

/** At most this many distinct values, each seen on average at least DISCRETE_MIN_REPEATS times, reads as discrete. */
const DISCRETE_MAX_ATOMS = 64;
const DISCRETE_MIN_REPEATS = 20;

/** Pools the sketches of the baseline and (when known) the window; both count on the baseline's grid. */
export function pooledAtoms(reference: NumericFeatureProfile, current: NumericFeatureProfile | null): PooledAtoms {
  const counts = new Map<number, number>();
  for (const sketch of current ? [reference.sketch, current.sketch] : [reference.sketch]) {
    sketch.counts.forEach((c, i) => {
      if (c > 0) counts.set(sketch.offset + i, (counts.get(sketch.offset + i) ?? 0) + c);
    });
  }
  const atoms = [...counts.entries()].sort((a, b) => a[0] - b[0]);
  const total = atoms.reduce((n, [, c]) => n + c, 0);
  const cdf = new Float64Array(Math.max(0, atoms.length - 1));
  let running = 0;
  for (let i = 0; i < cdf.length; i++) cdf[i] = (running += atoms[i]![1]) / total;
  return {
    cdf,
    discrete: atoms.length <= DISCRETE_MAX_ATOMS && total >= DISCRETE_MIN_REPEATS * atoms.length,
  };
}

/**
 * The p-value of a KS statistic under "both samples come from one distribution", at these sizes. Kolmogorov's
 * distribution is exact for a continuous distribution and conservative for a discrete one (the CDFs can only differ
 * at its few values), where the test then misses real changes. For discrete data the sup runs over the pooled values
 * only, and a union bound over them, each CDF difference normal with variance F(1 − F)(1/n + 1/m) at the pooled F,
 * is tighter (exact with one value, as for a binary feature); the smaller of the two valid bounds is the p-value.
 * Pooling matters: a value the baseline never had still has a probability under "one distribution".
 */
export function ksSignificance(
  statistic: number,
  referenceCount: number,
  currentCount: number,
  atoms: PooledAtoms,
): { pValue: number; method: 'kolmogorov' | 'discrete' } {
  const kolmogorov = ksPValue(statistic, referenceCount, currentCount);
  // One value on both sides (a constant feature) leaves no CDF point to differ at: nothing to test.
  if (!atoms.discrete || atoms.cdf.length === 0) return { pValue: kolmogorov, method: 'kolmogorov' };
  const union = unionBound(statistic, referenceCount, currentCount, atoms);
  return union < kolmogorov ? { pValue: union, method: 'discrete' } : { pValue: kolmogorov, method: 'kolmogorov' };
}

/**
 * The KS statistic whose p-value is `level` at these sizes (bisection: the p-value falls as D grows). It only says
 * what a window could detect, so Kolmogorov's limit distribution stands in for the exact finite-n one (a few
 * percent apart at these levels, and far cheaper than the Durbin matrix in a 60-step bisection).
 */
export function ksCritical(level: number, referenceCount: number, currentCount: number, atoms: PooledAtoms): number {
  const nEff = (referenceCount * currentCount) / (referenceCount + currentCount);
  const pValue = (d: number): number => {
    const limit = kolmogorovLimitSf(d * Math.sqrt(nEff));
    return atoms.discrete ? Math.min(limit, unionBound(d, referenceCount, currentCount, atoms)) : limit;
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

/** Σ over the pooled values of P(|F_ref − F_cur| >= D), each difference normal with variance F(1 − F)(1/n + 1/m). */
function unionBound(statistic: number, referenceCount: number, currentCount: number, atoms: PooledAtoms): number {
  const scale = Math.sqrt(1 / referenceCount + 1 / currentCount);
  let union = 0;
  for (const f of atoms.cdf) {
    const sd = scale * Math.sqrt(f * (1 - f));
    // P(|Z| >= D / sd) = chi2.sf((D / sd)², 1).
    if (sd > 0) union += chiSquareSf((statistic / sd) ** 2, 1);
  }
  return Math.min(1, union);
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
      pooledAtoms(reference, current),
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
