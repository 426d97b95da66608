import { compareDistributions, moments } from './distribution.js';
import type { StatResult, StatTest } from './statTest.js';

/** Divisors below this are replaced by it (Azure ML / Evidently's floor on the baseline std). */
export const MIN_NORMALISER = 0.001;

/** Wasserstein-1: raw, / baseline range (the seed's decision value) and / max(baseline std, 0.001). */
export const wassersteinTest: StatTest = {
  name: 'wasserstein',
  appliesTo: ['numeric'],
  direction: 'higher-is-worse',
  defaultThreshold: 0.1,
  run(reference, current, options): StatResult {
    const threshold = options.threshold ?? 0.1;
    const feature = options.feature;
    if (reference.type !== 'numeric' || current.type !== 'numeric' || feature.type !== 'numeric') {
      throw new TypeError('wasserstein applies to numeric features');
    }
    const comparison = compareDistributions(reference, current, feature);
    const refMoments = moments(reference, feature.sketch.center);
    if (comparison === null || refMoments === null) {
      return {
        score: 0,
        threshold,
        drifted: false,
        direction: 'higher-is-worse',
        details: { raw: null, perRange: null, perStd: null, method: 'none' },
      };
    }
    const range = Math.max(feature.baselineMax - feature.baselineMin, MIN_NORMALISER);
    const perRange = comparison.wasserstein / range;
    return {
      score: perRange,
      threshold,
      drifted: perRange > threshold,
      direction: 'higher-is-worse',
      details: {
        raw: comparison.wasserstein,
        perRange,
        perStd: comparison.wasserstein / Math.max(refMoments.std, MIN_NORMALISER),
        errorBound: comparison.wassersteinBound,
        method: comparison.method,
      },
    };
  },
};
