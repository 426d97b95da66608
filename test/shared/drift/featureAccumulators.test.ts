import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketOf } from '../../../shared/drift/bucketOf.js';
import { NumericAccumulator } from '../../../shared/drift/featureAccumulators.js';
import { SketchGrid } from '../../../shared/sketch/logBucketSketch.js';
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
          // Raw values: every finite one (−0 as 0), sorted, while they fit the cap; none at all beyond.
          const finite = values.filter((v) => Number.isFinite(v)).map((v) => (v === 0 ? 0 : v));
          expect(reference.snapshot().values).toEqual(
            finite.length <= exactValueCap ? finite.sort((a, b) => a - b) : null,
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('counts each schema by its own edges and grid, with accumulators of several schemas built in turns', () => {
    // Equal-looking schemas as distinct objects, and ones differing only in edges or grid: what the shared per-schema
    // binning must keep apart.
    const variants: NumericFeatureSchema[] = [
      feature,
      { ...feature },
      { ...feature, psiEdges: [-1, 1] },
      { ...feature, decileEdges: [0.5] },
      { ...feature, sketch: { ...feature.sketch, center: -40, scale: 0.5 } },
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(variants.length - 1), fc.array(value, { maxLength: 40 })), { maxLength: 12 }),
        (runs) => {
          for (const [which, values] of runs) {
            const schema = variants[which]!;
            const accumulator = new NumericAccumulator(schema, 0);
            const column = Float64Array.from(values);
            accumulator.addColumn(column, 0, 1, column.length);
            const finite = values.filter(Number.isFinite).map((x) => (x === 0 ? 0 : x));
            const histogram = (edges: number[]) => {
              const counts = new Array<number>(edges.length + 1).fill(0);
              for (const x of finite) counts[bucketOf(edges, x)]! += 1;
              return counts;
            };
            const snapshot = accumulator.snapshot();
            expect(snapshot.psiCounts).toEqual(histogram(schema.psiEdges));
            expect(snapshot.decileCounts).toEqual(histogram(schema.decileEdges));
            const grid = new SketchGrid(schema.sketch);
            const indexes = finite.map((x) => grid.index(x));
            if (finite.length > 0) expect(snapshot.sketch.offset).toBe(Math.min(...indexes));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
