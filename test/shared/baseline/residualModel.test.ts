import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  compileResidualScreen,
  fitResidualModel,
  plainResiduals,
  residualsOf,
} from '../../../shared/baseline/residualModel.js';
import { createRandom } from '../../../shared/baseline/random.js';

/** Rows of three features: b = 2a + noise, c independent of both. */
function rows(n: number, seed: number): Float64Array {
  const random = createRandom(seed);
  const values = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = random.nextGaussian();
    values[i * 3] = 10 + a;
    values[i * 3 + 1] = 2 * a + 0.1 * random.nextGaussian();
    values[i * 3 + 2] = 5 * random.nextGaussian();
  }
  return values;
}

describe('fitResidualModel', () => {
  const values = rows(2000, 3);
  const model = fitResidualModel({ rows: 2000, columns: 3, values });
  const residuals = (row: number[]) => {
    const out = new Float64Array(3);
    residualsOf(model, row, out, new Float64Array(3));
    return Array.from(out);
  };

  const scales = [0, 1, 2].map((j) => {
    let squares = 0;
    for (let r = 0; r < 2000; r++) squares += (values[r * 3 + j]! - model.means[j]!) ** 2;
    return Math.sqrt(squares / 2000);
  });

  it('gives each feature its ridge-regression residual on the others (standardised columns), in its own units', () => {
    // The same residual by solving feature 1's normal equations on the standardised columns directly.
    const z = (row: number, j: number) => (values[row * 3 + j]! - model.means[j]!) / scales[j]!;
    const c = (j: number, k: number) => {
      let sum = 0;
      for (let r = 0; r < 2000; r++) sum += z(r, j) * z(r, k);
      return sum / 2000 + (j === k ? 0.01 : 0);
    };
    // Regress z1 on (z0, z2): 2 × 2 system by Cramer's rule.
    const [a, b, d] = [c(0, 0), c(0, 2), c(2, 2)];
    const [y0, y2] = [c(0, 1), c(2, 1)];
    const det = a * d - b * b;
    const w0 = (y0 * d - b * y2) / det;
    const w2 = (a * y2 - b * y0) / det;
    const row = [10.5, 3, -2];
    const zs = row.map((x, j) => (x - model.means[j]!) / scales[j]!);
    expect(residuals(row)[1]).toBeCloseTo(scales[1]! * (zs[1]! - w0 * zs[0]! - w2 * zs[2]!), 10);
  });

  it('sees one value moved away from its correlated companion, and not the pair moved together', () => {
    // The noise around b = 2a is 0.1: b moved 1.5 alone is 15 noise σ off.
    const alone = residuals([10.5, 1 + 1.5, 0]);
    const together = residuals([11.25, 2.5, 0]);
    expect(alone[1]).toBeCloseTo(1.5, 1);
    expect(Math.abs(together[1]!)).toBeLessThan(0.1);
    // The independent feature's residual is about its own deviation whatever the others do.
    expect(alone[2]).toBeCloseTo(together[2]!, 0);
  });

  it('judges a missing value as its mean and gives it no residual of its own', () => {
    const out = residuals([NaN, 2, 0]);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo(residuals([model.means[0]!, 2, 0])[1]!, 12);
  });

  it('stays finite with a constant and a duplicated feature (the ridge keeps the matrix invertible)', () => {
    const degenerate = Float64Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 7 : Math.floor(i / 3) % 10));
    for (let r = 0; r < 100; r++) degenerate[r * 3 + 2] = degenerate[r * 3 + 1]!;
    const fitted = fitResidualModel({ rows: 100, columns: 3, values: degenerate });
    expect(fitted.weights.flat().every(Number.isFinite)).toBe(true);
    // The constant feature's residual is its distance from its mean, whatever the others do.
    const out = new Float64Array(3);
    residualsOf(fitted, [9, 3, 3], out, new Float64Array(3));
    expect(out[0]).toBeCloseTo(2, 6);
  });
});

describe('fitResidualModel with many features', () => {
  // 30 features in 10 triples: each feature's companions are the two others of its triple.
  const random = createRandom(9);
  const n = 3000;
  const p = 30;
  const values = new Float64Array(n * p);
  for (let r = 0; r < n; r++) {
    for (let t = 0; t < 10; t++) {
      const common = random.nextGaussian();
      for (let m = 0; m < 3; m++) values[r * p + 3 * t + m] = (m + 1) * common + 0.2 * random.nextGaussian();
    }
  }
  const model = fitResidualModel({ rows: n, columns: p, values }, { maxPredictors: 4 });

  it('regresses each feature on the few others with the largest partial correlations, its own triple first', () => {
    for (let j = 0; j < p; j++) {
      expect(model.predictors[j]).toHaveLength(4);
      const triple = [0, 1, 2].map((m) => 3 * Math.floor(j / 3) + m).filter((k) => k !== j);
      expect(model.predictors[j]).toEqual(expect.arrayContaining(triple));
    }
  });

  it('screens residuals with generated code that agrees with the plain loop to the bit (property)', () => {
    const bounds = Float64Array.from({ length: 4 * p }, (_, i) => (i % 2 === 0 ? -0.5 : 0.5));
    const screen = compileResidualScreen(model, bounds);
    const out = new Float64Array(p);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: p, maxLength: p }), (row) => {
        const d = Float64Array.from(row);
        plainResiduals(model, d, out);
        const beyond = Array.from(out).some((r, j) => r < bounds[4 * j]! || r > bounds[4 * j + 1]!);
        expect(screen(d)).toBe(beyond);
      }),
      { numRuns: 500 },
    );
    // A row right at a bound: the same arithmetic on both sides decides it the same way.
    const d = new Float64Array(p);
    d[4] = 1;
    plainResiduals(model, d, out);
    const exact = Float64Array.from(bounds);
    exact[4 * 4 + 1] = out[4]!;
    for (let j = 0; j < p; j++) if (j !== 4) [exact[4 * j], exact[4 * j + 1]] = [out[j]! - 1, out[j]! + 1];
    expect(compileResidualScreen(model, exact)(d)).toBe(false);
    exact[4 * 4 + 1] = out[4]! - Number.EPSILON;
    expect(compileResidualScreen(model, exact)(d)).toBe(true);
  });
});
