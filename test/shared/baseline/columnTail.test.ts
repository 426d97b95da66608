import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ColumnTail, NO_BOUND, robustSigma, TwoSidedTail, UpperTail } from '../../../shared/baseline/columnTail.js';

const oneTo = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);

describe('ColumnTail', () => {
  it('is the empirical share of values at or above x up to where its exponential tail starts', () => {
    // 1..1000: the tail starts at the 51st largest value, 950.
    const tail = ColumnTail.fit(oneTo(1000), 1);
    expect(tail.logTail(900)).toBeCloseTo(Math.log(101 / 1000), 12);
    expect(tail.logTail(950)).toBeCloseTo(Math.log(51 / 1000), 12);
    expect(tail.logTail(-5)).toBe(0);
  });

  it('decays beyond it with the mean excess of the top values (peaks over threshold)', () => {
    const tail = ColumnTail.fit(oneTo(1000), 1);
    // 951..1000 exceed 950 by 1..50: mean excess 25.5.
    expect(tail.beta).toBeCloseTo(25.5, 12);
    expect(tail.logTail(1100)).toBeCloseTo(Math.log(50 / 1000) - 150 / 25.5, 12);
  });

  it('does not count values tied at the start of the tail as excesses, so a column mostly at one value extrapolates from the few above it', () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => (i < 980 ? 0 : 1 + (i % 5)));
    const tail = ColumnTail.fit(values, 0.01);
    // 20 values above 0, mean 3: P(X >= 4) = 20/1000 · exp(-4/3), not the 1000-row mean excess of 0.06.
    expect(tail.beta).toBeCloseTo(3, 12);
    expect(tail.logTail(4)).toBeCloseTo(Math.log(20 / 1000) - 4 / 3, 12);
  });

  it('gives a column that never varied no decay: any other value has probability 1/(n + 1)', () => {
    const tail = ColumnTail.fit(new Float64Array(99).fill(7), 0);
    expect(tail.logTail(7)).toBe(0);
    expect(tail.logTail(8)).toBeCloseTo(Math.log(1 / 100), 12);
    expect(tail.logTail(1e12)).toBeCloseTo(Math.log(1 / 100), 12);
    expect(tail.boundBelow(Math.log(1 / 100))).toBe(NO_BOUND);
    expect(tail.boundBelow(Math.log(1 / 99))).toBe(7);
  });

  const samples = fc.oneof(
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
    fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 300 }),
    fc.array(fc.constantFrom(0, 0, 0, 0, 1, 16), { minLength: 1, maxLength: 300 }),
  );

  it('has bounds that agree with its surprise about every value: beyond them exactly when above the level (property)', () => {
    fc.assert(
      fc.property(
        samples,
        fc.double({ min: 0, max: 40, noNaN: true }),
        fc.oneof(fc.constant(0), fc.double({ min: 1e-6, max: 5, noNaN: true })),
        (v, level, floor) => {
          const values = Float64Array.from(v);
          const two = TwoSidedTail.fit(values, floor);
          const upper = UpperTail.fit(values, floor);
          const [lo, hi] = two.bounds(level);
          const high = upper.bound(level);
          const probes = [...v, ...v.map((x) => x + 0.5), ...v.map((x) => x - 0.5), lo, hi, high, -1e9, 1e9];
          // Agreement is exact away from the level; a surprise within rounding of it may go either way.
          const clear = (s: number) => Math.abs(s - level) > 1e-9 * Math.max(1, level);
          for (const x of probes) {
            if (clear(two.surprise(x))) expect(two.surprise(x) > level, `two-sided x=${x}`).toBe(x < lo || x > hi);
            if (clear(upper.surprise(x))) expect(upper.surprise(x) > level, `upper x=${x}`).toBe(x > high);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TwoSidedTail', () => {
  it('measures the two-sided tail probability: −ln(2 · the smaller tail), 0 in the middle', () => {
    const tail = TwoSidedTail.fit(oneTo(1000), 1);
    expect(tail.surprise(500)).toBe(0);
    expect(tail.surprise(100)).toBeCloseTo(-Math.log(2 * (100 / 1000)), 12);
    expect(tail.surprise(900)).toBeCloseTo(-Math.log(2 * (101 / 1000)), 12);
  });

  it('treats the two sides of a skewed column apart', () => {
    // Lognormal-like: a long right tail, a short left one.
    const values = Float64Array.from({ length: 2000 }, (_, i) => Math.exp(((i + 0.5) / 2000 - 0.5) * 6));
    const tail = TwoSidedTail.fit(values, 0.1 * robustSigma(values));
    const [lo, hi] = tail.bounds(8);
    const median = 1;
    expect(hi - median).toBeGreaterThan(5 * (median - lo));
  });
});

describe('robustSigma', () => {
  it('is 1.4826 · MAD, σ for a normal column', () => {
    // Normal quantiles at (i + 0.5)/n: their MAD-based σ is close to 1.
    const normal = Float64Array.from({ length: 2001 }, (_, i) => inverseNormal((i + 0.5) / 2001));
    expect(robustSigma(normal)).toBeCloseTo(1, 2);
    expect(robustSigma(Float64Array.from([1, 2, 3, 4, 100]))).toBeCloseTo(1.4826, 12);
  });

  it('falls back to the IQR, then to the standard deviation, when the middle values tie', () => {
    // MAD 0 (more than half at 0), IQR 2 (a quarter or more at 2 and above).
    const mostlyZero = Float64Array.from([0, 0, 0, 0, 0, 0, 2, 2, 3, 9]);
    expect(robustSigma(mostlyZero)).toBeCloseTo((2 - 0) / 1.349, 12);
    const rare = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 10]);
    expect(robustSigma(rare)).toBeCloseTo(3, 12);
    expect(robustSigma(new Float64Array(5).fill(4))).toBe(0);
  });
});

/** Acklam's rational approximation (relative error < 1.2e-9). */
function inverseNormal(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.928510446969, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (coefficients: number[], x: number) => coefficients.reduce((sum, k) => sum * x + k, 0);
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - 0.02425) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
