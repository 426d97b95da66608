import type { DatasetProfile, FeatureProfile, NumericFeatureProfile, PerformanceState } from './profile.js';
import type { PackNumbers, Packer, UnpackNumbers, Unpacker } from './storedDocument.js';

/** Arrays shorter than this stay in the document as they are (PSI and decile counts): no faster packed. */
const PACK_FROM_LENGTH = 32;

/**
 * The profile as the drift cache stores it (storedDocument.ts): its long number arrays (sketch counts, raw values,
 * AUC histograms) handed to `pack`, everything else as it is.
 */
export function packProfile(profile: DatasetProfile, packer: Packer): unknown {
  const packLong = (values: ReadonlyArray<number>) =>
    values.length < PACK_FROM_LENGTH ? values : packer.numbers(values);
  const features: Record<string, unknown> = {};
  for (const [name, feature] of Object.entries(profile.features))
    features[name] = feature.type === 'numeric' ? packNumeric(feature, packLong) : feature;
  const performance = profile.performance;
  const histogram = performance?.scoreHistogram;
  return {
    ...profile,
    features,
    prediction: profile.prediction && {
      classes: profile.prediction.classes,
      score: profile.prediction.score && packNumeric(profile.prediction.score, packLong),
    },
    performance: performance && {
      ...performance,
      confusion: packLong(performance.confusion),
      scoreHistogram: histogram && { positive: packLong(histogram.positive), negative: packLong(histogram.negative) },
    },
  };
}

/**
 * A stored profile back, or undefined when one of its number arrays is missing or unreadable. Only what packing
 * changes is checked; callers check the schema id.
 */
export function unpackProfile(stored: unknown, unpacker: Unpacker): DatasetProfile | undefined {
  const unpack = unpacker.numbers;
  if (!isObject(stored) || !isObject(stored.features)) return undefined;
  const features: Record<string, FeatureProfile> = {};
  for (const [name, feature] of Object.entries(stored.features)) {
    if (!isObject(feature)) return undefined;
    const read = feature.type === 'numeric' ? unpackNumeric(feature, unpack) : (feature as unknown as FeatureProfile);
    if (!read) return undefined;
    features[name] = read;
  }
  let prediction = stored.prediction as DatasetProfile['prediction'];
  if (isObject(stored.prediction) && isObject(stored.prediction.score)) {
    const score = unpackNumeric(stored.prediction.score, unpack);
    if (!score) return undefined;
    prediction = { ...(stored.prediction as unknown as NonNullable<DatasetProfile['prediction']>), score };
  }
  let performance = stored.performance as DatasetProfile['performance'];
  if (isObject(stored.performance)) {
    const read = unpackPerformance(stored.performance, unpack);
    if (!read) return undefined;
    performance = read;
  }
  return { ...(stored as unknown as DatasetProfile), features, prediction, performance };
}

function packNumeric(feature: NumericFeatureProfile, pack: PackNumbers): unknown {
  return {
    ...feature,
    psiCounts: pack(feature.psiCounts),
    decileCounts: pack(feature.decileCounts),
    sketch: { offset: feature.sketch.offset, counts: pack(feature.sketch.counts) },
    values: feature.values && pack(feature.values),
  };
}

function unpackNumeric(stored: Record<string, unknown>, unpack: UnpackNumbers): NumericFeatureProfile | undefined {
  const { sketch } = stored;
  if (!isObject(sketch) || typeof sketch.offset !== 'number') return undefined;
  const psiCounts = unpack(stored.psiCounts);
  const decileCounts = unpack(stored.decileCounts);
  const counts = unpack(sketch.counts);
  const values = stored.values === null ? null : unpack(stored.values);
  if (!psiCounts || !decileCounts || !counts || values === undefined) return undefined;
  return {
    ...(stored as unknown as NumericFeatureProfile),
    psiCounts,
    decileCounts,
    sketch: { offset: sketch.offset, counts },
    values,
  };
}

function unpackPerformance(stored: Record<string, unknown>, unpack: UnpackNumbers): PerformanceState | undefined {
  const confusion = unpack(stored.confusion);
  if (!confusion) return undefined;
  const histogram = stored.scoreHistogram;
  if (histogram === null) return { ...(stored as unknown as PerformanceState), confusion, scoreHistogram: null };
  const positive = isObject(histogram) ? unpack(histogram.positive) : undefined;
  const negative = isObject(histogram) ? unpack(histogram.negative) : undefined;
  if (!positive || !negative) return undefined;
  return { ...(stored as unknown as PerformanceState), confusion, scoreHistogram: { positive, negative } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
