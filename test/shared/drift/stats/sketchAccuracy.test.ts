import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../../../../shared/baseline/random.js';
import { deriveSchema, type NumericFeatureSchema } from '../../../../shared/drift/schema.js';
import { profileFromColumns } from '../../../../shared/drift/profileFromColumns.js';
import { compareDistributions, exactStatistics } from '../../../../shared/drift/stats/distribution.js';

const ROWS = 1_000_000;

type Draw = (r: Random) => number;
const normal =
  (mu: number, sigma: number): Draw =>
  (r) =>
    mu + sigma * r.nextGaussian();
const lognormal =
  (mu: number, sigma: number, factor = 1): Draw =>
  (r) =>
    factor * Math.exp(mu + sigma * r.nextGaussian());
const exponential =
  (rate: number): Draw =>
  (r) =>
    -Math.log(1 - r.nextFloat()) / rate;
const uniform =
  (a: number, b: number): Draw =>
  (r) =>
    a + (b - a) * r.nextFloat();
const mixture =
  (w: number): Draw =>
  (r) =>
    r.nextFloat() < w ? -2 + 0.5 * r.nextGaussian() : 3 + r.nextGaussian();

function sample(draw: Draw, seed: number): Float64Array {
  const r = createRandom(seed);
  const out = new Float64Array(ROWS);
  for (let i = 0; i < ROWS; i++) out[i] = draw(r);
  return out;
}

const shapes: Array<{ name: string; reference: Draw; current: Draw }> = [
  { name: 'normal, mean shift of 0.1 sd', reference: normal(0, 1), current: normal(0.1, 1) },
  { name: 'lognormal, scaled by 1.2', reference: lognormal(0, 0.8), current: lognormal(0, 0.8, 1.2) },
  { name: 'exponential, rate 1 → 0.8', reference: exponential(1), current: exponential(0.8) },
  { name: 'bimodal, weights 0.3 → 0.45', reference: mixture(0.3), current: mixture(0.45) },
  { name: 'uniform, shifted by 0.05', reference: uniform(0, 1), current: uniform(0.05, 1.05) },
  { name: 'large offset (1e6 ± 5), shift of 1', reference: normal(1e6, 5), current: normal(1e6 + 1, 5) },
];

function sketchVersusExact(reference: Float64Array, current: Float64Array) {
  const column = (values: Float64Array) => [{ name: 'x', type: 'numeric' as const, values }];
  // A small exact cap forces the sketch path at this size.
  const schema = deriveSchema(column(reference), { exactValueCap: 1000 });
  const feature = schema.features[0] as NumericFeatureSchema;
  const ref = profileFromColumns(schema, column(reference)).features.x!;
  const cur = profileFromColumns(schema, column(current)).features.x!;
  if (ref.type !== 'numeric' || cur.type !== 'numeric') throw new Error('numeric expected');
  expect(ref.values).toBeNull();
  const sketch = compareDistributions(ref, cur, feature)!;
  const exact = exactStatistics(Float64Array.from(reference).sort(), Float64Array.from(current).sort());
  return { sketch, exact, bucketCount: ref.sketch.counts.length };
}

describe('sketch-based KS and Wasserstein at 1M rows', () => {
  for (const shape of shapes) {
    it(`${shape.name}: KS within 0.01 and W within 2% of exact, both inside the reported bound`, () => {
      const { sketch, exact, bucketCount } = sketchVersusExact(sample(shape.reference, 11), sample(shape.current, 12));
      expect(sketch.method).toBe('sketch');
      expect(Math.abs(sketch.ksStatistic - exact.ksStatistic)).toBeLessThanOrEqual(0.01);
      expect(exact.ksStatistic).toBeGreaterThanOrEqual(sketch.ksStatistic - 1e-12);
      expect(exact.ksStatistic).toBeLessThanOrEqual(sketch.ksStatistic + sketch.ksBound + 1e-12);
      expect(Math.abs(sketch.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(0.02 * exact.wasserstein);
      expect(Math.abs(sketch.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(sketch.wassersteinBound);
      // Memory is bounded by the spread of the data, not by the number of rows.
      expect(bucketCount).toBeLessThan(3000);
    });
  }

  it('same distribution: W stays within its bound and far below any threshold', () => {
    const reference = sample(normal(5, 2), 21);
    const { sketch, exact } = sketchVersusExact(reference, sample(normal(5, 2), 22));
    expect(Math.abs(sketch.ksStatistic - exact.ksStatistic)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(sketch.wasserstein - exact.wasserstein)).toBeLessThanOrEqual(sketch.wassersteinBound);
    expect(sketch.wasserstein / 2).toBeLessThan(0.01);
  });
});
