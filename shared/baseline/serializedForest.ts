import { fail, ok, type Result } from '../errors.js';

export const FOREST_FORMAT = 'mrm.isolation-forest';
export const FOREST_VERSION = 1;

/**
 * A trained isolation forest as a plain JSON value: flat arrays, one entry per node, the trees one after another.
 * Node `i` is external when `feature[i] === -1`; then `value[i]` is its path length `depth + c(size)`. Otherwise
 * `value[i]` is the split value, rows with `x[feature[i]] <= value[i]` go to `left[i]` and the others to
 * `left[i] + 1` (children are allocated in pairs, always after their parent).
 */
export interface SerializedForest {
  format: typeof FOREST_FORMAT;
  version: typeof FOREST_VERSION;
  /** Seed of the PRNG the forest was grown with: same data, options and seed give the same forest, byte for byte. */
  seed: number;
  trees: number;
  /** Rows per tree (ψ): the requested sample size, or every row when there are fewer. */
  sampleSize: number;
  /** Width of the rows the forest reads. */
  columns: number;
  /** Rows of the training matrix (the threshold's reference population). */
  trainingRows: number;
  /** Depth limit ⌈log2 ψ⌉. */
  heightLimit: number;
  /** c(ψ), the average path length of an unsuccessful BST search over ψ rows: normalises E[h(x)]. */
  averagePathLength: number;
  contamination: number;
  /** The (1 − contamination) quantile of the training rows' scores; scores above it are anomalies. */
  threshold: number;
  /** Index of each tree's root node. */
  roots: number[];
  feature: number[];
  left: number[];
  value: number[];
}

const EULER_GAMMA = 0.5772156649015329;

/**
 * c(n) of Liu, Ting and Zhou (2008): 2·H(n − 1) − 2(n − 1)/n with H(i) ≈ ln(i) + γ, and c(2) = 1, c(n ≤ 1) = 0 exactly
 * (as scikit-learn's `_average_path_length`, so our scores sit on its scale).
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * Checks an untrusted value (a profile read from storage) is a well-formed forest: array lengths agree, every feature
 * index is in range, every child comes after its parent and inside the node arrays (so scoring always terminates),
 * no tree is deeper than `heightLimit` (scoring walks exactly that many steps).
 */
export function readSerializedForest(value: unknown): Result<SerializedForest> {
  const invalid = (why: string) => fail('configuration', 'FOREST.INVALID_MODEL', `Invalid isolation forest: ${why}`);
  if (typeof value !== 'object' || value === null) return invalid('not an object');
  const v = value as Record<string, unknown>;
  if (v.format !== FOREST_FORMAT) return invalid(`format must be "${FOREST_FORMAT}", got ${JSON.stringify(v.format)}`);
  if (v.version !== FOREST_VERSION)
    return invalid(`unsupported version ${JSON.stringify(v.version)} (this build reads ${FOREST_VERSION})`);
  for (const key of ['seed', 'trees', 'sampleSize', 'columns', 'trainingRows', 'heightLimit'] as const) {
    if (!Number.isSafeInteger(v[key])) return invalid(`${key} must be an integer`);
  }
  for (const key of ['averagePathLength', 'contamination', 'threshold'] as const) {
    if (typeof v[key] !== 'number' || !Number.isFinite(v[key])) return invalid(`${key} must be a finite number`);
  }
  const arrays = ['roots', 'feature', 'left', 'value'] as const;
  for (const key of arrays) {
    const array = v[key];
    if (!Array.isArray(array) || !array.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return invalid(`${key} must be an array of finite numbers`);
    }
  }
  const forest = v as unknown as SerializedForest;
  const nodes = forest.feature.length;
  if (forest.trees < 1 || forest.columns < 1) return invalid('trees and columns must be at least 1');
  if (forest.roots.length !== forest.trees)
    return invalid(`roots has ${forest.roots.length} entries for ${forest.trees} trees`);
  if (forest.left.length !== nodes || forest.value.length !== nodes)
    return invalid('feature, left and value differ in length');
  for (const root of forest.roots) {
    if (!Number.isInteger(root) || root < 0 || root >= nodes)
      return invalid(`root ${root} is outside the ${nodes} nodes`);
  }
  if (forest.heightLimit < 1 || forest.heightLimit > 30)
    return invalid(`heightLimit ${forest.heightLimit} is outside 1..30`);
  // Walks take exactly heightLimit steps, so no node may sit deeper; children come after parents, so one pass in
  // index order sees every parent's depth before its children's.
  const depth = new Int32Array(nodes).fill(-1);
  for (const root of forest.roots) depth[root] = 0;
  for (let i = 0; i < nodes; i++) {
    const feature = forest.feature[i]!;
    const left = forest.left[i]!;
    if (feature === -1) {
      if (left !== -1) return invalid(`external node ${i} has a child`);
    } else if (!Number.isInteger(feature) || feature < 0 || feature >= forest.columns) {
      return invalid(`node ${i} splits on feature ${feature}, outside 0..${forest.columns - 1}`);
    } else if (!Number.isInteger(left) || left <= i || left + 1 >= nodes) {
      return invalid(`node ${i} has children at ${left}, not after it and inside the ${nodes} nodes`);
    } else if (depth[i]! >= 0) {
      if (depth[i]! >= forest.heightLimit)
        return invalid(`node ${i} splits at depth ${depth[i]}, the depth limit is ${forest.heightLimit}`);
      depth[left] = depth[left + 1] = depth[i]! + 1;
    }
  }
  return ok(forest);
}
