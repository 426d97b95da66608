import { rowByRow, type ForestKernel } from './forestKernel.js';
import type { SerializedForest } from './serializedForest.js';
import type { Implementation } from '../contracts/implementation.js';
import { compileWasmTreeWalk } from './fast/wasmTreeWalk.js';

/**
 * Sum over the trees of a row's path length, with every tree laid out as a complete binary tree of depth
 * `heightLimit` in heap order (children of p at 2p + 1 and 2p + 2): a step is `p = 2p + 1 + +(x > split)`, no child
 * index to load. An external node above the last level becomes a split at +Infinity (every row goes left, NaN
 * included) over copies of itself, so every walk takes exactly `heightLimit` steps and ends on the last level, where
 * the path lengths are. Memory grows as 2^heightLimit per tree: meant for ψ up to a few thousand rows.
 *
 * Speed (measured with bench/forest.ts): the comparison becomes a number without a branch (its outcome is a coin
 * flip no predictor learns, and a mispredicted branch costs more than the step); eight trees walk side by side so
 * their chains of dependent loads overlap. `batch`: `plain` walks a batch in JavaScript row by row; `fast` (the
 * default where WebAssembly is available) walks it tree by tree in WebAssembly (fast/wasmTreeWalk.ts), so each tree's
 * few kilobytes stay in the first-level cache for every row of the batch, where row by row the whole forest (half a
 * megabyte at ψ = 256) streams through the cache for each row.
 */
export function completeTreeKernel(forest: SerializedForest, batch: Implementation = 'fast'): ForestKernel {
  const trees = forest.trees;
  const height = forest.heightLimit;
  const inner = (1 << height) - 1; // split slots per tree (small integers keep the index maths in int32)
  const leaves = 1 << height;
  const features = new Int32Array(trees * inner);
  const splits = new Float64Array(trees * inner);
  const pathLengths = new Float64Array(trees * leaves);
  for (let t = 0; t < trees; t++) {
    // (source node, heap position, depth), depth first.
    const stack: number[] = [forest.roots[t]!, 0, 0];
    while (stack.length > 0) {
      const depth = stack.pop()!;
      const position = stack.pop()!;
      const node = stack.pop()!;
      if (depth === height) {
        pathLengths[t * leaves + position - inner] = forest.value[node]!;
        continue;
      }
      const external = forest.feature[node] === -1;
      features[t * inner + position] = external ? 0 : forest.feature[node]!;
      splits[t * inner + position] = external ? Infinity : forest.value[node]!;
      const left = external ? node : forest.left[node]!;
      const right = external ? node : left + 1;
      stack.push(right, 2 * position + 2, depth + 1, left, 2 * position + 1, depth + 1);
    }
  }
  const grouped = trees - (trees % 8);

  const pathLength = (row: ArrayLike<number>): number => {
    let total = 0;
    let t = 0;
    for (; t < grouped; t += 8) {
      const b0 = t * inner;
      const b1 = b0 + inner;
      const b2 = b1 + inner;
      const b3 = b2 + inner;
      const b4 = b3 + inner;
      const b5 = b4 + inner;
      const b6 = b5 + inner;
      const b7 = b6 + inner;
      let p0 = 0;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let p4 = 0;
      let p5 = 0;
      let p6 = 0;
      let p7 = 0;
      for (let step = 0; step < height; step++) {
        p0 = 2 * p0 + 1 + +(row[features[b0 + p0]!]! > splits[b0 + p0]!);
        p1 = 2 * p1 + 1 + +(row[features[b1 + p1]!]! > splits[b1 + p1]!);
        p2 = 2 * p2 + 1 + +(row[features[b2 + p2]!]! > splits[b2 + p2]!);
        p3 = 2 * p3 + 1 + +(row[features[b3 + p3]!]! > splits[b3 + p3]!);
        p4 = 2 * p4 + 1 + +(row[features[b4 + p4]!]! > splits[b4 + p4]!);
        p5 = 2 * p5 + 1 + +(row[features[b5 + p5]!]! > splits[b5 + p5]!);
        p6 = 2 * p6 + 1 + +(row[features[b6 + p6]!]! > splits[b6 + p6]!);
        p7 = 2 * p7 + 1 + +(row[features[b7 + p7]!]! > splits[b7 + p7]!);
      }
      // Added one tree at a time, in tree order, as the other kernel does: scores agree to the bit.
      const l0 = t * leaves - inner;
      total += pathLengths[l0 + p0]!;
      total += pathLengths[l0 + leaves + p1]!;
      total += pathLengths[l0 + 2 * leaves + p2]!;
      total += pathLengths[l0 + 3 * leaves + p3]!;
      total += pathLengths[l0 + 4 * leaves + p4]!;
      total += pathLengths[l0 + 5 * leaves + p5]!;
      total += pathLengths[l0 + 6 * leaves + p6]!;
      total += pathLengths[l0 + 7 * leaves + p7]!;
    }
    for (; t < trees; t++) {
      const base = t * inner;
      let p = 0;
      for (let step = 0; step < height; step++) p = 2 * p + 1 + +(row[features[base + p]!]! > splits[base + p]!);
      total += pathLengths[t * leaves - inner + p]!;
    }
    return total;
  };

  const wasm =
    batch === 'fast'
      ? compileWasmTreeWalk({ trees, height, inner, leaves, features, splits, pathLengths }, forest.columns)
      : undefined;
  return wasm ? { pathLength, pathLengths: wasm } : rowByRow(pathLength);
}
