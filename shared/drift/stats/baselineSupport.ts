import { SketchGrid } from '../../sketch/logBucketSketch.js';
import type { NumericFeatureProfile } from '../profile.js';
import type { NumericFeatureSchema } from '../schema.js';

/** A numeric baseline as a discrete distribution: ascending positions and their probability masses. */
export interface BaselineSupport {
  positions: Float64Array;
  masses: Float64Array;
  /** True when the baseline looks discrete: few distinct values, each seen many times (integer codes, flags). */
  discrete: boolean;
}

/** At most this many distinct values, each seen on average at least DISCRETE_MIN_REPEATS times, reads as discrete. */
const DISCRETE_MAX_ATOMS = 64;
const DISCRETE_MIN_REPEATS = 20;

/**
 * The baseline's distribution from its profile: its raw values when it kept them, else one atom per sketch bucket at
 * the bucket's middle (clamped to the baseline's range; buckets are 0.5% wide, so a distinct value is an atom).
 */
export function baselineSupport(reference: NumericFeatureProfile, feature: NumericFeatureSchema): BaselineSupport {
  const positions: number[] = [];
  const counts: number[] = [];
  if (reference.values && reference.values.length === reference.count) {
    const values = reference.values;
    for (let i = 0; i < values.length;) {
      let j = i;
      while (j < values.length && values[j] === values[i]) j++;
      positions.push(values[i]!);
      counts.push(j - i);
      i = j;
    }
  } else {
    const grid = new SketchGrid(feature.sketch);
    const lo = reference.min ?? feature.baselineMin;
    const hi = reference.max ?? feature.baselineMax;
    const { offset, counts: bucketCounts } = reference.sketch;
    for (let i = 0; i < bucketCounts.length; i++) {
      const c = bucketCounts[i]!;
      if (c === 0) continue;
      const middle = (grid.lower(offset + i) + grid.upper(offset + i)) / 2;
      positions.push(Math.min(hi, Math.max(lo, middle)));
      counts.push(c);
    }
  }
  const total = counts.reduce((a, b) => a + b, 0);
  return {
    positions: Float64Array.from(positions),
    masses: Float64Array.from(counts, (c) => c / total),
    discrete: positions.length <= DISCRETE_MAX_ATOMS && total >= DISCRETE_MIN_REPEATS * positions.length,
  };
}

/** sup_x |F(x) − F(x − shift)| of the support: the KS statistic a location shift by `shift` would show. */
export function shiftStatistic(support: BaselineSupport, shift: number): number {
  const { positions, masses } = support;
  let best = 0;
  let window = 0;
  let start = 0;
  // The most mass inside any half-open interval (x − shift, x].
  for (let end = 0; end < positions.length; end++) {
    window += masses[end]!;
    while (positions[start]! <= positions[end]! - shift) window -= masses[start++]!;
    if (window > best) best = window;
  }
  return Math.min(1, best);
}
