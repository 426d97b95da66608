import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileForest, trainIsolationForest, type NumericMatrix } from '../../../shared/baseline/isolationForest.js';
import { rocAuc } from './rocAuc.js';

// Data with planted anomalies and scikit-learn's view of it, written by scripts/golden/isolation_forest.py.
interface Golden {
  shape: string;
  rows: number;
  columns: number;
  values: number[];
  labels: number[];
  sklearn: {
    nEstimators: number;
    maxSamples: number;
    contamination: number;
    /** AUC of random_state 42, then mean and standard deviation over random states 0..states − 1. */
    states: number;
    auc: number;
    aucMean: number;
    aucStd: number;
    threshold: number;
    /** −score_samples of random_state 42. */
    scores: number[];
    /** How close the forests of those states come to those scores, on average. */
    selfAgreement: { correlation: number; meanAbsDifference: number };
  };
}

const goldenDir = new URL('../../fixtures/golden/', import.meta.url);
const goldens: Golden[] = readdirSync(goldenDir)
  .filter((name) => /^isolation-forest-.+\.json$/.test(name))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, goldenDir), 'utf8')) as Golden);

function ourScores(golden: Golden, seed: number) {
  const matrix: NumericMatrix = {
    rows: golden.rows,
    columns: golden.columns,
    values: Float64Array.from(golden.values),
  };
  const trained = trainIsolationForest(matrix, {
    trees: golden.sklearn.nEstimators,
    sampleSize: golden.sklearn.maxSamples,
    contamination: golden.sklearn.contamination,
    seed,
  });
  if (!trained.ok) throw new Error(trained.error.message);
  return { forest: trained.value, scores: compileForest(trained.value).scoreMany(matrix) };
}

const mean = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0) / xs.length;

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('the isolation forest against scikit-learn (golden data)', () => {
  it('has the four data shapes to compare on', () => {
    expect(goldens.map((g) => g.shape)).toEqual(['blob', 'discrete', 'gaussian-20d', 'two-clusters']);
  });

  describe.each(goldens.map((g) => [g.shape, g] as const))('%s', (_shape, golden) => {
    // As many seeds as sklearn had random states, so both means carry the same noise.
    const runs = Array.from({ length: golden.sklearn.states }, (_, i) => ourScores(golden, i + 1));
    const aucs = runs.map((run) => rocAuc(run.scores, golden.labels));

    // One forest's AUC varies with its seed (by up to ~0.015 in 20 dimensions, for sklearn as for us), so the
    // algorithms are compared on their mean over many seeds, and each single seed on sklearn's own spread.
    it('ranks the planted anomalies as well as scikit-learn: mean AUC over the seeds within 0.02 of its mean', () => {
      expect(Math.abs(mean(aucs) - golden.sklearn.aucMean)).toBeLessThanOrEqual(0.02);
    });

    it('gives, for every seed, an AUC within 0.02 + 3 sklearn standard deviations of its mean', () => {
      for (const auc of aucs) {
        expect(Math.abs(auc - golden.sklearn.aucMean)).toBeLessThanOrEqual(0.02 + 3 * golden.sklearn.aucStd);
      }
    });

    it('scores like another scikit-learn forest would: as correlated with its scores, as close in level (same c(ψ))', () => {
      const theirs = golden.sklearn.scores;
      const correlations = runs.map((run) => pearson(run.scores, theirs));
      const differences = runs.map((run) => mean(run.scores.map((s, i) => Math.abs(s - theirs[i]!))));
      expect(mean(correlations)).toBeGreaterThanOrEqual(golden.sklearn.selfAgreement.correlation - 0.02);
      expect(mean(differences)).toBeLessThanOrEqual(golden.sklearn.selfAgreement.meanAbsDifference + 0.005);
    });

    it('sets the anomaly threshold where scikit-learn sets -offset_', () => {
      expect(Math.abs(runs[0]!.forest.threshold - golden.sklearn.threshold)).toBeLessThan(0.02);
    });
  });
});
