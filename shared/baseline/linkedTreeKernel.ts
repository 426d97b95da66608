import { rowByRow, type ForestKernel } from './forestKernel.js';
import type { SerializedForest } from './serializedForest.js';

// 16 bytes per node, four to a cache line: split value (f64) at byte 0, feature (i32) at 8, left child (i32) at 12.
const NODE_BYTES = 16;

/**
 * Sum over the trees of a row's path length, walking the serialised node arrays packed into one buffer: the layout
 * for deep trees (large ψ), whose complete-tree padding would not fit in memory. External nodes loop onto themselves
 * (left child = itself, split +Infinity) so every walk takes exactly `heightLimit` steps without an exit test; the
 * comparison is made a number without a branch, and four trees walk side by side (see completeTreeKernel for why).
 */
export function linkedTreeKernel(forest: SerializedForest): ForestKernel {
  const nodeCount = forest.feature.length;
  const buffer = new ArrayBuffer(nodeCount * NODE_BYTES);
  const splits = new Float64Array(buffer);
  const links = new Int32Array(buffer);
  const pathLengths = new Float64Array(nodeCount);
  for (let i = 0; i < nodeCount; i++) {
    const external = forest.feature[i] === -1;
    splits[2 * i] = external ? Infinity : forest.value[i]!;
    links[4 * i + 2] = external ? 0 : forest.feature[i]!;
    links[4 * i + 3] = external ? i : forest.left[i]!;
    pathLengths[i] = external ? forest.value[i]! : 0;
  }
  const roots = Int32Array.from(forest.roots);
  const trees = forest.trees;
  const grouped = trees - (trees % 4);
  const steps = forest.heightLimit;

  return rowByRow((row: ArrayLike<number>): number => {
    let total = 0;
    let t = 0;
    for (; t < grouped; t += 4) {
      let a = roots[t]!;
      let b = roots[t + 1]!;
      let c = roots[t + 2]!;
      let d = roots[t + 3]!;
      for (let step = 0; step < steps; step++) {
        a = links[4 * a + 3]! + +(row[links[4 * a + 2]!]! > splits[2 * a]!);
        b = links[4 * b + 3]! + +(row[links[4 * b + 2]!]! > splits[2 * b]!);
        c = links[4 * c + 3]! + +(row[links[4 * c + 2]!]! > splits[2 * c]!);
        d = links[4 * d + 3]! + +(row[links[4 * d + 2]!]! > splits[2 * d]!);
      }
      total += pathLengths[a]!;
      total += pathLengths[b]!;
      total += pathLengths[c]!;
      total += pathLengths[d]!;
    }
    for (; t < trees; t++) {
      let a = roots[t]!;
      for (let step = 0; step < steps; step++) a = links[4 * a + 3]! + +(row[links[4 * a + 2]!]! > splits[2 * a]!);
      total += pathLengths[a]!;
    }
    return total;
  });
}
