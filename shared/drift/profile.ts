import { MrmError } from '../errors.js';
import { EMPTY_SKETCH, mergeSketchCounts, type SketchCounts } from '../sketch/logBucketSketch.js';
import { MISSING, OTHER, type NumericFeatureSchema, type ProfileSchema } from './schema.js';

/**
 * A dataset profile: everything the drift tests need from a set of events, as an immutable JSON value. Profiles of
 * the same schema merge (mergeProfiles: associative, commutative, emptyProfile is the identity), which makes the
 * weekly job a fold over per-blob profiles that can be cached, resumed and fanned out.
 *
 * Build one with ProfileAccumulator (events, the hot loop) or profileFromColumns (whole columns, the baseline).
 */
export interface DatasetProfile {
  version: typeof PROFILE_VERSION;
  /** The ProfileSchema.id this profile was counted on. */
  schemaId: string;
  /** The schema's exactValueCap: merges keep raw values only while they fit. */
  exactValueCap: number;
  /** Events folded in (bad bodies excluded: they are counted in badBodies). */
  events: number;
  features: Record<string, FeatureProfile>;
  /** Bodies that could not be read, per reason code (e.g. `EVENT.INVALID_JSON`). */
  badBodies: Record<string, number>;
  /** Present when the schema has prediction classes. */
  prediction: PredictionProfile | null;
  /** Present when the schema has label classes: labels of the records that carried one. */
  labels: CategoricalFeatureProfile | null;
  /** Present when the schema has label classes: what accuracy, precision, recall, F1 and AUC are computed from. */
  performance: PerformanceState | null;
}

export const PROFILE_VERSION = 1;

export type FeatureProfile = NumericFeatureProfile | CategoricalFeatureProfile;

export interface NumericFeatureProfile {
  type: 'numeric';
  /** Finite values counted. */
  count: number;
  /** Null, absent, NaN or ±Infinity: counted, never fed into the statistics. */
  missing: number;
  sum: number;
  /** Σ (x − sketch center)²: centred on the baseline median so the variance keeps its precision for large means. */
  centeredSumSquares: number;
  /** null while count is 0. */
  min: number | null;
  max: number | null;
  /** Counts on the schema's PSI edges (psiEdges.length + 1 buckets). */
  psiCounts: number[];
  /** Counts on the schema's decile edges (decileEdges.length + 1 buckets). */
  decileCounts: number[];
  sketch: SketchCounts;
  /** The values, sorted ascending, while count <= schema.exactValueCap; null beyond (then KS/W use the sketch). */
  values: number[] | null;
}

export interface CategoricalFeatureProfile {
  type: 'categorical';
  /** Non-missing values counted. */
  count: number;
  missing: number;
  /** Counts per baseline category, plus `__other__` and `__missing__` (always present). */
  counts: Record<string, number>;
}

export interface PredictionProfile {
  /** Predicted class counts (`__missing__` = rejected before scoring). */
  classes: CategoricalFeatureProfile;
  /** The model score as a numeric feature; null when the schema has no score binning. */
  score: NumericFeatureProfile | null;
}

/** Bins of the score histograms used for AUC (equal width on [0, 1]). */
export const AUC_BINS = 1000;

export interface PerformanceState {
  /** Records with both a label and a prediction. */
  labelled: number;
  /** Row-major confusion matrix over [...schema.labels.classes, `__other__`]: confusion[actual * k + predicted]. */
  confusion: number[];
  /**
   * Binary labels only: histograms (AUC_BINS equal bins over [0, 1]) of the positive-class score (its probability,
   * else the record's score) for actual positives and negatives; AUC counts ties within a bin as one half.
   */
  scoreHistogram: { positive: number[]; negative: number[] } | null;
}

/** The profile of no events: the identity of mergeProfiles. */
export function emptyProfile(schema: ProfileSchema): DatasetProfile {
  const features: Record<string, FeatureProfile> = {};
  for (const f of schema.features) {
    features[f.name] = f.type === 'numeric' ? emptyNumeric(f) : emptyCategorical(f.categories);
  }
  const k = schema.labels ? schema.labels.classes.length + 1 : 0;
  return {
    version: PROFILE_VERSION,
    schemaId: schema.id,
    exactValueCap: schema.exactValueCap,
    events: 0,
    features,
    badBodies: {},
    prediction: schema.prediction
      ? {
          classes: emptyCategorical(schema.prediction.classes),
          score: schema.prediction.score ? emptyNumeric(schema.prediction.score) : null,
        }
      : null,
    labels: schema.labels ? emptyCategorical(schema.labels.classes) : null,
    performance: schema.labels
      ? {
          labelled: 0,
          confusion: new Array<number>(k * k).fill(0),
          scoreHistogram:
            schema.labels.positiveClass !== null && schema.labels.classes.length === 2
              ? { positive: new Array<number>(AUC_BINS).fill(0), negative: new Array<number>(AUC_BINS).fill(0) }
              : null,
        }
      : null,
  };
}

export function emptyNumeric(f: NumericFeatureSchema): NumericFeatureProfile {
  return {
    type: 'numeric',
    count: 0,
    missing: 0,
    sum: 0,
    centeredSumSquares: 0,
    min: null,
    max: null,
    psiCounts: new Array<number>(f.psiEdges.length + 1).fill(0),
    decileCounts: new Array<number>(f.decileEdges.length + 1).fill(0),
    sketch: EMPTY_SKETCH,
    values: [],
  };
}

export function emptyCategorical(categories: ReadonlyArray<string>): CategoricalFeatureProfile {
  const counts: Record<string, number> = {};
  for (const c of categories) counts[c] = 0;
  counts[OTHER] = 0;
  counts[MISSING] = 0;
  return { type: 'categorical', count: 0, missing: 0, counts };
}

/**
 * Merges two profiles of the same schema. Counts add exactly; float sums add (equal within rounding whatever the
 * order); raw values stay while the merged count fits the cap. Throws PROFILE.SCHEMA_MISMATCH (a bug: callers must
 * only fold profiles counted on one baseline).
 */
export function mergeProfiles(a: DatasetProfile, b: DatasetProfile): DatasetProfile {
  if (a.schemaId !== b.schemaId || a.version !== b.version || a.exactValueCap !== b.exactValueCap) {
    throw new MrmError(
      'bug',
      'PROFILE.SCHEMA_MISMATCH',
      `cannot merge profiles of schemas ${a.schemaId} and ${b.schemaId}`,
    );
  }
  const exactValueCap = a.exactValueCap;
  const features: Record<string, FeatureProfile> = {};
  for (const [name, fa] of Object.entries(a.features)) {
    const fb = b.features[name];
    if (!fb || fb.type !== fa.type)
      throw new MrmError('bug', 'PROFILE.SCHEMA_MISMATCH', `feature "${name}" differs between profiles`);
    features[name] = mergeFeature(fa, fb, exactValueCap);
  }
  return {
    version: PROFILE_VERSION,
    schemaId: a.schemaId,
    exactValueCap,
    events: a.events + b.events,
    features,
    badBodies: addRecords(a.badBodies, b.badBodies),
    prediction:
      a.prediction && b.prediction
        ? {
            classes: mergeCategorical(a.prediction.classes, b.prediction.classes),
            score:
              a.prediction.score && b.prediction.score
                ? mergeNumeric(a.prediction.score, b.prediction.score, exactValueCap)
                : null,
          }
        : null,
    labels: a.labels && b.labels ? mergeCategorical(a.labels, b.labels) : null,
    performance:
      a.performance && b.performance
        ? {
            labelled: a.performance.labelled + b.performance.labelled,
            confusion: addArrays(a.performance.confusion, b.performance.confusion),
            scoreHistogram:
              a.performance.scoreHistogram && b.performance.scoreHistogram
                ? {
                    positive: addArrays(a.performance.scoreHistogram.positive, b.performance.scoreHistogram.positive),
                    negative: addArrays(a.performance.scoreHistogram.negative, b.performance.scoreHistogram.negative),
                  }
                : null,
          }
        : null,
  };
}

function mergeFeature(a: FeatureProfile, b: FeatureProfile, cap: number): FeatureProfile {
  if (a.type === 'numeric' && b.type === 'numeric') return mergeNumeric(a, b, cap);
  if (a.type === 'categorical' && b.type === 'categorical') return mergeCategorical(a, b);
  throw new MrmError('bug', 'PROFILE.SCHEMA_MISMATCH', 'feature types differ');
}

export function mergeNumeric(a: NumericFeatureProfile, b: NumericFeatureProfile, cap: number): NumericFeatureProfile {
  const count = a.count + b.count;
  return {
    type: 'numeric',
    count,
    missing: a.missing + b.missing,
    sum: a.sum + b.sum,
    centeredSumSquares: a.centeredSumSquares + b.centeredSumSquares,
    min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
    max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
    psiCounts: addArrays(a.psiCounts, b.psiCounts),
    decileCounts: addArrays(a.decileCounts, b.decileCounts),
    sketch: mergeSketchCounts(a.sketch, b.sketch),
    values: a.values && b.values && count <= cap ? mergeSorted(a.values, b.values) : null,
  };
}

export function mergeCategorical(
  a: CategoricalFeatureProfile,
  b: CategoricalFeatureProfile,
): CategoricalFeatureProfile {
  return {
    type: 'categorical',
    count: a.count + b.count,
    missing: a.missing + b.missing,
    counts: addRecords(a.counts, b.counts),
  };
}

function addArrays(a: ReadonlyArray<number>, b: ReadonlyArray<number>): number[] {
  if (a.length !== b.length) throw new MrmError('bug', 'PROFILE.SCHEMA_MISMATCH', 'bucket counts differ in length');
  return a.map((v, i) => v + b[i]!);
}

function addRecords(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return sortKeys(out);
}

/** Key order is made canonical so that merge(a, b) and merge(b, a) serialise identically. */
function sortKeys(record: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(record).sort()) out[k] = record[k]!;
  return out;
}

function mergeSorted(a: ReadonlyArray<number>, b: ReadonlyArray<number>): number[] {
  const out = new Array<number>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! <= b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}
