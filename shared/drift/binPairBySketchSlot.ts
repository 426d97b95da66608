import type { SketchGrid } from '../sketch/logBucketSketch.js';
import { binOfBucket, bucketOf } from './bucketOf.js';

/** Table entries: not yet known, and a sketch bucket that straddles an edge of either set. Others hold 1 + pair. */
const UNKNOWN = 0;
const STRADDLES = -1;
/** Highest bin the table stores (15 bits each, so the packed pair plus one stays a positive int32). */
const MAX_TABLE_BIN = 0x7fff;
/** Highest bin a packed pair can carry at all: 16 bits each, read back with `& 0xffff` and `>>> 16`. */
const MAX_PACKED_BIN = 0xffff;

/**
 * Two binnings of the same values (a numeric feature's PSI bins and decile bins) looked up from the value's sketch
 * bucket with one table read, as binOfBucket classifies one: the pair comes packed, `first | second << 16`.
 * Buckets that straddle an edge of either set (and bins past 15 bits) take the binary search of both, so every
 * value gets exactly the bins bucketOf(edges, x) gives. The table is filled lazily. Sets of more than 65,535 edges
 * (no binning a profile would keep) are refused.
 */
export class BinPairBySketchSlot {
  private readonly table: Int32Array;

  constructor(
    private readonly firstEdges: Float64Array,
    private readonly secondEdges: Float64Array,
    private readonly grid: SketchGrid,
    /** The sketch accumulator's slot of bucket 0, and its number of slots. */
    private readonly zeroSlot: number,
    slots: number,
  ) {
    if (firstEdges.length > MAX_PACKED_BIN || secondEdges.length > MAX_PACKED_BIN)
      throw new RangeError(`at most ${MAX_PACKED_BIN} edges per binning`);
    this.table = new Int32Array(slots);
  }

  /** The bins of x, whose sketch slot is `slot`, packed: `first | second << 16` (read `& 0xffff`, `>>> 16`). */
  binsOf(slot: number, x: number): number {
    const entry = this.table[slot]!;
    return entry > UNKNOWN ? entry - 1 : this.slowBinsOf(slot, x);
  }

  /**
   * Counts `values[0, count)`, whose sketch slots are `slots[0, count)`, into `firstCounts` and `secondCounts` by
   * their bins: binsOf over a column, with the table read in the loop itself.
   */
  countAll(
    values: Float64Array,
    slots: Int32Array,
    count: number,
    firstCounts: Float64Array,
    secondCounts: Float64Array,
  ): void {
    const table = this.table;
    for (let r = 0; r < count; r++) {
      const slot = slots[r]!;
      const entry = table[slot]!;
      const pair = entry > UNKNOWN ? entry - 1 : this.slowBinsOf(slot, values[r]!);
      firstCounts[pair & 0xffff]! += 1;
      secondCounts[pair >>> 16]! += 1;
    }
  }

  /** Kept out of binsOf so that binsOf stays small enough to be inlined into the fold. */
  private slowBinsOf(slot: number, x: number): number {
    let entry = this.table[slot]!;
    if (entry === UNKNOWN) entry = this.table[slot] = this.classify(slot);
    return entry > UNKNOWN ? entry - 1 : bucketOf(this.firstEdges, x) | (bucketOf(this.secondEdges, x) << 16);
  }

  private classify(slot: number): number {
    const index = slot - this.zeroSlot;
    const first = binOfBucket(this.firstEdges, this.grid, index);
    const second = binOfBucket(this.secondEdges, this.grid, index);
    if (first < 0 || second < 0 || first > MAX_TABLE_BIN || second > MAX_TABLE_BIN) return STRADDLES;
    return 1 + (first | (second << 16));
  }
}
