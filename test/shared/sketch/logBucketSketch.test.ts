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
