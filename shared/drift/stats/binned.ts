import type { CategoricalFeatureProfile, FeatureProfile } from '../profile.js';
import type { StatContext, StatResult, StatTest } from './statTest.js';

/**
 * Reference and current counts on the same bins: for numeric features the schema's PSI bins (or deciles), for
 * categorical ones every category incl. `__other__` and `__missing__`. Missing numeric values are not a bin.
 */
export interface BinnedCounts {
  labels: string[];
  reference: number[];
  current: number[];
}

export function binnedCounts(
  reference: FeatureProfile,
  current: FeatureProfile,
  options: Pick<StatContext, 'feature'> & { psiBinning?: StatContext['psiBinning'] },
): BinnedCounts {
  if (reference.type === 'numeric' && current.type === 'numeric') {
    const decile = options.psiBinning === 'decile';
    const edges =
      options.feature.type === 'numeric' ? (decile ? options.feature.decileEdges : options.feature.psiEdges) : [];
    const labels = binLabels(edges);
    return decile
      ? { labels, reference: [...reference.decileCounts], current: [...current.decileCounts] }
      : { labels, reference: [...reference.psiCounts], current: [...current.psiCounts] };
  }
  if (reference.type === 'categorical' && current.type === 'categorical') return categoryCounts(reference, current);
  throw new TypeError('reference and current profiles of a feature must have the same type');
}

function categoryCounts(reference: CategoricalFeatureProfile, current: CategoricalFeatureProfile): BinnedCounts {
  const labels = [...new Set([...Object.keys(reference.counts), ...Object.keys(current.counts)])];
  return {
    labels,
    reference: labels.map((l) => reference.counts[l] ?? 0),
    current: labels.map((l) => current.counts[l] ?? 0),
  };
}

function binLabels(edges: ReadonlyArray<number>): string[] {
  const fmt = (v: number): string => Number(v.toPrecision(4)).toString();
  const labels: string[] = [];
  for (let i = 0; i <= edges.length; i++) {
    const lo = i === 0 ? '−∞' : fmt(edges[i - 1]!);
    const hi = i === edges.length ? '+∞' : fmt(edges[i]!);
    labels.push(`[${lo}, ${hi})`);
  }
  return labels;
}

/** Counts divided by their total (all zeros when the total is 0). */
export function proportions(counts: ReadonlyArray<number>): number[] {
  let total = 0;
  for (const c of counts) total += c;
  return counts.map((c) => (total > 0 ? c / total : 0));
}

/**
 * A stat test that compares the two profiles' bins with a distance where higher is worse (PSI, Jensen–Shannon,
 * Hellinger): they differ only in the distance, their name, role and default threshold, and what they add to the
 * details.
 */
export function binnedDistanceTest(
  test: Omit<StatTest, 'run' | 'direction'>,
  distance: (reference: ReadonlyArray<number>, current: ReadonlyArray<number>) => number,
  extra: (
    bins: BinnedCounts,
    context: StatContext,
    reference: FeatureProfile,
    current: FeatureProfile,
  ) => {
    minimumDetectable?: number | null;
    details?: StatResult['details'];
  } = () => ({}),
): StatTest {
  return {
    ...test,
    direction: 'higher-is-worse',
    run(reference, current, context) {
      const bins = binnedCounts(reference, current, context);
      const score = distance(bins.reference, bins.current);
      const more = extra(bins, context, reference, current);
      return {
        score,
        threshold: context.threshold,
        direction: 'higher-is-worse',
        beyondThreshold: score >= context.threshold,
        minimumDetectable: more.minimumDetectable ?? null,
        details: { bins: bins.labels.length, ...more.details },
      };
    },
  };
}
