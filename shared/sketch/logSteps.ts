/** Which 32-bit word of a Float64Array element holds its sign, exponent and top mantissa bits. */
const HIGH_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const float = new Float64Array(1);
const words = new Int32Array(float.buffer);
/**
 * Relative margin around each step's edge inside which `find` does not decide. The formula it stands in for is off
 * by far less (about 1e-14 relative: a rounding of Math.log, of the product, of the edge itself).
 */
const MARGIN = 1e-9;
/** Most top mantissa bits a table may use (2^16 entries per octave). */
const MAX_MANTISSA_BITS = 16;

/**
 * floor((ln z - ln base) / ln gamma) for base <= z <= limit, without a Math.log per value: a table indexed by the
 * exponent and top mantissa bits of z gives the step at the start of z's sub-octave (sub-octaves are narrower than a
 * step, so z is in that step or the next), then two comparisons against the steps' edges settle it. Within a tiny
 * margin of an edge `find` gives up (-1) and the caller computes the formula itself, so the result always equals
 * the formula's, rounding included.
 */
export class LogSteps {
  /** Step k covers [lowEdge[k], highEdge[k]) with the margins taken off, in z. */
  private readonly lowEdge: Float64Array;
  private readonly highEdge: Float64Array;
  private readonly stepAtKey: Int32Array;
  private readonly shift: number;
  private readonly firstKey: number;

  private constructor(base: number, logGamma: number, limit: number, mantissaBits: number) {
    const steps = Math.floor(Math.log(limit / base) / logGamma) + 3;
    this.lowEdge = new Float64Array(steps + 1);
    this.highEdge = new Float64Array(steps + 1);
    const edge = (k: number): number => base * Math.exp(k * logGamma);
    for (let k = 0; k <= steps; k++) {
      this.lowEdge[k] = edge(k) * (1 + MARGIN);
      this.highEdge[k] = edge(k + 1) * (1 - MARGIN);
    }
    // The last step ends at +Infinity: a z there is out of the table (the caller clamps z to limit first anyway).
    this.highEdge[steps] = 0;
    this.shift = 20 - mantissaBits;
    this.firstKey = keyOf(base, this.shift);
    const lastKey = keyOf(limit, this.shift);
    this.stepAtKey = new Int32Array(lastKey - this.firstKey + 1);
    let k = 0;
    for (let key = this.firstKey; key <= lastKey; key++) {
      const start = startOf(key, this.shift);
      while (k + 1 < steps && edge(k + 1) <= start) k++;
      this.stepAtKey[key - this.firstKey] = k;
    }
  }

  /** The table for a grid, or undefined when its steps are too fine or its range is odd (then: Math.log). */
  static of(base: number, gamma: number, logGamma: number, limit: number): LogSteps | undefined {
    const mantissaBits = Math.ceil(Math.log2(2 / (gamma - 1)));
    if (!(mantissaBits <= MAX_MANTISSA_BITS) || !(base >= 2 ** -1000) || !(limit <= 2 ** 1000)) return undefined;
    const key = `${base}:${gamma}:${limit}`;
    let steps = cache.get(key);
    if (steps === undefined) {
      steps = new LogSteps(base, logGamma, limit, Math.max(mantissaBits, 1));
      if (cache.size >= 16) cache.delete(cache.keys().next().value!);
      cache.set(key, steps);
    }
    return steps;
  }

  /** The step of z (base <= z <= limit), or -1 when z is too close to an edge to decide without the formula. */
  find(z: number): number {
    float[0] = z;
    let k = this.stepAtKey[(words[HIGH_WORD]! >> this.shift) - this.firstKey]!;
    if (z >= this.highEdge[k]!) k++;
    return z >= this.lowEdge[k]! && z < this.highEdge[k]! ? k : -1;
  }
}

/** Grids of one process share a few (relative accuracy, linear limit) pairs: one table each. */
const cache = new Map<string, LogSteps>();

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
