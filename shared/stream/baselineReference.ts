import { AUC_BINS, type PerformanceState } from '../drift/profile.js';

/** The part of a baseline profile (shared/baseline/profile.ts) the stream detectors read. */
export interface StreamBaseline {
  profileVersion: string;
  heldOut: { performance: PerformanceState | null; scoredBy: { classes: string[] } };
  schema: { prediction: { score: { decileEdges: number[] } | null } | null };
  data: { prediction: { score: { decileCounts: number[] } | null } | null };
}

/**
 * What the stream detectors compare against, read from the baseline profile: the held-out error rate (of the scored,
 * labelled held-out rows, as production scores them), the share of held-out scores at or above the score's decile
 * edge nearest the median, and for a binary classifier the calibration of its probabilities (expected calibration
 * error over the held-out score histogram) and the accuracy those probabilities promise.
 */
export interface BaselineReference {
  /** Null without labelled held-out rows. */
  error: { rate: number; labelled: number } | null;
  /** Null without a score profile of at least MIN_SCORES held-out scores. */
  score: { edge: number; shareAtOrAbove: number; count: number } | null;
  calibration: { expectedCalibrationError: number; expectedAccuracy: number; accuracy: number } | null;
}

const MIN_LABELLED = 100;
const MIN_SCORES = 100;
const CALIBRATION_BINS = 10;

export function baselineReference(profile: StreamBaseline): BaselineReference {
  const performance = profile.heldOut.performance;
  let error: BaselineReference['error'] = null;
  if (performance && performance.labelled >= MIN_LABELLED) {
    const k = Math.round(Math.sqrt(performance.confusion.length));
    let correct = 0;
    for (let c = 0; c < k; c++) correct += performance.confusion[c * k + c] ?? 0;
    error = { rate: (performance.labelled - correct) / performance.labelled, labelled: performance.labelled };
  }
  return { error, score: scoreReference(profile), calibration: calibrationOf(profile, error) };
}

function scoreReference(profile: StreamBaseline): BaselineReference['score'] {
  const edges = profile.schema.prediction?.score?.decileEdges;
  const counts = profile.data.prediction?.score?.decileCounts;
  if (!edges || !counts || counts.length !== edges.length + 1) return null;
  const count = counts.reduce((a, b) => a + b, 0);
  if (count < MIN_SCORES) return null;
  // Bucket i holds [edges[i-1], edges[i]) (numpy's rule), so "at or above edges[i]" is buckets i+1 onwards.
  let best: BaselineReference['score'] = null;
  let above = count;
  for (let i = 0; i < edges.length; i++) {
    above -= counts[i]!;
    const share = above / count;
    if (share <= 0 || share >= 1) continue;
    if (!best || Math.abs(share - 0.5) < Math.abs(best.shareAtOrAbove - 0.5))
      best = { edge: edges[i]!, shareAtOrAbove: share, count };
  }
  return best;
}

function calibrationOf(profile: StreamBaseline, error: BaselineReference['error']): BaselineReference['calibration'] {
  const histogram = profile.heldOut.performance?.scoreHistogram;
  if (!histogram || !error) return null;
  // Ten reliability bins (of AUC_BINS / 10 histogram bins each): finer ones would count their own sampling noise as miscalibration.
  const group = AUC_BINS / CALIBRATION_BINS;
  let n = 0;
  let gap = 0;
  let promised = 0;
  for (let g = 0; g < CALIBRATION_BINS; g++) {
    let positives = 0;
    let total = 0;
    let predicted = 0;
    for (let b = g * group; b < (g + 1) * group; b++) {
      const p = histogram.positive[b] ?? 0;
      const t = p + (histogram.negative[b] ?? 0);
      const mid = (b + 0.5) / AUC_BINS;
      positives += p;
      total += t;
      predicted += mid * t;
      promised += Math.max(mid, 1 - mid) * t;
    }
    n += total;
    gap += Math.abs(positives - predicted);
  }
  if (n === 0) return null;
  return { expectedCalibrationError: gap / n, expectedAccuracy: promised / n, accuracy: 1 - error.rate };
}
