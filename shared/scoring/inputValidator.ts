import type { BaselineProfile, Bounds } from '../baseline/profile.js';
import {
  compileResidualScreen,
  plainResiduals,
  type ResidualModel,
  type ResidualScreen,
} from '../baseline/residualModel.js';
import { compileInputReader, type InputReader } from './inputReader.js';
import type { FeatureValue, InputEvent, Risk, ValidationIssue } from '../contracts/records.js';

export const VALIDATION_CODES = {
  outOfRange: 'VALIDATION.OUT_OF_RANGE',
  inconsistent: 'VALIDATION.INCONSISTENT',
  anomaly: 'VALIDATION.ANOMALY',
  missing: 'VALIDATION.MISSING',
  unseenCategory: 'VALIDATION.UNSEEN_CATEGORY',
  rareCategory: 'VALIDATION.RARE_CATEGORY',
} as const;

/** The forest scoring the validator needs; the same compiled forest the embedded scorer uses. */
export interface AnomalyModel {
  /** Scores `matrix.rows` rows into `out`, as CompiledForest.scoreMany does. */
  scoreMany(matrix: { rows: number; columns: number; values: Float64Array }, out?: Float64Array): Float64Array;
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

const LOW = 0;
const MEDIUM = 1;
const HIGH = 2;
const RISKS: readonly Risk[] = ['LOW', 'MEDIUM', 'HIGH'];

/**
 * Input validation against the baseline's calibrated rules (BaselineProfile.validation): an event is MEDIUM risk
 * (FLAG) when any of its values, residuals (a value against what the other values predict), forest score, missing
 * values or categories crosses the flag level, HIGH (REJECT) when a value, residual or forest score crosses the
 * reject level, LOW otherwise. The levels were set so that ordinary rows cross them at most at the budgets; each
 * issue names the component and its bound. Sanitising clips to the training [min, max]; the forest score of the
 * clipped vector equals that of the raw one (every split threshold lies inside the training range), so one forest
 * pass serves both validation and the embedded scorer. Residuals are taken from the raw values.
 */
export class InputValidator {
  private readonly numericNames: string[];
  private readonly mins: Float64Array;
  private readonly maxs: Float64Array;
  private readonly means: Float64Array;
  /** flag lo, flag hi, reject lo, reject hi per input. */
  private readonly valueBounds: Float64Array;
  private readonly missingFlags: Uint8Array;
  private readonly residualMeans: Float64Array | null;
  private readonly residualModel: ResidualModel | null;
  private readonly residualScreen: ResidualScreen | null;
  private readonly residualBounds: Float64Array | null;
  private readonly residuals: Float64Array;
  private readonly anomalyFlag: number;
  private readonly anomalyReject: number;
  private readonly categorical: Array<{
    name: string;
    ordinary: ReadonlySet<string>;
    rare: ReadonlySet<string>;
    unseenFlags: boolean;
    missingFlags: boolean;
  }>;
  private readonly readInputs: InputReader;
  /** Inputs of the event being checked less their means, 0 where missing, and which are missing (validation is
   * synchronous: one scratch row serves every event). */
  private readonly deviations: Float64Array;
  private readonly missing: Uint8Array;

  constructor(
    profile: Pick<BaselineProfile, 'numeric' | 'features' | 'model' | 'validation'>,
    private readonly model: AnomalyModel,
  ) {
    this.numericNames = profile.model.inputs;
    this.readInputs = compileInputReader(this.numericNames);
    const n = this.numericNames.length;
    const rules = profile.validation;
    this.mins = new Float64Array(n);
    this.maxs = new Float64Array(n);
    this.means = new Float64Array(n);
    this.valueBounds = new Float64Array(4 * n);
    this.missingFlags = new Uint8Array(n);
    this.deviations = new Float64Array(n);
    this.missing = new Uint8Array(n);
    this.numericNames.forEach((name, i) => {
      const stats = profile.numeric[name];
      if (!stats) throw new Error(`Baseline profile has no statistics for model input "${name}"`);
      const rule = rules.numeric[i];
      if (rule?.name !== name) throw new Error(`Baseline profile has no validation rule for model input "${name}"`);
      this.mins[i] = stats.min;
      this.maxs[i] = stats.max;
      this.means[i] = stats.mean;
      this.valueBounds.set([...rule.flag, ...rule.reject], 4 * i);
      this.missingFlags[i] = rule.missingFlags ? 1 : 0;
    });
    const residuals = rules.residuals;
    this.residualMeans = residuals ? Float64Array.from(residuals.means) : null;
    this.residuals = new Float64Array(n);
    this.residualBounds = residuals
      ? Float64Array.from(residuals.flag.flatMap((flag, i) => [...flag, ...residuals.reject[i]!]))
      : null;
    this.residualModel = residuals;
    this.residualScreen = residuals ? compileResidualScreen(residuals, this.residualBounds!) : null;
    this.anomalyFlag = rules.anomaly.flag;
    this.anomalyReject = rules.anomaly.reject;
    this.categorical = profile.features
      .filter((f) => f.type === 'categorical')
      .map((f) => {
        const rule = rules.categorical[f.name];
        if (!rule) throw new Error(`Baseline profile has no validation rule for categorical feature "${f.name}"`);
        return {
          name: f.name,
          ordinary: new Set(rule.ordinary),
          rare: new Set(rule.rare),
          unseenFlags: rule.unseenFlags,
          missingFlags: rule.missingFlags,
        };
      });
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
    const levels = new Uint8Array(events.length);
    for (let e = 0; e < events.length; e++) {
      const vector = matrix.subarray(e * columns, (e + 1) * columns);
      const issues: ValidationIssue[] = [];
      levels[e] = this.check(events[e]!, vector, issues);
      validated[e] = { issues, risk: 'LOW', sanitised: this.sanitised, vector, anomalyScore: 0, clipped: this.clipped };
    }
    const scores = this.model.scoreMany({ rows: events.length, columns, values: matrix });
    const { anomalyFlag, anomalyReject } = this;
    for (let e = 0; e < validated.length; e++) {
      const v = validated[e]!;
      const anomalyScore = scores[e]!;
      v.anomalyScore = anomalyScore;
      let level = levels[e]!;
      if (anomalyScore > anomalyFlag) {
        const reject = anomalyScore > anomalyReject;
        if (reject) level = HIGH;
        else if (level < MEDIUM) level = MEDIUM;
        v.issues.push({
          code: VALIDATION_CODES.anomaly,
          message: `isolation-forest score ${anomalyScore.toFixed(3)} is above the ${reject ? `reject bound ${anomalyReject.toFixed(3)}` : `flag bound ${anomalyFlag.toFixed(3)}`}`,
        });
      }
      v.risk = RISKS[level]!;
    }
    return validated;
  }

  // The last event's sanitised features and clip count, set by check: returned through fields, not an object, so
  // the per-event path allocates only what the event itself needs.
  private sanitised: Record<string, FeatureValue> = {};
  private clipped = 0;

  /** An event's checks up to the forest: its issues, its vector written into `vector`; returns its risk level. */
  private check(event: InputEvent, vector: Float64Array, issues: ValidationIssue[]): number {
    const features = event.features;
    // Copy on write: most events need no clipping, and the copy would be most of the validator's allocation.
    let sanitised: Record<string, FeatureValue> = features;
    // Fields in locals: `issues.push` is a call, after which the optimiser would reload every field of `this`.
    const { mins, maxs, means, valueBounds, missingFlags, deviations, missing, residualMeans } = this;
    const n = vector.length;
    let level = LOW;
    // The raw inputs first, NaN where not a number (a decoded event never holds NaN itself): then clipped in place.
    this.readInputs(features, vector);
    let clipped = 0;
    let anyMissing = false;
    for (let i = 0; i < n; i++) {
      const raw = vector[i]!;
      if (Number.isNaN(raw)) {
        vector[i] = means[i]!;
        deviations[i] = 0;
        missing[i] = 1;
        anyMissing = true;
        if (missingFlags[i] === 1) {
          if (level < MEDIUM) level = MEDIUM;
          issues.push(this.missingIssue(i));
        }
        continue;
      }
      missing[i] = 0;
      if (residualMeans !== null) deviations[i] = raw - residualMeans[i]!;
      if (raw < valueBounds[4 * i]! || raw > valueBounds[4 * i + 1]!) {
        const reject = raw < valueBounds[4 * i + 2]! || raw > valueBounds[4 * i + 3]!;
        level = reject ? HIGH : level < MEDIUM ? MEDIUM : level;
        issues.push(this.valueIssue(i, raw, reject));
      }
      const min = mins[i]!;
      const max = maxs[i]!;
      if (raw < min || raw > max) {
        const value = raw < min ? min : max;
        if (sanitised === features) sanitised = { ...features };
        sanitised[this.numericNames[i]!] = value;
        vector[i] = value;
        clipped++;
      }
    }
    // Most events: no value missing, no residual beyond its flag bounds, known from the screen alone.
    if (residualMeans !== null && (anyMissing || this.residualScreen!(deviations))) {
      level = this.checkResiduals(level, issues);
    }
    for (const rule of this.categorical) {
      const value = features[rule.name];
      if (value === null || value === undefined) {
        if (rule.missingFlags) {
          if (level < MEDIUM) level = MEDIUM;
          issues.push({
            code: VALIDATION_CODES.missing,
            feature: rule.name,
            message: `${rule.name} is missing, which was rare or absent in the baseline`,
          });
        }
        continue;
      }
      const text = String(value);
      if (rule.ordinary.has(text)) continue;
      const known = rule.rare.has(text);
      if (known || rule.unseenFlags) {
        if (level < MEDIUM) level = MEDIUM;
        issues.push({
          code: known ? VALIDATION_CODES.rareCategory : VALIDATION_CODES.unseenCategory,
          feature: rule.name,
          message: known
            ? `${rule.name}="${text}" was rare in the baseline`
            : `${rule.name}="${text}" was never seen in the baseline`,
        });
      }
    }
    this.sanitised = sanitised;
    this.clipped = clipped;
    return level;
  }

  /** Each input's residual against the others, from the raw inputs (a missing one counts as its mean, unjudged). */
  private checkResiduals(level: number, issues: ValidationIssue[]): number {
    const { deviations, missing, residuals } = this;
    const bounds = this.residualBounds!;
    plainResiduals(this.residualModel!, deviations, residuals);
    for (let j = 0; j < residuals.length; j++) {
      const r = residuals[j]!;
      if ((r < bounds[4 * j]! || r > bounds[4 * j + 1]!) && missing[j] === 0) {
        const reject = r < bounds[4 * j + 2]! || r > bounds[4 * j + 3]!;
        level = reject ? HIGH : level < MEDIUM ? MEDIUM : level;
        issues.push(this.residualIssue(j, r, reject));
      }
    }
    return level;
  }

  private valueIssue(i: number, raw: number, reject: boolean): ValidationIssue {
    const name = this.numericNames[i]!;
    const b = this.valueBounds;
    const [lo, hi] = reject ? [b[4 * i + 2]!, b[4 * i + 3]!] : [b[4 * i]!, b[4 * i + 1]!];
    return {
      code: VALIDATION_CODES.outOfRange,
      feature: name,
      message: `${name}=${raw} is outside its ${reject ? 'reject' : 'flag'} bounds ${formatBounds([lo, hi])}`,
    };
  }

  private residualIssue(j: number, r: number, reject: boolean): ValidationIssue {
    const name = this.numericNames[j]!;
    const b = this.residualBounds!;
    const [lo, hi] = reject ? [b[4 * j + 2]!, b[4 * j + 3]!] : [b[4 * j]!, b[4 * j + 1]!];
    return {
      code: VALIDATION_CODES.inconsistent,
      feature: name,
      message: `${name} is ${formatNumber(r)} from what the other features predict, outside its ${reject ? 'reject' : 'flag'} bounds ${formatBounds([lo, hi])}`,
    };
  }

  private missingIssue(i: number): ValidationIssue {
    const name = this.numericNames[i]!;
    return {
      code: VALIDATION_CODES.missing,
      feature: name,
      message: `${name} is missing, which was rare or absent in the baseline; imputed with the baseline mean`,
    };
  }
}

function formatBounds([lo, hi]: Bounds): string {
  return `[${formatNumber(lo)}, ${formatNumber(hi)}]`;
}

function formatNumber(x: number): string {
  return Math.abs(x) === Number.MAX_VALUE ? (x > 0 ? '∞' : '−∞') : String(Number(x.toPrecision(6)));
}
