import { fail, ok, type Result } from '../errors.js';
import { deriveSchema, type SchemaColumn } from '../drift/schema.js';
import { profileFromColumns } from '../drift/profile.js';
import { fingerprint } from '../drift/fingerprint.js';
import { ForestScorer } from '../scoring/forestScorer.js';
import { calibrateScores } from './calibration.js';
import { compileForest } from './compileForest.js';
import { trainIsolationForest, FOREST_DEFAULTS } from './isolationForest.js';
import { binaryMetrics } from './binaryMetrics.js';
import type { BaselineFeature, BaselineProfile, CategoricalStats, NumericStats } from './profile.js';
import type { TrainingTable } from './trainingData.js';

export interface BuildBaselineOptions {
  seed: number;
  createdAt: string;
  source: { file: string; format: 'csv' | 'jsonl' };
  columns: { id?: string; label?: string };
  trees?: number;
  sampleSize?: number;
  contamination?: number;
}

const POSITIVE_NAMES = ['1', 'true', 'yes', 'anomaly', 'fraud', 'positive', 'bad'];

/**
 * Builds the baseline profile from training data: statistics for validation, the isolation forest (deterministic for
 * a seed) with its threshold and calibration, the model's baseline metrics when labels are binary, and the training
 * data folded into the same mergeable profile the weekly drift job builds.
 */
export function buildBaseline(table: TrainingTable, options: BuildBaselineOptions): Result<BaselineProfile> {
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

  const inputs = numericColumns.map((c) => c.name);
  const matrix = new Float64Array(table.rows * inputs.length);
  numericColumns.forEach((column, j) => {
    const mean = numeric[column.name]!.mean;
    for (let i = 0; i < table.rows; i++) {
      const v = column.values[i]!;
      matrix[i * inputs.length + j] = Number.isNaN(v) ? mean : v;
    }
  });
  const trained = trainIsolationForest(
    { rows: table.rows, columns: inputs.length, values: matrix },
    {
      seed: options.seed,
      trees: options.trees ?? FOREST_DEFAULTS.trees,
      sampleSize: options.sampleSize ?? FOREST_DEFAULTS.sampleSize,
      contamination: options.contamination ?? FOREST_DEFAULTS.contamination,
    },
  );
  if (!trained.ok) return trained;
  const forest = trained.value;
  const compiled = compileForest(forest);
  const scores = compiled.scoreMany({ rows: table.rows, columns: inputs.length, values: matrix });

  const labelled = labelClasses(table.labels);
  const classes: [string, string] = labelled.binary ? [labelled.negative, labelled.positive] : ['normal', 'anomaly'];
  let calibration;
  if (labelled.binary) {
    const index = table.labels.flatMap((l, i) => (l === null ? [] : [i]));
    const subsetScores = Float64Array.from(index, (i) => scores[i]!);
    const subsetLabels = index.map((i) => (table.labels[i] === labelled.positive ? 1 : 0) as 0 | 1);
    calibration = calibrateScores(subsetScores, subsetLabels, { threshold: forest.threshold });
  } else {
    calibration = calibrateScores(scores, undefined, { threshold: forest.threshold });
  }
  const model = {
    kind: 'isolation-forest' as const,
    version: fingerprint(forest),
    classes,
    inputs,
    forest,
    calibration,
  };
  const scorer = new ForestScorer(model, compiled, calibration);
  const predictions: string[] = new Array(table.rows);
  const positiveProbabilities = new Float64Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    const p = scorer.predict(scores[i]!);
    predictions[i] = p.prediction;
    positiveProbabilities[i] = p.probabilities[classes[1]]!;
  }
  const metrics = labelled.binary
    ? binaryMetrics(table.labels, predictions, positiveProbabilities, labelled.positive)
    : undefined;

  const schemaColumns: SchemaColumn[] = [...numericColumns, ...categoricalColumns];
  const schema = deriveSchema(schemaColumns, {
    prediction: { classes, scores },
    ...(labelled.classes.length > 0
      ? { labels: { classes: labelled.classes, positiveClass: labelled.binary ? labelled.positive : null } }
      : {}),
  });
  const data = profileFromColumns(schema, schemaColumns, {
    predictions,
    scores,
    positiveProbabilities,
    ...(labelled.classes.length > 0 ? { labels: table.labels } : {}),
  });
  const features: BaselineFeature[] = schemaColumns.map((c) => ({ name: c.name, type: c.type }));
  const body = {
    kind: 'mrm.baseline' as const,
    formatVersion: 1 as const,
    seed: options.seed,
    source: { ...options.source, rows: table.rows, skippedRows: table.skipped.length },
    columns: options.columns,
    features,
    numeric,
    categorical,
    model,
    ...(metrics ? { metrics } : {}),
    schema,
    data,
  };
  return ok({ ...body, profileVersion: fingerprint(body), createdAt: options.createdAt });
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
