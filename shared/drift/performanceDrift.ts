import type { DriftOptions } from './driftOptions.js';
import { performanceMetrics, metricStandardErrors, type PerformanceMetrics } from './performance.js';
import type { PerformanceState } from './profile.js';
import type { LabelSchema } from './schema.js';
import { chiSquareSf } from './stats/special/gamma.js';

export const METRICS = ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const;
export type MetricName = (typeof METRICS)[number];

/** One metric, baseline against window, with the sampling error of both. */
export interface MetricDrop {
  reference: number;
  current: number;
  /** reference − current (positive = worse). */
  drop: number;
  /** Of the drop: both sides' sampling errors combined. */
  standardError: number;
  /** 95% confidence interval of the drop. */
  ci95: [number, number];
  /** One-sided p-value of "no drop". */
  pValue: number;
  /** The drop exceeds the threshold and is significant at the budget (Bonferroni across the judged metrics). */
  conceptDrift: boolean;
}

export interface PerformanceAssessment {
  labelled: number;
  reference: PerformanceMetrics | null;
  current: PerformanceMetrics | null;
  metrics: Partial<Record<MetricName, MetricDrop>>;
  /** False when too few labels or no reference: then conceptDrift is false and `reason` says why. */
  judged: boolean;
  conceptDrift: boolean;
  severity: 'NONE' | 'MEDIUM' | 'HIGH';
  /** Metrics whose drop is concept drift, largest drop first. */
  decidedBy: MetricName[];
  reason?: string;
}

/**
 * Performance of the window against the baseline's out-of-sample performance, like for like (both count only
 * events that were scored). A metric shows concept drift when its drop exceeds the threshold and is beyond sampling
 * error: one-sided z = drop / SE above the (1 − alpha / metrics) normal quantile, so on windows that did not drift
 * false alarms stay within the budget whatever the number of labels.
 */
export function assessPerformance(
  referenceState: PerformanceState | null,
  currentState: PerformanceState | null,
  labels: LabelSchema | null,
  o: DriftOptions,
): PerformanceAssessment | null {
  if (!labels || !currentState) return null;
  const reference = referenceState ? performanceMetrics(referenceState, labels) : null;
  const current = performanceMetrics(currentState, labels);
  const result: PerformanceAssessment = {
    labelled: currentState.labelled,
    reference,
    current,
    metrics: {},
    judged: false,
    conceptDrift: false,
    severity: 'NONE',
    decidedBy: [],
  };
  if (!reference || !current || !referenceState)
    return { ...result, reason: reference ? 'no labelled records in the window' : 'no baseline performance metrics' };
  const referenceErrors = metricStandardErrors(referenceState, labels, reference);
  const currentErrors = metricStandardErrors(currentState, labels, current);
  const available = METRICS.filter(
    (k) =>
      typeof reference[k] === 'number' &&
      typeof current[k] === 'number' &&
      referenceErrors[k] !== null &&
      currentErrors[k] !== null,
  );
  // Bonferroni across the metrics judged together: a one-sided test each at alpha / k.
  const z = normalQuantileAbove(o.alpha / Math.max(1, available.length));
  for (const k of available) {
    const r = reference[k] as number;
    const c = current[k] as number;
    const drop = r - c;
    const standardError = Math.sqrt(referenceErrors[k]! ** 2 + currentErrors[k]! ** 2);
    const pValue = standardError > 0 ? oneSidedNormalSf(drop / standardError) : drop > 0 ? 0 : 1;
    result.metrics[k] = {
      reference: r,
      current: c,
      drop,
      standardError,
      ci95: [drop - 1.96 * standardError, drop + 1.96 * standardError],
      pValue,
      conceptDrift: drop > o.performanceDrop && drop > z * standardError,
    };
  }
  if (currentState.labelled < o.minLabelled)
    return {
      ...result,
      reason: `${currentState.labelled} labelled records, fewer than the ${o.minLabelled} needed to judge performance`,
    };
  const decidedBy = available
    .filter((k) => result.metrics[k]!.conceptDrift)
    .sort((x, y) => result.metrics[y]!.drop - result.metrics[x]!.drop);
  const worst = decidedBy.length > 0 ? result.metrics[decidedBy[0]!]!.drop : 0;
  return {
    ...result,
    judged: true,
    conceptDrift: decidedBy.length > 0,
    decidedBy,
    severity: decidedBy.length === 0 ? 'NONE' : worst > o.performanceHighDrop ? 'HIGH' : 'MEDIUM',
  };
}

/** P(Z >= z) for a standard normal Z: half of chi2.sf(z², 1) above zero. */
function oneSidedNormalSf(z: number): number {
  const twoSided = chiSquareSf(z * z, 1);
  return z >= 0 ? twoSided / 2 : 1 - twoSided / 2;
}

/** The z with P(Z >= z) = p (0 < p < 0.5), by bisection. */
export function normalQuantileAbove(p: number): number {
  let lo = 0;
  let hi = 40;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (oneSidedNormalSf(mid) > p) lo = mid;
    else hi = mid;
  }
  return hi;
}
