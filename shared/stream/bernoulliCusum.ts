/**
 * A one-sided Bernoulli CUSUM (Reynolds & Stoumbos 1999) in integer units: each event adds `up` when it is a hit and
 * subtracts `down` otherwise, floored at zero; an alarm when the sum reaches `threshold`. The steps are the
 * log-likelihood ratio of a hit rate `shiftedRate` against `baseRate`, rounded to small integers, so the walk is an
 * exact Markov chain and its in-control average run length is computed, not simulated (see averageRunLength).
 */
export interface BernoulliCusumDesign {
  baseRate: number;
  shiftedRate: number;
  up: number;
  down: number;
  threshold: number;
  /** In-control average run length (events between false alarms) at `baseRate`, exact for this walk. */
  inControlRunLength: number;
}

/** Bounded state of one walk: its sum and the excursion since it last left zero (count, hits, first event id). */
export interface CusumState {
  sum: number;
  events: number;
  hits: number;
  firstId: string | null;
}

export const freshCusum = (): CusumState => ({ sum: 0, events: 0, hits: 0, firstId: null });

/** Largest step either way: keeps the chain's band narrow. */
const MAX_STEP = 64;
/** Steps whose ratio is this close to the likelihood ratio's: a coarser rounding can tilt the in-control drift upwards. */
const STEP_TOLERANCE = 0.02;
const MAX_THRESHOLD = 1_000_000;

/**
 * The walk for detecting a rise of a hit rate from `baseRate` to `shiftedRate`, with the smallest threshold whose
 * in-control run length reaches `minRunLength` events.
 */
export function designBernoulliCusum(
  baseRate: number,
  shiftedRate: number,
  minRunLength: number,
): BernoulliCusumDesign {
  if (!(baseRate > 0 && baseRate < 1 && shiftedRate > baseRate && shiftedRate < 1))
    throw new RangeError(`A Bernoulli CUSUM needs 0 < base rate (${baseRate}) < shifted rate (${shiftedRate}) < 1`);
  const gain = Math.log(shiftedRate / baseRate);
  const loss = -Math.log((1 - shiftedRate) / (1 - baseRate));
  const { up, down } = integerSteps(gain / loss);
  // Doubling then bisection: the run length grows with the threshold.
  let high = Math.max(up, down) + 1;
  while (averageRunLength(baseRate, up, down, high) < minRunLength) {
    high *= 2;
    if (high > MAX_THRESHOLD)
      throw new RangeError(`No threshold up to ${MAX_THRESHOLD} reaches ${minRunLength} events`);
  }
  let low = 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (averageRunLength(baseRate, up, down, mid) >= minRunLength) high = mid;
    else low = mid + 1;
  }
  return {
    baseRate,
    shiftedRate,
    up,
    down,
    threshold: high,
    inControlRunLength: averageRunLength(baseRate, up, down, high),
  };
}

/** The smallest integer steps (up, down) whose ratio is within STEP_TOLERANCE of `ratio`, else the closest. */
export function integerSteps(ratio: number): { up: number; down: number } {
  let best = { up: 1, down: 1, error: Infinity };
  for (let down = 1; down <= MAX_STEP; down++) {
    const up = Math.max(1, Math.round(ratio * down));
    if (up > MAX_STEP) break;
    const error = Math.abs(up / (down * ratio) - 1);
    if (error < best.error) best = { up, down, error };
    if (error <= STEP_TOLERANCE) break;
  }
  return { up: best.up, down: best.down };
}

/**
 * Average run length from zero of the walk at hit rate `rate`: L_s = 1 + rate·L_{s+up} + (1 − rate)·L_{max(0, s−down)}
 * for 0 ≤ s < threshold, L = 0 at or past the threshold. The system is banded (down below the diagonal, up above), so
 * Gaussian elimination within the band costs threshold·up·down; it is diagonally dominant, so it needs no pivoting.
 */
export function averageRunLength(rate: number, up: number, down: number, threshold: number): number {
  const n = threshold;
  const width = down + up + 1;
  // band[i * width + (j - i + down)] holds A[i][j].
  const band = new Float64Array(n * width);
  const rhs = new Float64Array(n).fill(1);
  const at = (i: number, j: number): number => i * width + (j - i + down);
  for (let s = 0; s < n; s++) {
    add(band, at(s, s), 1);
    if (s + up < n) add(band, at(s, s + up), -rate);
    add(band, at(s, Math.max(0, s - down)), -(1 - rate));
  }
  for (let i = 0; i < n; i++) {
    const pivot = band[at(i, i)]!;
    for (let r = i + 1; r <= Math.min(n - 1, i + down); r++) {
      const factor = band[at(r, i)]! / pivot;
      if (factor === 0) continue;
      for (let j = i; j <= Math.min(n - 1, i + up); j++) add(band, at(r, j), -factor * band[at(i, j)]!);
      add(rhs, r, -factor * rhs[i]!);
    }
  }
  const solution = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let value = rhs[i]!;
    for (let j = i + 1; j <= Math.min(n - 1, i + up); j++) value -= band[at(i, j)]! * solution[j]!;
    solution[i] = value / band[at(i, i)]!;
  }
  return solution[0]!;
}

function add(array: Float64Array, index: number, value: number): void {
  array[index] = array[index]! + value;
}

/** One event into the walk; true when it alarms (the walk then restarts from zero, as after an alarm is raised). */
export function stepCusum(state: CusumState, design: BernoulliCusumDesign, hit: boolean, id: string): boolean {
  return advanceWalk(state, hit ? state.sum + design.up : state.sum - design.down, design.threshold, hit, id);
}

/**
 * Moves a walk to `next` (reset at zero or below, as every CUSUM here is reflected at zero), keeping what a page
 * reports (events since the walk left zero, hits among them, the first event's id); true at or above the threshold.
 */
export function advanceWalk(state: CusumState, next: number, threshold: number, hit: boolean, id: string): boolean {
  if (next <= 0) {
    state.sum = 0;
    state.events = 0;
    state.hits = 0;
    state.firstId = null;
    return false;
  }
  if (state.sum === 0) state.firstId = id;
  state.sum = next;
  state.events++;
  if (hit) state.hits++;
  return next >= threshold;
}
