import type { BaselineProfile } from '../baseline/profile.js';
import { compileInputReader, type InputReader } from './inputReader.js';
import type { FeatureValue, InputEvent, Risk, ValidationIssue } from './records.js';

export const VALIDATION_CODES = {
  outOfRange: 'VALIDATION.OUT_OF_RANGE',
  zScore: 'VALIDATION.Z_SCORE',
  anomaly: 'VALIDATION.ANOMALY',
  missing: 'VALIDATION.MISSING',
  unseenCategory: 'VALIDATION.UNSEEN_CATEGORY',
} as const;

export interface ValidationOptions {
  /** |z| above this is an issue (seed: 3). */
  zScoreThreshold: number;
  /** Issues that make an event HIGH risk (seed: 3). */
  rejectIssueCount: number;
}

/** The forest scoring function the validator needs; the same compiled forest the embedded scorer uses. */
export interface AnomalyModel {
  score(row: ArrayLike<number>): number;
  readonly threshold: number;
}

export interface ValidatedEvent {
  issues: ValidationIssue[];
  risk: Risk;
  /** Features clipped to the baseline range; missing numerics stay null here (they are imputed only in `vector`). */
  sanitised: Record<string, FeatureValue>;
  /** Numeric model inputs in profile order, clipped, missing values imputed with the baseline mean. */
  vector: Float64Array;
  /** Isolation-forest score of `vector`. */
  anomalyScore: number;
  /** How many values were clipped (for telemetry). */
  clipped: number;
}

/**
 * Input validation against the baseline (drift-methods.md "Input validation"): range, |z| > threshold, isolation-
 * forest anomaly, missing values, unseen categories. Risk HIGH with >= rejectIssueCount issues, MEDIUM with >= 1.
 * Sanitising clips to [min, max]. The forest score of the clipped vector equals that of the raw one (every split
 * threshold lies inside the training range), so one forest pass serves both validation and the embedded scorer.
 */
export class InputValidator {
  private readonly numericNames: string[];
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  private readonly means: Float64Array;
  private readonly stds: Float64Array;
  private readonly categorical: Array<{ name: string; known: ReadonlySet<string> }>;
  private readonly readInputs: InputReader;

  constructor(
    profile: Pick<BaselineProfile, 'numeric' | 'categorical' | 'features' | 'model'>,
    private readonly model: AnomalyModel,
    private readonly options: ValidationOptions,
  ) {
    this.numericNames = profile.model.inputs;
    this.readInputs = compileInputReader(this.numericNames);
    const n = this.numericNames.length;
    this.mins = new Float64Array(n);
    this.maxs = new Float64Array(n);
    this.means = new Float64Array(n);
    this.stds = new Float64Array(n);
    this.numericNames.forEach((name, i) => {
      const stats = profile.numeric[name];
      if (!stats) throw new Error(`Baseline profile has no statistics for model input "${name}"`);
      this.mins[i] = stats.min;
      this.maxs[i] = stats.max;
      this.means[i] = stats.mean;
      this.stds[i] = stats.std;
    });
    this.categorical = profile.features
      .filter((f) => f.type === 'categorical')
      .map((f) => ({ name: f.name, known: new Set(Object.keys(profile.categorical[f.name]?.frequencies ?? {})) }));
  }

  /**
   * Vectors are carved from a shared slab: allocating a small Float64Array costs over a microsecond in V8, as much as
   * a quarter of the forest itself. A full slab is replaced, never reused, so every vector keeps its own memory.
   */
  private slab = new Float64Array(0);
  private slabOffset = 0;

  private nextVector(n: number): Float64Array {
    if (this.slabOffset + n > this.slab.length) {
      this.slab = new Float64Array(Math.max(n, 1) * 256);
      this.slabOffset = 0;
    }
    const vector = this.slab.subarray(this.slabOffset, this.slabOffset + n);
    this.slabOffset += n;
    return vector;
  }

  get inputs(): readonly string[] {
    return this.numericNames;
  }

  validate(event: InputEvent): ValidatedEvent {
    const issues: ValidationIssue[] = [];
    const features = event.features;
    // Copy on write: most events need no clipping, and the copy would be most of the validator's allocation.
    let sanitised: Record<string, FeatureValue> = features;
    // Fields in locals: `issues.push` is a call, after which the optimiser would reload every field of `this`.
    const names = this.numericNames;
    const { mins, maxs, means, stds } = this;
    const zScoreThreshold = this.options.zScoreThreshold;
    const n = names.length;
    const vector = this.nextVector(n);
    // The raw inputs first, NaN where not a number (a decoded event never holds NaN itself): then clipped in place.
    this.readInputs(features, vector);
    let clipped = 0;
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      const raw = vector[i]!;
      if (Number.isNaN(raw)) {
        vector[i] = means[i]!;
        issues.push({
          code: VALIDATION_CODES.missing,
          feature: name,
          message: `${name} is missing; imputed with the baseline mean`,
        });
        continue;
      }
      const min = mins[i]!;
      const max = maxs[i]!;
      let value = raw;
      if (raw < min || raw > max) {
        issues.push({
          code: VALIDATION_CODES.outOfRange,
          feature: name,
          message: `${name}=${raw} is outside the baseline range [${min}, ${max}]`,
        });
        value = raw < min ? min : max;
        if (sanitised === features) sanitised = { ...features };
        sanitised[name] = value;
        clipped++;
      }
      const std = stds[i]!;
      if (std > 0) {
        const z = (raw - means[i]!) / std;
        if (Math.abs(z) > zScoreThreshold) {
          issues.push({
            code: VALIDATION_CODES.zScore,
            feature: name,
            message: `${name}=${raw} has |z| = ${Math.abs(z).toFixed(2)} > ${zScoreThreshold}`,
          });
        }
      }
      vector[i] = value;
    }
    for (const { name, known } of this.categorical) {
      const value = features[name];
      if (value === null || value === undefined) {
        issues.push({ code: VALIDATION_CODES.missing, feature: name, message: `${name} is missing` });
      } else if (!known.has(String(value))) {
        issues.push({
          code: VALIDATION_CODES.unseenCategory,
          feature: name,
          message: `${name}="${String(value)}" was never seen in the baseline`,
        });
      }
    }
    const anomalyScore = this.model.score(vector);
    if (anomalyScore > this.model.threshold) {
      issues.push({
        code: VALIDATION_CODES.anomaly,
        message: `isolation-forest score ${anomalyScore.toFixed(3)} exceeds the baseline threshold ${this.model.threshold.toFixed(3)}`,
      });
    }
    const risk: Risk = issues.length >= this.options.rejectIssueCount ? 'HIGH' : issues.length >= 1 ? 'MEDIUM' : 'LOW';
    return { issues, risk, sanitised, vector, anomalyScore, clipped };
  }
}
