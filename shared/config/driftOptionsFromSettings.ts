import { DEFAULT_DRIFT_OPTIONS, type DriftOptions } from '../drift/driftOptions.js';
import type { Settings } from './settings.js';

/** The options from the app's settings (MRM_DRIFT_*), the rest at their defaults. */
export function driftOptionsFromSettings(drift: Settings['drift']): DriftOptions {
  return {
    ...DEFAULT_DRIFT_OPTIONS,
    alpha: drift.alpha,
    falseDiscoveryControl: drift.falseDiscoveryControl,
    thresholds: {
      ...DEFAULT_DRIFT_OPTIONS.thresholds,
      psi: drift.psiThreshold,
      wasserstein: drift.wassersteinThreshold,
      jensenShannon: drift.jensenShannonThreshold,
    },
    psiBinning: drift.psiBinning,
    datasetDriftShare: drift.datasetDriftShare,
    retrainMagnitude: drift.retrainMagnitude,
    performanceDrop: drift.performanceDrop,
    performanceHighDrop: drift.performanceHighDrop,
    minLabelled: drift.minLabelled,
  };
}
