import type { SketchGrid } from '../sketch/logBucketSketch.js';

/**
 * Widening of a sketch bucket before asking which bin it falls in: far above the few ulps by which a value's bucket
 * (from (x - center) / scale and a logarithm) can disagree with the bucket's edges computed from the other side.
 */
const RELATIVE_SLACK = 1e-6;
const ABSOLUTE_SLACK = 1e-12;

/**
 * The bin every value of sketch bucket `index` falls in, or -1 when the bucket straddles an edge (or is one of the
 * two unbounded outermost buckets): then only the value itself can say.
 */
export function binOfBucket(edges: Float64Array, grid: SketchGrid, index: number): number {
  if (index >= grid.maxIndex || index <= -grid.maxIndex - 1) return -1;
  const lower = grid.lower(index);
  const upper = grid.upper(index);
  const slack =
    RELATIVE_SLACK * (upper - lower) + ABSOLUTE_SLACK * (Math.abs(lower) + Math.abs(upper) + Math.abs(grid.center));
  const first = bucketOf(edges, lower - slack);
  return first === bucketOf(edges, upper + slack) ? first : -1;
}

/**
 * numpy.histogram's rule on interior edges: the number of edges <= x (bins are [a, b), the outer ones unbounded).
 * Binary search (upper bound), so duplicate edges give empty bins exactly as numpy does.
 */
export function bucketOf(edges: Float64Array | ReadonlyArray<number>, x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x >= edges[mid]!) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
