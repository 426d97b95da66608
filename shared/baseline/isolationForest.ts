import { fail, ok, type Result } from '../errors.js';
import { compileForest } from './compileForest.js';
import { linearQuantile } from './linearQuantile.js';
import type { NumericMatrix } from './numericMatrix.js';
import { createRandom, type Random } from './random.js';
import { averagePathLength, FOREST_FORMAT, FOREST_VERSION, type SerializedForest } from './serializedForest.js';

export { compileForest, type CompiledForest } from './compileForest.js';
export { readSerializedForest, type SerializedForest } from './serializedForest.js';
export type { NumericMatrix } from './numericMatrix.js';

export interface IsolationForestOptions {
  /** Number of trees (default 100). */
  trees?: number;
  /** Rows drawn, without replacement, for each tree: ψ (default 256; all rows when there are fewer). */
  sampleSize?: number;
  /** PRNG seed (default 1): the same seed gives the same forest, byte for byte. */
  seed?: number;
  /** Expected share of anomalies in the training rows, in (0, 0.5] (default 0.1); sets the threshold. */
  contamination?: number;
}

export const FOREST_DEFAULTS = { trees: 100, sampleSize: 256, seed: 1, contamination: 0.1 } as const;

/**
 * Grows an isolation forest (Liu, Ting and Zhou 2008) on the rows of `matrix` and fixes its anomaly threshold at the
 * (1 − contamination) quantile of the training rows' scores. Like scikit-learn's IsolationForest, each split picks a
 * feature at random among those not constant in the node (a node where all are constant becomes external), and a
 * split value uniform in [min, max).
 *
 * Failures: `FOREST.TOO_FEW_ROWS`, `FOREST.NO_COLUMNS`, `FOREST.SHAPE_MISMATCH`, `FOREST.NOT_FINITE` (names the row
 * and column), `FOREST.INVALID_OPTION`.
 */
export function trainIsolationForest(
  matrix: NumericMatrix,
  options: IsolationForestOptions = {},
): Result<SerializedForest> {
  const { rows, columns, values } = matrix;
  if (!Number.isSafeInteger(rows) || rows < 2) {
    return fail('bad-input', 'FOREST.TOO_FEW_ROWS', `An isolation forest needs at least 2 training rows, got ${rows}`, {
      rows,
    });
  }
  if (!Number.isSafeInteger(columns) || columns < 1) {
    return fail(
      'bad-input',
      'FOREST.NO_COLUMNS',
      `An isolation forest needs at least 1 numeric column, got ${columns}`,
      {
        columns,
      },
    );
  }
  if (values.length !== rows * columns) {
    return fail(
      'bad-input',
      'FOREST.SHAPE_MISMATCH',
      `A ${rows} x ${columns} matrix needs ${rows * columns} values, got ${values.length}`,
      {
        rows,
        columns,
        values: values.length,
      },
    );
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      const row = Math.floor(i / columns);
      const column = i % columns;
      return fail(
        'bad-input',
        'FOREST.NOT_FINITE',
        `Training value at row ${row}, column ${column} is ${values[i]}; impute or drop it first`,
        {
          row,
          column,
        },
      );
    }
  }
  const trees = options.trees ?? FOREST_DEFAULTS.trees;
  const requestedSampleSize = options.sampleSize ?? FOREST_DEFAULTS.sampleSize;
  const seed = options.seed ?? FOREST_DEFAULTS.seed;
  const contamination = options.contamination ?? FOREST_DEFAULTS.contamination;
  const invalid = (name: string, expected: string, value: unknown) =>
    fail(
      'configuration',
      'FOREST.INVALID_OPTION',
      `Isolation forest option ${name} must be ${expected}, got ${value}`,
      {
        option: name,
      },
    );
  if (!Number.isSafeInteger(trees) || trees < 1) return invalid('trees', 'a whole number >= 1', trees);
  if (!Number.isSafeInteger(requestedSampleSize) || requestedSampleSize < 2) {
    return invalid('sampleSize', 'a whole number >= 2', requestedSampleSize);
  }
  if (!Number.isSafeInteger(seed)) return invalid('seed', 'a safe integer', seed);
  if (!(contamination > 0 && contamination <= 0.5)) return invalid('contamination', 'in (0, 0.5]', contamination);

  const sampleSize = Math.min(requestedSampleSize, rows);
  const heightLimit = Math.ceil(Math.log2(sampleSize));
  const grower = new TreeGrower(matrix, sampleSize, heightLimit, createRandom(seed));
  const roots: number[] = [];
  for (let t = 0; t < trees; t++) roots.push(grower.growTree());

  const forest: SerializedForest = {
    format: FOREST_FORMAT,
    version: FOREST_VERSION,
    seed,
    trees,
    sampleSize,
    columns,
    trainingRows: rows,
    heightLimit,
    averagePathLength: averagePathLength(sampleSize),
    contamination,
    threshold: 0,
    roots,
    feature: grower.feature,
    left: grower.left,
    value: grower.value,
  };
  const trainingScores = compileForest(forest).scoreMany(matrix);
  forest.threshold = linearQuantile(trainingScores, 1 - contamination);
  return ok(forest);
}

/** Grows trees into shared flat node arrays; the PRNG and scratch buffers carry over from tree to tree. */
class TreeGrower {
  readonly feature: number[] = [];
  readonly left: number[] = [];
  readonly value: number[] = [];
  // A running permutation of all rows: a partial Fisher–Yates pass over any permutation draws a uniform subset.
  private readonly rowOrder: Int32Array;
  private readonly sample: Int32Array;
  private readonly featureOrder: Int32Array;

  constructor(
    private readonly matrix: NumericMatrix,
    private readonly sampleSize: number,
    private readonly heightLimit: number,
    private readonly random: Random,
  ) {
    this.rowOrder = Int32Array.from({ length: matrix.rows }, (_, i) => i);
    this.sample = new Int32Array(sampleSize);
    this.featureOrder = Int32Array.from({ length: matrix.columns }, (_, i) => i);
  }

  growTree(): number {
    const { rowOrder, sample, random } = this;
    for (let i = 0; i < this.sampleSize; i++) {
      swap(rowOrder, i, i + random.nextInt(rowOrder.length - i));
      sample[i] = rowOrder[i]!;
    }
    const root = this.allocate(1);
    this.grow(root, 0, this.sampleSize, 0);
    return root;
  }

  private allocate(count: number): number {
    const first = this.feature.length;
    for (let i = 0; i < count; i++) {
      this.feature.push(-1);
      this.left.push(-1);
      this.value.push(0);
    }
    return first;
  }

  /** Fills node `node` from the sample rows in [start, end) at depth `depth`. */
  private grow(node: number, start: number, end: number, depth: number): void {
    const size = end - start;
    const split = depth < this.heightLimit && size > 1 ? this.chooseSplit(start, end) : undefined;
    if (split === undefined) {
      this.value[node] = depth + averagePathLength(size);
      return;
    }
    const middle = this.partition(start, end, split.feature, split.value);
    const children = this.allocate(2);
    this.feature[node] = split.feature;
    this.left[node] = children;
    this.value[node] = split.value;
    this.grow(children, start, middle, depth + 1);
    this.grow(children + 1, middle, end, depth + 1);
  }

  /** Features are tried in random order until one varies in the node; none varying makes the node external. */
  private chooseSplit(start: number, end: number): { feature: number; value: number } | undefined {
    const { featureOrder, random, sample } = this;
    const { columns, values } = this.matrix;
    for (let k = 0; k < columns; k++) {
      swap(featureOrder, k, k + random.nextInt(columns - k));
      const feature = featureOrder[k]!;
      let min = Infinity;
      let max = -Infinity;
      for (let i = start; i < end; i++) {
        const x = values[sample[i]! * columns + feature]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (min < max) {
        let value = min + random.nextFloat() * (max - min);
        // Rounding can land on max, which would send every row left; min still splits the node in two.
        if (value >= max) value = min;
        return { feature, value };
      }
    }
    return undefined;
  }

  /** Moves rows with x[feature] <= value to the front of [start, end); returns where the others begin. */
  private partition(start: number, end: number, feature: number, value: number): number {
    const { sample } = this;
    const { columns, values } = this.matrix;
    let i = start;
    let j = end - 1;
    while (i <= j) {
      if (values[sample[i]! * columns + feature]! <= value) i++;
      else swap(sample, i, j--);
    }
    return i;
  }
}

function swap(array: Int32Array, i: number, j: number): void {
  const held = array[i]!;
  array[i] = array[j]!;
  array[j] = held;
}
