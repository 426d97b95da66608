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

/** The forest scoring the validator needs; the same compiled forest the embedded scorer uses. */
export interface AnomalyModel {
  /** Scores `matrix.rows` rows into `out`, as CompiledForest.scoreMany does. */
  scoreMany(matrix: { rows: number; columns: number; values: Float64Array }, out?: Float64Array): Float64Array;
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

  get inputs(): readonly string[] {
    return this.numericNames;
  }

  validate(event: InputEvent): ValidatedEvent {
    return this.validateMany([event])[0]!;
  }

  /**
   * Validates the events of a batch: each event's own checks, then one forest pass over all their vectors, then each
   * event's anomaly verdict and risk. The vectors are rows of one matrix per batch, which the forest walks tree by
   * tree (each tree stays in cache for the whole batch; one event at a time, the whole forest passes through the
   * cache per event), and one allocation per batch instead of a small typed array per event.
   */
  validateMany(events: readonly InputEvent[]): ValidatedEvent[] {
    const columns = this.numericNames.length;
    const matrix = new Float64Array(events.length * columns);
    const validated: ValidatedEvent[] = new Array(events.length);
    for (let e = 0; e < events.length; e++) {
      validated[e] = this.check(events[e]!, matrix.subarray(e * columns, (e + 1) * columns));
    }
    const scores = this.model.scoreMany({ rows: events.length, columns, values: matrix });
    const threshold = this.model.threshold;
    const rejectIssueCount = this.options.rejectIssueCount;
    for (let e = 0; e < validated.length; e++) {
      const v = validated[e]!;
      const anomalyScore = scores[e]!;
      v.anomalyScore = anomalyScore;
      if (anomalyScore > threshold) {
        v.issues.push({
          code: VALIDATION_CODES.anomaly,
          message: `isolation-forest score ${anomalyScore.toFixed(3)} exceeds the baseline threshold ${threshold.toFixed(3)}`,
        });
      }
      const count = v.issues.length;
      v.risk = count >= rejectIssueCount ? 'HIGH' : count >= 1 ? 'MEDIUM' : 'LOW';
    }
    return validated;
  }

  /** An event's checks up to the forest: issues, sanitised features, and its vector written into `vector`. */
  private check(event: InputEvent, vector: Float64Array): ValidatedEvent {
    const issues: ValidationIssue[] = [];
    const features = event.features;
    // Copy on write: most events need no clipping, and the copy would be most of the validator's allocation.
    let sanitised: Record<string, FeatureValue> = features;
    // Fields in locals: `issues.push` is a call, after which the optimiser would reload every field of `this`.
    const names = this.numericNames;
    const { mins, maxs, means, stds } = this;
    const zScoreThreshold = this.options.zScoreThreshold;
    const n = names.length;
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
    // Risk and anomaly score are set once the batch's forest pass has run (validateMany).
    return { issues, risk: 'LOW', sanitised, vector, anomalyScore: 0, clipped };
  }
}
