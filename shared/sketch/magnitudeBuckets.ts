/** Which 32-bit word of a Float64Array element holds its sign, exponent and top mantissa bits. */
export const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
/** What findAllSigned gives where the caller must compute the bucket: no bucket index is this large. */
export const UNDECIDED = 0x7fffffff;
const float = new Float64Array(1);
const words = new Int32Array(float.buffer);
/**
 * Relative margin around each bucket's edge inside which `find` does not decide. The formula it stands in for is off
 * by far less (about 1e-14 relative: a rounding of Math.log, of the product, of the edge itself).
 */
const MARGIN = 1e-9;
/** Most top mantissa bits a table may use (2^16 entries per octave). */
const MAX_MANTISSA_BITS = 16;
/** Magnitudes below this are left to the formula (all of them sit in the first bucket of any sane grid anyway). */
const SMALLEST = 2 ** -32;

/**
 * The sketch bucket of |z| without a Math.log or a branch per region: a table indexed by the exponent and top
 * mantissa bits of |z| gives the bucket at the start of its sub-octave (sub-octaves are narrower than half a bucket,
 * so |z| is in that bucket or the next), then comparisons against the buckets' edges settle it. Within a tiny margin
 * of an edge, or outside the table's range, `find` gives up (-1) and the caller computes the formula itself, so the
 * result always equals the formula's, rounding included.
 */
export class MagnitudeBuckets {
  /** Bucket m covers [lowEdge[m], highEdge[m]) of |z|, with the margins taken off. */
  private readonly lowEdge: Float64Array;
  private readonly highEdge: Float64Array;
  private readonly bucketAtKey: Int32Array;
  private readonly shift: number;
  private readonly firstKey: number;

  private constructor(edges: Float64Array, mantissaBits: number, bucketAtKey: Int32Array) {
    const n = edges.length;
    this.lowEdge = new Float64Array(n + 1);
    this.highEdge = new Float64Array(n + 1);
    for (let m = 0; m < n; m++) {
      this.lowEdge[m] = edges[m]! * (1 + MARGIN);
      // The last bucket is unbounded above (the formula clamps to it).
      this.highEdge[m] = m + 1 < n ? edges[m + 1]! * (1 - MARGIN) : Number.POSITIVE_INFINITY;
    }
    // A sentinel past the last bucket that nothing falls into.
    this.lowEdge[n] = Number.POSITIVE_INFINITY;
    this.shift = 20 - mantissaBits;
    this.firstKey = keyOf(SMALLEST, this.shift);
    this.bucketAtKey = bucketAtKey;
  }

  /**
   * The table for bucket lower edges `edges` (ascending, edges[0] = 0, the last bucket unbounded) over magnitudes up
   * to `limit`, or undefined when no table of a sane size separates the edges (then: the formula).
   */
  static of(cacheKey: string, edges: Float64Array, limit: number): MagnitudeBuckets | undefined {
    const cached = cache.get(cacheKey);
    if (cached !== undefined) return cached;
    let buckets: MagnitudeBuckets | undefined;
    for (let bits = 4; bits <= MAX_MANTISSA_BITS && buckets === undefined; bits++) {
      const table = tableOf(edges, limit, bits);
      if (table) buckets = new MagnitudeBuckets(edges, bits, table);
    }
    if (cache.size >= 16) cache.delete(cache.keys().next().value!);
    if (buckets) cache.set(cacheKey, buckets);
    return buckets;
  }

  /** The bucket of a magnitude a = |z|, or -1 when the caller must compute it. */
  find(a: number): number {
    float[0] = a;
    return this.findByHighWord(a, words[HIGH_WORD]!);
  }

  /**
   * For each z of `zs[0, count)` (whose bits `zWords` views: zWords[2r + HIGH_WORD] is z's high word), the bucket of
   * |z| mirrored for negative z (~m, that is -1 - m), or UNDECIDED where `find` would give up. Reading a double's
   * bits right after writing it stalls on store forwarding; values written a whole column earlier do not.
   */
  findAllSigned(zs: Float64Array, zWords: Int32Array, count: number, out: Int32Array): void {
    const shift = this.shift;
    const firstKey = this.firstKey;
    const bucketAtKey = this.bucketAtKey;
    const lowEdge = this.lowEdge;
    const highEdge = this.highEdge;
    for (let r = 0; r < count; r++) {
      const high = zWords[2 * r + HIGH_WORD]!;
      const at = ((high & 0x7fffffff) >> shift) - firstKey;
      if (at >>> 0 >= bucketAtKey.length) {
        out[r] = UNDECIDED;
        continue;
      }
      const a = Math.abs(zs[r]!);
      let m = bucketAtKey[at]!;
      // The next bucket or this one, by arithmetic: which one is close to a coin flip, a poor branch. (V8 compiles
      // +boolean without a branch; `cond ? 1 : 0` becomes one.)
      m += +(a >= highEdge[m]!);
      out[r] = a >= lowEdge[m]! && a < highEdge[m]! ? m ^ (high >> 31) : UNDECIDED;
    }
  }

  /** `find` for callers that already hold the high 32 bits of a's double (sign cleared). */
  findByHighWord(a: number, highWord: number): number {
    const at = (highWord >> this.shift) - this.firstKey;
    // One unsigned comparison rejects keys below and above the table.
    if (at >>> 0 >= this.bucketAtKey.length) return -1;
    let m = this.bucketAtKey[at]!;
    if (a >= this.highEdge[m]!) m++;
    return a >= this.lowEdge[m]! && a < this.highEdge[m]! ? m : -1;
  }
}

/** Per key, the bucket at the key's first magnitude; undefined when some key's sub-octave holds two edges. */
function tableOf(edges: Float64Array, limit: number, mantissaBits: number): Int32Array | undefined {
  const shift = 20 - mantissaBits;
  const firstKey = keyOf(SMALLEST, shift);
  const lastKey = keyOf(limit, shift);
  const table = new Int32Array(lastKey - firstKey + 1);
  let m = 0;
  for (let key = firstKey; key <= lastKey; key++) {
    const start = startOf(key, shift);
    while (m + 1 < edges.length && edges[m + 1]! <= start) m++;
    table[key - firstKey] = m;
    // The next key's start must not lie beyond the next edge but one.
    const end = startOf(key + 1, shift);
    if (m + 2 < edges.length && edges[m + 2]! < end) return undefined;
  }
  return table;
}

/** Grids of one process share a few (relative accuracy, linear limit) pairs: one table each. */
const cache = new Map<string, MagnitudeBuckets>();

/** Exponent and top mantissa bits of a positive double. */
function keyOf(z: number, shift: number): number {
  float[0] = z;
  return words[HIGH_WORD]! >> shift;
}

/** The smallest positive double of a key. */
function startOf(key: number, shift: number): number {
  words[HIGH_WORD] = key << shift;
  words[1 - HIGH_WORD] = 0;
  return float[0]!;
}
