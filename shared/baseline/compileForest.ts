import { MrmError } from '../errors.js';
import type { Implementation } from '../contracts/implementation.js';
import { completeTreeKernel } from './completeTreeKernel.js';
import { linkedTreeKernel } from './linkedTreeKernel.js';
import type { NumericMatrix } from './numericMatrix.js';
import { readSerializedForest, type SerializedForest } from './serializedForest.js';

/** A forest ready to score, its trees packed into typed arrays. */
export interface CompiledForest {
  readonly columns: number;
  readonly trees: number;
  /** Scores above this are anomalies (the baseline's (1 − contamination) quantile). */
  readonly threshold: number;
  /** Which node layout the forest was compiled to (see `compileForest`). */
  readonly layout: ForestLayout;
  /**
   * Anomaly score s = 2^(−E[h(x)] / c(ψ)) in (0, 1]: near 1 isolated quickly (anomalous), well under 0.5 normal.
   * `row` holds at least `columns` values; NaN fails every `x > split` test and so always goes left, like −Infinity.
   */
  score(row: ArrayLike<number>): number;
  /**
   * Scores every row, equal to the bit to `score` of each; writes into `out` when given (length ≥ rows), else into a
   * new array. Faster per row than `score`: rows are walked a block at a time, tree by tree.
   */
  scoreMany(matrix: NumericMatrix, out?: Float64Array): Float64Array;
  isAnomaly(score: number): boolean;
}

/**
 * `complete`: each tree padded to a complete binary tree in heap order, fastest (no child index to load), memory
 * 2^heightLimit slots per tree. `linked`: the serialised nodes with child indices, for deep trees.
 */
export type ForestLayout = 'complete' | 'linked';

/** Deepest trees given the complete layout by default: 2^12 slots × 20 bytes ≈ 80 KB per tree. */
const MAX_COMPLETE_HEIGHT = 12;

/**
 * Packs a serialised forest for the hot path: no per-node objects, no allocation per call. Throws `FOREST.INVALID_MODEL`
 * for a malformed forest (read untrusted JSON through `readSerializedForest` first to get the failure as a value).
 * Both layouts, and both engines of the complete layout's batch walk, give bit-identical scores; `layout` and `batch`
 * are there for tests and benchmarks.
 */
export function compileForest(
  forest: SerializedForest,
  options: { layout?: ForestLayout; batch?: Implementation } = {},
): CompiledForest {
  const checked = readSerializedForest(forest);
  if (!checked.ok) throw MrmError.fromFailure(checked.error);
  const layout = options.layout ?? (forest.heightLimit <= MAX_COMPLETE_HEIGHT ? 'complete' : 'linked');
  const kernel = layout === 'complete' ? completeTreeKernel(forest, options.batch) : linkedTreeKernel(forest);
  const totalPathLength = kernel.pathLength;
  const columns = forest.columns;
  const threshold = forest.threshold;
  // s = 2^(−mean(h) / c) = exp(sum(h) · k) with k folding the mean, the normalisation and ln 2 into one factor.
  const exponentPerPathLength = -Math.LN2 / (forest.trees * forest.averagePathLength || 1);

  const score = (row: ArrayLike<number>): number => {
    if (row.length < columns) {
      throw new MrmError(
        'bug',
        'FOREST.ROW_TOO_SHORT',
        `A row of ${row.length} values was scored by a forest of ${columns} columns`,
      );
    }
    return Math.exp(totalPathLength(row) * exponentPerPathLength);
  };

  const scoreMany = (matrix: NumericMatrix, out?: Float64Array): Float64Array => {
    if (matrix.columns !== columns) {
      throw new MrmError(
        'bug',
        'FOREST.COLUMNS_MISMATCH',
        `A matrix of ${matrix.columns} columns was scored by a forest of ${columns} columns`,
      );
    }
    const rows = matrix.rows;
    const values = matrix.values;
    const scores = out ?? new Float64Array(rows);
    if (scores.length < rows)
      throw new MrmError('bug', 'FOREST.OUTPUT_TOO_SHORT', `Output of ${scores.length} for ${rows} rows`);
    if (values.length < rows * columns) {
      throw new MrmError('bug', 'FOREST.ROW_TOO_SHORT', `A matrix of ${values.length} values cannot hold ${rows} rows`);
    }
    // The kernel walks the rows in blocks that stay in cache while every tree walks them.
    kernel.pathLengths(values, rows, columns, scores);
    for (let r = 0; r < rows; r++) scores[r] = Math.exp(scores[r]! * exponentPerPathLength);
    return scores;
  };

  return {
    columns,
    trees: forest.trees,
    threshold,
    layout,
    score,
    scoreMany,
    isAnomaly: (s: number) => s > threshold,
  };
}
