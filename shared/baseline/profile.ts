import type { SerializedForest } from './isolationForest.js';
import type { ScoreCalibration } from './calibration.js';
import type { ProfileSchema } from '../drift/schema.js';
import type { DatasetProfile } from '../drift/profile.js';
import type { PerformanceMetrics } from '../drift/performance.js';

/**
 * The baseline profile: the one reference the validator, the embedded scorer and the drift job all read. Built from
 * training data by `mrm baseline`, stored as JSON in blob storage, versioned by a content hash.
 */
export interface BaselineProfile {
  kind: 'mrm.baseline';
  formatVersion: 1;
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
  /** Performance of the embedded model on the labelled training rows, when labels were given. */
  metrics?: PerformanceMetrics;
  /** Binning fixed by the baseline for every later profile (PSI edges, sketch anchors, categories). */
  schema: ProfileSchema;
  /** The training data folded into the same mergeable profile the weekly drift job builds. */
  data: DatasetProfile;
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
