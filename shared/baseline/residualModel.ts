import type { NumericMatrix } from './numericMatrix.js';

/**
 * How far each numeric feature is from what the other features predict, in the feature's own units: with z the
 * standardised row and P the inverse of the (ridge-regularised) correlation matrix, the standardised residual of
 * feature j regressed linearly on all the others is (P z)_j / P_jj (the regression is never fitted feature by
 * feature: one matrix holds all of them), scaled back by the feature's standard deviation. One value moved far while
 * its correlated companions stay put shows up here even when the value alone is ordinary. Residuals are in raw units
 * so that models fitted on different rows (the cross-fitted folds) give comparable ones even for a feature that is
 * nearly constant, whose standard deviation varies from fold to fold.
 */
export interface ResidualModel {
  means: number[];
  /** Row-major p × p: residual_j = Σ_k weights[j·p + k] · (x_k − means_k); weights[j·p + j] = 1. */
  weights: number[];
}

/** Ridge added to the correlation matrix's diagonal: keeps it invertible with collinear or constant features. */
const RIDGE = 0.01;

/** Fits the model on complete rows (missing values already imputed). */
export function fitResidualModel(matrix: NumericMatrix): ResidualModel {
  const { rows, columns: p, values } = matrix;
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
  const precision = invertSymmetricPositive(c, p);
  const weights = new Array<number>(p * p);
  for (let j = 0; j < p; j++) {
    const diagonal = precision[j * p + j]!;
    for (let k = 0; k < p; k++) weights[j * p + k] = (scales[j]! * precision[j * p + k]!) / (diagonal * scales[k]!);
  }
  return { means, weights };
}

/**
 * Residuals of one row (raw values, NaN where missing: a missing value counts as its mean, its residual is NaN);
 * `deviations` is scratch space of the row's length.
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
  const w = model.weights;
  for (let j = 0; j < p; j++) {
    if (Number.isNaN(row[j]!)) {
      out[j] = NaN;
      continue;
    }
    let sum = 0;
    for (let k = 0; k < p; k++) sum += w[j * p + k]! * deviations[k]!;
    out[j] = sum;
  }
}

/** Inverse of a symmetric positive-definite matrix by its Cholesky factor. */
function invertSymmetricPositive(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = i === j ? Math.sqrt(sum) : sum / l[j * n + j]!;
    }
  }
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
