import type { SerializedForest } from './isolationForest.js';
import type { ScoreCalibration } from './calibration.js';
import type { ProfileSchema } from '../drift/schema.js';
import type { DatasetProfile, PerformanceState } from '../drift/profile.js';
import type { PerformanceMetrics } from '../drift/performance.js';
import type { ResidualModel } from './residualModel.js';

/**
 * The baseline profile: the one reference the validator, the embedded scorer and the drift job all read. Built from
 * training data by `mrm baseline`, stored as JSON in blob storage, versioned by a content hash.
 */
export interface BaselineProfile {
  kind: 'mrm.baseline';
  /** 2: calibrated validation and a held-out split (1 had fixed z and issue-count rules and in-sample metrics). */
  formatVersion: 2;
  /** Content hash (sha-256, 16 hex digits) of everything below; names this profile in scored records. */
  profileVersion: string;
  createdAt: string;
  seed: number;
  source: { file: string; format: 'csv' | 'jsonl'; rows: number; skippedRows: number };
  columns: { id?: string; label?: string };
  /** Model input order: numeric features first in file order, then categorical ones. */
  features: BaselineFeature[];
  numeric: Record<string, NumericStats>;
  categorical: Record<string, CategoricalStats>;
  model: EmbeddedModel;
  /** Input validation calibrated to its false-alarm budgets on rows the model was not fitted on. */
  validation: ValidationProfile;
  /** The held-out split: what the model and validation were not fitted on, and what they did with it. */
  heldOut: HeldOutSummary;
  /**
   * Performance of the model (heldOut.scoredBy) on the labelled held-out rows that validation did not reject (as production
   * leaves REJECTed events unscored), when labels were given: computed from `heldOut.performance`.
   */
  metrics?: PerformanceMetrics;
  /** Binning fixed by the baseline for every later profile (PSI edges, sketch anchors, categories). */
  schema: ProfileSchema;
  /**
   * The training data folded into the same mergeable profile the weekly drift job builds: features over every row;
   * prediction, labels and performance over the held-out rows only, scored as production scores (a REJECTed row
   * counts as a missing prediction), so prediction and performance drift compare like with like.
   */
  data: DatasetProfile;
}

export interface HeldOutSummary {
  /** Share of the rows requested for held-out (`mrm baseline --holdout`). */
  share: number;
  rows: number;
  trainRows: number;
  /** 'label': each label class kept its share on both sides. */
  stratifiedBy: 'label' | null;
  /** Held-out rows the calibrated validation rejects (HIGH risk) and flags (MEDIUM risk). */
  rejected: number;
  flagged: number;
  /** The model whose predictions of the held-out rows the profile holds: production must score with the same. */
  scoredBy: ScoredBy;
  /** Confusion counts and score histograms of the scored, labelled held-out rows (equal to data.performance). */
  performance: PerformanceState | null;
}

export interface ScoredBy {
  /** `forest`: the embedded input-anomaly detector (no model given); `onnx`: the user's model (`--model`). */
  scorer: 'forest' | 'onnx';
  /** The forest's content hash, or the ONNX model's (`onnx:<16 hex>`). */
  modelVersion: string;
  /** The model's class names, in its probability order. */
  classes: string[];
}

/** Shares of ordinary rows that validation may REJECT and FLAG (`mrm baseline --reject-budget`, `--flag-budget`). */
export interface ValidationBudgets {
  reject: number;
  flag: number;
}

/** [lo, hi]: values below lo or above hi cross the level (±Number.MAX_VALUE: no bound on that side). */
export type Bounds = [number, number];

/**
 * Input validation as one aggregate per event: its surprise S = the largest of its components' surprises, each the
 * negative log of a tail probability measured out of sample (each value against its column, each value against what
 * the other values predict, the isolation-forest score, a missing value, a category). S above `thresholds.flag`
 * FLAGs, above `thresholds.reject` REJECTs; the levels are calibrated so ordinary rows cross them at most at the
 * budgets. S exceeds a level exactly when some component exceeds it, so the validator checks each component against
 * its bounds at the two levels, stored here, and never computes S itself.
 */
export interface ValidationProfile {
  method: 'calibrated-max-surprise';
  budgets: ValidationBudgets;
  /** The two levels of S, in nats. */
  thresholds: { flag: number; reject: number };
  /** One per model input, in model order. */
  numeric: NumericRule[];
  /** Residual bounds per model input (null with fewer than two numeric inputs). */
  residuals: (ResidualModel & { flag: Bounds[]; reject: Bounds[] }) | null;
  /** Isolation-forest scores above these cross the levels. */
  anomaly: { flag: number; reject: number };
  categorical: Record<string, CategoricalRule>;
  calibration: ValidationCalibration;
}

export interface NumericRule {
  name: string;
  /** Median and robust σ (1.4826 · MAD, see robustSigma) of the training rows: what messages measure against. */
  median: number;
  robustSigma: number;
  flag: Bounds;
  reject: Bounds;
  /** A missing value FLAGs unless the feature was missing often enough in training. */
  missingFlags: boolean;
}

export interface CategoricalRule {
  /** Categories common enough to pass. */
  ordinary: string[];
  /** Categories seen, but too rarely: they FLAG. */
  rare: string[];
  /** A category never seen FLAGs, unless one-off categories were common in training (Good–Turing). */
  unseenFlags: boolean;
  missingFlags: boolean;
}

/** How the levels were set, and the false-alarm rates measured where they were set. */
export interface ValidationCalibration {
  /** Rows whose out-of-sample surprises set the levels: the held-out rows and the cross-fitted training rows. */
  rows: number;
  heldOutRows: number;
  crossFittedRows: number;
  folds: number;
  /** 'order-statistic': the split-conformal quantile of the rows; 'extrapolated': too few rows for the budget, an
   * exponential tail beyond the largest ones (never closer than one tail scale beyond the largest). */
  flagMethod: 'order-statistic' | 'extrapolated';
  rejectMethod: 'order-statistic' | 'extrapolated';
  /** Shares of the calibration rows (cross-fitted) above the levels. */
  flagRate: number;
  rejectRate: number;
}

export interface BaselineFeature {
  name: string;
  type: 'numeric' | 'categorical';
}

export interface NumericStats {
  count: number;
  missing: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

export interface CategoricalStats {
  count: number;
  missing: number;
  /** Share of each category among non-missing values. */
  frequencies: Record<string, number>;
}

export interface EmbeddedModel {
  kind: 'isolation-forest';
  /** Model version: the forest's own content hash. */
  version: string;
  /** Class names; the second is the positive ("anomaly") class. From binary labels when given, else normal/anomaly. */
  classes: [string, string];
  /** Numeric features the forest reads, in order. */
  inputs: string[];
  forest: SerializedForest;
  calibration: ScoreCalibration;
}

/** The drift job compares a week's performance with these, so both use one shape. */
export type { PerformanceMetrics } from '../drift/performance.js';

/** What the scorer reads of the baseline profile: its features, the order of the vector, means and categories. */
export interface ProfileForModel {
  features: BaselineProfile['features'];
  model: { inputs: readonly string[] };
  numeric: Readonly<Record<string, { mean: number }>>;
  categorical: Readonly<Record<string, { frequencies: Readonly<Record<string, number>> }>>;
}
