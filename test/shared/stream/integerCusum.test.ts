import { describe, expect, it } from 'vitest';
import { averageRunLength, freshCusum } from '../../../shared/stream/bernoulliCusum.js';
import { designIntegerCusum, leastFavourable, runLength, stepWalk } from '../../../shared/stream/integerCusum.js';
import { createRandom } from '../../../shared/baseline/random.js';

/** Events until the walk first alarms, averaged over `runs` seeded runs with categories drawn at `probabilities`. */
function simulated(design: ReturnType<typeof designIntegerCusum>, probabilities: number[], runs: number, seed: number) {
  const random = createRandom(seed);
  let total = 0;
  for (let run = 0; run < runs; run++) {
    const state = freshCusum();
    for (let n = 1; ; n++) {
      let u = random.nextFloat();
      let category = 0;
      while (category < probabilities.length - 1 && u >= probabilities[category]!) u -= probabilities[category++]!;
      if (stepWalk(state, design, category, design.steps[category]! > 0, 'x')) {
        total += n;
        break;
      }
    }
  }
  return total / runs;
}

describe('runLength', () => {
  it('is the Bernoulli walk’s run length when there are two categories', () => {
    for (const [rate, up, down, h] of [
      [0.5, 1, 1, 40],
      [0.06, 13, 1, 300],
      [0.7, 3, 8, 120],
    ] as const)
      expect(runLength(Int32Array.of(-down, up), [1 - rate, rate], h)).toBeCloseTo(
        averageRunLength(rate, up, down, h),
        6,
      );
  });

  it('matches simulation of a walk with many step sizes', () => {
    const p = [0.3, 0.25, 0.2, 0.15, 0.1];
    const llr = [-0.12, -0.05, 0.02, 0.09, 0.2];
    const design = designIntegerCusum(llr, p, 3_000);
    const simulatedLength = simulated(design, p, 400, 3);
    // 400 roughly geometric run lengths: the mean's relative error is about 5 %.
    expect(Math.abs(simulatedLength / design.inControlRunLength - 1)).toBeLessThan(0.2);
  });
});

describe('designIntegerCusum', () => {
  it('takes the smallest threshold whose in-control run length reaches the budget', () => {
    const p = [0.1, 0.2, 0.4, 0.2, 0.1];
    const llr = [-0.3, -0.1, 0, 0.1, 0.25];
    const design = designIntegerCusum(llr, p, 10_000_000);
    expect(design.inControlRunLength).toBeGreaterThanOrEqual(10_000_000);
    expect(runLength(design.steps, p, design.threshold - 1)).toBeLessThan(10_000_000);
  });

  it('divides the most common step exactly, so its rounding error does not repeat on most events', () => {
    // Right answers (86 % of events) step down by ln(1 − q); wrong ones up by more the surer the model was.
    const q = 0.0627;
    const e = [0.3, 0.1, 0.02];
    const llr = [Math.log(1 - q), ...e.map((x) => Math.log(1 + (q * (1 - x)) / x))];
    const p = [1 - e.reduce((a, b) => a + b, 0) / 3, ...e.map((x) => x / 3)];
    const design = designIntegerCusum(llr, p, 1_000_000);
    expect(Math.abs(design.steps[0]! * design.unitInNats - llr[0]!)).toBeLessThan(1e-12);
  });

  it('refuses a walk that would drift upwards in control', () => {
    expect(() => designIntegerCusum([-0.1, 0.2], [0.5, 0.5], 1000)).toThrow(/drifts upwards/);
    expect(() => designIntegerCusum([0, 0], [0.5, 0.5], 1000)).toThrow(/not all zero/);
    expect(() => designIntegerCusum([0.1], [0.5, 0.5], 1000)).toThrow(/one probability per step/);
  });
});

describe('leastFavourable', () => {
  it('is the rate plus z standard errors for two categories', () => {
    const [, rate] = leastFavourable([0.8, 0.2], [-0.07, 0.22], 20_000, 2);
    expect(rate).toBeCloseTo(0.2 + 2 * Math.sqrt((0.2 * 0.8) / 20_000), 6);
  });

  it('moves the mean step up by z standard errors, and shortens the run length', () => {
    const p = [0.1, 0.2, 0.4, 0.2, 0.1];
    const llr = [-0.3, -0.1, 0, 0.1, 0.25];
    const q = leastFavourable(p, llr, 1000, 2);
    const mean = (x: number[]) => x.reduce((a, xj, j) => a + xj * llr[j]!, 0);
    const sd = Math.sqrt(p.reduce((a, pj, j) => a + pj * (llr[j]! - mean(p)) ** 2, 0) / 1000);
    expect(mean(q) - mean(p)).toBeCloseTo(2 * sd, 9);
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const design = designIntegerCusum(llr, p, 100_000);
    expect(runLength(design.steps, q, design.threshold)).toBeLessThan(design.inControlRunLength);
  });
});
