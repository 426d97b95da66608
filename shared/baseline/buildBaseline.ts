import { fail, ok, unwrap, type Result } from '../errors.js';
import { deriveSchema, type SchemaColumn } from '../drift/schema.js';
import { profileFromColumns } from '../drift/profileFromColumns.js';
import { performanceMetrics } from '../drift/performance.js';
import { fingerprint } from '../drift/fingerprint.js';
import { ForestScorer } from './forestScorer.js';
import type { ProfileForModel } from './profile.js';
import type { Prediction, ScoreRequest } from '../contracts/scorer.js';
import { calibrateScores } from './calibration.js';
import { calibrateValidation } from './calibrateValidation.js';
import { compileForest } from './compileForest.js';
import { splitHoldout } from './holdoutSplit.js';
import { trainIsolationForest, FOREST_DEFAULTS } from './isolationForest.js';
import type { NumericMatrix } from './numericMatrix.js';
import type {
  BaselineFeature,
  BaselineProfile,
  CategoricalStats,
  HeldOutSummary,
  NumericStats,
  ScoredBy,
  ValidationBudgets,
} from './profile.js';
import { createRandom } from './random.js';
import type { TrainingTable } from './trainingData.js';

export interface BuildBaselineOptions {
  seed: number;
  createdAt: string;
  source: { file: string; format: 'csv' | 'jsonl' };
  columns: { id?: string; label?: string };
  trees?: number;
  sampleSize?: number;
  contamination?: number;
  /** Share of the rows held out from fitting, stratified by label (default 0.2). */
  holdout?: number;
  /** Shares of ordinary rows validation may REJECT and FLAG (defaults 0.005 and 0.05). */
  budgets?: Partial<ValidationBudgets>;
}

export const BASELINE_DEFAULTS = { holdout: 0.2, budgets: { reject: 0.005, flag: 0.05 } } as const;
/** Fewer rows than these on either side of the split cannot calibrate anything. */
export const MIN_TRAIN_ROWS = 20;
export const MIN_HELD_OUT_ROWS = 5;

const POSITIVE_NAMES = ['1', 'true', 'yes', 'anomaly', 'fraud', 'positive', 'bad'];

/** Held-out predictions of the model the baseline is for, in the order of `BaselinePlan.heldOutRequests`. */
export interface HeldOutScoring {
  scoredBy: ScoredBy;
  predictions: readonly Prediction[];
  /** Model scores of every training row: only the binning of the score is taken from them. */
  binningScores: Float64Array;
}

/** A baseline fitted and calibrated, waiting for the held-out rows' predictions of the model it is for. */
export interface BaselinePlan {
  /** What a scorer reads of the profile to feed its model (order of the vector, imputation values, categories). */
  profileForModel: ProfileForModel;
  /** The held-out rows validation does not reject, as production would hand them to the scorer. */
  heldOutRequests: ScoreRequest[];
  /** Every training row as a request (to score them all for the binning of the score). */
  allRequests(): ScoreRequest[];
  /** Label classes seen in the training data (sorted), none without a label column. */
  labelClasses: string[];
  /** The embedded isolation forest's predictions: what the baseline holds without a model of the user's (computed
   * on demand: a baseline for the user's model never needs them). */
  forest(): HeldOutScoring;
  finish(scoring: HeldOutScoring): BaselineProfile;
}

/**
 * Builds the baseline profile from training data, for the embedded input-anomaly detector (no model of the user's;
 * see buildBaselineWithModel for one). A label of more than two classes is refused: the detector tells normal
 * from unusual and cannot be measured against them.
 */
export function buildBaseline(table: TrainingTable, options: BuildBaselineOptions): Result<BaselineProfile> {
  const planned = planBaseline(table, options);
  if (!planned.ok) return planned;
  const classes = planned.value.labelClasses;
  if (classes.length > 2) {
    const label = options.columns.label ?? 'label';
    const shown = classes.length > 6 ? `${classes.slice(0, 5).join(', ')}, …` : classes.join(', ');
    return fail(
      'bad-input',
      'BASELINE.MULTICLASS_NEEDS_MODEL',
      `The label column "${label}" has ${classes.length} classes (${shown}); without a model the baseline is for the ` +
        'embedded input-anomaly detector, which tells normal from unusual rows and cannot be measured against them. ' +
        'Give your classifier with --model model.onnx, or leave out --label',
      { label, classes: classes.length },
    );
  }
  return ok(planned.value.finish(planned.value.forest()));
}

/**
 * Fits and calibrates the baseline. A seeded share of the rows is held out (stratified by label); the isolation
 * forest and its calibration are fitted on the rest; input validation is calibrated to its budgets on out-of-sample
 * scores (calibrateValidation). `finish` then takes what the model makes of the held-out rows validation does not
 * reject (predictions, scores, confusion counts against labels), as production would send them: the baseline of
 * prediction and performance drift. Feature statistics and the drift profile's features cover every row.
 */
export function planBaseline(table: TrainingTable, options: BuildBaselineOptions): Result<BaselinePlan> {
  const holdout = options.holdout ?? BASELINE_DEFAULTS.holdout;
  const budgets = { ...BASELINE_DEFAULTS.budgets, ...options.budgets };
  const invalid = checkOptions(holdout, budgets);
  if (invalid) return fail('bad-input', 'BASELINE.INVALID_OPTION', invalid);
  const numericColumns = table.columns.filter((c) => c.type === 'numeric');
  const categoricalColumns = table.columns.filter((c) => c.type === 'categorical');
  if (numericColumns.length === 0) {
    return fail(
      'bad-input',
      'BASELINE.NO_NUMERIC_FEATURES',
      'The embedded model needs at least one numeric feature; every column looked categorical',
    );
  }
  const numeric: Record<string, NumericStats> = {};
  for (const column of numericColumns) {
    const stats = numericStats(column.values);
    if (stats.count === 0)
      return fail('bad-input', 'BASELINE.EMPTY_COLUMN', `Numeric column "${column.name}" has no values`);
    numeric[column.name] = stats;
  }
  const categorical: Record<string, CategoricalStats> = {};
  for (const column of categoricalColumns) categorical[column.name] = categoricalStats(column.values);

  const random = createRandom(options.seed);
  const split = splitHoldout(table.labels, holdout, random);
  if (split.train.length < MIN_TRAIN_ROWS || split.heldOut.length < MIN_HELD_OUT_ROWS) {
    return fail(
      'bad-input',
      'BASELINE.TOO_FEW_ROWS',
      `${table.rows} rows split at --holdout ${holdout} into ${split.train.length} to fit and ${split.heldOut.length} ` +
        `to hold out; calibrated validation needs at least ${MIN_TRAIN_ROWS} and ${MIN_HELD_OUT_ROWS}`,
      { rows: table.rows, train: split.train.length, heldOut: split.heldOut.length },
    );
  }

  const inputs = numericColumns.map((c) => c.name);
  const means = numericColumns.map((c) => numeric[c.name]!.mean);
  const matrixOf = (rows: readonly number[]): NumericMatrix => {
    const values = new Float64Array(rows.length * inputs.length);
    rows.forEach((row, i) => {
      numericColumns.forEach((column, j) => {
        const v = column.values[row]!;
        values[i * inputs.length + j] = Number.isNaN(v) ? means[j]! : v;
      });
    });
    return { rows: rows.length, columns: inputs.length, values };
  };
  const forestOptions = {
    trees: options.trees ?? FOREST_DEFAULTS.trees,
    sampleSize: options.sampleSize ?? FOREST_DEFAULTS.sampleSize,
    contamination: options.contamination ?? FOREST_DEFAULTS.contamination,
  };
  const trainMatrix = matrixOf(split.train);
  const trained = trainIsolationForest(trainMatrix, { ...forestOptions, seed: options.seed });
  if (!trained.ok) return trained;
  const forest = trained.value;
  const compiled = compileForest(forest);
  const trainScores = compiled.scoreMany(trainMatrix);

  const labelled = labelClasses(table.labels);
  const classes: [string, string] = labelled.binary ? [labelled.negative, labelled.positive] : ['normal', 'anomaly'];
  let calibration;
  if (labelled.binary) {
    const index = split.train.flatMap((row, i) => (table.labels[row] === null ? [] : [i]));
    const subsetScores = Float64Array.from(index, (i) => trainScores[i]!);
    const subsetLabels = index.map((i) => (table.labels[split.train[i]!] === labelled.positive ? 1 : 0) as 0 | 1);
    calibration = calibrateScores(subsetScores, subsetLabels, { threshold: forest.threshold });
  } else {
    calibration = calibrateScores(trainScores, undefined, { threshold: forest.threshold });
  }
  const model = {
    kind: 'isolation-forest' as const,
    version: fingerprint(forest),
    classes,
    inputs,
    forest,
    calibration,
  };

  const { profile: validation, heldOutRisks } = calibrateValidation(
    { numeric: numericColumns, categorical: categoricalColumns },
    split,
    {
      budgets,
      random,
      forest: compiled,
      imputationMeans: means,
      // Each fold's forest has its own seed from the baseline's stream: deterministic, and not the final forest.
      trainForest: (matrix) =>
        compileForest(unwrap(trainIsolationForest(matrix, { ...forestOptions, seed: random.nextUint32() }))),
    },
  );
  const features: BaselineFeature[] = [...numericColumns, ...categoricalColumns].map((c) => ({
    name: c.name,
    type: c.type,
  }));

  const heldOutRequests: ScoreRequest[] = [];
  const scoredRows: number[] = [];
  let rejected = 0;
  let flagged = 0;
  heldOutRisks.forEach((risk, i) => {
    if (risk === 'HIGH') {
      rejected++;
      return;
    }
    if (risk === 'MEDIUM') flagged++;
    scoredRows.push(i);
  });
  const requestsFor = (rows: readonly number[]): ScoreRequest[] => {
    const matrix = matrixOf(rows);
    return rows.map((row, i) => ({
      id: String(row),
      features: Object.fromEntries(
        [...numericColumns, ...categoricalColumns].map((c) => {
          const v = c.values[row]!;
          return [c.name, typeof v === 'number' && Number.isNaN(v) ? null : v];
        }),
      ),
      vector: matrix.values.subarray(i * inputs.length, (i + 1) * inputs.length),
    }));
  };
  const heldOutScores = compiled.scoreMany(matrixOf(split.heldOut));
  requestsFor(scoredRows.map((i) => split.heldOut[i]!)).forEach((request, k) =>
    heldOutRequests.push({ ...request, anomalyScore: heldOutScores[scoredRows[k]!]! }),
  );

  const forestScorer = new ForestScorer(model, compiled, calibration);
  const plan: BaselinePlan = {
    profileForModel: { features, model: { inputs }, numeric, categorical },
    heldOutRequests,
    allRequests: () => requestsFor(Array.from({ length: table.rows }, (_, i) => i)),
    labelClasses: labelled.classes,
    forest: () => ({
      scoredBy: { scorer: 'forest', modelVersion: model.version, classes: [...classes] },
      predictions: heldOutRequests.map((r) => forestScorer.predict(r.anomalyScore!)),
      binningScores: compiled.scoreMany(matrixOf(Array.from({ length: table.rows }, (_, i) => i))),
    }),
    finish: (scoring) => {
      // The held-out rows as production sees them: validated (the calibration's decisions, which are the
      // validator's: a test holds them equal), REJECTed ones left unscored, the others scored by the model given.
      // The validator itself is not run here: rows built here have another shape than decoded events, and would
      // slow the validator's generated reader in a process that goes on to score.
      const n = split.heldOut.length;
      const predictions: Array<string | null> = new Array(n).fill(null);
      const scores = new Float64Array(n).fill(NaN);
      const positiveProbabilities = new Float64Array(n).fill(NaN);
      const labelSchema =
        labelled.classes.length > 0
          ? { classes: labelled.classes, positiveClass: labelled.binary ? labelled.positive : null }
          : undefined;
      scoredRows.forEach((i, k) => {
        const p = scoring.predictions[k]!;
        predictions[i] = p.prediction;
        scores[i] = p.score ?? NaN;
        const positive = labelSchema?.positiveClass ?? scoring.scoredBy.classes[1];
        if (positive !== undefined) positiveProbabilities[i] = p.probabilities[positive] ?? NaN;
      });
      const schemaColumns: SchemaColumn[] = [...numericColumns, ...categoricalColumns];
      const schema = deriveSchema(schemaColumns, {
        // Binning of the score from every row's: the held-out rows alone may be few.
        prediction: { classes: scoring.scoredBy.classes, scores: scoring.binningScores },
        ...(labelSchema ? { labels: labelSchema } : {}),
      });
      const heldOutProfile = profileFromColumns(schema, subsetColumns(schemaColumns, split.heldOut), {
        predictions,
        scores,
        positiveProbabilities,
        ...(labelSchema ? { labels: split.heldOut.map((row) => table.labels[row]!) } : {}),
      });
      const data = {
        ...profileFromColumns(schema, schemaColumns),
        prediction: heldOutProfile.prediction,
        labels: heldOutProfile.labels,
        performance: heldOutProfile.performance,
      };
      const heldOut: HeldOutSummary = {
        share: holdout,
        rows: n,
        trainRows: split.train.length,
        stratifiedBy: split.stratifiedBy,
        rejected,
        flagged,
        scoredBy: scoring.scoredBy,
        performance: heldOutProfile.performance,
      };
      // The input-anomaly detector predicts label classes only when they are two (its calibration maps them).
      const measurable = scoring.scoredBy.scorer !== 'forest' || labelled.binary;
      const metrics =
        measurable && schema.labels && heldOut.performance
          ? performanceMetrics(heldOut.performance, schema.labels)
          : null;
      const body = {
        kind: 'mrm.baseline' as const,
        formatVersion: 2 as const,
        seed: options.seed,
        source: { ...options.source, rows: table.rows, skippedRows: table.skipped.length },
        columns: options.columns,
        features,
        numeric,
        categorical,
        model,
        validation,
        heldOut,
        ...(metrics ? { metrics } : {}),
        schema,
        data,
      };
      return { ...body, profileVersion: fingerprint(body), createdAt: options.createdAt };
    },
  };
  return ok(plan);
}

function checkOptions(holdout: number, budgets: ValidationBudgets): string | undefined {
  if (!(holdout > 0 && holdout < 1)) return `--holdout must be a share between 0 and 1, got ${holdout}`;
  for (const [name, value] of [
    ['reject', budgets.reject],
    ['flag', budgets.flag],
  ] as const) {
    if (!(value > 0 && value < 0.5)) return `--${name}-budget must be a share between 0 and 0.5, got ${value}`;
  }
  if (budgets.reject > budgets.flag)
    return `--reject-budget (${budgets.reject}) must not exceed --flag-budget (${budgets.flag})`;
  return undefined;
}

function subsetColumns(columns: readonly SchemaColumn[], rows: readonly number[]): SchemaColumn[] {
  return columns.map((c) =>
    c.type === 'numeric'
      ? { ...c, values: Float64Array.from(rows, (row) => c.values[row]!) }
      : { ...c, values: rows.map((row) => c.values[row]!) },
  );
}

function numericStats(values: Float64Array): NumericStats {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = count > 0 ? sum / count : 0;
  let squares = 0;
  for (const v of values) if (!Number.isNaN(v)) squares += (v - mean) ** 2;
  // Population standard deviation, as numpy's default (ddof = 0) that the seed uses.
  return { count, missing: values.length - count, min, max, mean, std: count > 0 ? Math.sqrt(squares / count) : 0 };
}

function categoricalStats(values: ReadonlyArray<string | null>): CategoricalStats {
  const counts: Record<string, number> = {};
  let count = 0;
  for (const v of values) {
    if (v === null) continue;
    count++;
    counts[v] = (counts[v] ?? 0) + 1;
  }
  const frequencies = Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / count]));
  return { count, missing: values.length - count, frequencies };
}

type LabelClasses = { classes: string[] } & ({ binary: true; negative: string; positive: string } | { binary: false });

function labelClasses(labels: ReadonlyArray<string | null>): LabelClasses {
  const counts = new Map<string, number>();
  for (const l of labels) if (l !== null) counts.set(l, (counts.get(l) ?? 0) + 1);
  const classes = [...counts.keys()].sort();
  if (classes.length !== 2) return { binary: false, classes };
  const named = classes.find((c) => POSITIVE_NAMES.includes(c.toLowerCase()));
  // Without a conventional positive name, the rarer class is the one an anomaly detector should find.
  const positive = named ?? (counts.get(classes[0]!)! <= counts.get(classes[1]!)! ? classes[0]! : classes[1]!);
  const negative = classes[0] === positive ? classes[1]! : classes[0]!;
  return { binary: true, classes: [negative, positive], negative, positive };
}
