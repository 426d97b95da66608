import type { NumericMatrix } from './numericMatrix.js';
import { generateFunction } from '../codegen/generateFunction.js';

/**
 * How far each numeric feature is from what the other features predict, in the feature's own units: a ridge
 * regression of each feature on the few others that predict it best (largest partial correlations), so that one
 * value moved while its correlated companions stay put shows up even when the value alone is ordinary. A handful of
 * predictors per feature carry nearly all of what the full regression knows and keep the cost per event linear in
 * the number of features. Residuals are in raw units so that models fitted on different rows (the cross-fitted
 * folds) give comparable ones even for a nearly constant feature, whose standard deviation varies between folds.
 *
 * residual_j = d_j + Σ_t weights[j][t] · d[predictors[j][t]], with d = x − means, added in that order.
 */
export interface ResidualModel {
  means: number[];
  /** Per feature, the features it is regressed on (ascending). */
  predictors: number[][];
  /** Per feature, the negated regression coefficient of each predictor (raw units). */
  weights: number[][];
}

export interface ResidualModelOptions {
  /** Predictors per feature (default 8). */
  maxPredictors?: number;
}

/** Ridge added to the correlation matrix's diagonal: keeps it invertible with collinear or constant features. */
const RIDGE = 0.01;
export const DEFAULT_MAX_PREDICTORS = 8;

/** Fits the model on complete rows (missing values already imputed). */
export function fitResidualModel(matrix: NumericMatrix, options: ResidualModelOptions = {}): ResidualModel {
  const { rows, columns: p, values } = matrix;
  const maxPredictors = Math.min(p - 1, options.maxPredictors ?? DEFAULT_MAX_PREDICTORS);
  const means = new Array<number>(p).fill(0);
  const scales = new Array<number>(p).fill(0);
  for (let r = 0; r < rows; r++) for (let j = 0; j < p; j++) means[j]! += values[r * p + j]!;
  for (let j = 0; j < p; j++) means[j] = means[j]! / rows;
  for (let r = 0; r < rows; r++) for (let j = 0; j < p; j++) scales[j]! += (values[r * p + j]! - means[j]!) ** 2;
  for (let j = 0; j < p; j++) {
    const sd = Math.sqrt(scales[j]! / rows);
    scales[j] = sd > 0 ? sd : 1;
  }
  const c = new Float64Array(p * p);
  const z = new Float64Array(p);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < p; j++) z[j] = (values[r * p + j]! - means[j]!) / scales[j]!;
    for (let j = 0; j < p; j++) {
      const zj = z[j]!;
      if (zj === 0) continue;
      for (let k = 0; k <= j; k++) c[j * p + k]! += zj * z[k]!;
    }
  }
  for (let j = 0; j < p; j++) {
    for (let k = 0; k <= j; k++) {
      const v = c[j * p + k]! / rows + (j === k ? RIDGE : 0);
      c[j * p + k] = v;
      c[k * p + j] = v;
    }
  }
  // Partial correlations rank the predictors: what each adds given all the others.
  const precision = maxPredictors < p - 1 ? invertSymmetricPositive(c, p) : null;
  const predictors: number[][] = [];
  const weights: number[][] = [];
  for (let j = 0; j < p; j++) {
    const others = Array.from({ length: p }, (_, k) => k).filter((k) => k !== j);
    const chosen = precision
      ? others
          .map((k) => ({ k, partial: Math.abs(precision[j * p + k]!) / Math.sqrt(precision[k * p + k]!) }))
          .sort((a, b) => b.partial - a.partial || a.k - b.k)
          .slice(0, maxPredictors)
          .map((e) => e.k)
          .sort((a, b) => a - b)
      : others;
    const m = chosen.length;
    const system = new Float64Array(m * m);
    const target = new Float64Array(m);
    chosen.forEach((k, a) => {
      target[a] = c[k * p + j]!;
      chosen.forEach((l, b) => (system[a * m + b] = c[k * p + l]!));
    });
    const beta = m > 0 ? solveSymmetricPositive(system, target, m) : new Float64Array(0);
    predictors.push(chosen);
    weights.push(chosen.map((k, a) => (-beta[a]! * scales[j]!) / scales[k]!));
  }
  return { means, predictors, weights };
}

/**
 * Residuals of one row (raw values, NaN where missing: a missing value counts as its mean, its residual is NaN);
 * `deviations` is scratch space of the row's length. The plain form of compileResidualKernel, adding in its order.
 */
export function residualsOf(
  model: ResidualModel,
  row: ArrayLike<number>,
  out: Float64Array,
  deviations: Float64Array,
): void {
  const p = model.means.length;
  for (let j = 0; j < p; j++) {
    const x = row[j]!;
    deviations[j] = Number.isNaN(x) ? 0 : x - model.means[j]!;
  }
  plainResiduals(model, deviations, out);
  for (let j = 0; j < p; j++) if (Number.isNaN(row[j]!)) out[j] = NaN;
}

/**
 * Whether any feature's residual lies outside its bounds (`bounds[4j]`, `bounds[4j + 1]`), given the row's
 * deviations from the means: the validator's question for every event, answered without writing a residual out.
 */
export type ResidualScreen = (deviations: Float64Array) => boolean;

/**
 * The validator's screen, compiled to one straight-line expression per feature with the weights and bounds as
 * literals (`r = d1 + (-0.52) * d0 + 0.013 * d4; if (r < -3.1 || r > 2.9) return true;`): no weight or bound loads,
 * no loop, no residual stored; on 20 features about half the time of the loop. The terms are added in the plain
 * loop's order and the literals are the numbers' shortest round-trip forms, so both agree to the bit (the test
 * holds them to it). Only numbers enter the code.
 */
export function compileResidualScreen(model: ResidualModel, bounds: Float64Array): ResidualScreen {
  const p = model.means.length;
  const out = new Float64Array(p);
  const plain: ResidualScreen = (d) => {
    plainResiduals(model, d, out);
    for (let j = 0; j < p; j++) if (out[j]! < bounds[4 * j]! || out[j]! > bounds[4 * j + 1]!) return true;
    return false;
  };
  const numbers =
    model.weights.every((ws) => ws.every(Number.isFinite)) && Array.from(bounds).every((b) => !Number.isNaN(b));
  const indices = model.predictors.every((ks) => ks.every((k) => Number.isInteger(k) && k >= 0 && k < p));
  if (!numbers || !indices) return plain;
  const loads = Array.from({ length: p }, (_, k) => `const d${k} = d[${k}];`).join(' ');
  const checks = model.predictors.map((ks, j) => {
    const sum = ks.map((k, t) => ` + ${literal(model.weights[j]![t]!)} * d${k}`).join('');
    return `r = d${j}${sum}; if (r < ${literal(bounds[4 * j]!)} || r > ${literal(bounds[4 * j + 1]!)}) return true;`;
  });
  // Generated from numbers only (checked above): finite weights, bounds that are numbers, integer indices.
  return generateFunction<ResidualScreen>(['d'], `${loads} let r; ${checks.join(' ')} return false;`) ?? plain;
}

/** Writes every feature's residual, given the row's deviations from the means (0 for a missing value). */
export function plainResiduals(model: ResidualModel, d: Float64Array, out: Float64Array): void {
  const { predictors, weights } = model;
  for (let j = 0; j < predictors.length; j++) {
    const ks = predictors[j]!;
    const ws = weights[j]!;
    let sum = d[j]!;
    for (let t = 0; t < ks.length; t++) sum += ws[t]! * d[ks[t]!]!;
    out[j] = sum;
  }
}

/** A number's shortest round-trip text, parenthesised when negative so that `+ -x` never reads as `+-`. */
function literal(w: number): string {
  if (w === Infinity) return 'Infinity';
  if (w === -Infinity) return '(-Infinity)';
  const text = Object.is(w, -0) ? '-0' : String(w);
  return w < 0 || Object.is(w, -0) ? `(${text})` : text;
}

/** Cholesky factor L (lower) of a symmetric positive-definite matrix. */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(sum) : sum / l[j * n + j]!;
    }
  }
  return l;
}

function solveSymmetricPositive(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

/** Inverse of a symmetric positive-definite matrix by its Cholesky factor. */
function invertSymmetricPositive(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  // Inverse of L by forward substitution, then A⁻¹ = L⁻ᵀ L⁻¹.
  const li = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    li[i * n + i] = 1 / l[i * n + i]!;
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum -= l[i * n + k]! * li[k * n + j]!;
      li[i * n + j] = sum / l[i * n + i]!;
    }
  }
  const inverse = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      for (let k = i; k < n; k++) sum += li[k * n + i]! * li[k * n + j]!;
      inverse[i * n + j] = sum;
      inverse[j * n + i] = sum;
    }
  }
  return inverse;
}
