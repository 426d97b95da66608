import { baselineSupport, shiftStatistic } from './baselineSupport.js';
import { compareDistributions, moments } from './distribution.js';
import { ksCritical, numericProfiles } from './ks.js';
import type { StatTest } from './statTest.js';
import type { BaselineSupport } from './baselineSupport.js';

/** Divisors below this are replaced by it (Azure ML / Evidently's floor on the baseline std). */
export const MIN_NORMALISER = 0.001;

/**
 * The smallest location shift, in baseline standard deviations, whose KS statistic reaches `criticalStatistic` on
 * this baseline's shape (for a pure shift W / std is the shift itself, so this is also its W / std).
 */
export function detectableShift(support: BaselineSupport, std: number, criticalStatistic: number): number {
  if (support.positions.length === 0) return Number.POSITIVE_INFINITY;
  let lo = 0;
  let hi = Math.max(std, MIN_NORMALISER);
  const range = support.positions[support.positions.length - 1]! - support.positions[0]!;
  while (shiftStatistic(support, hi) < criticalStatistic && hi <= 2 * range + std) hi *= 2;
  if (shiftStatistic(support, hi) < criticalStatistic) return Number.POSITIVE_INFINITY;
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (shiftStatistic(support, mid) >= criticalStatistic) hi = mid;
    else lo = mid;
  }
  return hi / Math.max(std, MIN_NORMALISER);
}

/**
 * Wasserstein-1 over the baseline std: the practical minimum for numeric features (Azure ML's and Evidently's
 * normed Wasserstein, default 0.1). Also reports W raw and over the baseline range (the seed's number), and what
 * this window's size can detect: a feature is flagged only when the KS test also rejects, so a shift smaller than
 * the one KS needs at this n is out of reach whatever the threshold.
 */
export const wassersteinTest: StatTest = {
  name: 'wasserstein',
  label: 'W / std',
  description: 'Wasserstein-1 distance over the baseline std (effect for numbers: drift needs ≥ the threshold)',
  roles: { numeric: 'effect' },
  direction: 'higher-is-worse',
  defaultThreshold: 0.1,
  run(referenceProfile, currentProfile, context) {
    const [reference, current, feature] = numericProfiles(
      referenceProfile,
      currentProfile,
      context.feature,
      'wasserstein',
    );
    const comparison = compareDistributions(reference, current, feature);
    const refMoments = moments(reference, feature.sketch.center);
    if (comparison === null || refMoments === null) return null;
    const std = Math.max(refMoments.std, MIN_NORMALISER);
    const range = Math.max(feature.baselineMax - feature.baselineMin, MIN_NORMALISER);
    const perStd = comparison.wasserstein / std;
    const support = baselineSupport(reference, feature);
    const critical = ksCritical(context.detectionLevel, reference.count, current.count, support);
    return {
      score: perStd,
      threshold: context.threshold,
      direction: 'higher-is-worse',
      beyondThreshold: perStd >= context.threshold,
      minimumDetectable: Math.max(context.threshold, detectableShift(support, refMoments.std, critical)),
      details: {
        raw: comparison.wasserstein,
        perRange: comparison.wasserstein / range,
        perStd,
        errorBound: comparison.wassersteinBound,
        method: comparison.method,
      },
    };
  },
};
