/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32), so that training the forest, and
 * anything else that samples, gives byte-identical results for a seed on every machine. Math.random cannot be seeded.
 */
export interface Random {
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number;
  /** A uniform integer in [0, bound), for 1 <= bound <= 2^32. */
  nextInt(bound: number): number;
  /** A standard normal draw (Box–Muller; the second value of each pair is kept for the next call). */
  nextGaussian(): number;
}

const TWO_POW_32 = 4_294_967_296;
const TWO_POW_53 = 9_007_199_254_740_992;

/** `seed` is any safe integer (negative ones included); both of its 32-bit halves feed the state. */
export function createRandom(seed: number): Random {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  // splitmix32 spreads a small seed over all 128 bits of state; its outputs are never all zero for distinct inputs.
  let mix = (low ^ Math.imul(high, 0x9e3779b9)) >>> 0;
  const splitmix = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let s0 = splitmix();
  let s1 = splitmix();
  let s2 = splitmix();
  let s3 = splitmix();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  };
  const nextFloat = (): number => ((nextUint32() >>> 5) * 67_108_864 + (nextUint32() >>> 6)) / TWO_POW_53;
  let spareGaussian: number | undefined;

  return {
    nextUint32,
    nextFloat,
    nextInt(bound: number): number {
      if (!Number.isInteger(bound) || bound < 1 || bound > TWO_POW_32) {
        throw new RangeError(`bound must be an integer in [1, 2^32], got ${bound}`);
      }
      // Rejecting the short first stretch of the 32-bit range keeps the draw exactly uniform for every bound.
      const threshold = (TWO_POW_32 - bound) % bound;
      for (;;) {
        const draw = nextUint32();
        if (draw >= threshold) return draw % bound;
      }
    },
    nextGaussian(): number {
      if (spareGaussian !== undefined) {
        const value = spareGaussian;
        spareGaussian = undefined;
        return value;
      }
      const u = 1 - nextFloat(); // in (0, 1], so the log is finite
      const v = nextFloat();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareGaussian = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
