import type { PerformanceMetrics } from './profile.js';

/** Accuracy, precision, recall, F1 of the predictions and rank AUC of the positive probabilities, on labelled rows. */
export function binaryMetrics(
  labels: ReadonlyArray<string | null>,
  predictions: ReadonlyArray<string>,
  positiveProbabilities: Float64Array,
  positive: string,
): PerformanceMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  const scored: Array<{ p: number; y: boolean }> = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label === null || label === undefined) continue;
    const actual = label === positive;
    const predicted = predictions[i] === positive;
    if (actual && predicted) tp++;
    else if (actual) fn++;
    else if (predicted) fp++;
    else tn++;
    scored.push({ p: positiveProbabilities[i]!, y: actual });
  }
  const labelled = tp + fp + tn + fn;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return {
    labelled,
    accuracy: labelled > 0 ? (tp + tn) / labelled : 0,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    auc: rankAuc(scored),
  };
}

/** Mann–Whitney AUC with average ranks for ties. */
function rankAuc(rows: Array<{ p: number; y: boolean }>): number {
  const positives = rows.filter((r) => r.y).length;
  const negatives = rows.length - positives;
  if (positives === 0 || negatives === 0) return 0.5;
  const sorted = [...rows].sort((a, b) => a.p - b.p);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]!.p === sorted[i]!.p) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (sorted[k]!.y) rankSum += averageRank;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}
