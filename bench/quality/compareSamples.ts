import { NumericAccumulator } from '../../shared/drift/featureAccumulators.js';
import { deriveSchema, type NumericFeatureSchema } from '../../shared/drift/schema.js';
import type { NumericFeatureProfile } from '../../shared/drift/profile.js';
import { compareDistributions, type DistributionComparison } from '../../shared/drift/stats/distribution.js';

export interface SampleComparison {
  feature: NumericFeatureSchema;
  reference: NumericFeatureProfile;
  current: NumericFeatureProfile;
  /** What the report would say: the sketch path once either side is past the exact-path cap. */
  comparison: DistributionComparison;
}

/**
 * A baseline sample and a window sample as weeklyDrift sees them: the schema derived from the baseline, each side
 * folded by the fold's own column loop (NumericAccumulator.addColumn), then compareDistributions.
 */
export function compareSamples(
  reference: Float64Array,
  current: Float64Array,
  options: { exactValueCap?: number } = {},
): SampleComparison {
  const schema = deriveSchema([{ name: 'x', type: 'numeric', values: reference }], options);
  const feature = schema.features[0] as NumericFeatureSchema;
  const fold = (values: Float64Array): NumericFeatureProfile => {
    const accumulator = new NumericAccumulator(feature, schema.exactValueCap);
    accumulator.addColumn(values, 0, 1, values.length);
    return accumulator.snapshot();
  };
  const ref = fold(reference);
  const cur = fold(current);
  const comparison = compareDistributions(ref, cur, feature);
  if (comparison === null) throw new RangeError('both samples need at least one finite value');
  return { feature, reference: ref, current: cur, comparison };
}
