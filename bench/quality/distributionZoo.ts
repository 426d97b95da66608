/**
 * The distributions that broke the sketch's KS and Wasserstein (issue 11): integer-valued, binary, gapped, constant
 * and near-constant, far out of the baseline's range, heavy-tailed, plus normal and uniform. Each case is a baseline
 * and a drifted current distribution, described as data so that scripts/golden/distribution_zoo.py draws exactly the
 * same values with numpy (same counter-based generator, same formulas) and scipy's exact numbers can be committed
 * as a few bytes per case instead of the values themselves.
 */
export type Draw =
  | { kind: 'normal'; mean: number; std: number }
  | { kind: 'uniform'; low: number; high: number }
  | { kind: 'poisson'; lambda: number }
  | { kind: 'bernoulli'; p: number }
  | { kind: 'constant'; value: number }
  | { kind: 'cauchy'; location: number; scale: number }
  | { kind: 'lognormal'; mu: number; sigma: number }
  | { kind: 'exponential'; rate: number }
  /** floor(normal(mean, std)) mod 24: an hour of the day. */
  | { kind: 'hour'; mean: number; std: number };

/** `first` with probability `weight`, else `second`. */
export type Distribution = Draw | { kind: 'mixture'; weight: number; first: Draw; second: Draw };

export interface ZooCase {
  name: string;
  reference: Distribution;
  current: Distribution;
}

export const DISTRIBUTION_ZOO: readonly ZooCase[] = [
  {
    name: 'normal',
    reference: { kind: 'normal', mean: 0, std: 1 },
    current: { kind: 'normal', mean: 0.1, std: 1 },
  },
  {
    name: 'uniform',
    reference: { kind: 'uniform', low: 0, high: 1 },
    current: { kind: 'uniform', low: 0.05, high: 1.05 },
  },
  { name: 'poisson', reference: { kind: 'poisson', lambda: 3 }, current: { kind: 'poisson', lambda: 4 } },
  { name: 'binary', reference: { kind: 'bernoulli', p: 0.3 }, current: { kind: 'bernoulli', p: 0.448 } },
  {
    name: 'gapped',
    reference: {
      kind: 'mixture',
      weight: 0.5,
      first: { kind: 'uniform', low: 0, high: 1 },
      second: { kind: 'uniform', low: 3, high: 4 },
    },
    current: {
      kind: 'mixture',
      weight: 0.6,
      first: { kind: 'uniform', low: 0, high: 1 },
      second: { kind: 'uniform', low: 3, high: 4 },
    },
  },
  {
    name: 'constant in baseline',
    reference: { kind: 'constant', value: 5 },
    current: {
      kind: 'mixture',
      weight: 0.9,
      first: { kind: 'constant', value: 5 },
      second: { kind: 'normal', mean: 6, std: 1 },
    },
  },
  {
    name: 'near-constant',
    reference: {
      kind: 'mixture',
      weight: 0.98,
      first: { kind: 'constant', value: 0 },
      second: { kind: 'exponential', rate: 1 },
    },
    current: {
      kind: 'mixture',
      weight: 0.95,
      first: { kind: 'constant', value: 0 },
      second: { kind: 'exponential', rate: 1 },
    },
  },
  {
    name: '4% jump to 30',
    reference: { kind: 'normal', mean: 0, std: 1 },
    current: {
      kind: 'mixture',
      weight: 0.96,
      first: { kind: 'normal', mean: 0, std: 1 },
      second: { kind: 'constant', value: 30 },
    },
  },
  {
    name: 'far out of range',
    reference: { kind: 'normal', mean: 0, std: 1 },
    current: { kind: 'normal', mean: 1000, std: 1 },
  },
  {
    name: 'cauchy',
    reference: { kind: 'cauchy', location: 0, scale: 1 },
    current: { kind: 'cauchy', location: 0.5, scale: 1 },
  },
  {
    name: 'lognormal sigma 3',
    reference: { kind: 'lognormal', mu: 0, sigma: 3 },
    current: { kind: 'lognormal', mu: 0.3, sigma: 3 },
  },
  {
    name: 'hour of day',
    reference: { kind: 'hour', mean: 13, std: 4 },
    current: { kind: 'hour', mean: 14.3, std: 4 },
  },
];

/**
 * `count` values of `distribution` for `seed`. Value j reads the uniforms 3j, 3j + 1 and 3j + 2 of the seed's stream
 * (the mixture's choice, then the component's two), so a value never depends on how many were drawn before it.
 */
export function sample(distribution: Distribution, count: number, seed: number): Float64Array {
  const stream = uniformStream(seed);
  const out = new Float64Array(count);
  if (distribution.kind === 'mixture') {
    const first = drawer(distribution.first);
    const second = drawer(distribution.second);
    for (let j = 0; j < count; j++) {
      const u1 = stream(3 * j + 1);
      const u2 = stream(3 * j + 2);
      out[j] = stream(3 * j) < distribution.weight ? first(u1, u2) : second(u1, u2);
    }
    return out;
  }
  const draw = drawer(distribution);
  for (let j = 0; j < count; j++) out[j] = draw(stream(3 * j + 1), stream(3 * j + 2));
  return out;
}

/** One value from two uniforms in [0, 1); the formulas are the Python script's, operation for operation. */
function drawer(d: Draw): (u1: number, u2: number) => number {
  const gaussian = (u1: number, u2: number): number => Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  switch (d.kind) {
    case 'normal':
      return (u1, u2) => d.mean + d.std * gaussian(u1, u2);
    case 'uniform':
      return (u1) => d.low + (d.high - d.low) * u1;
    case 'poisson': {
      const cdf = poissonCdf(d.lambda);
      return (u1) => countAtMost(cdf, u1);
    }
    case 'bernoulli':
      return (u1) => (u1 < d.p ? 1 : 0);
    case 'constant':
      return () => d.value;
    case 'cauchy':
      return (u1) => d.location + d.scale * Math.tan(Math.PI * (u1 - 0.5));
    case 'lognormal':
      return (u1, u2) => Math.exp(d.mu + d.sigma * gaussian(u1, u2));
    case 'exponential':
      return (u1) => -Math.log(1 - u1) / d.rate;
    case 'hour':
      return (u1, u2) => {
        const h = Math.floor(d.mean + d.std * gaussian(u1, u2)) % 24;
        // numpy's mod takes the sign of the divisor; JavaScript's % the dividend's. +0 keeps -0 out.
        return (h < 0 ? h + 24 : h) + 0;
      };
  }
}

/** P(X <= k) for k = 0 … K, summed in order (K = λ + 20√λ + 20 leaves less than 1e-16 beyond). */
function poissonCdf(lambda: number): Float64Array {
  const size = Math.ceil(lambda + 20 * Math.sqrt(lambda) + 20);
  const cdf = new Float64Array(size);
  let p = Math.exp(-lambda);
  let total = p;
  cdf[0] = total;
  for (let k = 1; k < size; k++) {
    p = (p * lambda) / k;
    total += p;
    cdf[k] = total;
  }
  return cdf;
}

/** How many entries of ascending `cdf` are <= u (numpy.searchsorted side='right'): the inverse CDF at u. */
function countAtMost(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! <= u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Uniform k of a seed's stream, in [0, 1) with 53 random bits: two 32-bit words, each a counter hashed twice with
 * Wellons' lowbias32. Counter-based so numpy can draw the same values without a loop.
 */
function uniformStream(seed: number): (k: number) => number {
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new RangeError(`seed must be a uint32: ${seed}`);
  const key = lowbias32((seed ^ 0x9e3779b9) >>> 0);
  return (k) => {
    const high = lowbias32((lowbias32((2 * k) >>> 0) ^ key) >>> 0);
    const low = lowbias32((lowbias32((2 * k + 1) >>> 0) ^ key) >>> 0);
    return ((high >>> 5) * 67_108_864 + (low >>> 6)) / 9_007_199_254_740_992;
  };
}

function lowbias32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}
