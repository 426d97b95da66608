import type { Settings } from '../config/settings.js';

/** Every threshold of the drift decision (drift-methods.md "Decisions"); defaults are the seed's, made large-sample safe. */
export interface DriftOptions {
  /** PSI >= this drifts (0.2). */
  psiThreshold: number;
  psiBinning: 'equal-width' | 'decile';
  /** Significance of KS / chi-square after the FDR control (0.05). */
  ksAlpha: number;
  /** KS rejects only with D > this (0.1); also the seed's MEDIUM boundary. */
  ksMinStatistic: number;
  /** D > this is HIGH (0.3, the seed). */
  ksHighStatistic: number;
  /** W / range > this drifts (0.1); > 2× is HIGH (0.2, the seed). */
  wassersteinRangeThreshold: number;
  /** W / std reference threshold (0.1, Azure ML / Evidently), reported only. */
  wassersteinStdThreshold: number;
  /** JS distance threshold (0.1); the effect-size gate of chi-square. */
  jensenShannonThreshold: number;
  /** PSI moderate band start (0.1): LOW severity without drift. */
  psiModerate: number;
  falseDiscoveryControl: 'benjamini-hochberg' | 'none';
  /** Dataset drift when share >= this (0.5). */
  datasetDriftShare: number;
  /** Retraining recommended when magnitude > this (0.3). */
  retrainMagnitude: number;
  /** Concept drift when a metric drops by more than this (0.05); HIGH above performanceHighDrop (0.10). */
  performanceDrop: number;
  performanceHighDrop: number;
  /** Below this many labelled records, performance is not judged (100). */
  minLabelled: number;
}

export const DEFAULT_DRIFT_OPTIONS: Readonly<DriftOptions> = Object.freeze({
  psiThreshold: 0.2,
  psiBinning: 'equal-width',
  ksAlpha: 0.05,
  ksMinStatistic: 0.1,
  ksHighStatistic: 0.3,
  wassersteinRangeThreshold: 0.1,
  wassersteinStdThreshold: 0.1,
  jensenShannonThreshold: 0.1,
  psiModerate: 0.1,
  falseDiscoveryControl: 'benjamini-hochberg',
  datasetDriftShare: 0.5,
  retrainMagnitude: 0.3,
  performanceDrop: 0.05,
  performanceHighDrop: 0.1,
  minLabelled: 100,
});

/** The options from the app's settings (MRM_DRIFT_*), the rest at their defaults. */
export function driftOptionsFromSettings(drift: Settings['drift']): DriftOptions {
  return {
    ...DEFAULT_DRIFT_OPTIONS,
    psiThreshold: drift.psiThreshold,
    psiBinning: drift.psiBinning,
    ksAlpha: drift.ksAlpha,
    ksMinStatistic: drift.ksMinStatistic,
    wassersteinRangeThreshold: drift.wassersteinRangeThreshold,
    jensenShannonThreshold: drift.jensenShannonThreshold,
    falseDiscoveryControl: drift.falseDiscoveryControl,
    datasetDriftShare: drift.datasetDriftShare,
    retrainMagnitude: drift.retrainMagnitude,
    performanceDrop: drift.performanceDrop,
    performanceHighDrop: drift.performanceHighDrop,
    minLabelled: drift.minLabelled,
  };
}
