import { moments } from './distribution.js';
import { MIN_NORMALISER } from './wasserstein.js';
import type { StatResult, StatTest } from './statTest.js';

/** |mean_cur − mean_ref| / std_ref (the seed), the std floored at 0.001 so a constant baseline stays finite. */
export const meanShiftTest: StatTest = {
  name: 'meanShift',
  appliesTo: ['numeric'],
  direction: 'higher-is-worse',
  defaultThreshold: 0.5,
  run(reference, current, options): StatResult {
    const threshold = options.threshold ?? 0.5;
    if (reference.type !== 'numeric' || current.type !== 'numeric' || options.feature.type !== 'numeric') {
      throw new TypeError('meanShift applies to numeric features');
    }
    const center = options.feature.sketch.center;
    const ref = moments(reference, center);
    const cur = moments(current, center);
    if (ref === null || cur === null)
      return {
        score: 0,
        threshold,
        drifted: false,
        direction: 'higher-is-worse',
        details: { referenceMean: null, currentMean: null },
      };
    const score = Math.abs(cur.mean - ref.mean) / Math.max(ref.std, MIN_NORMALISER);
    return {
      score,
      threshold,
      drifted: score >= threshold,
      direction: 'higher-is-worse',
      details: { referenceMean: ref.mean, currentMean: cur.mean, referenceStd: ref.std, currentStd: cur.std },
    };
  },
};
