import { MrmError } from '../errors.js';
import type { NumericMatrix } from './numericMatrix.js';
import { readSerializedForest, type SerializedForest } from './serializedForest.js';

/** A forest ready to score: every node of every tree packed into one typed buffer. */
export interface CompiledForest {
  readonly columns: number;
  readonly trees: number;
  /** Scores above this are anomalies (the baseline's (1 − contamination) quantile). */
  readonly threshold: number;
  /**
   * Anomaly score s = 2^(−E[h(x)] / c(ψ)) in (0, 1]: near 1 isolated quickly (anomalous), well under 0.5 normal.
   * `row` holds at least `columns` values; NaN compares false and so follows the right branch.
   */
  score(row: ArrayLike<number>): number;
  /** Scores every row; writes into `out` when given (length ≥ rows), else into a new array. */
  scoreMany(matrix: NumericMatrix, out?: Float64Array): Float64Array;
  isAnomaly(score: number): boolean;
}

// 16 bytes per node, one cache line holds four: value (f64) at byte 0, feature (i32) at 8, left child (i32) at 12.
const NODE_BYTES = 16;

/**
 * Packs a serialised forest for the hot path: no per-node objects, no allocation per call. Throws `FOREST.INVALID_MODEL`
 * for a malformed forest (read untrusted JSON through `readSerializedForest` first to get the failure as a value).
 */
export function compileForest(forest: SerializedForest): CompiledForest {
  const checked = readSerializedForest(forest);
  if (!checked.ok) throw MrmError.fromFailure(checked.error);
  const nodeCount = forest.feature.length;
  const buffer = new ArrayBuffer(nodeCount * NODE_BYTES);
  const values = new Float64Array(buffer);
  const links = new Int32Array(buffer);
  for (let i = 0; i < nodeCount; i++) {
    values[2 * i] = forest.value[i]!;
    links[4 * i + 2] = forest.feature[i]!;
    links[4 * i + 3] = forest.left[i]!;
  }
  const roots = Int32Array.from(forest.roots);
  const treeCount = forest.trees;
  const columns = forest.columns;
  const threshold = forest.threshold;
  // s = 2^(−mean(h) / c) = exp(sum(h) · k) with k folding the mean, the normalisation and ln 2 into one factor.
  const exponentPerPathLength = -Math.LN2 / (treeCount * forest.averagePathLength || 1);

  const score = (row: ArrayLike<number>): number => {
    if (row.length < columns) {
      throw new MrmError('FOREST.ROW_TOO_SHORT', `A row of ${row.length} values was scored by a forest of ${columns} columns`);
    }
    let total = 0;
    for (let t = 0; t < treeCount; t++) {
      let node = roots[t]!;
      let feature = links[4 * node + 2]!;
      while (feature >= 0) {
        node = links[4 * node + 3]! + (row[feature]! <= values[2 * node]! ? 0 : 1);
        feature = links[4 * node + 2]!;
      }
      total += values[2 * node]!;
    }
    return Math.exp(total * exponentPerPathLength);
  };

  const scoreMany = (matrix: NumericMatrix, out?: Float64Array): Float64Array => {
    if (matrix.columns !== columns) {
      throw new MrmError('FOREST.COLUMNS_MISMATCH', `A matrix of ${matrix.columns} columns was scored by a forest of ${columns} columns`);
    }
    const rows = matrix.rows;
    const data = matrix.values;
    const totals = out ?? new Float64Array(rows);
    if (totals.length < rows) throw new MrmError('FOREST.OUTPUT_TOO_SHORT', `Output of ${totals.length} for ${rows} rows`);
    totals.fill(0, 0, rows);
    // Tree by tree, so one tree's nodes stay in the L1 cache while every row walks it; the per-row sum still adds
    // trees in the same order as score(), so both give bit-identical scores.
    for (let t = 0; t < treeCount; t++) {
      const root = roots[t]!;
      for (let r = 0, offset = 0; r < rows; r++, offset += columns) {
        let node = root;
        let feature = links[4 * node + 2]!;
        while (feature >= 0) {
          node = links[4 * node + 3]! + (data[offset + feature]! <= values[2 * node]! ? 0 : 1);
          feature = links[4 * node + 2]!;
        }
        totals[r]! += values[2 * node]!;
      }
    }
    for (let r = 0; r < rows; r++) totals[r] = Math.exp(totals[r]! * exponentPerPathLength);
    return totals;
  };

  return {
    columns,
    trees: treeCount,
    threshold,
    score,
    scoreMany,
    isAnomaly: (s: number) => s > threshold,
  };
}
