import { binnedDistanceTest, proportions } from './binned.js';
import { chiSquareCritical } from './chiSquare.js';
import type { StatTest } from './statTest.js';

/** Jensen–Shannon distance, base 2 (scipy.spatial.distance.jensenshannon(p, q, base=2)), on raw proportions. */
export function jensenShannonOf(reference: ReadonlyArray<number>, current: ReadonlyArray<number>): number {
  const p = proportions(reference);
  const q = proportions(current);
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) divergence += p[i]! * Math.log(p[i]! / m);
    if (q[i]! > 0) divergence += q[i]! * Math.log(q[i]! / m);
  }
  return Math.sqrt(Math.max(0, divergence / Math.LN2 / 2));
}

/**
 * The JS distance at which the chi-square test of homogeneity reaches `level` for these sample sizes: for small
 * changes the statistic is about 8·n_eff·JSD (JSD in nats), so JS = sqrt(χ²_crit / (8·n_eff·ln 2)).
 */
export function detectableJensenShannon(
  referenceCount: number,
  currentCount: number,
  categories: number,
  level: number,
): number {
  if (referenceCount === 0 || currentCount === 0) return 1;
  const nEff = (referenceCount * currentCount) / (referenceCount + currentCount);
  const critical = chiSquareCritical(Math.max(1, categories - 1), level);
  return Math.min(1, Math.sqrt(critical / (8 * nEff * Math.LN2)));
}

/**
 * The practical minimum for categorical features (Evidently's and Azure ML's default, 0.1). Over a numeric feature's
 * PSI bins it is a signal only: coarse equal-width bins hide most of a skewed feature's changes.
 */
export const jensenShannonTest: StatTest = binnedDistanceTest(
  {
    name: 'jensenShannon',
    label: 'JS',
    description: 'Jensen–Shannon distance, base 2 (effect for categories: drift needs ≥ the threshold)',
    roles: { categorical: 'effect', numeric: 'signal' },
    defaultThreshold: 0.1,
  },
  jensenShannonOf,
  (bins, context) => {
    if (context.feature.type !== 'categorical') return {};
    const refTotal = bins.reference.reduce((a, b) => a + b, 0);
    const curTotal = bins.current.reduce((a, b) => a + b, 0);
    const used = bins.labels.filter((_, i) => bins.reference[i]! + bins.current[i]! > 0).length;
    return {
      minimumDetectable: Math.max(
        context.threshold,
        detectableJensenShannon(refTotal, curTotal, used, context.detectionLevel),
      ),
    };
  },
);
