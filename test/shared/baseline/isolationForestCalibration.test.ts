import { describe, expect, it } from 'vitest';
import { anomalyProbability, calibrateScores, type ScoreCalibration } from '../../../shared/baseline/calibration.js';
import { compileForest, trainIsolationForest } from '../../../shared/baseline/isolationForest.js';
import { createRandom } from '../../../shared/baseline/random.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Scores uniform on [0.3, 0.8] and labels drawn from P(1 | s) = σ(slope · s + intercept). */
function labelledScores(n: number, slope: number, intercept: number, seed = 11) {
  const random = createRandom(seed);
  const scores = new Float64Array(n);
  const labels = new Array<0 | 1>(n);
  for (let i = 0; i < n; i++) {
    scores[i] = 0.3 + 0.5 * random.nextFloat();
    labels[i] = random.nextFloat() < sigmoid(slope * scores[i]! + intercept) ? 1 : 0;
  }
  return { scores, labels };
}

function platt(calibration: ScoreCalibration) {
  if (calibration.method !== 'platt') throw new Error(`expected platt, got ${calibration.method}`);
  return calibration;
}

describe('calibrateScores without labels: a logistic centred at the threshold', () => {
  const random = createRandom(5);
  const scores = Float64Array.from({ length: 5001 }, () => 0.45 + 0.05 * random.nextGaussian());
  const sorted = Float64Array.from(scores).sort();
  const median = sorted[2500]!;
  const calibration = calibrateScores(scores, undefined, { threshold: 0.52 });

  it('gives probability one half at the threshold, where the forest starts calling anomalies', () => {
    expect(calibration.method).toBe('threshold-logistic');
    expect(anomalyProbability(calibration, 0.52)).toBeCloseTo(0.5, 12);
  });

  it('takes its slope from the spread of the baseline: the median score gets 0.1, its mirror image 0.9', () => {
    expect(calibration).toMatchObject({ center: 0.52 });
    if (calibration.method === 'threshold-logistic') expect(calibration.spread).toBeCloseTo(0.52 - median, 12);
    expect(anomalyProbability(calibration, median)).toBeCloseTo(0.1, 12);
    expect(anomalyProbability(calibration, 0.52 + (0.52 - median))).toBeCloseTo(0.9, 12);
  });

  it('scales with the scores: the same shape on a wider spread has a gentler slope', () => {
    const wider = calibrateScores(
      scores.map((s) => 0.5 + 2 * (s - 0.5)),
      undefined,
      { threshold: 0.54 },
    );
    expect(wider.slope).toBeCloseTo(calibration.slope / 2, 9);
  });

  it('is increasing and stays in [0, 1] over and beyond the score range', () => {
    let previous = -1;
    for (const s of [-10, 0, 0.2, 0.4, 0.5, 0.52, 0.6, 0.8, 1, 10]) {
      const p = anomalyProbability(calibration, s);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(p).toBeGreaterThanOrEqual(previous);
      previous = p;
    }
  });

  it('defaults the centre to the (1 − contamination) quantile of the scores, as the forest sets its threshold', () => {
    const byDefault = calibrateScores(scores);
    const expected = sorted[4500]!; // (n − 1) · 0.9 = 4500 exactly
    expect(byDefault).toMatchObject({ method: 'threshold-logistic', center: expected });
    const stricter = calibrateScores(scores, undefined, { contamination: 0.01 });
    expect(stricter).toMatchObject({ center: sorted[4950]! });
  });

  it('matches the forest: P(anomaly) > 0.5 exactly for the rows the forest flags', () => {
    const r = createRandom(8);
    const values = Float64Array.from({ length: 600 * 3 }, () => r.nextGaussian());
    const matrix = { rows: 600, columns: 3, values };
    const trained = trainIsolationForest(matrix, { seed: 2 });
    if (!trained.ok) throw new Error(trained.error.message);
    const forest = compileForest(trained.value);
    const trainingScores = forest.scoreMany(matrix);
    const fitted = calibrateScores(trainingScores, undefined, { threshold: forest.threshold });
    for (const s of trainingScores) expect(anomalyProbability(fitted, s) > 0.5).toBe(forest.isAnomaly(s));
  });

  it('falls back to the standard deviation, then to a small floor, when the spread is zero', () => {
    const heavyTop = Float64Array.from([0.3, 0.4, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]);
    const fromStd = calibrateScores(heavyTop);
    const mean = heavyTop.reduce((a, b) => a + b) / heavyTop.length;
    const std = Math.sqrt(heavyTop.reduce((a, b) => a + (b - mean) ** 2, 0) / heavyTop.length);
    expect(fromStd).toMatchObject({ method: 'threshold-logistic', center: 0.6 });
    if (fromStd.method === 'threshold-logistic') expect(fromStd.spread).toBeCloseTo(std, 12);

    const identical = calibrateScores(new Float64Array(10).fill(0.5));
    expect(identical).toMatchObject({ method: 'threshold-logistic', center: 0.5, spread: 1e-6 });
    expect(Number.isFinite(identical.slope)).toBe(true);
    expect(anomalyProbability(identical, 0.5)).toBeCloseTo(0.5, 9);
    expect(anomalyProbability(identical, 0.51)).toBe(1);
  });

  it('ignores labels of one class only, and says why', () => {
    const ones = calibrateScores(scores, new Array<0 | 1>(scores.length).fill(1), { threshold: 0.52 });
    expect(ones).toEqual({ ...calibration, reason: 'labels hold one class only (5001 positive, 0 negative)' });
    const zeros = calibrateScores(scores, new Array<0 | 1>(scores.length).fill(0), { threshold: 0.52 });
    expect(zeros).toMatchObject({
      method: 'threshold-logistic',
      reason: 'labels hold one class only (0 positive, 5001 negative)',
    });
  });
});

describe('calibrateScores with binary labels: Platt scaling', () => {
  it('recovers the logistic the labels were drawn from', () => {
    const { scores, labels } = labelledScores(40_000, 12, -7);
    const fitted = platt(calibrateScores(scores, labels));
    expect(fitted.slope).toBeGreaterThan(12 - 1);
    expect(fitted.slope).toBeLessThan(12 + 1);
    expect(fitted.intercept).toBeGreaterThan(-7 - 0.6);
    expect(fitted.intercept).toBeLessThan(-7 + 0.6);
    for (const s of [0.3, 0.5, 0.7])
      expect(Math.abs(anomalyProbability(fitted, s) - sigmoid(12 * s - 7))).toBeLessThan(0.02);
  });

  it('sits at the optimum of the cross-entropy against the prior-corrected targets (gradient zero)', () => {
    const { scores, labels } = labelledScores(3000, 8, -4.5, 21);
    const fitted = platt(calibrateScores(scores, labels));
    const high = (fitted.positives + 1) / (fitted.positives + 2);
    const low = 1 / (fitted.negatives + 2);
    let gradientSlope = 0;
    let gradientIntercept = 0;
    scores.forEach((s, i) => {
      const residual = anomalyProbability(fitted, s) - (labels[i] === 1 ? high : low);
      gradientSlope += residual * s;
      gradientIntercept += residual;
    });
    expect(Math.abs(gradientSlope)).toBeLessThan(1e-6);
    expect(Math.abs(gradientIntercept)).toBeLessThan(1e-6);
    expect(fitted.positives + fitted.negatives).toBe(3000);
    expect(fitted.positives).toBe(labels.filter((l) => l === 1).length);
    expect(fitted.iterations).toBeGreaterThan(0);
  });

  it('stays finite on perfectly separated labels, thanks to the prior correction', () => {
    const scores = Float64Array.from([0.3, 0.35, 0.4, 0.42, 0.6, 0.65, 0.7]);
    const fitted = platt(calibrateScores(scores, [0, 0, 0, 0, 1, 1, 1]));
    expect(Number.isFinite(fitted.slope) && Number.isFinite(fitted.intercept)).toBe(true);
    expect(anomalyProbability(fitted, 0.3)).toBeLessThan(0.2);
    expect(anomalyProbability(fitted, 0.7)).toBeGreaterThan(0.8);
    // The targets are 4/5 and 1/6, not 1 and 0: the fit cannot claim certainty on seven rows.
    expect(anomalyProbability(fitted, 0.7)).toBeLessThan(0.99);
  });

  it('follows the labels when high scores mean the negative class (negative slope)', () => {
    const { scores, labels } = labelledScores(5000, -10, 5.5, 4);
    const fitted = platt(calibrateScores(scores, labels));
    expect(fitted.slope).toBeLessThan(0);
    expect(anomalyProbability(fitted, 0.3)).toBeGreaterThan(anomalyProbability(fitted, 0.8));
  });

  it('gives a flat curve at the base rate when scores carry no information', () => {
    const scores = new Float64Array(400).fill(0.5);
    const labels = Array.from({ length: 400 }, (_, i) => (i % 4 === 0 ? 1 : 0)) as Array<0 | 1>;
    const fitted = platt(calibrateScores(scores, labels));
    // Targets average (100 · 101/102 + 300 · 1/302) / 400: the prior-corrected base rate, about 0.25.
    const expected = (100 * (101 / 102) + 300 * (1 / 302)) / 400;
    expect(anomalyProbability(fitted, 0.5)).toBeCloseTo(expected, 6);
  });
});

describe('calibrateScores: caller errors throw CALIBRATION.INVALID_INPUT', () => {
  it.each([
    ['no scores', new Float64Array(0), undefined, 'No scores to calibrate'],
    ['a NaN score', Float64Array.from([0.5, Number.NaN]), undefined, 'Score 1 is NaN'],
    ['labels of another length', Float64Array.from([0.5, 0.6]), [0, 1, 1], '3 labels for 2 scores'],
    ['a label other than 0 or 1', Float64Array.from([0.5, 0.6]), [0, 2], 'Label 1 is 2, expected 0 or 1'],
  ])('for %s', (_what, scores, labels, message) => {
    let thrown: unknown;
    try {
      calibrateScores(scores, labels as Array<0 | 1> | undefined);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CALIBRATION.INVALID_INPUT', message });
  });
});
