import { binnedDistanceTest, proportions } from './binned.js';
import type { StatTest } from './statTest.js';

/** Any zero proportion becomes this (the seed's rule), so the log stays finite. */
export const PSI_FLOOR = 1e-4;

/** PSI = Σ (q − p)·ln(q / p) over the bins (the seed's calculate_psi); < 0.1 no change, 0.1–0.2 moderate, ≥ 0.2 drift. */
export function psiOf(reference: ReadonlyArray<number>, current: ReadonlyArray<number>): number {
  const p = proportions(reference);
  const q = proportions(current);
  let psi = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] === 0 ? PSI_FLOOR : p[i]!;
    const qi = q[i] === 0 ? PSI_FLOOR : q[i]!;
    psi += (qi - pi) * Math.log(qi / pi);
  }
  return psi;
}

export const psiTest: StatTest = binnedDistanceTest('psi', psiOf, 0.2, (options) => ({
  binning: options.psiBinning ?? 'equal-width',
}));
