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

/**
 * A signal, not a verdict: PSI grows with the window's size under the same change, and one empty baseline bin
 * floored at 1e-4 can push it past 0.2 on a clean window.
 */
export const psiTest: StatTest = binnedDistanceTest(
  {
    name: 'psi',
    label: 'PSI',
    description: "Population stability index on the seed's bins (signal: ≥ 0.2 reads as drift in the seed)",
    roles: { numeric: 'signal', categorical: 'signal' },
    defaultThreshold: 0.2,
  },
  psiOf,
  (_, context) => ({ details: { binning: context.psiBinning } }),
);
