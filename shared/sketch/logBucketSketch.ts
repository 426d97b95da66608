import { Float64Pool } from '../binary/float64Pool.js';
import { HIGH_WORD, MagnitudeBuckets, UNDECIDED } from './magnitudeBuckets.js';

/**
 * A mergeable quantile sketch for KS and Wasserstein: a DDSketch-style histogram of z = (x - center) / scale, with
 * center and scale fixed by the baseline (median; IQR/1.349, else std, else 1). Near the center (|z| < linearLimit)
 * buckets have a constant width; beyond, their width grows geometrically by gamma = (1 + a) / (1 - a), so each bucket
 * holds values within a relative accuracy `a` of |z|. Counts are integers per integer bucket index: merge is a sum,
 * exactly associative and commutative, and memory grows with log(range), never with the number of values.
 *
 * Why not KLL or t-digest: their merges are randomised or order-dependent, so a resumed weekly run could give a
 * different report; here the bucket grid is shared by the baseline and every weekly profile, which also makes the KS
 * and Wasserstein error bounds computable exactly from the two histograms (see shared/drift/stats/distribution.ts).
 */
export interface SketchParams {
  /** Baseline median: z = 0 here. */
  center: number;
  /** Baseline spread used to normalise (IQR/1.349, else std, else 1); always > 0. */
  scale: number;
  /** Relative accuracy `a` of a bucket on |z| in the logarithmic region (default 0.005). */
  relativeAccuracy: number;
  /** |z| below which buckets are linear (default 0.25). */
  linearLimit: number;
}

/** Serialised counts: bucket `offset + i` holds `counts[i]` (dense between the lowest and highest used bucket). */
export interface SketchCounts {
  offset: number;
  counts: number[];
}

export const DEFAULT_SKETCH_RELATIVE_ACCURACY = 0.005;
export const DEFAULT_SKETCH_LINEAR_LIMIT = 0.25;
/** |z| is clamped here so the index range stays bounded whatever the data (1e12 standard deviations). */
const Z_LIMIT = 1e12;

const float = new Float64Array(1);
const words = new Int32Array(float.buffer);
/** indexAll's z values, and the same bytes as 32-bit words. */
let zScratch = new Float64Array(256);
let zWordScratch = new Int32Array(zScratch.buffer);

export const EMPTY_SKETCH: SketchCounts = Object.freeze({ offset: 0, counts: [] }) as SketchCounts;

/** Derived constants of a grid, computed once per feature and reused in the hot loop. */
export class SketchGrid {
  readonly center: number;
  readonly scale: number;
  readonly gamma: number;
  readonly logGamma: number;
  /** Linear buckets per side. */
  readonly linearBuckets: number;
  readonly linearWidth: number;
  readonly linearLimit: number;
  /** Highest index on each side; the dense index range is [-maxIndex - 1, maxIndex]. */
  readonly maxIndex: number;
  // Reciprocals and logs precomputed so the hot path multiplies instead of dividing.
  private readonly inverseScale: number;
  private readonly inverseLogGamma: number;
  private readonly logLinearLimit: number;
  private readonly inverseLinearWidth: number;
  /** Buckets of |z| by table, without Math.log, for nearly every value (see MagnitudeBuckets). */
  private readonly buckets: MagnitudeBuckets | undefined;

  constructor(params: SketchParams) {
    if (!(params.scale > 0) || !Number.isFinite(params.scale))
      throw new RangeError(`sketch scale must be > 0, got ${params.scale}`);
    if (!(params.relativeAccuracy > 0 && params.relativeAccuracy < 0.5))
      throw new RangeError('sketch relativeAccuracy must be in (0, 0.5)');
    this.center = params.center;
    this.scale = params.scale;
    this.gamma = (1 + params.relativeAccuracy) / (1 - params.relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
    // The linear width matches the first logarithmic bucket's, so resolution is continuous at the boundary.
    this.linearBuckets = Math.max(1, Math.round(1 / (this.gamma - 1)));
    this.linearLimit = params.linearLimit;
    this.linearWidth = params.linearLimit / this.linearBuckets;
    this.maxIndex = this.linearBuckets + Math.floor(Math.log(Z_LIMIT / params.linearLimit) / this.logGamma);
    this.inverseScale = 1 / this.scale;
    this.inverseLogGamma = 1 / this.logGamma;
    this.logLinearLimit = Math.log(this.linearLimit);
    this.inverseLinearWidth = 1 / this.linearWidth;
    // Bucket lower edges of |z|: linear ones, then geometric ones, as the formula of indexByFormula draws them.
    const edges = Float64Array.from({ length: this.maxIndex + 1 }, (_, m) =>
      m < this.linearBuckets
        ? m * this.linearWidth
        : this.linearLimit * Math.exp((m - this.linearBuckets) * this.logGamma),
    );
    this.buckets = MagnitudeBuckets.of(`${params.relativeAccuracy}:${params.linearLimit}`, edges, Z_LIMIT);
  }

  /** Bucket index of a finite value. */
  index(x: number): number {
    const z = (x - this.center) * this.inverseScale;
    // One trip through memory gives both the sign and the table key of |z| (its exponent and top mantissa bits).
    float[0] = z;
    const high = words[HIGH_WORD]!;
    const m = this.buckets === undefined ? -1 : this.buckets.findByHighWord(Math.abs(z), high & 0x7fffffff);
    // Bucket -1 - m mirrors bucket m, and -1 - m is ~m: the sign comes from the bits, not from a branch.
    return m >= 0 ? m ^ (high >> 31) : this.indexByFormula(z);
  }

  /** index() of each of `values[0, count)`, into `out`. */
  indexAll(values: Float64Array, count: number, out: Int32Array): void {
    if (zScratch.length < count) {
      zScratch = new Float64Array(count);
      zWordScratch = new Int32Array(zScratch.buffer);
    }
    const zs = zScratch;
    const center = this.center;
    const inverseScale = this.inverseScale;
    for (let r = 0; r < count; r++) zs[r] = (values[r]! - center) * inverseScale;
    if (this.buckets === undefined) out.fill(UNDECIDED, 0, count);
    else this.buckets.findAllSigned(zs, zWordScratch, count, out);
    for (let r = 0; r < count; r++) if (out[r] === UNDECIDED) out[r] = this.indexByFormula(zs[r]!);
  }

  /** The definition of the buckets, for values the table leaves undecided (a hair from an edge, or out of range). */
  private indexByFormula(z: number): number {
    if (z >= this.linearLimit) {
      if (z > Z_LIMIT) z = Z_LIMIT;
      return Math.min(this.linearBuckets + this.logStep(z), this.maxIndex);
    }
    if (z < -this.linearLimit) {
      if (z < -Z_LIMIT) z = -Z_LIMIT;
      return Math.max(-this.linearBuckets - 1 - this.logStep(-z), -this.maxIndex - 1);
    }
    // Guards the rounding of z / width at the region's edge.
    const j = Math.floor(z * this.inverseLinearWidth);
    return j < -this.linearBuckets ? -this.linearBuckets : j >= this.linearBuckets ? this.linearBuckets - 1 : j;
  }

  private logStep(z: number): number {
    return Math.floor((Math.log(z) - this.logLinearLimit) * this.inverseLogGamma);
  }

  /** Lower edge of bucket `i`, in value units. */
  lower(i: number): number {
    return this.center + this.scale * this.lowerZ(i);
  }

  /** Upper edge of bucket `i`, in value units (the next bucket's lower edge). */
  upper(i: number): number {
    return this.lower(i + 1);
  }

  private lowerZ(i: number): number {
    const l = this.linearBuckets;
    if (i >= l) return this.linearLimit * Math.pow(this.gamma, i - l);
    if (i >= -l) return i * this.linearWidth;
    // Negative log region: bucket i = -l - 1 - k covers z in (-linearLimit * gamma^(k+1), -linearLimit * gamma^k].
    const k = -l - 1 - i;
    return -this.linearLimit * Math.pow(this.gamma, k + 1);
  }
}

/** Sums two sketches bucket by bucket. Exact: associative and commutative; EMPTY_SKETCH is the identity. */
export function mergeSketchCounts(a: SketchCounts, b: SketchCounts): SketchCounts {
  if (a.counts.length === 0) return b;
  if (b.counts.length === 0) return a;
  const offset = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.counts.length, b.offset + b.counts.length);
  const ac = a.counts;
  const bc = b.counts;
  const fromA = a.offset - offset;
  const fromB = b.offset - offset;
  // One pass writing each slot once (0 + a + b, as before): merging roll-ups is dominated by these sums.
  const counts = new Array<number>(end - offset);
  for (let i = 0; i < counts.length; i++) {
    const ia = i - fromA;
    const ib = i - fromB;
    counts[i] = 0 + (ia >= 0 && ia < ac.length ? ac[ia]! : 0) + (ib >= 0 && ib < bc.length ? bc[ib]! : 0);
  }
  return { offset, counts };
}

/** Total number of values in a sketch. */
export function sketchTotal(sketch: SketchCounts): number {
  let total = 0;
  for (const c of sketch.counts) total += c;
  return total;
}

const densePool = new Float64Pool();

/**
 * Mutable, dense counterpart of SketchCounts for the hot loop: one Float64Array over the whole bounded index range.
 * The used range is found by the snapshot (a few thousand slots, once per blob) rather than tracked per value.
 */
export class SketchAccumulator {
  readonly grid: SketchGrid;
  private readonly counts: Float64Array<ArrayBuffer>;
  private readonly zero: number;

  constructor(grid: SketchGrid) {
    this.grid = grid;
    this.zero = grid.maxIndex + 1;
    // Dense arrays come back zeroed (release), so a pooled one counts from nothing like a new one.
    this.counts = densePool.take(2 * grid.maxIndex + 2);
  }

  /** Gives the dense counts back for the next accumulator; this one must not be used again. */
  release(): void {
    densePool.give(this.counts, { zeroed: true });
  }

  /** Counts x; returns its dense slot (bucket index + `zero`), which callers may use to look up other binnings. */
  add(x: number): number {
    const slot = this.grid.index(x) + this.zero;
    this.counts[slot]! += 1;
    return slot;
  }

  /** add() of `values[0, count)`, in order, writing each value's slot to `slots`. */
  addAll(values: Float64Array, count: number, slots: Int32Array): void {
    this.grid.indexAll(values, count, slots);
    const counts = this.counts;
    const zero = this.zero;
    for (let r = 0; r < count; r++) {
      const slot = slots[r]! + zero;
      counts[slot]! += 1;
      slots[r] = slot;
    }
  }

  /** Slot of bucket index 0: slot = index + zero. */
  get zeroSlot(): number {
    return this.zero;
  }

  /** Number of dense slots. */
  get slots(): number {
    return this.counts.length;
  }

  /** The live count of every dense slot (read only): what other binnings of the same values are derived from. */
  get slotCounts(): Float64Array {
    return this.counts;
  }

  addCounts(sketch: SketchCounts): void {
    for (let i = 0; i < sketch.counts.length; i++) {
      const c = sketch.counts[i]!;
      if (c === 0) continue;
      this.counts[sketch.offset + i + this.zero]! += c;
    }
  }

  snapshot(): SketchCounts {
    // Counts only grow, and only by positive amounts: the used range is the one between the outer non-zero slots.
    const counts = this.counts;
    let lo = 0;
    while (lo < counts.length && counts[lo] === 0) lo++;
    if (lo === counts.length) return { offset: 0, counts: [] };
    let hi = counts.length - 1;
    while (counts[hi] === 0) hi--;
    return { offset: lo - this.zero, counts: Array.from(counts.subarray(lo, hi + 1)) };
  }
}
