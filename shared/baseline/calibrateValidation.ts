import { NO_BOUND, robustSigma, TwoSidedTail, UpperTail } from './columnTail.js';
import { foldsOf, type HoldoutSplit } from './holdoutSplit.js';
import type { NumericMatrix } from './numericMatrix.js';
import type {
  Bounds,
  CategoricalRule,
  NumericRule,
  ValidationBudgets,
  ValidationCalibration,
  ValidationProfile,
} from './profile.js';
import type { Random } from './random.js';
import type { Risk } from '../contracts/records.js';
import { fitResidualModel, residualsOf, type ResidualModel } from './residualModel.js';

/** The columns validation reads: model inputs in model order (NaN where missing), then categorical features. */
export interface ValidationColumns {
  numeric: ReadonlyArray<{ name: string; values: Float64Array }>;
  categorical: ReadonlyArray<{ name: string; values: ReadonlyArray<string | null> }>;
}

export interface AnomalyScorer {
  scoreMany(matrix: NumericMatrix): Float64Array;
}

export interface CalibrateValidationOptions {
  budgets: ValidationBudgets;
  /** Draws the folds. */
  random: Random;
  /** Folds of the training rows that are scored cross-fitted (default 5). */
  folds?: number;
  /** The isolation forest trained on the train split (the one production uses). */
  forest: AnomalyScorer;
  /** Trains a forest like it on other rows (imputed), for the cross-fitted folds. */
  trainForest(matrix: NumericMatrix): AnomalyScorer;
  /** What production imputes a missing input with before the forest scores it (default: the train split's means). */
  imputationMeans?: ArrayLike<number>;
}

export const DEFAULT_FOLDS = 5;

export interface CalibratedValidation {
  profile: ValidationProfile;
  /** What the calibrated levels make of each held-out row (in split.heldOut order), from its surprises. */
  heldOutRisks: Risk[];
}

/**
 * Calibrates input validation to its budgets. Every row gets out-of-sample raw statistics (values, residuals,
 * forest score): the held-out rows from models fitted on the train split, which production uses, and each fold of
 * the train split from models fitted on the other folds (cross-fitting: a held-out set of a few dozen rows cannot
 * place a 0.5% level). Each statistic's tails are then fitted on these rows and each row's aggregate surprise is
 * taken cross-fitted again (tails fitted on the other folds), so the levels are set on surprises that are out of
 * sample at both stages. The levels are split-conformal order statistics: a new ordinary row crosses one with
 * probability at most its budget. The bounds the validator checks are the final tails' level sets.
 */
export function calibrateValidation(
  columns: ValidationColumns,
  split: HoldoutSplit,
  options: CalibrateValidationOptions,
): CalibratedValidation {
  const folds = options.folds ?? DEFAULT_FOLDS;
  const p = columns.numeric.length;
  const production = fitStage(columns, split.train, options.forest, options.imputationMeans);
  const pool: number[] = [...split.heldOut];
  const parts: Float64Array[] = [rawStatistics(production, columns, split.heldOut)];
  for (const fold of foldsOf(split.train, folds, options.random)) {
    const inFold = new Set(fold);
    const rest = split.train.filter((row) => !inFold.has(row));
    const model = fitStage(columns, rest, options.trainForest);
    parts.push(rawStatistics(model, columns, fold));
    pool.push(...fold);
  }
  const width = statisticsWidth(p);
  const raw = new Float64Array(pool.length * width);
  let offset = 0;
  for (const part of parts) {
    raw.set(part, offset);
    offset += part.length;
  }
  const statistics: PoolStatistics = { raw, width, p, rows: pool, columns };

  // The production tails are fitted on the training rows' cross-fitted statistics; they judge the held-out rows
  // exactly as they will judge production rows. The training rows are judged by tails fitted on the other folds.
  const flagScores = new Float64Array(pool.length);
  const rejectScores = new Float64Array(pool.length);
  const heldOutIndex = Array.from({ length: split.heldOut.length }, (_, i) => i);
  const trainIndex = Array.from({ length: split.train.length }, (_, i) => split.heldOut.length + i);
  const judge = (tails: Tails, at: readonly number[]) => {
    for (const i of at) {
      const s = surprises(tails, statistics, i);
      flagScores[i] = s.flag;
      rejectScores[i] = s.reject;
    }
  };
  const tails = fitTails(statistics, trainIndex);
  judge(tails, heldOutIndex);
  for (const fold of foldsOf(trainIndex, folds, options.random)) {
    const inFold = new Set(fold);
    judge(
      fitTails(
        statistics,
        trainIndex.filter((i) => !inFold.has(i)),
      ),
      fold,
    );
  }
  const flagLevel = calibratedLevel(flagScores, options.budgets.flag);
  const rejectLevel = calibratedLevel(rejectScores, options.budgets.reject);
  // A hair above the order statistics: a production row tied with the one at the rank passes, as it did here, even
  // where the bounds' arithmetic and the surprises' round differently.
  const flag = flagLevel.level * (1 + 1e-9) + 1e-12;
  const reject = Math.max(rejectLevel.level * (1 + 1e-9) + 1e-12, flag);

  const calibration: ValidationCalibration = {
    rows: pool.length,
    heldOutRows: split.heldOut.length,
    crossFittedRows: split.train.length,
    folds,
    flagMethod: flagLevel.method,
    rejectMethod: rejectLevel.method,
    flagRate: shareAbove(flagScores, flag),
    rejectRate: shareAbove(rejectScores, reject),
  };
  const numeric: NumericRule[] = columns.numeric.map((column, j) => {
    const trainValues = finiteAt(column.values, split.train);
    const sorted = Float64Array.from(trainValues).sort();
    return {
      name: column.name,
      median: sorted.length > 0 ? sorted[(sorted.length - 1) >> 1]! / 2 + sorted[sorted.length >> 1]! / 2 : 0,
      robustSigma: robustSigma(trainValues),
      flag: finiteBounds(tails.values[j]!.bounds(flag)),
      reject: finiteBounds(tails.values[j]!.bounds(reject)),
      missingFlags: rareOrUnseen(tails.missing[j]!, tails.rows, flag),
    };
  });
  const categorical: Record<string, CategoricalRule> = {};
  columns.categorical.forEach((column, c) => {
    const counts = tails.categories[c]!;
    const seen = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    categorical[column.name] = {
      ordinary: seen.filter(([, n]) => !rareOrUnseen(n, tails.rows, flag)).map(([category]) => category),
      rare: seen.filter(([, n]) => rareOrUnseen(n, tails.rows, flag)).map(([category]) => category),
      unseenFlags: rareOrUnseen(singletons(counts), tails.rows, flag),
      missingFlags: rareOrUnseen(tails.categoricalMissing[c]!, tails.rows, flag),
    };
  });
  const heldOutRisks = heldOutIndex.map((i): Risk =>
    rejectScores[i]! > reject ? 'HIGH' : flagScores[i]! > flag || flagScores[i] === Infinity ? 'MEDIUM' : 'LOW',
  );
  const profile: ValidationProfile = {
    method: 'calibrated-max-surprise',
    budgets: { ...options.budgets },
    thresholds: { flag: finiteLevel(flag), reject: finiteLevel(reject) },
    numeric,
    residuals:
      production.residual && tails.residuals
        ? {
            ...production.residual,
            flag: tails.residuals.map((t) => finiteBounds(t.bounds(flag))),
            reject: tails.residuals.map((t) => finiteBounds(t.bounds(reject))),
          }
        : null,
    anomaly: { flag: finiteLevel(tails.forest.bound(flag)), reject: finiteLevel(tails.forest.bound(reject)) },
    categorical,
    calibration,
  };
  return { profile, heldOutRisks };
}

/**
 * The level a new exchangeable score exceeds with probability at most `budget`: the ⌈(n + 1)(1 − budget)⌉-th
 * smallest of n (split conformal). With too few scores for that rank, an exponential tail fitted to the largest
 * ones is extrapolated to the budget, its scale at least one nat (what exact tail probabilities give), and the level
 * at least one scale beyond the largest score.
 */
export function calibratedLevel(
  scores: Float64Array,
  budget: number,
): { level: number; method: 'order-statistic' | 'extrapolated' } {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const rank = Math.ceil((n + 1) * (1 - budget) - 1e-9);
  if (rank <= n) {
    // Halfway to the next larger score: with discrete features many rows share a score, and production rows of the
    // same kind score a little differently (their tails were fitted on other rows); the level stays between them.
    const at = sorted[Math.max(0, rank - 1)]!;
    let next = rank;
    while (next < n && !(sorted[next]! > at)) next++;
    const level = next < n && Number.isFinite(sorted[next]!) ? (at + sorted[next]!) / 2 : at;
    return { level, method: 'order-statistic' };
  }
  const k = Math.min(n - 1, Math.max(10, Math.min(100, Math.floor(n / 5))));
  const base = sorted[n - k - 1] ?? sorted[0]!;
  let excess = 0;
  for (let i = n - k; i < n; i++) excess += sorted[i]! - base;
  const scale = Math.max(k > 0 ? excess / k : 0, 1);
  const level = Math.max(base + scale * Math.log(k / n / budget), sorted[n - 1]! + scale);
  return { level, method: 'extrapolated' };
}

interface Stage {
  means: Float64Array;
  residual: ResidualModel | null;
  forest: AnomalyScorer;
}

/** Raw statistics per row: p values, p residuals, one forest score. */
const statisticsWidth = (p: number): number => 2 * p + 1;

function fitStage(
  columns: ValidationColumns,
  rows: readonly number[],
  forest: AnomalyScorer | ((matrix: NumericMatrix) => AnomalyScorer),
  imputationMeans?: ArrayLike<number>,
): Stage {
  const p = columns.numeric.length;
  const means = Float64Array.from(columns.numeric, (c) => {
    const values = finiteAt(c.values, rows);
    let sum = 0;
    for (const v of values) sum += v;
    return values.length > 0 ? sum / values.length : 0;
  });
  const matrix = imputedMatrix(columns, rows, means);
  return {
    means: imputationMeans ? Float64Array.from(imputationMeans) : means,
    residual: p >= 2 ? fitResidualModel(matrix) : null,
    forest: typeof forest === 'function' ? forest(matrix) : forest,
  };
}

function rawStatistics(stage: Stage, columns: ValidationColumns, rows: readonly number[]): Float64Array {
  const p = columns.numeric.length;
  const width = statisticsWidth(p);
  const out = new Float64Array(rows.length * width);
  const raw = new Float64Array(p);
  const residuals = new Float64Array(p);
  const z = new Float64Array(p);
  rows.forEach((row, i) => {
    for (let j = 0; j < p; j++) raw[j] = columns.numeric[j]!.values[row]!;
    out.set(raw, i * width);
    if (stage.residual) {
      residualsOf(stage.residual, raw, residuals, z);
      out.set(residuals, i * width + p);
    } else {
      out.fill(NaN, i * width + p, i * width + 2 * p);
    }
  });
  const scores = stage.forest.scoreMany(imputedMatrix(columns, rows, stage.means));
  rows.forEach((_, i) => (out[i * width + 2 * p] = scores[i]!));
  return out;
}

interface PoolStatistics {
  raw: Float64Array;
  width: number;
  p: number;
  /** Table row of each pool row. */
  rows: readonly number[];
  columns: ValidationColumns;
}

interface Tails {
  rows: number;
  values: TwoSidedTail[];
  residuals: TwoSidedTail[] | null;
  forest: UpperTail;
  missing: number[];
  categories: Array<Map<string, number>>;
  categoricalMissing: number[];
}

/** Tails of every statistic over some pool rows; a column's tail extrapolates on a tenth of its robust σ at least. */
function fitTails(statistics: PoolStatistics, at: readonly number[]): Tails {
  const { raw, width, p, rows, columns } = statistics;
  const column = (c: number): Float64Array => {
    const values: number[] = [];
    for (const i of at) {
      const v = raw[i * width + c]!;
      if (!Number.isNaN(v)) values.push(v);
    }
    return Float64Array.from(values);
  };
  const twoSided = (c: number): TwoSidedTail => {
    const values = column(c);
    return TwoSidedTail.fit(values, 0.1 * robustSigma(values));
  };
  const scores = column(2 * p);
  const missing = columns.numeric.map((_, j) => at.filter((i) => Number.isNaN(raw[i * width + j]!)).length);
  const categories = columns.categorical.map((c) => {
    const counts = new Map<string, number>();
    for (const i of at) {
      const v = c.values[rows[i]!];
      if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    return counts;
  });
  return {
    rows: at.length,
    values: Array.from({ length: p }, (_, j) => twoSided(j)),
    residuals: p >= 2 ? Array.from({ length: p }, (_, j) => twoSided(p + j)) : null,
    forest: UpperTail.fit(scores, 0.1 * robustSigma(scores)),
    missing,
    categories,
    categoricalMissing: columns.categorical.map((c) => at.filter((i) => c.values[rows[i]!] === null).length),
  };
}

/** A pool row's aggregate surprise: `reject` over value evidence only, `flag` also over missing values and categories. */
function surprises(tails: Tails, statistics: PoolStatistics, i: number): { flag: number; reject: number } {
  const { raw, width, p, rows, columns } = statistics;
  let reject = tails.forest.surprise(raw[i * width + 2 * p]!);
  let flag = 0;
  for (let j = 0; j < p; j++) {
    const x = raw[i * width + j]!;
    if (Number.isNaN(x)) {
      flag = Math.max(flag, frequencySurprise(tails.missing[j]!, tails.rows));
      continue;
    }
    reject = Math.max(reject, tails.values[j]!.surprise(x));
    if (tails.residuals) reject = Math.max(reject, tails.residuals[j]!.surprise(raw[i * width + p + j]!));
  }
  columns.categorical.forEach((c, k) => {
    const v = c.values[rows[i]!];
    const counts = tails.categories[k]!;
    const count = v === null || v === undefined ? tails.categoricalMissing[k]! : (counts.get(v) ?? singletons(counts));
    flag = Math.max(flag, frequencySurprise(count, tails.rows));
  });
  return { flag: Math.max(flag, reject), reject };
}

/** −ln of a frequency; one never seen is infinitely surprising (it FLAGs whatever the level). */
function frequencySurprise(count: number, rows: number): number {
  return count === 0 ? Infinity : -Math.log(count / rows);
}

function rareOrUnseen(count: number, rows: number, level: number): boolean {
  const surprise = frequencySurprise(count, rows);
  return surprise === Infinity || surprise > level;
}

/**
 * Categories seen once: the Good–Turing estimate of how often a new row brings a category not seen before, so a
 * column of many one-off values does not FLAG every new one while a column of a few fixed categories always does.
 */
function singletons(counts: ReadonlyMap<string, number>): number {
  let once = 0;
  for (const n of counts.values()) if (n === 1) once++;
  return once;
}

function shareAbove(scores: Float64Array, level: number): number {
  let above = 0;
  for (const s of scores) if (s > level || s === Infinity) above++;
  return scores.length > 0 ? above / scores.length : 0;
}

function finiteAt(values: Float64Array, rows: readonly number[]): Float64Array {
  const out: number[] = [];
  for (const row of rows) {
    const v = values[row]!;
    if (!Number.isNaN(v)) out.push(v);
  }
  return Float64Array.from(out);
}

function imputedMatrix(columns: ValidationColumns, rows: readonly number[], means: Float64Array): NumericMatrix {
  const p = columns.numeric.length;
  const values = new Float64Array(rows.length * p);
  rows.forEach((row, i) => {
    for (let j = 0; j < p; j++) {
      const v = columns.numeric[j]!.values[row]!;
      values[i * p + j] = Number.isNaN(v) ? means[j]! : v;
    }
  });
  return { rows: rows.length, columns: p, values };
}

function finiteLevel(level: number): number {
  return Math.min(Math.max(level, -NO_BOUND), NO_BOUND);
}

function finiteBounds([lo, hi]: Bounds): Bounds {
  return [finiteLevel(lo), finiteLevel(hi)];
}
