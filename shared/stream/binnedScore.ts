import { designForBaseline, type IntegerCusumDesign } from './integerCusum.js';
import { normalCdf, normalQuantile } from './normalTail.js';

/**
 * The score's distribution on the baseline's held-out rows, as the bins of its decile edges (numpy's rule: bin i
 * holds [edges[i−1], edges[i])) with their counts; bins the baseline left nearly empty (ties, a discrete score) are
 * merged into a neighbour, since an empty bin would make any score there infinitely surprising.
 */
export interface BinnedScore {
  /** Upper edges of the bins but the last (an event's bin is the number of edges at or below its score). */
  edges: number[];
  probabilities: number[];
  count: number;
}

/** A bin needs this many held-out scores to stand alone. */
const MIN_BIN_COUNT = 20;

export function binnedScore(decileEdges: readonly number[], decileCounts: readonly number[]): BinnedScore | null {
  if (decileCounts.length !== decileEdges.length + 1) return null;
  const count = decileCounts.reduce((a, b) => a + b, 0);
  const edges: number[] = [];
  const counts: number[] = [];
  let pending = 0;
  for (let i = 0; i < decileCounts.length; i++) {
    pending += decileCounts[i]!;
    if (i < decileEdges.length && pending >= MIN_BIN_COUNT && decileEdges[i]! > (edges.at(-1) ?? -Infinity)) {
      counts.push(pending);
      edges.push(decileEdges[i]!);
      pending = 0;
    }
  }
  // What is left after the last edge closes the last bin, or joins the one before it when too few.
  if (pending >= MIN_BIN_COUNT || counts.length === 0) counts.push(pending);
  else {
    counts[counts.length - 1]! += pending;
    edges.pop();
  }
  if (counts.length < 2) return null;
  return { edges, probabilities: counts.map((c) => c / count), count };
}

/** The bin of a score: the number of edges at or below it. */
export function scoreBin(bins: BinnedScore, score: number): number {
  const edges = bins.edges;
  let bin = 0;
  while (bin < edges.length && edges[bin]! <= score) bin++;
  return bin;
}

/**
 * Log-likelihood ratios per bin of the score's distribution moved by `shift` standard deviations on the normal scale
 * of the baseline's own quantiles (bin i of cumulative share C_i gets Φ(Φ⁻¹(C_i) − shift) − Φ(Φ⁻¹(C_{i−1}) − shift)):
 * a location shift of whatever shape the score has, since a monotone map of the score changes neither.
 */
export function shiftedLogRatios(bins: BinnedScore, shift: number): number[] {
  const out: number[] = [];
  let cumulative = 0;
  let below = 0; // Φ(a_{i−1} − shift), with a_{−1} = −∞.
  for (let i = 0; i < bins.probabilities.length; i++) {
    const p = bins.probabilities[i]!;
    cumulative += p;
    const upper = i === bins.probabilities.length - 1 ? 1 : normalCdf(normalQuantile(Math.min(1, cumulative)) - shift);
    out.push(Math.log(Math.max(upper - below, 1e-300) / p));
    below = upper;
  }
  return out;
}

/**
 * One walk per direction and shift: thresholds calibrated at the least favourable distribution within `z` standard
 * errors of the baseline's bin shares, each to `budget` events; a shift the baseline is too small to see is widened
 * (designForBaseline), and `shift` says what each walk was tuned to. A walk no shift of this baseline can support is
 * left out.
 */
export function designScoreWalks(
  bins: BinnedScore,
  shifts: readonly number[],
  budget: number,
  z: number,
): Array<{ direction: 'up' | 'down'; shift: number; design: IntegerCusumDesign; hitProbability: number }> {
  const walks = [];
  for (const direction of ['up', 'down'] as const)
    for (const shift of shifts) {
      const sign = direction === 'up' ? 1 : -1;
      const made = designForBaseline(
        (size) => shiftedLogRatios(bins, sign * size),
        shift,
        bins.probabilities,
        bins.count,
        z,
        budget,
      );
      if (!made) continue;
      const hitProbability = bins.probabilities.reduce((a, p, j) => a + (made.design.steps[j]! > 0 ? p : 0), 0);
      walks.push({ direction, shift: made.size, design: made.design, hitProbability });
    }
  return walks;
}
