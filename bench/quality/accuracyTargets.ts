import { MIN_NORMALISER } from '../../shared/drift/stats/wasserstein.js';

/**
 * What "the sketch agrees with the exact value" means (issue 11): KS within 0.01, Wasserstein-1 within 2% or, for
 * windows that hardly drifted (where 2% of a tiny W is below any resolution that matters), within 1e-3 of the
 * baseline's standard deviation. The report judges W / max(std, 0.001) against 0.1 (Azure ML, Evidently) and
 * W / range against 0.1 (the seed; range ≥ 2·std): an error of 1e-3·std moves either ratio by at most 1% of its
 * threshold, so it cannot decide a verdict.
 */
export const KS_ABSOLUTE_TOLERANCE = 0.01;
export const WASSERSTEIN_RELATIVE_TOLERANCE = 0.02;
/** Multiplies max(baseline std, MIN_NORMALISER): the same normaliser as the report's W / std. */
export const WASSERSTEIN_TOLERANCE_PER_STD = 1e-3;

/** The largest |sketch W − exact W| the targets allow, for an exact W and the baseline's population std. */
export function wassersteinTolerance(exactWasserstein: number, referenceStd: number): number {
  return Math.max(
    WASSERSTEIN_RELATIVE_TOLERANCE * exactWasserstein,
    WASSERSTEIN_TOLERANCE_PER_STD * Math.max(referenceStd, MIN_NORMALISER),
  );
}
