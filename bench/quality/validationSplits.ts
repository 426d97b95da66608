import { readFileSync } from 'node:fs';
import { buildBaseline, type BuildBaselineOptions } from '../../shared/baseline/buildBaseline.js';
import { compileForest } from '../../shared/baseline/compileForest.js';
import { splitHoldout } from '../../shared/baseline/holdoutSplit.js';
import type { BaselineProfile } from '../../shared/baseline/profile.js';
import { createRandom } from '../../shared/baseline/random.js';
import { readTrainingData, type TrainingTable } from '../../shared/baseline/trainingData.js';
import { unwrap } from '../../shared/errors.js';
import { InputValidator } from '../../shared/scoring/inputValidator.js';
import type { InputEvent, Risk } from '../../shared/contracts/records.js';
import { repoPath } from '../../cli/repoPath.js';
import type { SklearnDataset } from './sklearnDatasets.js';

/** scikit-learn's bundled datasets, exported by scripts/golden/sklearn_datasets.py to test/fixtures/sklearn. */
export const VALIDATION_DATASETS = [
  'breast_cancer',
  'wine',
  'digits',
  'diabetes',
  'iris',
] as const satisfies readonly SklearnDataset[];
export type ValidationDataset = (typeof VALIDATION_DATASETS)[number];

/** Share of each dataset kept away from `mrm baseline` and scored as production rows. */
export const EVALUATION_SHARE = 0.2;
/** How far a moved feature goes, in robust σ (1.4826 · MAD of the baseline's rows). */
export const MOVE_IN_SIGMAS = 6;
/** Moved copies of each production row, each with another feature drawn: more moved rows for the same baselines. */
export const MOVES_PER_ROW = 5;

export interface SplitEvaluation {
  dataset: string;
  seed: number;
  baselineRows: number;
  features: number;
  profile: BaselineProfile;
  /** Rows never seen by `mrm baseline`, scored clean: counts per risk. */
  clean: RiskCounts;
  /** MOVES_PER_ROW copies of those rows, each with one feature drawn and moved MOVE_IN_SIGMAS robust σ away from its
   * median (away: the side the value is on; either side, drawn, when it is the median). */
  moved: RiskCounts;
  /** For peers run on the very same rows: numeric inputs of the baseline, clean and moved rows (row-major). */
  matrices: { columns: number; baseline: number[][]; clean: number[][]; moved: number[][] };
}

export interface RiskCounts {
  rows: number;
  rejected: number;
  /** MEDIUM risk (FLAG), rejected rows not included. */
  flagged: number;
}

/** test/fixtures/sklearn/<name>.csv (made by scripts/golden/sklearn_datasets.py). */
export function datasetCsv(name: ValidationDataset): string {
  return readFileSync(repoPath('test', 'fixtures', 'sklearn', `${name}.csv`), 'utf8');
}

/**
 * One seeded split of a dataset into baseline rows (stratified by class) and production rows, a baseline built from
 * the first as `mrm baseline` builds it, and what the calibrated validation does with the second, clean and with
 * one feature moved. Class labels only stratify: the baseline is built without them (the embedded model is no
 * classifier of these classes), except breast cancer's binary label, which the baseline takes.
 */
export function evaluateSplit(
  dataset: ValidationDataset,
  csv: string,
  seed: number,
  options: Pick<BuildBaselineOptions, 'holdout' | 'budgets'> = {},
): SplitEvaluation {
  const hasTarget = csv.slice(0, csv.indexOf('\n')).split(',').includes('target');
  const table = unwrap(readTrainingData(csv, { format: 'csv', ...(hasTarget ? { label: 'target' } : {}) }));
  const random = createRandom(seed);
  const split = splitHoldout(table.labels, EVALUATION_SHARE, random);
  const binary = new Set(table.labels).size === 2;
  const baselineTable = subset(table, split.train, binary);
  const profile = unwrap(
    buildBaseline(baselineTable, {
      ...options,
      seed,
      createdAt: '2026-01-01T00:00:00.000Z',
      source: { file: `${dataset}.csv`, format: 'csv' },
      columns: binary ? { label: 'target' } : {},
    }),
  );
  const validator = new InputValidator(profile, compileForest(profile.model.forest));
  const inputs = profile.model.inputs;
  const column = (name: string) => table.columns.find((c) => c.name === name)!.values as Float64Array;
  const rowOf = (row: number) => inputs.map((name) => column(name)[row]!);
  const baseline = split.train.map(rowOf);
  const clean = split.heldOut.map(rowOf);

  // Robust σ of each input over the baseline's rows; inputs whose MAD is 0 (more than half the values tie at the
  // median) have no robust σ and are never moved.
  const medians = inputs.map((_, j) => median(baseline.map((r) => r[j]!)));
  const sigmas = inputs.map((_, j) => 1.4826 * median(baseline.map((r) => Math.abs(r[j]! - medians[j]!))));
  const movable = inputs.flatMap((_, j) => (sigmas[j]! > 0 ? [j] : []));
  const movedOf: number[] = [];
  const moved: number[][] = [];
  clean.forEach((r, i) => {
    for (let m = 0; m < MOVES_PER_ROW; m++) {
      const out = [...r];
      const j = movable[random.nextInt(movable.length)]!;
      const side = r[j]! > medians[j]! ? 1 : r[j]! < medians[j]! ? -1 : random.nextInt(2) === 0 ? -1 : 1;
      out[j] = r[j]! + side * MOVE_IN_SIGMAS * sigmas[j]!;
      moved.push(out);
      movedOf.push(i);
    }
  });
  const categoricalOf = (row: number) =>
    Object.fromEntries(
      table.columns.filter((c) => c.type === 'categorical').map((c) => [c.name, (c.values as string[])[row] ?? null]),
    );
  // Each row with the categorical values of the production row it came from.
  const events = (rows: number[][], source: (i: number) => number): InputEvent[] =>
    rows.map((values, i) => ({
      id: String(i),
      features: {
        ...categoricalOf(split.heldOut[source(i)]!),
        ...Object.fromEntries(inputs.map((n, j) => [n, values[j]!])),
      },
    }));
  return {
    dataset,
    seed,
    baselineRows: split.train.length,
    features: inputs.length,
    profile,
    clean: countRisks(validator.validateMany(events(clean, (i) => i)).map((v) => v.risk)),
    moved: countRisks(validator.validateMany(events(moved, (i) => movedOf[i]!)).map((v) => v.risk)),
    matrices: { columns: inputs.length, baseline, clean, moved },
  };
}

function countRisks(risks: readonly Risk[]): RiskCounts {
  return {
    rows: risks.length,
    rejected: risks.filter((r) => r === 'HIGH').length,
    flagged: risks.filter((r) => r === 'MEDIUM').length,
  };
}

function subset(table: TrainingTable, rows: readonly number[], keepLabels: boolean): TrainingTable {
  return {
    rows: rows.length,
    skipped: [],
    ids: rows.map(() => null),
    labels: rows.map((row) => (keepLabels ? table.labels[row]! : null)),
    columns: table.columns.map((c) =>
      c.type === 'numeric'
        ? { ...c, values: Float64Array.from(rows, (row) => c.values[row]!) }
        : { ...c, values: rows.map((row) => c.values[row]!) },
    ),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
