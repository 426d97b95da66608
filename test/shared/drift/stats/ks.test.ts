import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../shared/baseline/random.js';
import { profileFromColumns } from '../../../../shared/drift/profileFromColumns.js';
import { deriveSchema } from '../../../../shared/drift/schema.js';
import type { NumericFeatureProfile } from '../../../../shared/drift/profile.js';
import { ksCritical, ksPValue, ksSignificance, pooledAtoms } from '../../../../shared/drift/stats/ks.js';
import { chiSquareSf } from '../../../../shared/drift/stats/special/gamma.js';

/** The pooled atoms of a baseline and, when given, a window counted on the baseline's schema. */
function supportOf(values: Float64Array, window?: Float64Array) {
  const column = (v: Float64Array) => [{ name: 'x', type: 'numeric' as const, values: v }];
  const schema = deriveSchema(column(values));
  const profile = (v: Float64Array) => profileFromColumns(schema, column(v)).features.x as NumericFeatureProfile;
  return pooledAtoms(profile(values), window ? profile(window) : null);
}

describe('KS significance with its null from the baseline', () => {
  it('on a continuous baseline is scipy’s asymptotic Kolmogorov p-value', () => {
    const r = createRandom(1);
    const support = supportOf(Float64Array.from({ length: 20_000 }, () => r.nextGaussian()));
    expect(support.discrete).toBe(false);
    expect(ksSignificance(0.02, 20_000, 5_000, support)).toEqual({
      pValue: ksPValue(0.02, 20_000, 5_000),
      method: 'kolmogorov',
    });
  });

  it('on a binary baseline is the two-proportion z-test, which Kolmogorov’s distribution overstates', () => {
    const r = createRandom(2);
    const support = supportOf(Float64Array.from({ length: 20_000 }, () => (r.nextFloat() < 0.2 ? 1 : 0)));
    expect(support.discrete).toBe(true);
    const f = support.cdf[0]!;
    const d = 0.012;
    const z = d / Math.sqrt(f * (1 - f) * (1 / 20_000 + 1 / 10_000));
    const result = ksSignificance(d, 20_000, 10_000, support);
    expect(result.method).toBe('discrete');
    expect(result.pValue).toBeCloseTo(chiSquareSf(z * z, 1), 12);
    expect(result.pValue).toBeLessThan(ksPValue(d, 20_000, 10_000) / 5);
  });

  it('stays valid on a discrete baseline: under no drift about 5% of Poisson windows are significant at 0.05', () => {
    const poisson = (r: ReturnType<typeof createRandom>): number => {
      let k = 0;
      let p = Math.exp(-3);
      let c = p;
      const u = r.nextFloat();
      while (u > c) c += p *= 3 / ++k;
      return k;
    };
    let below = 0;
    const repeats = 300;
    for (let i = 0; i < repeats; i++) {
      const r = createRandom(100 + i);
      const base = Float64Array.from({ length: 5_000 }, () => poisson(r));
      const cur = Float64Array.from({ length: 2_000 }, () => poisson(r));
      const support = supportOf(base, cur);
      const countsA = new Array<number>(40).fill(0);
      const countsB = new Array<number>(40).fill(0);
      for (const v of base) countsA[v]!++;
      for (const v of cur) countsB[v]!++;
      let d = 0;
      let fa = 0;
      let fb = 0;
      for (let v = 0; v < 40; v++) {
        fa += countsA[v]! / base.length;
        fb += countsB[v]! / cur.length;
        d = Math.max(d, Math.abs(fa - fb));
      }
      if (ksSignificance(d, 5_000, 2_000, support).pValue < 0.05) below++;
    }
    expect(below).toBeGreaterThanOrEqual(5);
    expect(below).toBeLessThanOrEqual(25);
  });

  it('pools the window in: a value the baseline never had is not, by itself, proof of drift', () => {
    // A pixel that is 0 in all 900 baseline images and lit in one of 900 new ones: D = 1/900.
    const baseline = new Float64Array(900);
    const window = Float64Array.from({ length: 900 }, (_, i) => (i === 0 ? 7 : 0));
    const result = ksSignificance(1 / 900, 900, 900, supportOf(baseline, window));
    expect(result.pValue).toBeGreaterThan(0.05);
    // Lit in 5% of 10,000 new events, it is.
    const lit = Float64Array.from({ length: 10_000 }, (_, i) => (i % 20 === 0 ? 7 : 0));
    expect(ksSignificance(0.05, 20_000, 10_000, supportOf(new Float64Array(20_000), lit)).pValue).toBeLessThan(1e-10);
  });

  it('gives a feature constant on both sides nothing to reject (p = 1), so it cannot lend other features significance', () => {
    const constant = new Float64Array(900);
    expect(ksSignificance(0, 900, 900, supportOf(constant, constant)).pValue).toBe(1);
    const binary = Float64Array.from({ length: 900 }, (_, i) => i % 2);
    expect(ksSignificance(0, 900, 900, supportOf(binary, binary)).pValue).toBe(1);
  });

  it('finds the critical statistic of a level by bisection', () => {
    const r = createRandom(3);
    const support = supportOf(Float64Array.from({ length: 20_000 }, () => r.nextGaussian()));
    const critical = ksCritical(0.001, 20_000, 10_000, support);
    expect(ksSignificance(critical, 20_000, 10_000, support).pValue).toBeLessThanOrEqual(0.001);
    expect(ksSignificance(critical * 0.99, 20_000, 10_000, support).pValue).toBeGreaterThan(0.001);
  });
});
