import { binnedDistanceTest, proportions } from './binned.js';
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

export const jensenShannonTest: StatTest = binnedDistanceTest('jensenShannon', jensenShannonOf, 0.1);
