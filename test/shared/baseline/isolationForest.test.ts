import { describe, expect, it } from 'vitest';
import {
  compileForest,
  readSerializedForest,
  trainIsolationForest,
  type NumericMatrix,
  type SerializedForest,
} from '../../../shared/baseline/isolationForest.js';
import { averagePathLength } from '../../../shared/baseline/serializedForest.js';
import { createRandom } from '../../../shared/baseline/random.js';

function matrixOf(rows: number[][]): NumericMatrix {
  return { rows: rows.length, columns: rows[0]?.length ?? 0, values: Float64Array.from(rows.flat()) };
}

/** `normal` rows from N(0, I) then `far` rows at distance ~8 from the centre, in `columns` dimensions. */
function blobWithOutliers(normal: number, far: number, columns: number, seed = 99): NumericMatrix {
  const random = createRandom(seed);
  const values = new Float64Array((normal + far) * columns);
  for (let r = 0; r < normal + far; r++) {
    for (let c = 0; c < columns; c++) values[r * columns + c] = random.nextGaussian() + (r >= normal ? 8 : 0);
  }
  return { rows: normal + far, columns, values };
}

function train(matrix: NumericMatrix, options: Parameters<typeof trainIsolationForest>[1] = {}): SerializedForest {
  const trained = trainIsolationForest(matrix, options);
  if (!trained.ok) throw new Error(trained.error.message);
  return trained.value;
}

/** Depth of every node, following the flat arrays from each root (and checking each node is reached once). */
function depths(forest: SerializedForest): Int32Array {
  const depth = new Int32Array(forest.feature.length).fill(-1);
  for (const root of forest.roots) {
    const stack: Array<[number, number]> = [[root, 0]];
    while (stack.length > 0) {
      const [node, d] = stack.pop()!;
      expect(depth[node]).toBe(-1);
      depth[node] = d;
      if (forest.feature[node] !== -1) stack.push([forest.left[node]!, d + 1], [forest.left[node]! + 1, d + 1]);
    }
  }
  return depth;
}

describe('trainIsolationForest: input validation', () => {
  it('refuses fewer than 2 rows', () => {
    const trained = trainIsolationForest(matrixOf([[1, 2]]));
    expect(trained).toEqual({
      ok: false,
      error: {
        kind: 'bad-input',
        code: 'FOREST.TOO_FEW_ROWS',
        message: 'An isolation forest needs at least 2 training rows, got 1',
        detail: { rows: 1 },
      },
    });
  });

  it('refuses a matrix without columns', () => {
    const trained = trainIsolationForest({ rows: 5, columns: 0, values: new Float64Array(0) });
    expect(trained.ok).toBe(false);
    if (!trained.ok) expect(trained.error.message).toBe('An isolation forest needs at least 1 numeric column, got 0');
    if (!trained.ok) expect(trained.error.code).toBe('FOREST.NO_COLUMNS');
  });

  it('refuses values that do not fill rows x columns', () => {
    const trained = trainIsolationForest({ rows: 3, columns: 2, values: new Float64Array(5) });
    expect(trained.ok).toBe(false);
    if (!trained.ok)
      expect(trained.error).toMatchObject({
        code: 'FOREST.SHAPE_MISMATCH',
        message: 'A 3 x 2 matrix needs 6 values, got 5',
      });
  });

  it.each([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, 'Infinity'],
    [Number.NEGATIVE_INFINITY, '-Infinity'],
  ])('names the row and column of a %s training value', (bad, shown) => {
    const trained = trainIsolationForest(
      matrixOf([
        [1, 2, 3],
        [4, 5, 6],
        [7, bad, 9],
      ]),
    );
    expect(trained).toEqual({
      ok: false,
      error: {
        kind: 'bad-input',
        code: 'FOREST.NOT_FINITE',
        message: `Training value at row 2, column 1 is ${shown}; impute or drop it first`,
        detail: { row: 2, column: 1 },
      },
    });
  });

  it.each([
    [{ trees: 0 }, 'Isolation forest option trees must be a whole number >= 1, got 0'],
    [{ trees: 2.5 }, 'Isolation forest option trees must be a whole number >= 1, got 2.5'],
    [{ sampleSize: 1 }, 'Isolation forest option sampleSize must be a whole number >= 2, got 1'],
    [{ seed: 0.5 }, 'Isolation forest option seed must be a safe integer, got 0.5'],
    [{ contamination: 0 }, 'Isolation forest option contamination must be in (0, 0.5], got 0'],
    [{ contamination: 0.6 }, 'Isolation forest option contamination must be in (0, 0.5], got 0.6'],
    [{ contamination: Number.NaN }, 'Isolation forest option contamination must be in (0, 0.5], got NaN'],
  ])('refuses the option %o', (options, message) => {
    const trained = trainIsolationForest(blobWithOutliers(20, 0, 2), options);
    expect(trained.ok).toBe(false);
    if (!trained.ok) expect(trained.error).toMatchObject({ code: 'FOREST.INVALID_OPTION', message });
  });
});

describe('trainIsolationForest: the forest', () => {
  const data = blobWithOutliers(1000, 10, 4);
  const forest = train(data, { seed: 7 });

  it('records its defaults and shape: 100 trees, ψ = 256, depth limit 8, c(256)', () => {
    expect(forest).toMatchObject({
      format: 'mrm.isolation-forest',
      version: 1,
      seed: 7,
      trees: 100,
      sampleSize: 256,
      columns: 4,
      trainingRows: 1010,
      heightLimit: 8,
      contamination: 0.1,
    });
    expect(forest.averagePathLength).toBe(averagePathLength(256));
    expect(forest.roots).toHaveLength(100);
  });

  it('keeps every path within the depth limit and every tree within 2ψ − 1 nodes', () => {
    const depth = depths(forest);
    expect(Math.max(...depth)).toBeLessThanOrEqual(8);
    expect(depth.every((d) => d >= 0)).toBe(true); // every node belongs to some tree
    const ends = [...forest.roots.slice(1), forest.feature.length];
    forest.roots.forEach((root, t) => expect(ends[t]! - root).toBeLessThanOrEqual(2 * 256 - 1));
  });

  it('stores at each external node its depth plus c(size) for a size in 1..ψ', () => {
    const depth = depths(forest);
    const possible = new Set(Array.from({ length: 257 }, (_, size) => size));
    for (let node = 0; node < forest.feature.length; node++) {
      if (forest.feature[node] !== -1) continue;
      const adjustment = forest.value[node]! - depth[node]!;
      const size = [...possible].find((n) => n >= 1 && Math.abs(averagePathLength(n) - adjustment) < 1e-12);
      expect(size, `node ${node}`).toBeDefined();
      if (depth[node]! < 8) expect(size, `node ${node} stopped early with several rows`).toBe(1);
    }
  });

  it('uses every row when there are fewer than the sample size', () => {
    const small = train(blobWithOutliers(50, 0, 3), { sampleSize: 256 });
    expect(small.sampleSize).toBe(50);
    expect(small.heightLimit).toBe(6);
    expect(small.averagePathLength).toBe(averagePathLength(50));
  });

  it('never splits on a constant column', () => {
    const random = createRandom(3);
    const rows = Array.from({ length: 300 }, () => [random.nextGaussian(), 42, random.nextGaussian()]);
    const withConstant = train(matrixOf(rows), { trees: 20 });
    expect(withConstant.feature.filter((f) => f === 1)).toEqual([]);
    expect(new Set(withConstant.feature.filter((f) => f >= 0))).toEqual(new Set([0, 2]));
  });

  it('makes single-node trees when every column is constant, so every row scores exactly 2^(−c/c) = 0.5', () => {
    const constant = train(matrixOf(Array.from({ length: 40 }, () => [1, 2])), { trees: 5 });
    expect(constant.feature).toEqual([-1, -1, -1, -1, -1]);
    const compiled = compileForest(constant);
    expect(compiled.score([1, 2])).toBe(0.5);
    expect(compiled.score([100, -100])).toBe(0.5);
  });

  it('computes path lengths exactly on a tiny forest: three equal rows and one apart', () => {
    // ψ = 4, depth limit 2: the root always splits 0 from 1; the three zeros stop at depth 1 (constant), the 1 too.
    const tiny = train(matrixOf([[0], [0], [0], [1]]), { trees: 3, contamination: 0.25 });
    const compiled = compileForest(tiny);
    const c4 = averagePathLength(4);
    expect(compiled.score([0])).toBeCloseTo(2 ** (-(1 + averagePathLength(3)) / c4), 14);
    expect(compiled.score([1])).toBeCloseTo(2 ** (-1 / c4), 14);
    expect(compiled.score([1])).toBeGreaterThan(compiled.score([0]));
  });
});

describe('trainIsolationForest: determinism', () => {
  const data = blobWithOutliers(500, 5, 6);

  it('gives a byte-identical forest and identical scores for the same seed', () => {
    const first = train(data, { seed: 12345 });
    const second = train(data, { seed: 12345 });
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(compileForest(second).scoreMany(data)).toEqual(compileForest(first).scoreMany(data));
  });

  it('uses seed 1 when none is given', () => {
    expect(JSON.stringify(train(data))).toBe(JSON.stringify(train(data, { seed: 1 })));
  });

  it('gives different forests and scores for different seeds, of the same quality', () => {
    const a = train(data, { seed: 1 });
    const b = train(data, { seed: 2 });
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(b));
    const scoresA = compileForest(a).scoreMany(data);
    const scoresB = compileForest(b).scoreMany(data);
    expect(scoresA.some((s, i) => s !== scoresB[i])).toBe(true);
    for (const scores of [scoresA, scoresB]) {
      expect(Math.min(...scores.subarray(500))).toBeGreaterThan(Math.max(...scores.subarray(0, 500)));
    }
  });

  it('survives a JSON round trip: the parsed forest scores exactly as the original', () => {
    const forest = train(data, { seed: 5 });
    const parsed = readSerializedForest(JSON.parse(JSON.stringify(forest)));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(compileForest(parsed.value).scoreMany(data)).toEqual(compileForest(forest).scoreMany(data));
  });
});

describe('scores and threshold', () => {
  const data = blobWithOutliers(2000, 20, 5);
  const forest = train(data, { seed: 3, contamination: 0.05 });
  const compiled = compileForest(forest);
  const scores = compiled.scoreMany(data);

  it('lie in (0, 1]', () => {
    expect(scores.every((s) => s > 0 && s <= 1)).toBe(true);
    expect(compiled.score([1e9, -1e9, 1e9, -1e9, 1e9])).toBeLessThanOrEqual(1);
  });

  it('are higher for the far outliers than for any blob row, and above the threshold', () => {
    const normalMax = Math.max(...scores.subarray(0, 2000));
    const outliers = Array.from(scores.subarray(2000));
    expect(Math.min(...outliers)).toBeGreaterThan(normalMax);
    expect(outliers.every((s) => compiled.isAnomaly(s))).toBe(true);
  });

  it('rise as a point leaves the blob', () => {
    const along = [0, 1, 2, 3, 5, 8].map((x) => compiled.score([x, x, x, x, x]));
    for (let i = 1; i < along.length; i++) expect(along[i]!).toBeGreaterThan(along[i - 1]!);
  });

  it('put the threshold at the (1 − contamination) quantile of the training scores', () => {
    const sorted = Float64Array.from(scores).sort();
    // numpy's linear interpolation: position (n − 1) · 0.95 = 1918.05 between order statistics 1918 and 1919.
    const expected = sorted[1918]! + 0.05 * (sorted[1919]! - sorted[1918]!);
    expect(forest.threshold).toBeCloseTo(expected, 15);
    const flagged = scores.filter((s) => compiled.isAnomaly(s)).length;
    expect(flagged).toBe(101); // the rows strictly above the 1919th order statistic's interpolant: 2020 − 1919
    expect(compiled.threshold).toBe(forest.threshold);
    expect(compiled.isAnomaly(forest.threshold)).toBe(false);
  });

  it('flag about the contamination share of training rows for other contaminations', () => {
    for (const contamination of [0.01, 0.1, 0.25, 0.5]) {
      const other = compileForest(train(data, { seed: 3, contamination }));
      const share = other.scoreMany(data).filter((s) => other.isAnomaly(s)).length / data.rows;
      expect(Math.abs(share - contamination)).toBeLessThanOrEqual(1 / data.rows);
    }
  });
});

describe('compileForest', () => {
  const data = blobWithOutliers(300, 2, 3);
  const forest = train(data, { trees: 30 });
  const compiled = compileForest(forest);

  it('scores one row exactly as scoreMany scores it, from a plain array or a typed array', () => {
    const many = compiled.scoreMany(data);
    for (let r = 0; r < data.rows; r++) {
      const row = data.values.subarray(r * 3, r * 3 + 3);
      expect(compiled.score(row)).toBe(many[r]);
      expect(compiled.score(Array.from(row))).toBe(many[r]);
    }
  });

  it('scores any number of rows in a batch as it scores each alone, in blocks and in the rows past a multiple of 8', () => {
    for (const layout of ['complete', 'linked'] as const) {
      const forestOf = compileForest(forest, { layout });
      for (const rows of [0, 1, 7, 8, 9, 127, 128, 129, 300]) {
        const part = { rows, columns: 3, values: data.values.subarray(0, rows * 3) };
        const alone = Array.from({ length: rows }, (_, r) => forestOf.score(data.values.subarray(r * 3, r * 3 + 3)));
        expect(Array.from(forestOf.scoreMany(part))).toStrictEqual(alone);
      }
    }
  });

  it('walks a batch to the same bits with either implementation (fast: WebAssembly): any row count, NaN and infinities, 7 trees', () => {
    const odd = train(data, { trees: 7 });
    for (const f of [forest, odd]) {
      const wasm = compileForest(f, { batch: 'fast' });
      const js = compileForest(f, { batch: 'plain' });
      const values = Float64Array.from(data.values);
      values[4] = Number.NaN;
      values[10] = Infinity;
      values[20] = -Infinity;
      for (const rows of [1, 3, 8, 17, 128, 129, 300]) {
        const part = { rows, columns: 3, values: values.subarray(0, rows * 3) };
        expect(Array.from(wasm.scoreMany(part))).toStrictEqual(Array.from(js.scoreMany(part)));
      }
    }
  });

  it('refuses a matrix whose values cannot hold its rows', () => {
    expect(() => compiled.scoreMany({ rows: 4, columns: 3, values: new Float64Array(11) })).toThrow(
      expect.objectContaining({ code: 'FOREST.ROW_TOO_SHORT' }),
    );
  });

  it('writes into a given output array', () => {
    const out = new Float64Array(data.rows + 5).fill(-1);
    expect(compiled.scoreMany(data, out)).toBe(out);
    expect(Array.from(out.subarray(0, data.rows))).toEqual(Array.from(compiled.scoreMany(data)));
    expect(out[data.rows]).toBe(-1);
  });

  it('sends NaN left at every split, exactly like −Infinity, rather than failing', () => {
    expect(compiled.score([Number.NaN, 0.5, Number.NaN])).toBe(compiled.score([-Infinity, 0.5, -Infinity]));
    expect(compiled.score([Number.NaN, 0.5, Number.NaN])).not.toBe(compiled.score([Infinity, 0.5, Infinity]));
  });

  it('scores as a plain walk of the serialised trees would, for forests whose tree count is not a multiple of 4', () => {
    // Reference: follow the flat arrays node by node, x <= value goes left, add depth + c(size) at the external node.
    const walk = (f: SerializedForest, row: ArrayLike<number>) => {
      let total = 0;
      for (const root of f.roots) {
        let node = root;
        while (f.feature[node] !== -1) node = f.left[node]! + (row[f.feature[node]!]! <= f.value[node]! ? 0 : 1);
        total += f.value[node]!;
      }
      return 2 ** (-total / f.trees / f.averagePathLength);
    };
    for (const trees of [1, 3, 5, 8, 9, 30]) {
      const f = train(data, { trees, seed: trees });
      const complete = compileForest(f, { layout: 'complete' });
      const linked = compileForest(f, { layout: 'linked' });
      for (let r = 0; r < data.rows; r += 7) {
        const row = data.values.subarray(r * 3, r * 3 + 3);
        expect(complete.score(row)).toBeCloseTo(walk(f, row), 14);
        expect(linked.score(row)).toBe(complete.score(row));
      }
    }
  });

  it('pads shallow forests to complete trees and keeps deep ones (ψ > 4096) linked, with the same scores', () => {
    expect(compiled.layout).toBe('complete');
    const random = createRandom(17);
    const wide = { rows: 9000, columns: 2, values: Float64Array.from({ length: 18_000 }, () => random.nextGaussian()) };
    const deep = train(wide, { trees: 3, sampleSize: 8192 });
    expect(deep.heightLimit).toBe(13);
    const linked = compileForest(deep);
    expect(linked.layout).toBe('linked');
    expect(linked.scoreMany(wide)).toEqual(compileForest(deep, { layout: 'complete' }).scoreMany(wide));
  });

  it('throws for a row shorter than the forest, a matrix of another width, or a short output', () => {
    expect(() => compiled.score([1, 2])).toThrow('A row of 2 values was scored by a forest of 3 columns');
    expect(() => compiled.scoreMany({ rows: 1, columns: 2, values: new Float64Array(2) })).toThrow(
      'A matrix of 2 columns was scored by a forest of 3 columns',
    );
    expect(() => compiled.scoreMany(data, new Float64Array(1))).toThrow('Output of 1 for 302 rows');
  });

  it('refuses a malformed forest with FOREST.INVALID_MODEL', () => {
    const broken = { ...forest, left: forest.left.map((l, i) => (i === forest.roots[0] ? 0 : l)) };
    expect(() => compileForest(broken)).toThrow(/node 0 has children at 0, not after it/);
    try {
      compileForest(broken);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('FOREST.INVALID_MODEL');
    }
  });
});

describe('readSerializedForest', () => {
  const forest = train(blobWithOutliers(100, 0, 2), { trees: 4 });
  const firstInternal = forest.feature.findIndex((f) => f >= 0);

  it('accepts a trained forest as it is', () => {
    expect(readSerializedForest(JSON.parse(JSON.stringify(forest)))).toEqual({ ok: true, value: forest });
  });

  it.each([
    ['not an object', null, 'not an object'],
    ['another format', { ...forest, format: 'sklearn' }, 'format must be "mrm.isolation-forest", got "sklearn"'],
    ['a newer version', { ...forest, version: 2 }, 'unsupported version 2 (this build reads 1)'],
    ['a missing threshold', { ...forest, threshold: undefined }, 'threshold must be a finite number'],
    ['a fractional column count', { ...forest, columns: 1.5 }, 'columns must be an integer'],
    [
      'a string in value',
      { ...forest, value: ['x', ...forest.value.slice(1)] },
      'value must be an array of finite numbers',
    ],
    ['a missing root', { ...forest, roots: forest.roots.slice(1) }, 'roots has 3 entries for 4 trees'],
    [
      'a root out of range',
      { ...forest, roots: [...forest.roots.slice(1), 1e6] },
      `root 1000000 is outside the ${forest.feature.length} nodes`,
    ],
    [
      'arrays of different lengths',
      { ...forest, left: forest.left.slice(1) },
      'feature, left and value differ in length',
    ],
    [
      'a feature out of range',
      { ...forest, feature: forest.feature.map((f, i) => (i === firstInternal ? 2 : f)) },
      `node ${firstInternal} splits on feature 2, outside 0..1`,
    ],
    [
      'a child past the end',
      { ...forest, left: forest.left.map((l, i) => (i === firstInternal ? forest.feature.length - 1 : l)) },
      `node ${firstInternal} has children at ${forest.feature.length - 1}, not after it and inside the ${forest.feature.length} nodes`,
    ],
    ['a height limit of 0', { ...forest, heightLimit: 0 }, 'heightLimit 0 is outside 1..30'],
    [
      'a tree deeper than the height limit',
      { ...forest, heightLimit: forest.heightLimit - 1 },
      expect.stringMatching(
        new RegExp(
          `^node \\d+ splits at depth ${forest.heightLimit - 1}, the depth limit is ${forest.heightLimit - 1}$`,
        ),
      ),
    ],
    [
      'an external node with a child',
      {
        ...forest,
        left: forest.left.map((l, i) => (forest.feature[i] === -1 && i === forest.feature.lastIndexOf(-1) ? 0 : l)),
      },
      `external node ${forest.feature.lastIndexOf(-1)} has a child`,
    ],
  ])('refuses %s', (_what, value, why) => {
    const read = readSerializedForest(value);
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.code).toBe('FOREST.INVALID_MODEL');
    expect(read.error.message.replace('Invalid isolation forest: ', '')).toEqual(why);
  });
});

describe('averagePathLength c(n)', () => {
  it('is 0 for n ≤ 1 and 1 for n = 2', () => {
    expect(averagePathLength(0)).toBe(0);
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
  });

  it('is the average depth of an unsuccessful search in a random BST: close to the exact harmonic form', () => {
    // Exact: c(n) = 2·H(n − 1) − 2(n − 1)/n with H the harmonic number; ln(i) + γ misses H(i) by about 1/(2i), so c(n) is within 1/(n − 1).
    for (const n of [3, 10, 256, 10_000]) {
      let harmonic = 0;
      for (let i = 1; i < n; i++) harmonic += 1 / i;
      expect(Math.abs(averagePathLength(n) - (2 * harmonic - (2 * (n - 1)) / n))).toBeLessThan(1 / (n - 1));
    }
  });
});
