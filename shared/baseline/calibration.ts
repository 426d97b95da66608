import { MrmError } from '../errors.js';
import { linearQuantile } from './linearQuantile.js';

/**
 * Maps an anomaly score to P(anomaly | score) = 1 / (1 + exp(−(slope · score + intercept))).
 *
 * Two ways to get there, chosen by what the baseline holds:
 * - `platt`: binary labels with both classes present. Platt scaling fits the logistic to the labels by Newton's
 *   method, with Platt's prior correction (targets (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2) instead of 1 and 0) so a
 *   separable baseline does not drive the slope to infinity, following Lin, Lin and Weng (2007) for the numerics.
 * - `threshold-logistic`: no labels (or one class only). Nothing says what the scores mean in probability, so the
 *   curve encodes the forest's own decision: it is centred at the anomaly threshold (p = 0.5 exactly where
 *   `isAnomaly` flips) and its slope comes from the spread of the baseline scores, spread = threshold − median score,
 *   so that a score one spread below the threshold (a typical baseline row) gets p = 0.1 and one spread above gets
 *   0.9. A spread measured on the baseline keeps the curve meaningful whatever the scale of the scores; a fixed
 *   slope would make almost every row either "certain" or "unsure" depending on the data.
 */
export type ScoreCalibration =
  | { method: 'platt'; slope: number; intercept: number; positives: number; negatives: number; iterations: number }
  | {
      method: 'threshold-logistic';
      slope: number;
      intercept: number;
      /** Score with p = 0.5: the anomaly threshold. */
      center: number;
      /** Distance from the centre to p = 0.1 (and to p = 0.9). */
      spread: number;
      /** Why labels were not used, when some were given. */
      reason?: string;
    };

export interface CalibrationOptions {
  /** Centre of the unlabelled curve: the forest's threshold (default: the (1 − contamination) quantile of scores). */
  threshold?: number;
  /** Used for the default threshold (default 0.1). */
  contamination?: number;
}

/** Logit of 0.9: the unlabelled curve reaches 0.1 / 0.9 one spread either side of the threshold. */
const LOGIT_AT_ONE_SPREAD = Math.log(9);
/** Smallest spread, in score units, so identical baseline scores still give a finite, steep curve. */
const MIN_SPREAD = 1e-6;

/**
 * Fits the calibration of the baseline's anomaly scores (see `ScoreCalibration` for the choice of method). Throws
 * `CALIBRATION.INVALID_INPUT` for caller bugs: no scores, a non-finite score, labels of another length or not 0/1.
 */
export function calibrateScores(
  scores: Float64Array,
  labels?: ArrayLike<0 | 1>,
  options: CalibrationOptions = {},
): ScoreCalibration {
  const invalid = (message: string) => new MrmError('bug', 'CALIBRATION.INVALID_INPUT', message);
  if (scores.length === 0) throw invalid('No scores to calibrate');
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i])) throw invalid(`Score ${i} is ${scores[i]}`);
  }
  let reason: string | undefined;
  if (labels !== undefined) {
    if (labels.length !== scores.length) throw invalid(`${labels.length} labels for ${scores.length} scores`);
    let positives = 0;
    for (let i = 0; i < labels.length; i++) {
      const label = labels[i] as unknown;
      if (label !== 0 && label !== 1) throw invalid(`Label ${i} is ${String(label)}, expected 0 or 1`);
      positives += label;
    }
    const negatives = labels.length - positives;
    if (positives > 0 && negatives > 0) return plattScaling(scores, labels, positives, negatives);
    reason = `labels hold one class only (${positives} positive, ${negatives} negative)`;
  }
  const contamination = options.contamination ?? 0.1;
  const center = options.threshold ?? linearQuantile(scores, 1 - contamination);
  let spread = center - linearQuantile(scores, 0.5);
  if (!(spread > MIN_SPREAD)) spread = Math.max(standardDeviation(scores), MIN_SPREAD);
  const slope = LOGIT_AT_ONE_SPREAD / spread;
  const calibration: ScoreCalibration = {
    method: 'threshold-logistic',
    slope,
    intercept: -slope * center,
    center,
    spread,
  };
  if (reason !== undefined) calibration.reason = reason;
  return calibration;
}

/** P(anomaly | score) under a calibration; always in [0, 1]. */
export function anomalyProbability(calibration: ScoreCalibration, score: number): number {
  return sigmoid(calibration.slope * score + calibration.intercept);
}

function sigmoid(z: number): number {
  // Two forms so that exp never overflows.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + exp(z)) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/**
 * Newton's method with backtracking on the cross-entropy of p = σ(slope · s + intercept) against Platt's targets;
 * a tiny ridge on the Hessian keeps it invertible when every score is equal.
 */
function plattScaling(
  scores: Float64Array,
  labels: ArrayLike<0 | 1>,
  positives: number,
  negatives: number,
): ScoreCalibration {
  const n = scores.length;
  const targets = new Float64Array(n);
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  for (let i = 0; i < n; i++) targets[i] = labels[i] === 1 ? high : low;

  const loss = (a: number, b: number): number => {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const z = a * scores[i]! + b;
      total += softplus(z) - targets[i]! * z;
    }
    return total;
  };

  const maxIterations = 100;
  const minStep = 1e-10;
  const ridge = 1e-12;
  let slope = 0;
  let intercept = Math.log((positives + 1) / (negatives + 1));
  let value = loss(slope, intercept);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let gA = 0;
    let gB = 0;
    let hAA = ridge;
    let hAB = 0;
    let hBB = ridge;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      const p = sigmoid(slope * s + intercept);
      const residual = p - targets[i]!;
      const weight = p * (1 - p);
      gA += residual * s;
      gB += residual;
      hAA += weight * s * s;
      hAB += weight * s;
      hBB += weight;
    }
    if (Math.abs(gA) < 1e-7 && Math.abs(gB) < 1e-7) break;
    const determinant = hAA * hBB - hAB * hAB;
    const stepA = -(hBB * gA - hAB * gB) / determinant;
    const stepB = -(hAA * gB - hAB * gA) / determinant;
    const descent = gA * stepA + gB * stepB;
    let step = 1;
    while (step >= minStep) {
      const nextA = slope + step * stepA;
      const nextB = intercept + step * stepB;
      const nextValue = loss(nextA, nextB);
      if (nextValue < value + 1e-4 * step * descent) {
        slope = nextA;
        intercept = nextB;
        value = nextValue;
        break;
      }
      step /= 2;
    }
    if (step < minStep) break; // no progress possible: at the optimum up to rounding
  }
  return { method: 'platt', slope, intercept, positives, negatives, iterations };
}

function standardDeviation(values: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < values.length; i++) mean += values[i]!;
  mean /= values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
  return Math.sqrt(squares / values.length);
}
