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
 * Two binnings of the same values (a numeric feature's PSI bins and decile bins) derived from their sketch buckets:
 * a table by sketch slot holds both bins of a bucket, as binOfBucket classifies it (packed, `first | second << 16`),
 * so the values of a bucket are counted in its bins all at once, from the sketch's count. Values of buckets that
 * straddle an edge of either set (and bins past 15 bits) are counted one by one by the binary search of both, so
 * every value is counted exactly in the bins bucketOf(edges, x) gives. The table is filled lazily and may be shared
 * by the accumulators of one schema. Sets of more than 65,535 edges (no binning a profile would keep) are refused.
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

  /**
   * Counts into `firstCounts` and `secondCounts`, of `values[0, count)` whose sketch slots are `slots[0, count)`,
   * only those whose slot straddles an edge: the others are counted a slot at a time by `addSlotCounts`, from the
   * sketch's counts. Per value, the fold then reads one table entry and increments nothing, where two increments of
   * one bin after another (a value's bin is often the last one's) waited on each other's stores.
   */
  countStraddling(
    values: Float64Array,
    slots: Int32Array,
    count: number,
    firstCounts: Float64Array,
    secondCounts: Float64Array,
  ): void {
    const table = this.table;
    for (let r = 0; r < count; r++) {
      const slot = slots[r]!;
      if (table[slot]! <= UNKNOWN) this.countOne(slot, values[r]!, firstCounts, secondCounts);
    }
  }

  /** countStraddling of one value x, whose sketch slot is `slot`. */
  countOne(slot: number, x: number, firstCounts: Float64Array, secondCounts: Float64Array): void {
    let entry = this.table[slot]!;
    if (entry === UNKNOWN) entry = this.table[slot] = this.classify(slot);
    if (entry !== STRADDLES) return;
    firstCounts[bucketOf(this.firstEdges, x)]! += 1;
    secondCounts[bucketOf(this.secondEdges, x)]! += 1;
  }

  /**
   * Adds the bins of the values countStraddling left out: `slotCounts[s]` values in each slot s that does not
   * straddle an edge, all in the slot's bins. Every value of the counts must have gone through countStraddling or
   * countOne (which classified its slot).
   */
  addSlotCounts(slotCounts: Float64Array, firstCounts: Float64Array, secondCounts: Float64Array): void {
    const table = this.table;
    for (let slot = 0; slot < slotCounts.length; slot++) {
      const n = slotCounts[slot]!;
      if (n === 0) continue;
      const entry = table[slot]!;
      if (entry <= UNKNOWN) continue;
      const pair = entry - 1;
      firstCounts[pair & 0xffff]! += n;
      secondCounts[pair >>> 16]! += n;
    }
  }

  private classify(slot: number): number {
    const index = slot - this.zeroSlot;
    const first = binOfBucket(this.firstEdges, this.grid, index);
    const second = binOfBucket(this.secondEdges, this.grid, index);
    if (first < 0 || second < 0 || first > MAX_TABLE_BIN || second > MAX_TABLE_BIN) return STRADDLES;
    return 1 + (first | (second << 16));
  }
}
