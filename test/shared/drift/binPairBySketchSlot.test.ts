import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BinPairBySketchSlot } from '../../../shared/drift/binPairBySketchSlot.js';
import { bucketOf } from '../../../shared/drift/bucketOf.js';
import { SketchAccumulator, SketchGrid } from '../../../shared/sketch/logBucketSketch.js';

const params = fc.record({
  center: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  scale: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  relativeAccuracy: fc.constantFrom(0.005, 0.01, 0.3),
  linearLimit: fc.constantFrom(0.25, 1),
});

/** Sorted edges, some on sketch bucket edges (where a looked-up bin could be wrong), one repeated. */
function edgesOf(grid: SketchGrid, specs: Array<{ value: number } | { bucket: number }>): Float64Array {
  const raw = specs.map((e) => ('value' in e ? e.value : grid.lower(e.bucket)));
  return Float64Array.from([...raw, raw[0]!].sort((a, b) => a - b));
}

const edgeSpecs = fc.array(
  fc.oneof(
    fc.record({ value: fc.double({ min: -1e7, max: 1e7, noNaN: true }) }),
    fc.record({ bucket: fc.integer({ min: -400, max: 400 }) }),
  ),
  { minLength: 1, maxLength: 12 },
);

describe('BinPairBySketchSlot', () => {
  it('counts values in the bins of the binary searches, a column or one value at a time, with the sketch’s counts', () => {
    fc.assert(
      fc.property(
        params,
        edgeSpecs,
        edgeSpecs,
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 30 }),
        fc.boolean(),
        (p, firstSpecs, secondSpecs, xs, oneByOne) => {
          const grid = new SketchGrid(p);
          const sketch = new SketchAccumulator(grid);
          const first = edgesOf(grid, firstSpecs);
          const second = edgesOf(grid, secondSpecs);
          const bins = new BinPairBySketchSlot(first, second, grid, sketch.zeroSlot, sketch.slots);
          const values = Float64Array.from([...xs, ...first, ...second, ...xs]);
          const firstCounts = new Float64Array(first.length + 1);
          const secondCounts = new Float64Array(second.length + 1);
          if (oneByOne) {
            for (const x of values) bins.countOne(sketch.add(x), x, firstCounts, secondCounts);
          } else {
            const slots = new Int32Array(values.length);
            sketch.addAll(values, values.length, slots);
            bins.countStraddling(values, slots, values.length, firstCounts, secondCounts);
          }
          bins.addSlotCounts(sketch.slotCounts, firstCounts, secondCounts);
          const expectedFirst = new Float64Array(first.length + 1);
          const expectedSecond = new Float64Array(second.length + 1);
          for (const x of values) {
            expectedFirst[bucketOf(first, x)]! += 1;
            expectedSecond[bucketOf(second, x)]! += 1;
          }
          expect(firstCounts).toEqual(expectedFirst);
          expect(secondCounts).toEqual(expectedSecond);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('bins past the table’s 15 bits by binary search, and refuses more edges than a packed pair can carry', () => {
    const grid = new SketchGrid({ center: 0, scale: 1, relativeAccuracy: 0.005, linearLimit: 0.25 });
    const sketch = new SketchAccumulator(grid);
    // 40,000 edges 1e-4 apart: bins well past 0x7fff in the first set.
    const many = Float64Array.from({ length: 40_000 }, (_, i) => i * 1e-4);
    const few = Float64Array.from([0.5]);
    const bins = new BinPairBySketchSlot(many, few, grid, sketch.zeroSlot, sketch.slots);
    const xs = [3.5, 3.99995, 0.25, -1, 10];
    const manyCounts = new Float64Array(many.length + 1);
    const fewCounts = new Float64Array(few.length + 1);
    for (const x of xs) bins.countOne(sketch.add(x), x, manyCounts, fewCounts);
    bins.addSlotCounts(sketch.slotCounts, manyCounts, fewCounts);
    const expectedMany = new Float64Array(many.length + 1);
    const expectedFew = new Float64Array(few.length + 1);
    for (const x of xs) {
      expectedMany[bucketOf(many, x)]! += 1;
      expectedFew[bucketOf(few, x)]! += 1;
    }
    expect(manyCounts).toEqual(expectedMany);
    expect(fewCounts).toEqual(expectedFew);
    const tooMany = new Float64Array(0x10000);
    expect(() => new BinPairBySketchSlot(few, tooMany, grid, sketch.zeroSlot, sketch.slots)).toThrow(RangeError);
  });
});
