import { AUC_BINS, type PerformanceState } from '../drift/profile.js';
import { designForBaseline, type IntegerCusumDesign } from './integerCusum.js';

/**
 * How often a binary classifier was wrong on the held-out rows at each level of its confidence (the larger class
 * probability): groups of the held-out score histogram folded at 0.5, each with its rows and errors. A wrong answer
 * the model was sure of is far stronger evidence of concept drift than one it hedged, so an error CUSUM that knows
 * the expected error rate of each event's confidence needs about half the labelled events of one that only knows the
 * overall rate (bench/stream.ts); and since each group's walk drifts down on its own, a change in how confident
 * the model is (covariate shift) leaves it in control: it watches P(wrong | confidence), the concept.
 */
export interface ConfidenceErrors {
  /** Lower confidence edge of each group but the first (an event's group: the number of edges at or below it). */
  edges: number[];
  rows: number[];
  errors: number[];
  total: number;
}

/** Confidence groups: about this many, each with at least MIN_GROUP_ERRORS held-out errors. */
const GROUPS = 10;
const MIN_GROUP_ERRORS = 10;
/** The histogram's errors must agree with the confusion counts this closely, or the prediction is not argmax. */
const AGREEMENT = 0.01;

export function confidenceErrors(performance: PerformanceState | null): ConfidenceErrors | null {
  const histogram = performance?.scoreHistogram;
  if (!performance || !histogram) return null;
  const half = AUC_BINS / 2;
  // Folded bin k holds confidence [0.5 + k/AUC_BINS, 0.5 + (k+1)/AUC_BINS): score bins half+k and half−1−k.
  const rows: number[] = [];
  const errors: number[] = [];
  for (let k = 0; k < half; k++) {
    const hi = half + k;
    const lo = half - 1 - k;
    rows.push(
      (histogram.positive[hi] ?? 0) +
        (histogram.negative[hi] ?? 0) +
        (histogram.positive[lo] ?? 0) +
        (histogram.negative[lo] ?? 0),
    );
    // Above 0.5 the prediction is the positive class, so its negatives are errors; below, its positives.
    errors.push((histogram.negative[hi] ?? 0) + (histogram.positive[lo] ?? 0));
  }
  const total = rows.reduce((a, b) => a + b, 0);
  const totalErrors = errors.reduce((a, b) => a + b, 0);
  const k = Math.round(Math.sqrt(performance.confusion.length));
  let correct = 0;
  for (let c = 0; c < k; c++) correct += performance.confusion[c * k + c] ?? 0;
  const confusionErrors = performance.labelled - correct;
  if (total === 0 || Math.abs(totalErrors - confusionErrors) > Math.max(5, AGREEMENT * total)) return null;
  // From the most confident end down: a group closes once it has its share of rows and enough errors.
  const groups: Array<{ lowK: number; rows: number; errors: number }> = [];
  let current = { lowK: half - 1, rows: 0, errors: 0 };
  for (let kk = half - 1; kk >= 0; kk--) {
    current.rows += rows[kk]!;
    current.errors += errors[kk]!;
    current.lowK = kk;
    if (current.rows >= total / GROUPS && current.errors >= MIN_GROUP_ERRORS && kk > 0) {
      groups.push(current);
      current = { lowK: kk - 1, rows: 0, errors: 0 };
    }
  }
  if (current.rows > 0) {
    const last = groups.at(-1);
    if (last && (current.errors < MIN_GROUP_ERRORS || current.rows < total / (2 * GROUPS))) {
      last.rows += current.rows;
      last.errors += current.errors;
      last.lowK = current.lowK;
    } else groups.push(current);
  }
  groups.reverse();
  if (groups.length < 2 || groups.some((g) => g.errors === 0 || g.errors === g.rows)) return null;
  return {
    edges: groups.slice(1).map((g) => 0.5 + g.lowK / AUC_BINS),
    rows: groups.map((g) => g.rows),
    errors: groups.map((g) => g.errors),
    total,
  };
}

/** The group of an event's confidence. */
export function confidenceGroup(reference: ConfidenceErrors, confidence: number): number {
  const edges = reference.edges;
  let group = 0;
  while (group < edges.length && edges[group]! <= confidence) group++;
  return group;
}

/**
 * The walk for a concept drift that makes a share `flipShare` of all events wrong whatever the model's confidence
 * (the error rate of group g rises from e_g to e_g + flipShare·(1 − e_g)): categories 2g (right) and 2g + 1 (wrong),
 * the threshold calibrated at the least favourable distribution within `z` standard errors of the held-out cells
 * (a share too small for this many held-out rows is widened: designForBaseline).
 */
export function designConfidenceErrorWalk(
  reference: ConfidenceErrors,
  flipShare: number,
  budget: number,
  z: number,
): { design: IntegerCusumDesign; size: number } | null {
  const cells: number[] = [];
  for (let g = 0; g < reference.rows.length; g++)
    cells.push((reference.rows[g]! - reference.errors[g]!) / reference.total, reference.errors[g]! / reference.total);
  const ratiosFor = (share: number): number[] => {
    const llr: number[] = [];
    for (let g = 0; g < reference.rows.length; g++) {
      const e = reference.errors[g]! / reference.rows[g]!;
      const shifted = Math.min(0.999, e + share * (1 - e));
      llr.push(Math.log((1 - shifted) / (1 - e)), Math.log(shifted / e));
    }
    return llr;
  };
  return designForBaseline(ratiosFor, flipShare, cells, reference.total, z, budget);
}
