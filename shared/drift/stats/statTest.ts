import type { FeatureProfile } from '../profile.js';
import type { FeatureSchema } from '../schema.js';

/**
 * One signature for every stat test (architecture.md "Boundaries"): reference and current profiles of one feature
 * in, a decision out. Each test owns its direction and default threshold, so callers never reinterpret raw scores.
 */
export interface StatResult {
  /** The test's score: a distance (higher is worse) or, for `direction: 'p-value'`, the p-value. */
  score: number;
  threshold: number;
  /** score >= threshold for distances, score < threshold for p-values (before any effect-size gate). */
  drifted: boolean;
  direction: 'higher-is-worse' | 'p-value';
  details: Record<string, number | string | boolean | null>;
}

export interface StatOptions {
  /** The feature's binning, from the schema. */
  feature: FeatureSchema;
  /** Overrides the test's default threshold. */
  threshold?: number;
  /** PSI binning: the seed's equal-width edges (default) or the baseline deciles. */
  psiBinning?: 'equal-width' | 'decile';
}

export interface StatTest {
  name: StatName;
  appliesTo: ReadonlyArray<'numeric' | 'categorical'>;
  direction: StatResult['direction'];
  defaultThreshold: number;
  run(reference: FeatureProfile, current: FeatureProfile, options: StatOptions): StatResult;
}

export type StatName = 'psi' | 'ks' | 'wasserstein' | 'jensenShannon' | 'hellinger' | 'meanShift' | 'chiSquare';
