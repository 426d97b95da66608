import type { FeatureProfile } from '../profile.js';
import type { FeatureSchema } from '../schema.js';

export type FeatureKind = 'numeric' | 'categorical';

/** Default false-alarm budget of a window (significance level after multiple-testing control across features). */
export const DEFAULT_FALSE_ALARM_BUDGET = 0.05;

/**
 * What a test contributes to a feature's verdict (architecture.md "the stat test decides"): a feature drifts when
 * one of its `significance` tests rejects "same distribution" at the window's false-alarm budget (after multiple
 * testing control across features) and one of its `effect` tests is at or above its practical minimum. `signal` tests
 * are reported, never decide.
 */
export type StatRole = 'significance' | 'effect' | 'signal';

/** What a test is given besides the two profiles of one feature. */
export interface StatContext {
  /** The feature's binning, from the schema. */
  feature: FeatureSchema;
  /** This test's threshold: its default or the setting that overrides it; for significance tests, the budget. */
  threshold: number;
  /** PSI binning: the seed's equal-width edges (default) or the baseline deciles. */
  psiBinning: 'equal-width' | 'decile';
  /**
   * The level one feature of the family must reach to be flagged alone: the false-alarm budget divided by the
   * number of features tested together (Benjamini–Hochberg's smallest threshold). Effect tests use it to say what
   * this window's size can detect.
   */
  detectionLevel: number;
}

export interface StatResult {
  /** The test's number: a distance (higher is worse) or, for `direction: 'p-value'`, the p-value. */
  score: number;
  threshold: number;
  direction: 'higher-is-worse' | 'p-value';
  /** The test's own reading of its score: score >= threshold for distances, score < threshold for p-values. */
  beyondThreshold: boolean;
  /** Effect tests: the smallest effect (in score units) this window could flag, given its size; else null. */
  minimumDetectable: number | null;
  details: Record<string, number | string | boolean | null>;
}

export interface StatTest {
  /** Key of the test in the report (`features.<name>.tests.<test>`). */
  name: string;
  /** Column heading in the HTML report. */
  label: string;
  /** One line for the report's legend: what the number is. */
  description: string;
  /** The kinds of feature the test applies to, and its role for each. */
  roles: Readonly<Partial<Record<FeatureKind, StatRole>>>;
  direction: StatResult['direction'];
  defaultThreshold: number;
  /** Null when the test cannot be computed for these profiles (then it is left out of the feature's tests). */
  run(reference: FeatureProfile, current: FeatureProfile, context: StatContext): StatResult | null;
}
