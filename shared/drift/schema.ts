import {
  DEFAULT_SKETCH_LINEAR_LIMIT,
  DEFAULT_SKETCH_RELATIVE_ACCURACY,
  type SketchParams,
} from '../sketch/logBucketSketch.js';
import { fingerprint } from './fingerprint.js';

/**
 * What the baseline fixes for every later profile, so profiles built in different weeks, blobs or processes count
 * on the same grid and can be merged and compared. Serialisable as JSON (outer PSI edges −∞/+∞ are implicit).
 */
export interface ProfileSchema {
  version: 1;
  /** Fingerprint of everything below: profiles carry it, and only profiles of the same schema merge or compare. */
  id: string;
  /** Numeric features first (in input order), then categorical ones. */
  features: FeatureSchema[];
  /** Predicted class and model score of scored records, when the model's classes are known. */
  prediction: PredictionSchema | null;
  /** Label classes, when labels are known (performance drift). */
  labels: LabelSchema | null;
  /** A profile keeps its raw values (sorted) up to this many per feature, for exact KS/Wasserstein on small windows. */
  exactValueCap: number;
}

export type FeatureSchema = NumericFeatureSchema | CategoricalFeatureSchema;

export interface NumericFeatureSchema {
  name: string;
  type: 'numeric';
  /**
   * Interior PSI edges, ascending (the seed: 9 edges of 10 equal-width buckets over the baseline's [min, max]; the
   * outer edges are −∞ and +∞). Bucket i holds x with edges[i-1] <= x < edges[i], like numpy.histogram.
   */
  psiEdges: number[];
  /** Interior edges of the baseline deciles (equal-frequency option), same counting rule. */
  decileEdges: number[];
  sketch: SketchParams;
  /** Baseline [min, max], for the per-range Wasserstein and the report. */
  baselineMin: number;
  baselineMax: number;
}

export interface CategoricalFeatureSchema {
  name: string;
  type: 'categorical';
  /** Baseline categories (most frequent first); others count as `__other__`, missing as `__missing__`. */
  categories: string[];
}

export interface PredictionSchema {
  /** Predicted classes the model emits; others count as `__other__`. */
  classes: string[];
  /** Binning of the model score as a numeric feature (from baseline scores), or null when there is no score. */
  score: NumericFeatureSchema | null;
}

export interface LabelSchema {
  classes: string[];
  /** The positive class for precision/recall/F1 and AUC when binary; null means macro averages and no AUC. */
  positiveClass: string | null;
}

export const OTHER = '__other__';
export const MISSING = '__missing__';

export type SchemaColumn =
  | { name: string; type: 'numeric'; values: Float64Array /* NaN = missing */ }
  | { name: string; type: 'categorical'; values: ReadonlyArray<string | null> };

export interface DeriveSchemaOptions {
  /** Equal-width PSI buckets (default 10, the seed's). */
  psiBuckets?: number;
  /** Keep raw values per feature up to this many (default 5000). */
  exactValueCap?: number;
  /** Most categories kept per categorical feature (default 100); rarer ones fold into `__other__`. */
  maxCategories?: number;
  sketchRelativeAccuracy?: number;
  sketchLinearLimit?: number;
  /** The model's predicted classes and, when available, baseline scores (to bin the score). */
  prediction?: { classes: string[]; scores?: Float64Array };
  labels?: { classes: string[]; positiveClass?: string | null };
}

/** Derives the schema from baseline columns (missing values are NaN or null and are ignored). */
export function deriveSchema(columns: ReadonlyArray<SchemaColumn>, options: DeriveSchemaOptions = {}): ProfileSchema {
  const numeric = columns.filter((c) => c.type === 'numeric').map((c) => numericSchema(c.name, c.values, options));
  const categorical = columns
    .filter((c): c is Extract<SchemaColumn, { type: 'categorical' }> => c.type === 'categorical')
    .map((c) => categoricalSchema(c.name, c.values, options.maxCategories ?? 100));
  const names = new Set<string>();
  for (const c of columns) {
    if (names.has(c.name)) throw new RangeError(`duplicate feature "${c.name}"`);
    names.add(c.name);
  }
  const prediction: PredictionSchema | null = options.prediction
    ? {
        classes: [...options.prediction.classes],
        score: options.prediction.scores ? numericSchema('score', options.prediction.scores, options) : null,
      }
    : null;
  const labels: LabelSchema | null = options.labels
    ? {
        classes: [...options.labels.classes],
        positiveClass: options.labels.positiveClass ?? defaultPositive(options.labels.classes),
      }
    : null;
  const body = {
    version: 1 as const,
    features: [...numeric, ...categorical],
    prediction,
    labels,
    exactValueCap: options.exactValueCap ?? 5000,
  };
  return { ...body, id: fingerprint(body) };
}

/** For two classes, the second one sorted ("1" of 0/1, "true" of false/true, "anomaly" of anomaly/normal is not). */
function defaultPositive(classes: string[]): string | null {
  if (classes.length !== 2) return null;
  for (const name of ['1', 'true', 'yes', 'positive', 'anomaly', 'fraud']) if (classes.includes(name)) return name;
  return classes[1]!;
}

function numericSchema(name: string, values: Float64Array, options: DeriveSchemaOptions): NumericFeatureSchema {
  const finite = Float64Array.from(values.filter((v) => Number.isFinite(v))).sort();
  if (finite.length === 0) throw new RangeError(`numeric feature "${name}" has no finite baseline value`);
  const min = finite[0]!;
  const max = finite[finite.length - 1]!;
  const buckets = options.psiBuckets ?? 10;
  // numpy.linspace(min, max, buckets + 1): start + i * step, the last edge replaced by +inf anyway.
  const step = (max - min) / buckets;
  const psiEdges: number[] = [];
  for (let i = 1; i < buckets; i++) psiEdges.push(min + i * step);
  const decileEdges: number[] = [];
  for (let q = 1; q < 10; q++) decileEdges.push(percentile(finite, q * 10));
  const median = percentile(finite, 50);
  const iqr = percentile(finite, 75) - percentile(finite, 25);
  let scale = iqr / 1.349;
  if (!(scale > 0)) scale = standardDeviation(finite);
  if (!(scale > 0)) scale = Math.abs(median) > 0 ? Math.abs(median) : 1;
  return {
    name,
    type: 'numeric',
    psiEdges,
    decileEdges,
    sketch: {
      center: median,
      scale,
      relativeAccuracy: options.sketchRelativeAccuracy ?? DEFAULT_SKETCH_RELATIVE_ACCURACY,
      linearLimit: options.sketchLinearLimit ?? DEFAULT_SKETCH_LINEAR_LIMIT,
    },
    baselineMin: min,
    baselineMax: max,
  };
}

function categoricalSchema(
  name: string,
  values: ReadonlyArray<string | null>,
  maxCategories: number,
): CategoricalFeatureSchema {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  const categories = [...counts.entries()]
    .filter(([category]) => category !== OTHER && category !== MISSING)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxCategories)
    .map(([category]) => category);
  return { name, type: 'categorical', categories };
}

/** numpy.percentile with linear interpolation, on sorted values. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  const position = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (position - lo);
}

function standardDeviation(values: Float64Array): number {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= values.length;
  let m2 = 0;
  for (const v of values) m2 += (v - mean) * (v - mean);
  return Math.sqrt(m2 / values.length);
}
