import { describe, expect, it } from 'vitest';
import { calibratedLevel, calibrateValidation } from '../../../shared/baseline/calibrateValidation.js';
import { compileForest } from '../../../shared/baseline/compileForest.js';
import { splitHoldout } from '../../../shared/baseline/holdoutSplit.js';
import { trainIsolationForest } from '../../../shared/baseline/isolationForest.js';
import type { BaselineProfile } from '../../../shared/baseline/profile.js';
import { createRandom } from '../../../shared/baseline/random.js';
import { unwrap } from '../../../shared/errors.js';
import { InputValidator } from '../../../shared/scoring/inputValidator.js';
import {
  datasetCsv,
  evaluateSplit,
  MOVE_IN_SIGMAS,
  type RiskCounts,
  type ValidationDataset,
} from '../../../bench/quality/validationSplits.js';

const exponential = (n: number, seed: number) => {
  const random = createRandom(seed);
  return Float64Array.from({ length: n }, () => -Math.log(1 - random.nextFloat()));
};

describe('calibratedLevel', () => {
  it('is the split-conformal order statistic, the ⌈(n + 1)(1 − budget)⌉-th smallest (halfway to the next larger), when there are enough scores', () => {
    const scores = Float64Array.from({ length: 999 }, (_, i) => 999 - i);
    // Halfway to the next score: 950 itself is not above the level, as it was not above itself in calibration.
    expect(calibratedLevel(scores, 0.05)).toEqual({ level: 950.5, method: 'order-statistic' });
    expect(calibratedLevel(scores, 0.005)).toEqual({ level: 995.5, method: 'order-statistic' });
    const tied = Float64Array.from({ length: 999 }, (_, i) => (i < 900 ? 1 : i < 980 ? 2 : 3));
    expect(calibratedLevel(tied, 0.05).level).toBe(2.5);
  });

  it('extrapolates beyond the largest score, by one tail scale at least, when there are too few for the rank', () => {
    const scores = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    const { level, method } = calibratedLevel(scores, 0.005);
    expect(method).toBe('extrapolated');
    expect(level).toBeGreaterThanOrEqual(101);
  });

  it('leaves a new exponential score above the level at most about as often as the budget, extrapolated or not', () => {
    // Exp(1) scores: P(new > level) = exp(−level), known exactly.
    for (const [n, budget] of [
      [5000, 0.05],
      [5000, 0.005],
      [150, 0.005],
      [40, 0.05],
    ] as const) {
      const rates = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) =>
        Math.exp(-calibratedLevel(exponential(n, seed), budget).level),
      );
      const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
      expect(mean, `n=${n}, budget ${budget}`).toBeLessThan(budget * 1.3);
    }
  });
});

describe('calibrateValidation', () => {
  // Rows with correlated inputs, a skewed one, missing values, a categorical with a rare and a common category.
  const random = createRandom(11);
  const n = 1200;
  const a = Float64Array.from({ length: n }, () => random.nextGaussian());
  const b = a.map((x) => 3 * x + 0.3 * random.nextGaussian());
  const skewed = Float64Array.from({ length: n }, () => Math.exp(random.nextGaussian()));
  skewed.forEach((_, i) => i % 40 === 0 && (skewed[i] = NaN));
  const colour = Array.from({ length: n }, (_, i) => (i % 100 === 0 ? 'rare' : i % 3 === 0 ? 'blue' : 'red'));
  const columns = {
    numeric: [
      { name: 'a', values: a },
      { name: 'b', values: b },
      { name: 'skewed', values: skewed },
    ],
    categorical: [{ name: 'colour', values: colour }],
  };
  const split = splitHoldout(new Array(n).fill(null), 0.2, createRandom(1));
  const means = [a, b, skewed].map((c) => {
    const present = c.filter((x) => !Number.isNaN(x));
    return present.reduce((s, x) => s + x, 0) / present.length;
  });
  const matrixOf = (rows: readonly number[]) => ({
    rows: rows.length,
    columns: 3,
    values: Float64Array.from(rows.flatMap((r) => [a[r]!, b[r]!, Number.isNaN(skewed[r]!) ? means[2]! : skewed[r]!])),
  });
  const train = (matrix: { rows: number; columns: number; values: Float64Array }, seed: number) =>
    unwrap(trainIsolationForest(matrix, { seed }));
  const forest = train(matrixOf(split.train), 1);
  let seed = 1;
  const { profile: validation, heldOutRisks } = calibrateValidation(columns, split, {
    budgets: { reject: 0.005, flag: 0.05 },
    random: createRandom(2),
    forest: compileForest(forest),
    trainForest: (matrix) => compileForest(train(matrix, ++seed)),
    imputationMeans: means,
  });
  const stats = (c: Float64Array, i: number) => {
    const present = c.filter((x) => !Number.isNaN(x));
    return {
      count: present.length,
      missing: 0,
      min: Math.min(...present),
      max: Math.max(...present),
      mean: means[i]!,
      std: 1,
    };
  };
  const profile = {
    numeric: { a: stats(a, 0), b: stats(b, 1), skewed: stats(skewed, 2) },
    features: [
      { name: 'a', type: 'numeric' as const },
      { name: 'b', type: 'numeric' as const },
      { name: 'skewed', type: 'numeric' as const },
      { name: 'colour', type: 'categorical' as const },
    ],
    model: { inputs: ['a', 'b', 'skewed'] } as BaselineProfile['model'],
    validation,
  };
  const validator = new InputValidator(profile, compileForest(forest));
  const event = (row: number) => ({
    id: String(row),
    features: {
      a: a[row]!,
      b: b[row]!,
      skewed: Number.isNaN(skewed[row]!) ? null : skewed[row]!,
      colour: colour[row]!,
    },
  });

  it('decides each held-out row in production as its calibration surprises did', () => {
    const risks = validator.validateMany(split.heldOut.map(event)).map((v) => v.risk);
    expect(risks).toEqual(heldOutRisks);
    expect(new Set(risks).size).toBeGreaterThan(1);
  });

  it('records the budgets, the levels and where they were set', () => {
    expect(validation.budgets).toEqual({ reject: 0.005, flag: 0.05 });
    expect(validation.thresholds.reject).toBeGreaterThanOrEqual(validation.thresholds.flag);
    expect(validation.calibration).toMatchObject({ rows: n, heldOutRows: 240, crossFittedRows: 960, folds: 5 });
    expect(validation.calibration).toMatchObject({ flagMethod: 'order-statistic', rejectMethod: 'order-statistic' });
    expect(validation.calibration.flagRate).toBeLessThanOrEqual(0.05);
    expect(validation.calibration.rejectRate).toBeLessThanOrEqual(0.005);
  });

  it('lets values that were often missing pass, and FLAGs a rare category', () => {
    expect(validation.numeric.map((r) => r.missingFlags)).toEqual([true, true, false]);
    expect(validation.categorical.colour).toEqual({
      ordinary: ['blue', 'red'],
      rare: ['rare'],
      unseenFlags: true,
      missingFlags: true,
    });
    const typical = { a: 0, b: 0, skewed: 1 };
    expect(validator.validate({ id: 'x', features: { ...typical, skewed: null, colour: 'red' } }).risk).toBe('LOW');
    expect(validator.validate({ id: 'x', features: { ...typical, colour: 'rare' } }).issues.map((i) => i.code)).toEqual(
      ['VALIDATION.RARE_CATEGORY'],
    );
    expect(validator.validate({ id: 'x', features: { ...typical, a: null, colour: 'red' } }).risk).toBe('MEDIUM');
  });

  it('sees a value that does not fit its companion, each ordinary alone', () => {
    // a = 1.5 and b = −4.5 are each common; together they are 9 noise σ off b ≈ 3a.
    const v = validator.validate({ id: 'x', features: { a: 1.5, b: -4.5, skewed: 1, colour: 'red' } });
    expect(v.issues.map((i) => `${i.code}:${i.feature}`)).toContain('VALIDATION.INCONSISTENT:b');
    expect(v.issues.some((i) => i.code === 'VALIDATION.OUT_OF_RANGE')).toBe(false);
  });
});

/**
 * Acceptance on scikit-learn's bundled datasets: rows never seen by `mrm baseline` (a third split, over seeded
 * splits), scored by the calibrated validation. Small datasets get more splits, so each figure rests on a few hundred
 * rows at least.
 */
const SPLITS: Record<ValidationDataset, number> = { breast_cancer: 6, wine: 30, digits: 5, diabetes: 10, iris: 30 };
const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(2)}%`;

describe("calibrated validation on scikit-learn's bundled datasets", () => {
  for (const [dataset, splits] of Object.entries(SPLITS) as Array<[ValidationDataset, number]>) {
    it(`${dataset}: of rows never seen by the baseline REJECTs ≤ 1% and FLAGs ≤ 7%; with one feature moved ${MOVE_IN_SIGMAS} robust σ, FLAGs or REJECTs ≥ 95%`, () => {
      const csv = datasetCsv(dataset);
      const clean: RiskCounts = { rows: 0, rejected: 0, flagged: 0 };
      const moved: RiskCounts = { rows: 0, rejected: 0, flagged: 0 };
      for (let seed = 0; seed < splits; seed++) {
        const e = evaluateSplit(dataset, csv, seed);
        for (const key of ['rows', 'rejected', 'flagged'] as const) {
          clean[key] += e.clean[key];
          moved[key] += e.moved[key];
        }
      }
      const figures =
        `${dataset} over ${splits} splits, ${clean.rows} rows: REJECT ${pct(clean.rejected, clean.rows)}, ` +
        `FLAG ${pct(clean.flagged, clean.rows)}; moved rows caught ${pct(moved.rejected + moved.flagged, moved.rows)}`;
      expect(clean.rejected / clean.rows, figures).toBeLessThanOrEqual(0.01);
      expect(clean.flagged / clean.rows, figures).toBeLessThanOrEqual(0.07);
      expect((moved.rejected + moved.flagged) / moved.rows, figures).toBeGreaterThanOrEqual(0.95);
    });
  }

  it('REJECTs hostile rows, every value far outside its range', () => {
    for (const dataset of Object.keys(SPLITS) as ValidationDataset[]) {
      const { profile, matrices } = evaluateSplit(dataset, datasetCsv(dataset), 0);
      const validator = new InputValidator(profile, compileForest(profile.model.forest));
      const inputs = profile.model.inputs;
      const hostile = [1e3, -1e3, 1e6].map((scale, i) => ({
        id: `hostile-${i}`,
        features: Object.fromEntries(
          inputs.map((name, j) => {
            const stats = profile.numeric[name]!;
            return [name, matrices.clean[0]![j]! + scale * (stats.max - stats.min + 1)];
          }),
        ),
      }));
      for (const v of validator.validateMany(hostile)) expect(v.risk, dataset).toBe('HIGH');
    }
  });
});
