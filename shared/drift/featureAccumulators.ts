import { Float64Pool } from '../binary/float64Pool.js';
import { SketchAccumulator, SketchGrid } from '../sketch/logBucketSketch.js';
import { BinPairBySketchSlot } from './binPairBySketchSlot.js';
import { SCANNED_KIND } from '../json/scannedFeatures.js';
import { MISSING, OTHER, type NumericFeatureSchema } from './schema.js';
import type { CategoricalFeatureProfile, NumericFeatureProfile } from './profile.js';

/** addColumn's finite values and their sketch slots: one pair of arrays for all features keeps them in L1. */
let finiteScratch = new Float64Array(256);
let slotScratch = new Int32Array(256);

/**
 * The sketch grid and bin table of each numeric feature schema, shared by all its accumulators: a weekly fold builds
 * one accumulator per blob, and building the grid's edges and classifying the buckets a blob touches again for each
 * cost about 5% of folding a 100k-event blob. Both are pure functions of the schema, which is never mutated.
 */
const binningBySchema = new WeakMap<NumericFeatureSchema, { grid: SketchGrid; bins: BinPairBySketchSlot }>();

/** Mutable counts of one numeric feature; the hot loop calls `add` once per value. */
export class NumericAccumulator {
  private count = 0;
  private missing = 0;
  private sum = 0;
  private centeredSumSquares = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  /** PSI bin and decile bin of a value, packed, from one lookup by its sketch slot. */
  private readonly bins: BinPairBySketchSlot;
  /**
   * Only the values of sketch slots that straddle a PSI or decile edge, counted one by one; the snapshot adds every
   * other slot's count to its bins.
   */
  private readonly psiCounts: Float64Array;
  private readonly decileCounts: Float64Array;
  private readonly sketch: SketchAccumulator;
  private readonly center: number;
  /**
   * Raw values while they fit the cap: `kept[0, keptCount)`, grown by doubling; keptCount -1 once the cap is passed.
   * A count going to -1 keeps every field's type, where an array set to null changed one and threw the fold's
   * optimised code away in the middle of the first blob (the buffer itself goes with the accumulator).
   */
  private kept = new Float64Array(0);
  private keptCount = 0;

  constructor(
    schema: NumericFeatureSchema,
    private readonly exactValueCap: number,
  ) {
    this.psiCounts = new Float64Array(schema.psiEdges.length + 1);
    this.decileCounts = new Float64Array(schema.decileEdges.length + 1);
    let binning = binningBySchema.get(schema);
    if (binning === undefined) {
      const grid = new SketchGrid(schema.sketch);
      const sketch = new SketchAccumulator(grid);
      const bins = new BinPairBySketchSlot(
        Float64Array.from(schema.psiEdges),
        Float64Array.from(schema.decileEdges),
        grid,
        sketch.zeroSlot,
        sketch.slots,
      );
      binning = { grid, bins };
      binningBySchema.set(schema, binning);
    }
    this.sketch = new SketchAccumulator(binning.grid);
    this.bins = binning.bins;
    this.center = schema.sketch.center;
  }

  /** Anything but a finite number (null, undefined, NaN, ±Infinity, strings) counts as missing. */
  add(value: unknown): void {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.missing++;
      return;
    }
    this.addFinite(value);
  }

  addFinite(value: number): void {
    // −0 becomes 0: JSON cannot keep the sign of zero, and a profile must survive its JSON round trip unchanged.
    const x = value === 0 ? 0 : value;
    this.count++;
    this.sum += x;
    const d = x - this.center;
    this.centeredSumSquares += d * d;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    // The sketch bucket first: the PSI and decile bins come from it (see countStraddling).
    this.bins.countOne(this.sketch.add(x), x, this.psiCounts, this.decileCounts);
    if (this.keptCount >= 0) this.keepOne(x);
  }

  /**
   * Adds `count` values read from `values` at offset, offset + stride, …, exactly as addFinite/addMissing one by one
   * would (same order, so the same floating-point sums): NaN and ±Infinity count as missing. The fold's hot loop, in
   * passes over the column, each a loop small enough to compile flat: running statistics in registers (finite values
   * gathered), sketch buckets, bins from the buckets, raw values while kept. One loop doing all of it exceeded
   * V8's inlining budget, and the bin lookup then cost a call per value.
   */
  addColumn(values: Float64Array, offset: number, stride: number, count: number): void {
    if (finiteScratch.length < count) {
      finiteScratch = new Float64Array(count);
      slotScratch = new Int32Array(count);
    }
    const finite = finiteScratch;
    let n = 0;
    let sum = this.sum;
    let centeredSumSquares = this.centeredSumSquares;
    let min = this.min;
    let max = this.max;
    const center = this.center;
    for (let r = 0, p = offset; r < count; r++, p += stride) {
      const value = values[p]!;
      if (!Number.isFinite(value)) continue;
      // −0 becomes 0, as in addFinite.
      const x = value === 0 ? 0 : value;
      finite[n++] = x;
      sum += x;
      const d = x - center;
      centeredSumSquares += d * d;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    this.count += n;
    this.missing += count - n;
    this.sum = sum;
    this.centeredSumSquares = centeredSumSquares;
    this.min = min;
    this.max = max;
    const slots = slotScratch;
    this.sketch.addAll(finite, n, slots);
    this.bins.countStraddling(finite, slots, n, this.psiCounts, this.decileCounts);
    if (this.keptCount >= 0 && n > 0) this.keepAll(finite, n);
  }

  /**
   * Keeps `values[0, count)` while all of them fit the cap, else stops keeping for good; out of the hot loops. Giving
   * up is a value stored by the same statement as every other count: a branch first taken in the middle of a blob
   * (at the cap) has no type feedback, and reaching it threw the fold's optimised code away.
   */
  private keepAll(values: Float64Array, count: number): void {
    const total = this.keptCount + count;
    const fits = total <= this.exactValueCap;
    if (fits && this.kept.length < total) this.grow(total);
    if (fits) this.kept.set(values.subarray(0, count), this.keptCount);
    this.keptCount = fits ? total : -1;
  }

  private keepOne(x: number): void {
    const total = this.keptCount + 1;
    const fits = total <= this.exactValueCap;
    if (fits && this.kept.length < total) this.grow(total);
    if (fits) this.kept[total - 1] = x;
    this.keptCount = fits ? total : -1;
  }

  /** Room in `kept` for `total` values (at most the cap), by doubling; a returned buffer of the cap if there is one. */
  private grow(total: number): void {
    const returned = this.kept.length === 0 ? keptPool.reuse(this.exactValueCap) : undefined;
    if (returned) {
      this.kept = returned;
      return;
    }
    const grown = new Float64Array(Math.min(this.exactValueCap, Math.max(total, 2 * this.kept.length, 256)));
    grown.set(this.kept.subarray(0, this.keptCount));
    this.kept = grown;
  }

  addMissing(n = 1): void {
    this.missing += n;
  }

  /** Gives the dense sketch and the raw-value buffer back for the next blob's accumulator; do not use this one again. */
  release(): void {
    this.sketch.release();
    if (this.kept.length === this.exactValueCap) keptPool.give(this.kept);
    this.kept = new Float64Array(0);
  }

  snapshot(): NumericFeatureProfile {
    const psiCounts = Float64Array.from(this.psiCounts);
    const decileCounts = Float64Array.from(this.decileCounts);
    this.bins.addSlotCounts(this.sketch.slotCounts, psiCounts, decileCounts);
    return {
      type: 'numeric',
      count: this.count,
      missing: this.missing,
      sum: this.sum,
      centeredSumSquares: this.centeredSumSquares,
      min: this.count > 0 ? this.min : null,
      max: this.count > 0 ? this.max : null,
      psiCounts: Array.from(psiCounts),
      decileCounts: Array.from(decileCounts),
      sketch: this.sketch.snapshot(),
      values: this.keptCount < 0 ? null : Array.from(this.kept.slice(0, this.keptCount).sort()),
    };
  }
}

/** Raw-value buffers of the cap's length, handed back by finished accumulators (only [0, keptCount) is ever read). */
const keptPool = new Float64Pool();

/** Mutable counts of one categorical feature (baseline categories, `__other__`, `__missing__`). */
export class CategoricalAccumulator {
  private readonly index = new Map<string, number>();
  private readonly names: string[];
  private readonly counts: Float64Array;
  private readonly otherSlot: number;
  private readonly missingSlot: number;
  private missing = 0;
  private count = 0;

  constructor(categories: ReadonlyArray<string>) {
    this.names = [...categories, OTHER, MISSING];
    categories.forEach((c, i) => this.index.set(c, i));
    this.otherSlot = categories.length;
    this.missingSlot = categories.length + 1;
    this.counts = new Float64Array(this.names.length);
  }

  /** Strings, numbers and booleans are categories (numbers as their decimal text); null/undefined/NaN are missing. */
  add(value: unknown): void {
    if (typeof value === 'string') this.addKey(value);
    else if ((typeof value === 'number' && !Number.isNaN(value)) || typeof value === 'boolean')
      this.addKey(String(value));
    else this.addMissing();
  }

  /** A value already known to be a category, as its text. */
  addKey(key: string): void {
    this.count++;
    const slot = this.index.get(key);
    this.counts[slot === undefined ? this.otherSlot : slot]! += 1;
  }

  addMissing(): void {
    this.missing++;
    this.counts[this.missingSlot]! += 1;
  }

  /** A value as a body scanner reports it (see ScannedFeatures): the same category add() gives the parsed value. */
  addScanned(kind: number, number: number, string: string | undefined): void {
    // A category is a string or null by the event contract; a number is counted by its decimal text, as add() does.
    if (kind === SCANNED_KIND.string) this.addKey(string!);
    else if (kind === SCANNED_KIND.number) this.addKey(String(number));
    else this.addMissing();
  }

  snapshot(): CategoricalFeatureProfile {
    const counts: Record<string, number> = {};
    for (let i = 0; i < this.names.length; i++) counts[this.names[i]!] = this.counts[i]!;
    return { type: 'categorical', count: this.count, missing: this.missing, counts };
  }
}
