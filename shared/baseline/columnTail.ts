/** The largest finite double: JSON has no Infinity, so "no bound" is stored as ±this. */
export const NO_BOUND = Number.MAX_VALUE;

/**
 * The upper tail of one column as seen on calibration values: ln P(X ≥ x) for a new value x. Up to a point u near
 * the top it is the empirical share of values at or above x; beyond u an exponential tail,
 * P = k/n · exp(−(x − u) / β), with k the values above u and β their mean excess over it (the peaks-over-threshold
 * estimate). u is the (k₀ + 1)-th largest value, k₀ = n/10 within [5, 50]; values tied at u are not excesses, so a
 * column mostly at one value extrapolates from the few above it. With no value above u, the tail starts at the
 * largest value, P = 1/(n + 1) there. β is floored at `scaleFloor` so that a short tail still decays; a column that
 * never varied (scaleFloor 0) gets no decay: any larger value has probability 1/(n + 1).
 */
export class ColumnTail {
  private constructor(
    /** Ascending, finite. */
    private readonly sorted: Float64Array,
    /** ln P(X > u): where the exponential tail starts, and its mass. */
    private readonly u: number,
    private readonly logMass: number,
    readonly beta: number,
  ) {}

  static fit(values: Float64Array, scaleFloor: number): ColumnTail {
    return ColumnTail.ofSorted(Float64Array.from(values).sort(), scaleFloor);
  }

  /** As fit, from values already ascending (kept, not copied). */
  static ofSorted(sorted: Float64Array, scaleFloor: number): ColumnTail {
    const n = sorted.length;
    if (n === 0) return new ColumnTail(sorted, 0, 0, Infinity);
    const max = sorted[n - 1]!;
    const beyondMax = Math.log(1 / (n + 1));
    if (!(scaleFloor > 0) || n < 2) return new ColumnTail(sorted, max, beyondMax, Infinity);
    const k0 = Math.min(n - 1, Math.max(5, Math.min(50, Math.floor(n / 10))));
    const u = sorted[n - k0 - 1]!;
    let k = 0;
    let excess = 0;
    for (let i = n - 1; i >= 0 && sorted[i]! > u; i--) {
      k++;
      excess += sorted[i]! - u;
    }
    if (k === 0) return new ColumnTail(sorted, max, beyondMax, scaleFloor);
    return new ColumnTail(sorted, u, Math.log(k / n), Math.max(excess / k, scaleFloor));
  }

  /** ln P(X ≥ x). */
  logTail(x: number): number {
    const n = this.sorted.length;
    if (n === 0) return 0;
    if (x > this.u) return this.beta === Infinity ? this.logMass : this.logMass - (x - this.u) / this.beta;
    return Math.log((n - lowerBound(this.sorted, x)) / n);
  }

  /**
   * The value b with logTail(x) < level exactly when x > b (−NO_BOUND: every value; NO_BOUND: none), from the same
   * expressions logTail evaluates.
   */
  boundBelow(level: number): number {
    const n = this.sorted.length;
    if (n === 0) return level < 0 ? NO_BOUND : -NO_BOUND;
    if (level <= this.logMass) {
      if (this.beta === Infinity) return NO_BOUND;
      const b = this.u + this.beta * (this.logMass - level);
      return Number.isFinite(b) ? b : NO_BOUND;
    }
    // Every x above u is below the level. At or below u, x is when at most c values are at or above it, c the
    // largest count with ln(c / n) < level: when x exceeds the (c + 1)-th largest value.
    let c = Math.min(n, Math.max(1, Math.ceil(Math.exp(level) * n)));
    while (c > 1 && !(Math.log(c / n) < level)) c--;
    while (c < n && Math.log((c + 1) / n) < level) c++;
    if (!(Math.log(c / n) < level)) return this.u;
    if (c >= n) return -NO_BOUND;
    return Math.min(this.sorted[n - 1 - c]!, this.u);
  }
}

/**
 * Both tails of a column: surprise(x) = max(0, −ln(2 · min(P(X ≥ x), P(X ≤ x)))) in nats, the two-sided tail
 * probability of x, and the interval of values whose surprise stays at or below a level.
 */
export class TwoSidedTail {
  private constructor(
    private readonly upper: ColumnTail,
    private readonly lower: ColumnTail,
  ) {}

  static fit(values: Float64Array, scaleFloor: number): TwoSidedTail {
    return TwoSidedTail.ofSorted(Float64Array.from(values).sort(), scaleFloor);
  }

  /** As fit, from values already ascending. */
  static ofSorted(sorted: Float64Array, scaleFloor: number): TwoSidedTail {
    const n = sorted.length;
    const negated = new Float64Array(n);
    for (let i = 0; i < n; i++) negated[i] = -sorted[n - 1 - i]!;
    return new TwoSidedTail(ColumnTail.ofSorted(sorted, scaleFloor), ColumnTail.ofSorted(negated, scaleFloor));
  }

  surprise(x: number): number {
    const s = -Math.LN2 - Math.min(this.upper.logTail(x), this.lower.logTail(-x));
    return s > 0 ? s : 0;
  }

  /** [lo, hi] with surprise(x) > level exactly when x < lo or x > hi. */
  bounds(level: number): [number, number] {
    const at = -level - Math.LN2;
    return [-this.lower.boundBelow(at), this.upper.boundBelow(at)];
  }
}

/** One-sided: surprise(x) = max(0, −ln P(X ≥ x)), for scores where only high is unusual. */
export class UpperTail {
  private constructor(private readonly upper: ColumnTail) {}

  static fit(values: Float64Array, scaleFloor: number): UpperTail {
    return new UpperTail(ColumnTail.fit(values, scaleFloor));
  }

  surprise(x: number): number {
    const s = -this.upper.logTail(x);
    return s > 0 ? s : 0;
  }

  /** hi with surprise(x) > level exactly when x > hi. */
  bound(level: number): number {
    return this.upper.boundBelow(-level);
  }
}

/** First index with sorted[i] >= x (sorted.length when none). */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A robust standard deviation: 1.4826 · MAD (σ for a normal column); the IQR / 1.349 when more than half the values
 * tie at the median; the standard deviation when the middle half ties too; 0 for a constant column.
 */
export function robustSigma(values: Float64Array): number {
  return robustSigmaOfSorted(Float64Array.from(values).sort());
}

/** robustSigma of values already ascending. */
export function robustSigmaOfSorted(sorted: Float64Array): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const median = quantileSorted(sorted, 0.5);
  const deviations = sorted.map((v) => Math.abs(v - median)).sort();
  const mad = quantileSorted(deviations, 0.5);
  if (mad > 0) return 1.4826 * mad;
  const iqr = quantileSorted(sorted, 0.75) - quantileSorted(sorted, 0.25);
  if (iqr > 0) return iqr / 1.349;
  let mean = 0;
  for (const v of sorted) mean += v;
  mean /= n;
  let squares = 0;
  for (const v of sorted) squares += (v - mean) ** 2;
  return Math.sqrt(squares / n);
}

/** Linear-interpolated quantile of ascending values (numpy's default). */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below]!;
  if (below >= sorted.length - 1) return lower;
  return lower + (position - below) * (sorted[below + 1]! - lower);
}
