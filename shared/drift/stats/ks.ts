import { kolmogorovSf } from './special/kolmogorov.js';
import { compareDistributions } from './distribution.js';
import type { StatResult, StatTest } from './statTest.js';

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

export const ksTest: StatTest = {
  name: 'ks',
  appliesTo: ['numeric'],
  direction: 'p-value',
  defaultThreshold: 0.05,
  run(reference, current, options): StatResult {
    const threshold = options.threshold ?? 0.05;
    if (reference.type !== 'numeric' || current.type !== 'numeric' || options.feature.type !== 'numeric') {
      throw new TypeError('ks applies to numeric features');
    }
    const comparison = compareDistributions(reference, current, options.feature);
    if (comparison === null)
      return {
        score: 1,
        threshold,
        drifted: false,
        direction: 'p-value',
        details: { statistic: null, method: 'none' },
      };
    const pValue = ksPValue(comparison.ksStatistic, reference.count, current.count);
    return {
      score: pValue,
      threshold,
      drifted: pValue < threshold,
      direction: 'p-value',
      details: {
        statistic: comparison.ksStatistic,
        errorBound: comparison.ksBound,
        method: comparison.method,
        nEff: effectiveSize(reference.count, current.count),
      },
    };
  },
};
