import { AUC_BINS, type PerformanceState } from './profile.js';
import type { LabelSchema } from './schema.js';

/** Same shape as BaselineProfile.metrics (shared/baseline/profile.ts). */
export interface PerformanceMetrics {
  labelled: number;
  accuracy: number;
  /** Of the positive class when binary, else the macro average over label classes. */
  precision: number;
  recall: number;
  f1: number;
  /** Binary only (null otherwise or when one class is absent). */
  auc: number | null;
}

/** Metrics from confusion counts (null with no labelled record). */
export function performanceMetrics(state: PerformanceState, labels: LabelSchema): PerformanceMetrics | null {
  if (state.labelled === 0) return null;
  const k = labels.classes.length + 1;
  const cell = (actual: number, predicted: number): number => state.confusion[actual * k + predicted] ?? 0;
  let correct = 0;
  for (let i = 0; i < k; i++) correct += cell(i, i);
  const perClass = (c: number): { precision: number; recall: number; f1: number } => {
    let predicted = 0;
    let actual = 0;
    for (let i = 0; i < k; i++) {
      predicted += cell(i, c);
      actual += cell(c, i);
    }
    const tp = cell(c, c);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1 };
  };
  const positive = labels.positiveClass === null ? -1 : labels.classes.indexOf(labels.positiveClass);
  let precision: number;
  let recall: number;
  let f1: number;
  if (positive >= 0 && labels.classes.length === 2) {
    ({ precision, recall, f1 } = perClass(positive));
  } else {
    const all = labels.classes.map((_, c) => perClass(c));
    precision = mean(all.map((m) => m.precision));
    recall = mean(all.map((m) => m.recall));
    f1 = mean(all.map((m) => m.f1));
  }
  return {
    labelled: state.labelled,
    accuracy: correct / state.labelled,
    precision,
    recall,
    f1,
    auc: state.scoreHistogram ? histogramAuc(state.scoreHistogram) : null,
  };
}

/** AUC = P(score_pos > score_neg) + ½ P(equal bin), from the two score histograms (Mann–Whitney on bins). */
export function histogramAuc(histogram: {
  positive: ReadonlyArray<number>;
  negative: ReadonlyArray<number>;
}): number | null {
  let positives = 0;
  let negatives = 0;
  for (let i = 0; i < AUC_BINS; i++) {
    positives += histogram.positive[i] ?? 0;
    negatives += histogram.negative[i] ?? 0;
  }
  if (positives === 0 || negatives === 0) return null;
  let below = 0;
  let wins = 0;
  for (let i = 0; i < AUC_BINS; i++) {
    const p = histogram.positive[i] ?? 0;
    const n = histogram.negative[i] ?? 0;
    wins += p * (below + n / 2);
    below += n;
  }
  return wins / (positives * negatives);
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

/**
 * Standard errors of the metrics of one confusion matrix, each treated as a proportion over its own denominator
 * (accuracy over labelled records, precision over predicted, recall over actual members of the class, F1 over
 * TP + (FP + FN) / 2; macro averages: the root of the summed variances over the number of classes), and AUC by
 * Hanley & McNeil (1982). Null where a denominator is empty.
 */
export function metricStandardErrors(
  state: PerformanceState,
  labels: LabelSchema,
  metrics: PerformanceMetrics,
): Record<'accuracy' | 'precision' | 'recall' | 'f1' | 'auc', number | null> {
  const k = labels.classes.length + 1;
  const cell = (actual: number, predicted: number): number => state.confusion[actual * k + predicted] ?? 0;
  // Agresti–Coull: two successes and two failures added, so a perfect score still has a sampling error.
  const proportion = (p: number, n: number): number | null => {
    if (!(n > 0)) return null;
    const adjusted = (p * n + 2) / (n + 4);
    return Math.sqrt((adjusted * (1 - adjusted)) / (n + 4));
  };
  const perClass = (c: number): { precision: number | null; recall: number | null; f1: number | null } => {
    let predicted = 0;
    let actual = 0;
    for (let i = 0; i < k; i++) {
      predicted += cell(i, c);
      actual += cell(c, i);
    }
    const tp = cell(c, c);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = predicted + actual > 0 ? (2 * tp) / (predicted + actual) : 0;
    return {
      precision: proportion(precision, predicted),
      recall: proportion(recall, actual),
      f1: proportion(f1, (predicted + actual) / 2),
    };
  };
  const positive = labels.positiveClass === null ? -1 : labels.classes.indexOf(labels.positiveClass);
  let errors: { precision: number | null; recall: number | null; f1: number | null };
  if (positive >= 0 && labels.classes.length === 2) errors = perClass(positive);
  else {
    const all = labels.classes.map((_, c) => perClass(c));
    const macro = (key: 'precision' | 'recall' | 'f1'): number | null =>
      all.some((e) => e[key] === null)
        ? null
        : Math.sqrt(all.reduce((s, e) => s + e[key]! ** 2, 0)) / Math.max(1, all.length);
    errors = { precision: macro('precision'), recall: macro('recall'), f1: macro('f1') };
  }
  let auc: number | null = null;
  if (metrics.auc !== null && state.scoreHistogram) {
    const positives = state.scoreHistogram.positive.reduce((a, b) => a + b, 0);
    const negatives = state.scoreHistogram.negative.reduce((a, b) => a + b, 0);
    const a = metrics.auc;
    const q1 = a / (2 - a);
    const q2 = (2 * a * a) / (1 + a);
    const variance =
      (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (positives * negatives);
    auc = positives > 0 && negatives > 0 ? Math.sqrt(Math.max(0, variance)) : null;
  }
  return { accuracy: proportion(metrics.accuracy, state.labelled), ...errors, auc };
}
