import { SketchGrid } from '../sketch/logBucketSketch.js';
import type { CategoricalFeatureProfile, DatasetProfile, FeatureProfile, NumericFeatureProfile } from './profile.js';
import { moments } from './stats/distribution.js';
import { percentile, type FeatureSchema, type NumericFeatureSchema, type ProfileSchema } from './schema.js';

/**
 * What the report's charts and statistics tables draw, per feature: the JSON carries them, so a chart can be rebuilt
 * from the report alone. Numeric features are binned on the baseline's deciles: every baseline bar holds about a tenth
 * of the values whatever the skew (equal-width bins put 94% of a long-tailed amount in one bar), so a shift shows as
 * current bars leaving 10%.
 */
export interface FeatureDistribution {
  type: 'numeric' | 'categorical';
  bins: DistributionBins;
  summary: { baseline: SideSummary; current: SideSummary };
}

export interface DistributionBins {
  /**
   * `baseline-deciles`: the baseline's decile edges (empty intervals between equal edges dropped); `baseline-range`:
   * the PSI bins (equal width over the baseline's range), used when the baseline's values sit on so few distinct
   * values that fewer than MIN_DECILE_BINS deciles remain; else categories.
   */
  binning: 'baseline-deciles' | 'baseline-range' | 'categories';
  /** Full labels: `< 12.3`, `[12.3, 45.6)`, `≥ 99.1`, or the category. */
  labels: string[];
  /** Numeric: the interior edges of the bins drawn (labels.length − 1 of them). */
  edges?: number[];
  /** Counts per bin (missing values are not a bin; their count is in the summary). */
  baseline: number[];
  current: number[];
}

/** One side's summary statistics: null where a side has no values (or the feature is categorical). */
export interface SideSummary {
  count: number;
  missing: number;
  mean: number | null;
  std: number | null;
  p5: number | null;
  p50: number | null;
  p95: number | null;
  /** Categorical: distinct categories seen (the baseline's, plus `__other__` when present). */
  categories?: number;
}

export interface ReportDistributions {
  features: Record<string, FeatureDistribution>;
  /** The model's outputs: predicted classes (shares of scored events) and the score, when the schema has them. */
  prediction: { classes: FeatureDistribution | null; score: FeatureDistribution | null } | null;
}

/** The distributions of every feature (and of the prediction) of two profiles counted on `schema`. */
export function reportDistributions(
  reference: DatasetProfile,
  current: DatasetProfile,
  schema: ProfileSchema | undefined,
): ReportDistributions {
  const features: Record<string, FeatureDistribution> = {};
  for (const [name, ref] of Object.entries(reference.features)) {
    const cur = current.features[name];
    if (!cur || cur.type !== ref.type) continue;
    features[name] = featureDistribution(
      ref,
      cur,
      schema?.features.find((f) => f.name === name),
    );
  }
  const prediction =
    reference.prediction && current.prediction
      ? {
          classes: featureDistribution(reference.prediction.classes, current.prediction.classes, undefined),
          score:
            reference.prediction.score && current.prediction.score
              ? featureDistribution(
                  reference.prediction.score,
                  current.prediction.score,
                  schema?.prediction?.score ?? undefined,
                )
              : null,
        }
      : null;
  return { features, prediction };
}

export function featureDistribution(
  reference: FeatureProfile,
  current: FeatureProfile,
  schema: FeatureSchema | undefined,
): FeatureDistribution {
  if (reference.type === 'numeric' && current.type === 'numeric') {
    const numeric = schema?.type === 'numeric' ? schema : undefined;
    return {
      type: 'numeric',
      bins: decileBins(reference, current, numeric),
      summary: { baseline: numericSummary(reference, numeric), current: numericSummary(current, numeric) },
    };
  }
  if (reference.type === 'categorical' && current.type === 'categorical') {
    return {
      type: 'categorical',
      bins: categoryBins(reference, current),
      summary: { baseline: categoricalSummary(reference), current: categoricalSummary(current) },
    };
  }
  throw new TypeError('reference and current profiles of a feature must have the same type');
}

/** Fewer distinct decile bins than this (a score piled up near 0) draw better on equal-width bins. */
export const MIN_DECILE_BINS = 5;

function decileBins(
  reference: NumericFeatureProfile,
  current: NumericFeatureProfile,
  schema: NumericFeatureSchema | undefined,
): DistributionBins {
  const deciles = edgeBins(schema?.decileEdges, reference.decileCounts, current.decileCounts, schema !== undefined);
  if (!schema || deciles.labels.length >= MIN_DECILE_BINS) return { binning: 'baseline-deciles', ...deciles };
  return { binning: 'baseline-range', ...edgeBins(schema.psiEdges, reference.psiCounts, current.psiCounts, true) };
}

function edgeBins(
  allEdges: readonly number[] | undefined,
  referenceCounts: readonly number[],
  currentCounts: readonly number[],
  labelled: boolean,
): Omit<DistributionBins, 'binning'> {
  const all = allEdges ?? [];
  const n = referenceCounts.length;
  // Bin i is [all[i-1], all[i]); between two equal edges it can hold nothing, on either side: it is not drawn.
  const keep: number[] = [];
  for (let i = 0; i < n; i++) if (!(i > 0 && i < n - 1 && all[i - 1] === all[i])) keep.push(i);
  const edges = keep.slice(1).map((i) => all[i - 1]!);
  const fmt = (v: number): string =>
    v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6) ? v.toExponential(2) : Number(v.toPrecision(4)).toString();
  const labels = labelled
    ? keep.map((_, k) =>
        k === 0
          ? `< ${fmt(edges[0]!)}`
          : k === keep.length - 1
            ? `≥ ${fmt(edges[k - 1]!)}`
            : `[${fmt(edges[k - 1]!)}, ${fmt(edges[k]!)})`,
      )
    : keep.map((i) => `bin ${i + 1}`);
  return {
    labels,
    ...(labelled ? { edges } : {}),
    baseline: keep.map((i) => referenceCounts[i] ?? 0),
    current: keep.map((i) => currentCounts[i] ?? 0),
  };
}

function categoryBins(reference: CategoricalFeatureProfile, current: CategoricalFeatureProfile): DistributionBins {
  const labels = [...new Set([...Object.keys(reference.counts), ...Object.keys(current.counts)])].filter(
    // Missing values are counted in the summary, and a category neither side saw draws nothing.
    (l) => l !== '__missing__' && ((reference.counts[l] ?? 0) > 0 || (current.counts[l] ?? 0) > 0),
  );
  return {
    binning: 'categories',
    labels,
    baseline: labels.map((l) => reference.counts[l] ?? 0),
    current: labels.map((l) => current.counts[l] ?? 0),
  };
}

function numericSummary(profile: NumericFeatureProfile, schema: NumericFeatureSchema | undefined): SideSummary {
  const m = moments(profile, schema?.sketch.center ?? 0);
  const q = quantiles(profile, schema);
  return {
    count: profile.count,
    missing: profile.missing,
    mean: m?.mean ?? null,
    std: m?.std ?? null,
    p5: q?.[0] ?? null,
    p50: q?.[1] ?? null,
    p95: q?.[2] ?? null,
  };
}

function categoricalSummary(profile: CategoricalFeatureProfile): SideSummary {
  const categories = Object.entries(profile.counts).filter(([k, n]) => k !== '__missing__' && n > 0).length;
  return {
    count: profile.count,
    missing: profile.missing,
    mean: null,
    std: null,
    p5: null,
    p50: null,
    p95: null,
    categories,
  };
}

/**
 * p5, p50 and p95: exact (numpy's linear interpolation) while the profile keeps its values, else from the sketch,
 * the midpoint of the bucket holding the quantile (within the sketch's relative accuracy), kept inside [min, max].
 */
function quantiles(
  profile: NumericFeatureProfile,
  schema: NumericFeatureSchema | undefined,
): [number, number, number] | null {
  if (profile.count === 0) return null;
  if (profile.values && profile.values.length === profile.count)
    return [percentile(profile.values, 5), percentile(profile.values, 50), percentile(profile.values, 95)];
  if (!schema || profile.min === null || profile.max === null) return null;
  const grid = new SketchGrid(schema.sketch);
  const { offset, counts } = profile.sketch;
  const total = counts.reduce((s, c) => s + c, 0);
  const at = (q: number): number => {
    const rank = q * total;
    let cumulative = 0;
    for (let i = 0; i < counts.length; i++) {
      cumulative += counts[i]!;
      if (cumulative >= rank && counts[i]! > 0) {
        const mid = (grid.lower(offset + i) + grid.upper(offset + i)) / 2;
        return Math.min(profile.max!, Math.max(profile.min!, mid));
      }
    }
    return profile.max!;
  };
  return [at(0.05), at(0.5), at(0.95)];
}
