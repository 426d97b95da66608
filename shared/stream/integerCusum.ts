import { advanceWalk, type CusumState } from './bernoulliCusum.js';

/**
 * A one-sided CUSUM over events that fall in one of a few categories (a score bin; a confidence group crossed with
 * right or wrong): each event adds its category's log-likelihood ratio of the shifted against the in-control
 * distribution, rounded to integer units, floored at zero; an alarm when the sum reaches `threshold`. With integer
 * steps the walk is an exact Markov chain, so its in-control average run length is solved, not simulated
 * (runLength), at whichever in-control distribution the caller names: the threshold is calibrated at the least
 * favourable one the baseline's sample allows (leastFavourable), not at the point estimate.
 */
export interface IntegerCusumDesign {
  /** Integer step of each category. */
  steps: Int32Array;
  /** Nats per unit of `steps` and `threshold`. */
  unitInNats: number;
  threshold: number;
  /** Exact in-control run length at the distribution the threshold was calibrated at. */
  inControlRunLength: number;
}

/** Rounded steps keep the walk's mean step, in control and shifted, within this share of the exact one. */
const DRIFT_TOLERANCE = 0.02;
/** Largest step in units: caps the chain's band (a rarer, larger ratio is clipped, which only costs it some power). */
const MAX_STEP = 512;
const MAX_THRESHOLD = 200_000;

/**
 * The walk whose steps are `llrInNats` (per category) and whose threshold is the smallest with an in-control run
 * length of at least `minRunLength` events when categories occur with `inControl` probabilities.
 */
export function designIntegerCusum(
  llrInNats: readonly number[],
  inControl: readonly number[],
  minRunLength: number,
): IntegerCusumDesign {
  if (llrInNats.length !== inControl.length || llrInNats.length === 0)
    throw new RangeError(`A CUSUM needs one probability per step (${llrInNats.length} steps, ${inControl.length})`);
  const unitInNats = unitFor(llrInNats, inControl);
  const steps = Int32Array.from(llrInNats, (l) => Math.max(-MAX_STEP, Math.min(MAX_STEP, Math.round(l / unitInNats))));
  let drift = 0;
  for (let j = 0; j < steps.length; j++) drift += inControl[j]! * steps[j]!;
  if (!(drift < 0)) throw new RangeError(`The walk drifts upwards (${drift} units an event) when in control`);
  if (!steps.some((s) => s > 0)) throw new RangeError('A CUSUM needs a category that steps up');
  const threshold = smallestThreshold(steps, inControl, minRunLength);
  return { steps, unitInNats, threshold, inControlRunLength: runLength(steps, inControl, threshold) };
}

/** How far a walk's shift may be widened before it is given up: 8 times the one asked for. */
const MAX_WIDENINGS = 10;
const WIDENING = 1.25;

/**
 * The walk for a shift of size `size` (its log-likelihood ratios from `ratiosFor(size)`), calibrated at the least
 * favourable distribution within `z` standard errors of `estimate`. A baseline too small to tell that shift from its
 * own sampling error would leave the walk drifting up at that distribution: the shift is then widened (by a quarter,
 * up to 8 times) until the walk is in control there, and the walk is tuned to the smallest shift this baseline can
 * see; null when not even that is.
 */
export function designForBaseline(
  ratiosFor: (size: number) => number[],
  size: number,
  estimate: readonly number[],
  sampleSize: number,
  z: number,
  minRunLength: number,
): { design: IntegerCusumDesign; size: number } | null {
  let current = size;
  for (let i = 0; i <= MAX_WIDENINGS; i++, current *= WIDENING) {
    const llr = ratiosFor(current);
    if (!llr.every(Number.isFinite)) return null;
    const inControl = leastFavourable(estimate, llr, sampleSize, z);
    const mean = inControl.reduce((a, p, j) => a + p * llr[j]!, 0);
    const tilted = inControl.map((p, j) => p * Math.exp(llr[j]!));
    const total = tilted.reduce((a, b) => a + b, 0);
    const shiftedMean = tilted.reduce((a, p, j) => a + (p / total) * llr[j]!, 0);
    // In control with room to spare: the downward drift at least a tenth of the upward one under the shift.
    if (mean < -0.1 * shiftedMean) {
      try {
        return { design: designIntegerCusum(llr, inControl, minRunLength), size: current };
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
    }
  }
  return null;
}

/**
 * The coarsest unit (fewest states: the solve costs threshold · up · down) whose rounding moves the walk's mean step,
 * in control and under the shift (the in-control distribution tilted by the ratios), by at most DRIFT_TOLERANCE of
 * the shifted mean (the information an event brings). Candidates divide the most common step exactly (its rounding
 * error would repeat on most events) or the mean absolute step.
 */
function unitFor(llr: readonly number[], inControl: readonly number[]): number {
  let meanAbs = 0;
  let common = 0;
  for (let j = 0; j < llr.length; j++) {
    meanAbs += inControl[j]! * Math.abs(llr[j]!);
    if (inControl[j]! > inControl[common]! && llr[j] !== 0) common = j;
  }
  if (!(meanAbs > 0)) throw new RangeError('A CUSUM needs steps that are not all zero');
  const tilted = inControl.map((p, j) => p * Math.exp(llr[j]!));
  const total = tilted.reduce((a, b) => a + b, 0);
  const shifted = tilted.map((p) => p / total);
  const drift = (p: readonly number[], unit: number | null): number =>
    p.reduce((a, pj, j) => {
      const l = llr[j]!;
      return a + pj * (unit === null ? l : Math.max(-MAX_STEP, Math.min(MAX_STEP, Math.round(l / unit))) * unit);
    }, 0);
  const exact = [drift(inControl, null), drift(shifted, null)];
  const allowed = DRIFT_TOLERANCE * Math.abs(exact[1]!);
  const candidates: number[] = [];
  for (let k = 1; k <= 64; k++) candidates.push(Math.abs(llr[common]!) / k, meanAbs / k);
  candidates.sort((a, b) => b - a);
  for (const unit of candidates) {
    if (unit <= 0) continue;
    const rounded = [drift(inControl, unit), drift(shifted, unit)];
    if (rounded.every((d, i) => Math.abs(d - exact[i]!) <= allowed)) return unit;
  }
  return candidates.at(-1)!;
}

/**
 * The run length grows about exponentially with the threshold, so a secant step on its logarithm brackets the answer
 * in a few solves; bisection (by that same interpolation, kept inside the bracket) closes it to one unit.
 */
function smallestThreshold(steps: Int32Array, probabilities: readonly number[], minRunLength: number): number {
  const target = Math.log(minRunLength);
  let low = Math.max(...steps);
  let lowLog = Math.log(runLength(steps, probabilities, low));
  if (lowLog >= target) return smallestAtOrBelow(steps, probabilities, minRunLength, low);
  let high = 2 * low;
  let highLog = Math.log(runLength(steps, probabilities, high));
  while (highLog < target) {
    const slope = Math.max((highLog - lowLog) / (high - low), 1e-9);
    const next = Math.min(MAX_THRESHOLD, Math.max(high + 1, Math.ceil(high + ((target - highLog) / slope) * 1.05)));
    if (next <= high) throw new RangeError(`No threshold up to ${MAX_THRESHOLD} reaches ${minRunLength} events`);
    [low, lowLog] = [high, highLog];
    high = next;
    highLog = Math.log(runLength(steps, probabilities, high));
  }
  // low misses, high reaches.
  let interpolate = true;
  while (high - low > 1) {
    const width = high - low;
    const guess = interpolate ? Math.round(low + ((target - lowLog) / (highLog - lowLog)) * width) : (low + high) >> 1;
    const mid = Math.min(high - 1, Math.max(low + 1, guess));
    const midLog = Math.log(runLength(steps, probabilities, mid));
    if (midLog >= target) [high, highLog] = [mid, midLog];
    else [low, lowLog] = [mid, midLog];
    // Interpolation that fails to halve the bracket (one end stuck) gives way to a midpoint once.
    interpolate = high - low <= width / 2 || !interpolate;
  }
  return high;
}

/** The smallest threshold in [1, high] whose run length reaches minRunLength (high's does). */
function smallestAtOrBelow(
  steps: Int32Array,
  probabilities: readonly number[],
  minRunLength: number,
  high: number,
): number {
  let low = 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (runLength(steps, probabilities, mid) >= minRunLength) high = mid;
    else low = mid + 1;
  }
  return high;
}

/**
 * Average run length from zero: L_s = 1 + Σ_j p_j · L_{max(0, s + step_j)} for 0 ≤ s < threshold, L = 0 at or past
 * the threshold. Banded (the largest step down below the diagonal, the largest up above), weakly diagonally
 * dominant, so Gaussian elimination within the band needs no pivoting: threshold · down · up operations.
 */
export function runLength(steps: Int32Array, probabilities: readonly number[], threshold: number): number {
  // Categories with the same step are one transition.
  const byStep = new Map<number, number>();
  for (let j = 0; j < steps.length; j++) byStep.set(steps[j]!, (byStep.get(steps[j]!) ?? 0) + probabilities[j]!);
  const moves = [...byStep.entries()].filter(([, p]) => p > 0);
  const n = threshold;
  const down = Math.max(0, ...moves.map(([s]) => -s));
  const up = Math.max(0, ...moves.map(([s]) => s));
  const width = down + up + 1;
  const band = new Float64Array(n * width);
  const rhs = new Float64Array(n).fill(1);
  for (let s = 0; s < n; s++) {
    const row = s * width + down - s;
    band[row + s] = band[row + s]! + 1;
    for (const [step, p] of moves) {
      const to = s + step;
      if (to >= n) continue;
      const col = to < 0 ? 0 : to;
      band[row + col] = band[row + col]! - p;
    }
  }
  for (let i = 0; i < n; i++) {
    const pivotRow = i * width + down - i;
    const pivot = band[pivotRow + i]!;
    const last = Math.min(n - 1, i + up);
    for (let r = i + 1; r <= Math.min(n - 1, i + down); r++) {
      const rowR = r * width + down - r;
      const factor = band[rowR + i]! / pivot;
      if (factor === 0) continue;
      for (let j = i; j <= last; j++) band[rowR + j] = band[rowR + j]! - factor * band[pivotRow + j]!;
      rhs[r] = rhs[r]! - factor * rhs[i]!;
    }
  }
  const solution = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const row = i * width + down - i;
    let value = rhs[i]!;
    for (let j = i + 1; j <= Math.min(n - 1, i + up); j++) value -= band[row + j]! * solution[j]!;
    solution[i] = value / band[row + i]!;
  }
  return solution[0]!;
}

/**
 * The in-control distribution the threshold is calibrated at: the estimate `p` (from `sampleSize` events) tilted
 * towards the walk's alarm, p_j ∝ p_j·e^{t·ℓ_j}, until the mean step is `z` standard errors of its estimate higher.
 * Of the distributions the sample cannot tell from its estimate at z standard errors, this is, to first order, the
 * one with the shortest run length (for two categories it is the rate plus z standard errors).
 */
export function leastFavourable(p: readonly number[], llr: readonly number[], sampleSize: number, z: number): number[] {
  const mean = (q: readonly number[]): number => q.reduce((a, qj, j) => a + qj * llr[j]!, 0);
  const m0 = mean(p);
  const variance = p.reduce((a, pj, j) => a + pj * (llr[j]! - m0) ** 2, 0);
  const target = m0 + z * Math.sqrt(variance / Math.max(1, sampleSize));
  const tilt = (t: number): number[] => {
    const w = p.map((pj, j) => pj * Math.exp(t * (llr[j]! - m0)));
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  };
  if (!(variance > 0) || z <= 0) return [...p];
  let lo = 0;
  let hi = 1;
  while (mean(tilt(hi)) < target && hi < 1e6) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (mean(tilt(mid)) < target) lo = mid;
    else hi = mid;
  }
  return tilt(hi);
}

/** One event of category `category` into the walk (`hit`: whether it counts as evidence); true when it alarms. */
export function stepWalk(
  state: CusumState,
  design: IntegerCusumDesign,
  category: number,
  hit: boolean,
  id: string,
): boolean {
  return advanceWalk(state, state.sum + design.steps[category]!, design.threshold, hit, id);
}
