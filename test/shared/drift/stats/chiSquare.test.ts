import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../../shared/baseline/random.js';
import { chiSquareContingency, chiSquareCritical } from '../../../../shared/drift/stats/chiSquare.js';
import { chiSquareSf } from '../../../../shared/drift/stats/special/gamma.js';

/** Counts of `n` draws over five categories with shares 0.3, 0.25, 0.2, 0.15, 0.1. */
function draw(seed: number, n: number): number[] {
  const r = createRandom(seed);
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const u = r.nextFloat();
    counts[u < 0.3 ? 0 : u < 0.55 ? 1 : u < 0.75 ? 2 : u < 0.9 ? 3 : 4]!++;
  }
  return counts;
}

describe('chi-square test of homogeneity', () => {
  it.each([5_000, 20_000, 100_000])(
    'is a valid two-sample test at a window of %i events (baseline 20k): under no drift one p-value in twenty falls below 0.05',
    (n) => {
      const repeats = 300;
      let below = 0;
      for (let i = 0; i < repeats; i++)
        if (chiSquareContingency(draw(2 * i, 20_000), draw(2 * i + 1, n)).pValue < 0.05) below++;
      // 95% of binomial(300, 0.05) outcomes lie in [8, 23].
      expect(below).toBeGreaterThanOrEqual(6);
      expect(below).toBeLessThanOrEqual(25);
    },
  );

  it('rejects a 10-point move between two categories at 10k events', () => {
    const shifted = draw(3, 10_000);
    const moved = Math.round(0.1 * 10_000);
    shifted[0]! -= moved;
    shifted[4]! += moved;
    expect(chiSquareContingency(draw(4, 20_000), shifted).pValue).toBeLessThan(1e-10);
  });

  it('pools categories too sparse for the chi-square approximation, and leaves out bins empty on both sides', () => {
    const result = chiSquareContingency([900, 80, 3, 2, 0], [450, 40, 1, 0, 0]);
    // 3 + 1 and 2 + 0 are below 5 expected in the smaller sample: pooled, and still sparse, they join the 80/40 cell.
    expect(result.cells).toBe(2);
    expect(result.dof).toBe(1);
    const expected = (a: number, b: number): number => {
      const total = 985 + 491;
      const col = a + b;
      return (
        (a - (col * 985) / total) ** 2 / ((col * 985) / total) + (b - (col * 491) / total) ** 2 / ((col * 491) / total)
      );
    };
    expect(result.statistic).toBeCloseTo(expected(900, 450) + expected(85, 41), 10);
  });

  it('gives p = 1 with fewer than two usable cells or an empty side', () => {
    expect(chiSquareContingency([10, 0], [5, 0])).toMatchObject({ pValue: 1, dof: 0 });
    expect(chiSquareContingency([10, 3], [0, 0])).toMatchObject({ pValue: 1, dof: 0 });
  });

  it('inverts the survival function for the detectable-effect computation', () => {
    for (const [dof, p] of [
      [1, 0.05],
      [4, 0.01],
      [19, 0.001],
    ] as const) {
      expect(chiSquareSf(chiSquareCritical(dof, p), dof)).toBeCloseTo(p, 9);
    }
  });
});
