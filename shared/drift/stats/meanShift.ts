import { moments } from './distribution.js';
import { numericProfiles } from './ks.js';
import { MIN_NORMALISER } from './wasserstein.js';
import type { StatTest } from './statTest.js';

/** |mean_cur − mean_ref| / std_ref (the seed), the std floored at 0.001 so a constant baseline stays finite. */
export const meanShiftTest: StatTest = {
  name: 'meanShift',
  label: 'Mean shift',
  description: '|Δ mean| over the baseline std (signal)',
  roles: { numeric: 'signal' },
  direction: 'higher-is-worse',
  defaultThreshold: 0.5,
  run(referenceProfile, currentProfile, context) {
    const [reference, current, feature] = numericProfiles(
      referenceProfile,
      currentProfile,
      context.feature,
      'meanShift',
    );
    const ref = moments(reference, feature.sketch.center);
    const cur = moments(current, feature.sketch.center);
    if (ref === null || cur === null) return null;
    const score = Math.abs(cur.mean - ref.mean) / Math.max(ref.std, MIN_NORMALISER);
    return {
      score,
      threshold: context.threshold,
      direction: 'higher-is-worse',
      beyondThreshold: score >= context.threshold,
      minimumDetectable: null,
      details: { referenceMean: ref.mean, currentMean: cur.mean, referenceStd: ref.std, currentStd: cur.std },
    };
  },
};
