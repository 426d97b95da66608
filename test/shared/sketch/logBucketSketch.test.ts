import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_SKETCH,
  mergeSketchCounts,
  SketchAccumulator,
  SketchGrid,
  sketchTotal,
  type SketchCounts,
} from '../../../shared/sketch/logBucketSketch.js';

const params = { center: 50, scale: 4, relativeAccuracy: 0.005, linearLimit: 0.25 };
const grid = new SketchGrid(params);
const finite = fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true });

function sketchOf(values: number[]): SketchCounts {
  const acc = new SketchAccumulator(grid);
  for (const v of values) acc.add(v);
  return acc.snapshot();
}

describe('SketchGrid', () => {
  it('puts every value inside its bucket: lower(i) <= x < upper(i) (up to rounding at the edge)', () => {
    fc.assert(
      fc.property(finite, (x) => {
        const i = grid.index(x);
        const slack = 1e-12 * Math.max(1, Math.abs(x));
        expect(grid.lower(i)).toBeLessThanOrEqual(x + slack);
        expect(grid.upper(i)).toBeGreaterThanOrEqual(x - slack);
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotone: larger values never get a smaller bucket', () => {
    fc.assert(
      fc.property(finite, finite, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(grid.index(lo)).toBeLessThanOrEqual(grid.index(hi));
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps buckets within the relative accuracy of |z| beyond the linear region, and narrow inside it', () => {
    for (const z of [0.3, 1, 3, 10, 1e3, 1e6, -0.3, -2, -1e4]) {
      const i = grid.index(params.center + z * params.scale);
      const widthInZ = (grid.upper(i) - grid.lower(i)) / params.scale;
      expect(widthInZ / Math.abs(z)).toBeLessThanOrEqual(
        (2 * params.relativeAccuracy) / (1 - params.relativeAccuracy) + 1e-9,
      );
    }
    const central = grid.index(params.center);
    expect((grid.upper(central) - grid.lower(central)) / params.scale).toBeLessThanOrEqual(0.0051);
  });

  it('stays bounded for extreme values (clamped to the outermost buckets)', () => {
    expect(grid.index(1e300)).toBe(grid.maxIndex);
    expect(grid.index(-1e300)).toBe(-grid.maxIndex - 1);
    expect(grid.maxIndex).toBeLessThan(4000);
  });

  it('rejects a scale that is not positive', () => {
    expect(() => new SketchGrid({ ...params, scale: 0 })).toThrow(RangeError);
  });
});

describe('SketchAccumulator', () => {
  it('adds a column as add() does value by value, and snapshots exactly the range between its outer counts', () => {
    fc.assert(
      fc.property(fc.array(finite, { maxLength: 80 }), fc.array(finite, { maxLength: 20 }), (xs, earlier) => {
        const one = new SketchAccumulator(grid);
        const column = new SketchAccumulator(grid);
        column.addCounts(sketchOf(earlier));
        for (const x of earlier) one.add(x);
        const expectedSlots = xs.map((x) => one.add(x));
        const slots = new Int32Array(xs.length);
        column.addAll(Float64Array.from(xs), xs.length, slots);
        expect(Array.from(slots)).toEqual(expectedSlots);
        const snapshot = column.snapshot();
        expect(snapshot).toEqual(one.snapshot());
        const all = [...earlier, ...xs];
        if (all.length === 0) expect(snapshot).toEqual({ offset: 0, counts: [] });
        else {
          const indexes = all.map((x) => grid.index(x));
          expect(snapshot.offset).toBe(Math.min(...indexes));
          expect(snapshot.offset + snapshot.counts.length - 1).toBe(Math.max(...indexes));
          expect(sketchTotal(snapshot)).toBe(all.length);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('mergeSketchCounts', () => {
  const values = fc.array(finite, { maxLength: 50 });
  it('is exactly associative and commutative, with the empty sketch as identity, and equals sketching the union', () => {
    fc.assert(
      fc.property(values, values, values, (x, y, z) => {
        const [a, b, c] = [sketchOf(x), sketchOf(y), sketchOf(z)];
        const left = mergeSketchCounts(mergeSketchCounts(a, b), c);
        expect(left).toEqual(mergeSketchCounts(a, mergeSketchCounts(b, c)));
        expect(mergeSketchCounts(a, b)).toEqual(mergeSketchCounts(b, a));
        expect(mergeSketchCounts(a, EMPTY_SKETCH)).toEqual(a);
        const union = sketchOf([...x, ...y, ...z]);
        expect(sketchTotal(left)).toBe(x.length + y.length + z.length);
        // Same non-zero buckets (a merged sketch may carry zero padding between its parts' ranges).
        const nonZero = (s: SketchCounts) => s.counts.flatMap((n, i) => (n > 0 ? [[s.offset + i, n]] : []));
        expect(nonZero(left)).toEqual(nonZero(union));
      }),
      { numRuns: 300 },
    );
  });
});
