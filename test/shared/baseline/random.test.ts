import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../shared/baseline/random.js';

const draws = (seed: number, n: number) => {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => random.nextUint32());
};

describe('createRandom', () => {
  it('repeats its sequence for a seed', () => {
    expect(draws(42, 1000)).toEqual(draws(42, 1000));
  });

  it('gives different sequences for different seeds, including seeds that differ only above 32 bits', () => {
    expect(draws(1, 20)).not.toEqual(draws(2, 20));
    expect(draws(0, 20)).not.toEqual(draws(2 ** 32, 20));
    expect(draws(-1, 20)).not.toEqual(draws(1, 20));
  });

  it('refuses a seed that is not a safe integer', () => {
    expect(() => createRandom(1.5)).toThrow('seed must be a safe integer, got 1.5');
    expect(() => createRandom(2 ** 60)).toThrow(RangeError);
  });

  it('draws 32-bit unsigned integers whose bits are each set about half the time', () => {
    const values = draws(7, 20_000);
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
    for (let bit = 0; bit < 32; bit++) {
      const share = values.filter((v) => (v >>> bit) & 1).length / values.length;
      expect(Math.abs(share - 0.5), `bit ${bit}`).toBeLessThan(0.015); // > 4 standard deviations
    }
  });

  it('draws floats in [0, 1) with the mean and variance of a uniform', () => {
    const random = createRandom(3);
    const xs = Array.from({ length: 50_000 }, () => random.nextFloat());
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.006);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.003);
  });

  it('draws integers below a bound, each about equally often (chi-square)', () => {
    const random = createRandom(9);
    const bound = 7;
    const counts = new Array<number>(bound).fill(0);
    for (let i = 0; i < 70_000; i++) counts[random.nextInt(bound)]!++;
    const chiSquare = counts.reduce((sum, count) => sum + (count - 10_000) ** 2 / 10_000, 0);
    expect(chiSquare).toBeLessThan(22.46); // 99.9th percentile of chi-square with 6 degrees of freedom
    expect(createRandom(1).nextInt(1)).toBe(0);
    expect(() => random.nextInt(0)).toThrow('bound must be an integer in [1, 2^32], got 0');
    expect(() => random.nextInt(2.5)).toThrow(RangeError);
  });

  it('draws standard normal values', () => {
    const random = createRandom(4);
    const xs = Array.from({ length: 50_000 }, () => random.nextGaussian());
    const mean = xs.reduce((a, b) => a + b) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(xs.filter((x) => Math.abs(x) > 1.96).length / xs.length).toBeCloseTo(0.05, 2);
  });
});
