import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SketchGrid } from '../../../shared/sketch/logBucketSketch.js';

/** SketchGrid.index as first written, with a Math.log per value: the definition the table must reproduce. */
function formulaIndex(grid: SketchGrid, x: number): number {
  let z = (x - grid.center) * (1 / grid.scale);
  const logLinearLimit = Math.log(grid.linearLimit);
  const inverseLogGamma = 1 / grid.logGamma;
  if (z >= grid.linearLimit) {
    if (z > 1e12) z = 1e12;
    return Math.min(grid.linearBuckets + Math.floor((Math.log(z) - logLinearLimit) * inverseLogGamma), grid.maxIndex);
  }
  if (z < -grid.linearLimit) {
    if (z < -1e12) z = -1e12;
    return Math.max(
      -grid.linearBuckets - 1 - Math.floor((Math.log(-z) - logLinearLimit) * inverseLogGamma),
      -grid.maxIndex - 1,
    );
  }
  const j = Math.floor(z * (1 / grid.linearWidth));
  return j < -grid.linearBuckets ? -grid.linearBuckets : j >= grid.linearBuckets ? grid.linearBuckets - 1 : j;
}

/** The doubles within a few ulps of v: where a table and a formula would disagree if either is off. */
function around(v: number): number[] {
  const out: number[] = [];
  const f = new Float64Array(1);
  const i = new BigInt64Array(f.buffer);
  f[0] = v;
  const bits = i[0]!;
  for (let d = -3n; d <= 3n; d++) {
    i[0] = bits + d;
    if (Number.isFinite(f[0]!)) out.push(f[0]!);
  }
  return out;
}

const params = fc.record({
  center: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  scale: fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
  relativeAccuracy: fc.constantFrom(0.005, 0.01, 0.001, 0.0002, 0.05, 0.3),
  linearLimit: fc.constantFrom(0.25, 0.1, 1, 0.3),
});

describe('SketchGrid.index by the MagnitudeBuckets table', () => {
  it('equals the Math.log formula for any value, any grid', () => {
    fc.assert(
      fc.property(params, fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 50 }), (p, xs) => {
        const grid = new SketchGrid(p);
        for (const x of xs) expect(grid.index(x)).toBe(formulaIndex(grid, x));
      }),
      { numRuns: 500 },
    );
  });

  it('equals the formula at and around every bucket edge (the values a table could misplace)', () => {
    fc.assert(
      fc.property(params, fc.integer({ min: -4000, max: 4000 }), (p, bucket) => {
        const grid = new SketchGrid(p);
        const i = Math.max(-grid.maxIndex - 1, Math.min(grid.maxIndex, bucket));
        for (const x of [...around(grid.lower(i)), ...around(grid.upper(i))])
          expect(grid.index(x)).toBe(formulaIndex(grid, x));
        // In z itself, where rounding of (x - center) / scale does not blur the edge.
        const zGrid = new SketchGrid({ ...p, center: 0, scale: 1 });
        const j = Math.max(-zGrid.maxIndex - 1, Math.min(zGrid.maxIndex, bucket));
        for (const z of [...around(zGrid.lower(j)), ...around(zGrid.upper(j))])
          expect(zGrid.index(z)).toBe(formulaIndex(zGrid, z));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives a whole column the indexes index() gives one value at a time (edges, extremes, both signs, -0)', () => {
    fc.assert(
      fc.property(
        params,
        fc.array(fc.integer({ min: -4000, max: 4000 }), { maxLength: 8 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 40 }),
        (p, buckets, xs) => {
          const grid = new SketchGrid(p);
          const edgeValues = buckets.flatMap((bucket) => {
            const i = Math.max(-grid.maxIndex - 1, Math.min(grid.maxIndex, bucket));
            return [...around(grid.lower(i)), ...around(grid.upper(i))];
          });
          const values = Float64Array.from([...xs, ...edgeValues, 0, -0, grid.center, 1e300, -1e300, 5e-324]);
          const out = new Int32Array(values.length);
          grid.indexAll(values, values.length, out);
          // + 0: the formula's Math.floor gives -0 for -0, an index of 0 all the same.
          expect(Array.from(out)).toEqual(Array.from(values, (x) => formulaIndex(grid, x) + 0));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('gives the linear limit itself to the logarithmic region and its negative to the linear one, as the formula does', () => {
    const grid = new SketchGrid({ center: 0, scale: 1, relativeAccuracy: 0.005, linearLimit: 0.25 });
    expect(grid.index(0.25)).toBe(grid.linearBuckets);
    expect(grid.index(-0.25)).toBe(-grid.linearBuckets);
    expect(grid.index(0)).toBe(0);
    expect(grid.index(-1e-300)).toBe(-1);
  });
});
