import type { SketchGrid } from '../sketch/logBucketSketch.js';

/** Table entries: not yet known, and a sketch bucket that straddles an edge. Others hold bin + 2. */
const UNKNOWN = 0;
const STRADDLES = 1;
/**
 * Widening of a sketch bucket before asking which bin it falls in: far above the few ulps by which a value's bucket
 * (from (x - center) / scale and a logarithm) can disagree with the bucket's edges computed from the other side.
 */
const RELATIVE_SLACK = 1e-6;
const ABSOLUTE_SLACK = 1e-12;

/**
 * numpy.histogram's bin of a value among interior edges (the number of edges <= x), found through the value's
 * sketch bucket, which the fold computes anyway: a sketch bucket is far narrower than a bin, so nearly every one
 * lies inside a single bin and its bin is a table lookup. Buckets that straddle an edge (and the two unbounded
 * outermost ones) take the binary search, so every value gets exactly the bin bucketOf(edges, x) gives. The table is
 * filled lazily: a fold touches only a few hundred of the grid's thousands of buckets.
 */
export class BinsBySketchSlot {
  private readonly table: Int32Array;

  constructor(
    private readonly edges: Float64Array,
    private readonly grid: SketchGrid,
    /** The sketch accumulator's slot of bucket 0, and its number of slots. */
    private readonly zeroSlot: number,
    slots: number,
  ) {
    this.table = new Int32Array(slots);
  }

  /** The bin of x, whose sketch slot is `slot`. */
  binOf(slot: number, x: number): number {
    const entry = this.table[slot]!;
    return entry > STRADDLES ? entry - 2 : this.slowBinOf(slot, x);
  }

  /** Kept out of binOf so that binOf stays small enough to be inlined into the fold. */
  private slowBinOf(slot: number, x: number): number {
    let entry = this.table[slot]!;
    if (entry === UNKNOWN) entry = this.table[slot] = this.classify(slot);
    return entry > STRADDLES ? entry - 2 : bucketOf(this.edges, x);
  }

  private classify(slot: number): number {
    const bin = binOfBucket(this.edges, this.grid, slot - this.zeroSlot);
    return bin < 0 ? STRADDLES : bin + 2;
  }
}

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
