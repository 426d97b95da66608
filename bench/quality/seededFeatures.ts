import { createRandom, type Random } from '../../shared/baseline/random.js';
import type { SchemaColumn } from '../../shared/drift/schema.js';

/** What a seeded window changes (everything else is drawn as in the baseline). */
export type SeededChange = 'none' | 'meanShift' | 'variance' | 'outliers' | 'categoryShift';

/** The feature each change is applied to (its companions must stay unflagged). */
export const CHANGED_FEATURE: Record<Exclude<SeededChange, 'none'>, string> = {
  meanShift: 'normal',
  variance: 'spread',
  outliers: 'outlierTarget',
  categoryShift: 'segment',
};

export const SEGMENTS = ['a', 'b', 'c', 'd', 'e'];
const SEGMENT_SHARES = [0.3, 0.25, 0.2, 0.15, 0.1];
const THREE = ['x', 'y', 'z'];
const MANY = Array.from({ length: 20 }, (_, i) => `k${i}`);
const MANY_WEIGHTS = MANY.map((_, i) => 1 / (i + 1));

/**
 * Fifteen features built to break drift rules: normal, spread and outlier targets, skewed (lognormal σ 1 and σ 3),
 * integer (Poisson 3, ages 18–90), binary, heavy-tailed (Student t, 3 dof), gapped (two far modes), near-constant,
 * and four categoricals (5 shares, 3 equal, 20 Zipf, a 90/10 flag). Changes: a 0.2σ mean shift, variance × 1.5,
 * 5% outliers at +10σ, and 10 points moved from the largest segment to the smallest.
 */
export function seededColumns(seed: number, rows: number, change: SeededChange = 'none'): SchemaColumn[] {
  const r = createRandom(seed);
  const numeric = (name: string, draw: (i: number) => number): SchemaColumn => ({
    name,
    type: 'numeric',
    values: Float64Array.from({ length: rows }, (_, i) => draw(i)),
  });
  const categorical = (name: string, draw: () => string): SchemaColumn => ({
    name,
    type: 'categorical',
    values: Array.from({ length: rows }, draw),
  });
  const segmentShares = change === 'categoryShift' ? [0.2, 0.25, 0.2, 0.15, 0.2] : SEGMENT_SHARES;
  return [
    numeric('normal', () => 50 + 10 * r.nextGaussian() + (change === 'meanShift' ? 2 : 0)),
    numeric('spread', () => r.nextGaussian() * (change === 'variance' ? Math.sqrt(1.5) : 1)),
    numeric(
      'outlierTarget',
      () => 100 + 5 * r.nextGaussian() + (change === 'outliers' && r.nextFloat() < 0.05 ? 50 : 0),
    ),
    numeric('lognormal', () => Math.exp(r.nextGaussian())),
    numeric('lognormal3', () => Math.exp(3 * r.nextGaussian())),
    numeric('poisson', () => poisson(r, 3)),
    numeric('age', () => 18 + r.nextInt(73)),
    numeric('binary', () => (r.nextFloat() < 0.2 ? 1 : 0)),
    numeric('studentT3', () => studentT3(r)),
    numeric('gapped', () => (r.nextFloat() < 0.7 ? r.nextGaussian() : 10 + r.nextGaussian())),
    numeric('nearConstant', () => (r.nextFloat() < 0.99 ? 0 : 1 + r.nextInt(5))),
    categorical('segment', () => pick(r, SEGMENTS, segmentShares)),
    categorical('three', () => THREE[r.nextInt(3)]!),
    categorical('many', () => pick(r, MANY, MANY_WEIGHTS)),
    categorical('flag', () => (r.nextFloat() < 0.9 ? 'no' : 'yes')),
  ];
}

export function poisson(r: Random, lambda: number): number {
  let k = 0;
  let p = Math.exp(-lambda);
  let cumulative = p;
  const u = r.nextFloat();
  while (u > cumulative) {
    k++;
    p *= lambda / k;
    cumulative += p;
  }
  return k;
}

function studentT3(r: Random): number {
  const z = r.nextGaussian();
  const chi = r.nextGaussian() ** 2 + r.nextGaussian() ** 2 + r.nextGaussian() ** 2;
  return z / Math.sqrt(chi / 3);
}

function pick(r: Random, names: ReadonlyArray<string>, weights: ReadonlyArray<number>): string {
  const total = weights.reduce((a, b) => a + b, 0);
  let u = r.nextFloat() * total;
  for (let i = 0; i < names.length; i++) {
    u -= weights[i]!;
    if (u < 0) return names[i]!;
  }
  return names[names.length - 1]!;
}
