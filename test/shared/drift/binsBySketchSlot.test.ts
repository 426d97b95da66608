import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinsBySketchSlot, bucketOf } from '../../../shared/drift/binsBySketchSlot.js';
import { SketchAccumulator, SketchGrid } from '../../../shared/sketch/logBucketSketch.js';

/** The doubles within a few ulps of v. */
function around(v: number): number[] {
  const f = new Float64Array(1);
  const i = new BigInt64Array(f.buffer);
  f[0] = v;
  const bits = i[0]!;
  const out: number[] = [];
  for (let d = -2n; d <= 2n; d++) {
    i[0] = bits + d;
    if (Number.isFinite(f[0]!)) out.push(f[0]!);
  }
  return out;
}

const params = fc.record({
  center: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  scale: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  relativeAccuracy: fc.constantFrom(0.005, 0.01, 0.001, 0.3),
  linearLimit: fc.constantFrom(0.25, 1),
});

describe('BinsBySketchSlot', () => {
  it('gives every value the bin of the binary search over the edges, edges themselves and their neighbours included', () => {
    fc.assert(
      fc.property(
        params,
        fc.array(
          fc.oneof(
            fc.record({ value: fc.double({ min: -1e7, max: 1e7, noNaN: true }) }),
            // An edge on a sketch bucket's edge, give or take an ulp: where a looked-up bin could be wrong.
            fc.record({ bucket: fc.integer({ min: -400, max: 400 }), ulps: fc.integer({ min: -2, max: 2 }) }),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 30 }),
        (p, edgeSpecs, xs) => {
          const grid = new SketchGrid(p);
          const sketch = new SketchAccumulator(grid);
          const raw = edgeSpecs.map((e) =>
            'value' in e ? e.value : (around(grid.lower(e.bucket))[2 + e.ulps] ?? grid.lower(e.bucket)),
          );
          // Sorted, with a repeated edge (numpy then leaves a bin empty).
          const edges = Float64Array.from([...raw, raw[0]!].sort((a, b) => a - b));
          const bins = new BinsBySketchSlot(edges, grid, sketch.zeroSlot, sketch.slots);
          const values = [...xs, ...[...edges].flatMap(around)];
          // Twice: the first pass fills the table, the second reads it.
          for (let pass = 0; pass < 2; pass++) {
            for (const x of values) expect(bins.binOf(sketch.add(x), x)).toBe(bucketOf(edges, x));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('counts as numpy.histogram does on interior edges: x on an edge goes to the bin above it', () => {
    const edges = Float64Array.from([1, 2, 2, 3]);
    expect([0.5, 1, 1.5, 2, 2.5, 3, 4].map((x) => bucketOf(edges, x))).toEqual([0, 1, 1, 3, 3, 4, 4]);
  });
});
