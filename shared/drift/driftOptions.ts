import { THRESHOLDS } from '../telemetry/monitoring.js';
import { DEFAULT_FALSE_ALARM_BUDGET } from './stats/statTest.js';
import { defaultThresholds, STAT_TESTS } from './stats/registry.js';

/**
 * Every threshold of the drift decision (README "How it decides drift"), each declared once: test thresholds live with
 * their tests, the retraining share in monitoring.json (which the alert rules read too), the rest here; the MRM_DRIFT_*
 * settings take these as their defaults.
 */
export interface DriftOptions {
  /**
   * The window's false-alarm budget (0.05): significance tests reject at this level after Benjamini–Hochberg across
   * features, and concept drift needs each metric's drop to be significant at it (Bonferroni across metrics).
   */
  alpha: number;
  falseDiscoveryControl: 'benjamini-hochberg' | 'none';
  /** Threshold per registered test name (defaults: each test's own); significance tests use `alpha`. */
  thresholds: Record<string, number>;
  psiBinning: 'equal-width' | 'decile';
  /** Dataset drift when the drifted share is at least this (0.5). */
  datasetDriftShare: number;
  /** Retraining recommended when the drifted share exceeds this (0.3, the seed's magnitude). */
  retrainMagnitude: number;
  /** Concept drift when a metric drops by more than this, beyond sampling error (0.05); HIGH above performanceHighDrop (0.10). */
  performanceDrop: number;
  performanceHighDrop: number;
  /** Below this many labelled records, performance is not judged (100). */
  minLabelled: number;
}

export const DEFAULT_DRIFT_OPTIONS: Readonly<DriftOptions> = Object.freeze({
  alpha: DEFAULT_FALSE_ALARM_BUDGET,
  falseDiscoveryControl: 'benjamini-hochberg',
  thresholds: defaultThresholds(STAT_TESTS),
  psiBinning: 'equal-width',
  datasetDriftShare: 0.5,
  retrainMagnitude: THRESHOLDS.retrainDriftMagnitude,
  performanceDrop: 0.05,
  performanceHighDrop: 0.1,
  minLabelled: 100,
});
