import type { SketchCounts, SketchGrid } from '../../sketch/logBucketSketch.js';

/** mean_b − mean_a as the profiles' float sums give it, and how far it may be from the exact difference. */
export interface MeanDifference {
  value: number;
  allowance: number;
}

export interface SketchStatistics {
  /** A lower bound of the true KS statistic: the true one lies in [ksStatistic, ksStatistic + ksBound]. */
  ksStatistic: number;
  ksBound: number;
  /** The true W1 lies within ±wassersteinBound of this. */
  wasserstein: number;
  wassersteinBound: number;
}

/**
 * KS and W1 between side a, known by its sketch, and side b, known by its sketch or also by its sorted values
 * (`bValues`, a small window), both counted on `grid`. Within a sketched bucket a side's CDF is unknown between its
 * values at the bucket's edges; everywhere else both CDFs are known. So D = F_a − F_b is bounded piece by piece
 * (a piece is a bucket, or the stretch between two of b's values inside one), which bounds KS and ∫|D| both ways;
 * and, with s the sign of the mean difference, ∫|D| = |Δmean| + 2∫(s·D)⁻ exactly, so with the mean difference
 * known only pieces where D may take the minority sign leave W uncertain. The reported W is the piecewise linear
 * interpolation of the sketched CDFs with the exact mean difference put back, kept inside the interval.
 */
export function sketchStatistics(
  grid: SketchGrid,
  a: SketchCounts,
  b: SketchCounts,
  globalMin: number,
  globalMax: number,
  options: { meanDifference?: MeanDifference | null; bValues?: ArrayLike<number> | null } = {},
): SketchStatistics {
  const meanDifference = options.meanDifference ?? null;
  const bValues = options.bValues ?? null;
  const totalA = a.counts.reduce((s, c) => s + c, 0);
  const totalB = b.counts.reduce((s, c) => s + c, 0);
  if (bValues !== null && bValues.length !== totalB) throw new RangeError('bValues must hold every value of b');
  const lo = Math.min(a.offset, b.offset);
  const hi = Math.max(a.offset + a.counts.length, b.offset + b.counts.length) - 1;
  // ∫(F_a − F_b) = mean_b − mean_a, so s·D is mostly non-negative.
  const gap = new GapIntegral(meanDifference === null || meanDifference.value >= 0 ? 1 : -1);
  let cumulativeA = 0;
  let cumulativeB = 0;
  let next = 0;
  for (let index = lo; index <= hi; index++) {
    const countA = a.counts[index - a.offset] ?? 0;
    const countB = b.counts[index - b.offset] ?? 0;
    const lower = index === lo ? globalMin : Math.max(grid.lower(index), globalMin);
    const upper = index === hi ? globalMax : Math.min(grid.upper(index), globalMax);
    const fa = cumulativeA / totalA;
    const fb = cumulativeB / totalB;
    const pa = countA / totalA;
    if (bValues === null || countB === 0) {
      const pb = countB / totalB;
      // Both CDFs unknown inside: each side's mass spread evenly over the bucket.
      gap.piece(upper - lower, fa - fb, fa + pa - fb - pb, fa - fb - pb, fa + pa - fb);
    } else {
      // b's CDF is a known step function here: one piece per stretch between its values. a's mass is taken to lie
      // like b's within the bucket (exact for discrete features, where both sit on the same few values).
      let from = lower;
      for (let k = 0; k <= countB; k++) {
        const to = k < countB ? Math.min(Math.max(bValues[next + k]!, from), upper) : upper;
        const c = (cumulativeB + k) / totalB;
        const estimate = fa + (pa * k) / countB - c;
        gap.piece(to - from, estimate, estimate, fa - c, fa + pa - c);
        from = to;
      }
      next += countB;
    }
    cumulativeA += countA;
    cumulativeB += countB;
    // At the bucket's upper edge both CDFs are known.
    gap.known(cumulativeA / totalA - cumulativeB / totalB);
  }
  return gap.result(meanDifference);
}

/** The KS and ∫|D| bookkeeping over pieces on which D = F_a − F_b is bounded. */
class GapIntegral {
  private ks = 0;
  private ksUpper = 0;
  /** ∫|D|: interpolated, least and most possible; the same for ∫(s·D)⁻. */
  private interpolated = 0;
  private least = 0;
  private most = 0;
  private minorInterpolated = 0;
  private minorLeast = 0;
  private minorMost = 0;

  constructor(private readonly sign: 1 | -1) {}

  /** A value of D known exactly. */
  known(d: number): void {
    this.ks = Math.max(this.ks, Math.abs(d));
    this.ksUpper = Math.max(this.ksUpper, Math.abs(d));
  }

  /**
   * A piece of the line, `width` long, on which D is estimated to go linearly from e0 to e1 and certainly lies in
   * [low, high] (and takes any value there, for all the histograms know).
   */
  piece(width: number, e0: number, e1: number, low: number, high: number): void {
    if (width > 0) this.ks = Math.max(this.ks, low > 0 ? low : high < 0 ? -high : 0);
    this.ksUpper = Math.max(this.ksUpper, Math.abs(low), Math.abs(high));
    if (!(width > 0)) return;
    const s = this.sign;
    const sLow = s > 0 ? low : -high;
    const sHigh = s > 0 ? high : -low;
    this.interpolated += width * absoluteArea(e0, e1);
    this.least += width * (sLow > 0 ? sLow : sHigh < 0 ? -sHigh : 0);
    this.most += width * Math.max(Math.abs(sLow), Math.abs(sHigh));
    this.minorInterpolated += width * negativeArea(s * e0, s * e1);
    this.minorLeast += width * Math.max(0, -sHigh);
    this.minorMost += width * Math.max(0, -sLow);
  }

  result(meanDifference: MeanDifference | null): SketchStatistics {
    let wasserstein = this.interpolated;
    let lowest = this.least;
    let highest = this.most;
    if (meanDifference !== null) {
      const shift = Math.abs(meanDifference.value);
      wasserstein = shift + 2 * this.minorInterpolated;
      lowest = Math.max(lowest, shift - meanDifference.allowance + 2 * this.minorLeast);
      highest = Math.min(highest, shift + meanDifference.allowance + 2 * this.minorMost);
    }
    wasserstein = Math.min(Math.max(wasserstein, lowest), highest);
    return {
      ksStatistic: this.ks,
      ksBound: this.ksUpper - this.ks,
      wasserstein,
      wassersteinBound: Math.max(0, wasserstein - lowest, highest - wasserstein),
    };
  }
}

/** ∫|D| over a unit-width piece where D goes linearly from d0 to d1. */
function absoluteArea(d0: number, d1: number): number {
  return d0 * d1 >= 0 ? (Math.abs(d0) + Math.abs(d1)) / 2 : (d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)));
}

/** ∫ max(−D, 0) over a unit-width piece where D goes linearly from d0 to d1. */
function negativeArea(d0: number, d1: number): number {
  if (d0 >= 0 && d1 >= 0) return 0;
  if (d0 <= 0 && d1 <= 0) return -(d0 + d1) / 2;
  const negative = d0 < 0 ? -d0 : -d1;
  return (negative * negative) / (2 * (Math.abs(d0) + Math.abs(d1)));
}
