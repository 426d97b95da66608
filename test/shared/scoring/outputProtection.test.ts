import { describe, expect, it } from 'vitest';
import { protectProbabilities } from '../../../shared/scoring/outputProtection.js';
import { createRandom } from '../../../shared/baseline/random.js';

describe('protectProbabilities', () => {
  const p = { a: 0.123456, b: 0.876544 };

  it('passes probabilities through untouched with mode none', () => {
    expect(protectProbabilities(p, 'none', 0.01, Math.random)).toBe(p);
  });

  it('rounds to two decimals', () => {
    expect(protectProbabilities(p, 'round', 0.01, Math.random)).toEqual({ a: 0.12, b: 0.88 });
  });

  it('adds small noise, keeps a distribution, and is reproducible with a seeded source', () => {
    const r1 = createRandom(9);
    const r2 = createRandom(9);
    const noisy = protectProbabilities(p, 'noise', 0.01, () => r1.nextFloat());
    expect(protectProbabilities(p, 'noise', 0.01, () => r2.nextFloat())).toEqual(noisy);
    expect(noisy.a! + noisy.b!).toBeCloseTo(1, 12);
    expect(Math.abs(noisy.a! - p.a)).toBeLessThan(0.06);
    expect(noisy.a).not.toBe(p.a);
    for (const v of Object.values(noisy)) expect(v).toBeGreaterThanOrEqual(0);
  });
});
