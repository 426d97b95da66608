import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NumericAccumulator } from '../../../shared/drift/featureAccumulators.js';
import type { NumericFeatureSchema } from '../../../shared/drift/schema.js';

const feature: NumericFeatureSchema = {
  name: 'amount',
  type: 'numeric',
  psiEdges: [-50, -10, 0, 5, 5, 20, 100],
  decileEdges: [-3, -1, 0, 1, 2, 4, 8, 16, 64],
  sketch: { center: 2, scale: 7, relativeAccuracy: 0.005, linearLimit: 0.25 },
  baselineMin: -60,
  baselineMax: 120,
};

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -200, max: 200, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
);

describe('NumericAccumulator.addColumn', () => {
  it('gives the snapshot of addFinite/addMissing value by value, across strides, columns and the exact-value cap', () => {
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 300 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 120 }),
        (values, stride, columnLength, exactValueCap) => {
          const reference = new NumericAccumulator(feature, exactValueCap);
          for (const v of values) {
            if (Number.isFinite(v)) reference.addFinite(v);
            else reference.addMissing();
          }
          const columns = new NumericAccumulator(feature, exactValueCap);
          // The values interleaved with others, `stride` apart, as a batch row-major over features holds them.
          const laid = new Float64Array(values.length * stride).fill(1234.5);
          values.forEach((v, i) => (laid[i * stride] = v));
          for (let from = 0; from < values.length; from += columnLength) {
            const count = Math.min(columnLength, values.length - from);
            columns.addColumn(laid, from * stride, stride, count);
          }
          expect(columns.snapshot()).toEqual(reference.snapshot());
        },
      ),
      { numRuns: 500 },
    );
  });
});
