import { chiSquareSf } from './special/gamma.js';
import { binnedCounts } from './binned.js';
import type { StatTest } from './statTest.js';

/** Added to every reference count before taking proportions, so no expected count is zero (Laplace-style, ½). */
export const CHI_SQUARE_SMOOTHING = 0.5;

/**
 * Pearson chi-square goodness of fit of the current counts against the (smoothed) reference proportions, as
 * scipy.stats.chisquare(current, expected) with dof = bins − 1. Bins empty on both sides carry no information and
 * are left out (they would only add degrees of freedom).
 */
export function chiSquareOf(
  reference: ReadonlyArray<number>,
  current: ReadonlyArray<number>,
): { statistic: number; pValue: number; dof: number } {
  const keep = reference.map((r, i) => r > 0 || current[i]! > 0);
  const ref = reference.filter((_, i) => keep[i]);
  const cur = current.filter((_, i) => keep[i]);
  const k = ref.length;
  const curTotal = cur.reduce((a, b) => a + b, 0);
  const refTotal = ref.reduce((a, b) => a + b, 0) + CHI_SQUARE_SMOOTHING * k;
  if (k < 2 || curTotal === 0) return { statistic: 0, pValue: 1, dof: Math.max(0, k - 1) };
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const expected = ((ref[i]! + CHI_SQUARE_SMOOTHING) / refTotal) * curTotal;
    const d = cur[i]! - expected;
    statistic += (d * d) / expected;
  }
  return { statistic, pValue: chiSquareSf(statistic, k - 1), dof: k - 1 };
}

export const chiSquareTest: StatTest = {
  name: 'chiSquare',
  appliesTo: ['categorical'],
  direction: 'p-value',
  defaultThreshold: 0.05,
  run(reference, current, options) {
    const bins = binnedCounts(reference, current, options);
    const result = chiSquareOf(bins.reference, bins.current);
    const threshold = options.threshold ?? 0.05;
    return {
      score: result.pValue,
      threshold,
      drifted: result.pValue < threshold,
      direction: 'p-value',
      details: { statistic: result.statistic, dof: result.dof },
    };
  },
};
