import { binnedDistanceTest, proportions } from './binned.js';
import type { StatTest } from './statTest.js';

/** Hellinger distance sqrt(½ Σ (√p − √q)²), in [0, 1], over the same bins and raw proportions as JS. */
export function hellingerOf(reference: ReadonlyArray<number>, current: ReadonlyArray<number>): number {
  const p = proportions(reference);
  const q = proportions(current);
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const d = Math.sqrt(p[i]!) - Math.sqrt(q[i]!);
    sum += d * d;
  }
  return Math.sqrt(sum / 2);
}

export const hellingerTest: StatTest = binnedDistanceTest(
  {
    name: 'hellinger',
    label: 'Hellinger',
    description: 'Hellinger distance over the same bins (signal)',
    roles: { numeric: 'signal', categorical: 'signal' },
    defaultThreshold: 0.1,
  },
  hellingerOf,
);
