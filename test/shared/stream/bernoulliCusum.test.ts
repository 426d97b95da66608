import { describe, expect, it } from 'vitest';
import {
  averageRunLength,
  designBernoulliCusum,
  freshCusum,
  stepCusum,
} from '../../../shared/stream/bernoulliCusum.js';
import { createRandom } from '../../../shared/baseline/random.js';

/** Events until the walk first alarms, averaged over `runs` seeded runs at hit rate `rate`. */
function simulatedRunLength(design: ReturnType<typeof designBernoulliCusum>, rate: number, runs: number, seed: number) {
  const random = createRandom(seed);
  let total = 0;
  for (let run = 0; run < runs; run++) {
    const state = freshCusum();
    let n = 0;
    for (;;) {
      n++;
      if (stepCusum(state, design, random.nextFloat() < rate, 'x')) break;
    }
    total += n;
  }
  return total / runs;
}

describe('averageRunLength', () => {
  it('is h(h + 1) for the fair ±1 walk floored at zero (the closed form)', () => {
    for (const h of [1, 2, 5, 40]) expect(averageRunLength(0.5, 1, 1, h)).toBeCloseTo(h * (h + 1), 6);
  });

  it('matches simulation of the walk it describes, for steps up and steps down', () => {
    for (const [base, shifted, seed] of [
      [0.05, 0.1, 1],
      [0.6, 0.65, 2],
    ] as const) {
      const design = designBernoulliCusum(base, shifted, 2_000);
      const simulated = simulatedRunLength(design, base, 400, seed);
      // 400 runs of a roughly geometric length: the mean's relative error is about 1/sqrt(400) = 5 %.
      expect(Math.abs(simulated / design.inControlRunLength - 1)).toBeLessThan(0.2);
    }
  });
});

describe('designBernoulliCusum', () => {
  it('takes the smallest threshold whose in-control run length reaches the budget', () => {
    const design = designBernoulliCusum(0.06, 0.11, 10_000_000);
    expect(design.inControlRunLength).toBeGreaterThanOrEqual(10_000_000);
    expect(averageRunLength(0.06, design.up, design.down, design.threshold - 1)).toBeLessThan(10_000_000);
  });

  it('rounds the log-likelihood ratio of the two rates to small integer steps within 2 %', () => {
    const rare = designBernoulliCusum(0.05, 0.1, 1000);
    expect([rare.up, rare.down]).toEqual([13, 1]); // ln 2 / −ln(0.9/0.95) = 12.8
    const common = designBernoulliCusum(0.7, 0.75, 1000);
    expect([common.up, common.down]).toEqual([3, 8]); // ln(0.75/0.7) / −ln(0.25/0.3) = 0.378
    const even = designBernoulliCusum(0.507, 0.557, 1000);
    // Rounding the ratio (0.89) to 1:1 would give the walk an upward drift at the base rate; 7:8 keeps it downward.
    expect([even.up, even.down]).toEqual([7, 8]);
    expect(0.507 * even.up - 0.493 * even.down).toBeLessThan(0);
  });

  it('refuses rates that do not describe a rise', () => {
    expect(() => designBernoulliCusum(0.1, 0.1, 1000)).toThrow(RangeError);
    expect(() => designBernoulliCusum(0, 0.1, 1000)).toThrow(RangeError);
    expect(() => designBernoulliCusum(0.5, 1, 1000)).toThrow(RangeError);
  });

  it('detects the rise it is tuned to within a few hundred events at a 10M-event budget', () => {
    const design = designBernoulliCusum(0.05, 0.1, 10_000_000);
    const delay = simulatedRunLength(design, 0.15, 50, 3);
    expect(delay).toBeLessThan(600);
  });
});

describe('stepCusum', () => {
  it('remembers the excursion since the walk left zero, and forgets it back at zero', () => {
    const design = designBernoulliCusum(0.05, 0.1, 1000);
    const state = freshCusum();
    stepCusum(state, design, false, 'a');
    expect(state).toEqual(freshCusum());
    stepCusum(state, design, true, 'b');
    stepCusum(state, design, false, 'c');
    expect(state).toEqual({ sum: design.up - 1, events: 2, hits: 1, firstId: 'b' });
    for (let i = 0; i < design.up; i++) stepCusum(state, design, false, 'd');
    expect(state).toEqual(freshCusum());
  });
});
