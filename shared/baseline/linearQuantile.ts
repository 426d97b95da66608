/**
 * The q-quantile of `values` with linear interpolation between order statistics (numpy's default, "type 7"), so a
 * threshold computed here matches `np.percentile` and scikit-learn's `offset_`. Does not modify `values`.
 */
export function linearQuantile(values: Float64Array, q: number): number {
  if (values.length === 0) throw new RangeError('quantile of no values');
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below]!;
  if (below === sorted.length - 1) return lower;
  return lower + (position - below) * (sorted[below + 1]! - lower);
}
