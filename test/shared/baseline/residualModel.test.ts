import { describe, expect, it } from 'vitest';
import { fitResidualModel, residualsOf } from '../../../shared/baseline/residualModel.js';
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
    expect(fitted.weights.every(Number.isFinite)).toBe(true);
    // The constant feature's residual is its distance from its mean, whatever the others do.
    const out = new Float64Array(3);
    residualsOf(fitted, [9, 3, 3], out, new Float64Array(3));
    expect(out[0]).toBeCloseTo(2, 6);
  });
});
