import { describe, expect, it } from 'vitest';
import { binnedScore, designScoreWalks, scoreBin, shiftedLogRatios } from '../../../shared/stream/binnedScore.js';
import { runLength, stepWalk } from '../../../shared/stream/integerCusum.js';
import { freshCusum } from '../../../shared/stream/bernoulliCusum.js';
import { createRandom } from '../../../shared/baseline/random.js';
import { normalCdf } from '../../../shared/stream/normalTail.js';

describe('binnedScore', () => {
  it('keeps the decile bins of a continuous score, with their shares', () => {
    const bins = binnedScore([1, 2, 3], [100, 100, 100, 100])!;
    expect(bins).toEqual({ edges: [1, 2, 3], probabilities: [0.25, 0.25, 0.25, 0.25], count: 400 });
    expect([0.5, 1, 2.5, 3, 99].map((x) => scoreBin(bins, x))).toEqual([0, 1, 2, 3, 3]);
  });

  it('merges bins a discrete score leaves empty or nearly so (ties make repeated edges)', () => {
    // A score that is 0 for 60 % of rows: the first edges repeat, their bins ([0, 0)) hold nothing.
    const bins = binnedScore([0, 0, 0, 0.5, 0.9], [0, 0, 0, 600, 300, 100])!;
    expect(bins.edges).toEqual([0.5, 0.9]);
    expect(bins.probabilities).toEqual([0.6, 0.3, 0.1]);
    // A last bin of fewer than 20 scores joins the one before it.
    expect(binnedScore([1, 2], [500, 480, 5])).toEqual({
      edges: [1],
      probabilities: [500 / 985, 485 / 985],
      count: 985,
    });
  });

  it('is null for a score the baseline saw as one value', () => {
    expect(binnedScore([0.3, 0.3], [0, 500, 0])).toBeNull();
    expect(binnedScore([1], [5])).toBeNull();
  });
});

describe('shiftedLogRatios', () => {
  it('is the log ratio of the normal distribution moved by the shift, bin by bin, whatever the score’s scale', () => {
    const bins = binnedScore([10, 20, 30], [250, 250, 250, 250])!;
    const llr = shiftedLogRatios(bins, 0.5);
    const edges = [-0.6744897501960817, 0, 0.6744897501960817];
    const expected = [0, 1, 2, 3].map((i) => {
      const hi = i === 3 ? 1 : normalCdf(edges[i]! - 0.5);
      const lo = i === 0 ? 0 : normalCdf(edges[i - 1]! - 0.5);
      return Math.log((hi - lo) / 0.25);
    });
    for (let i = 0; i < 4; i++) expect(llr[i]).toBeCloseTo(expected[i]!, 5);
    expect(shiftedLogRatios(bins, 0).every((x) => Math.abs(x) < 1e-6)).toBe(true);
    // Up-shift: the low bins lose, the high bins gain.
    expect(llr[0]).toBeLessThan(0);
    expect(llr[3]).toBeGreaterThan(0);
  });
});

describe('designScoreWalks', () => {
  it('gives each direction and shift its own walk, calibrated at a distribution less favourable than the estimate', () => {
    const bins = binnedScore([1, 2, 3, 4, 5, 6, 7, 8, 9], new Array<number>(10).fill(2000))!;
    const walks = designScoreWalks(bins, [0.13, 0.38], 40_000_000, 2);
    expect(walks.map((w) => [w.direction, w.shift])).toEqual([
      ['up', 0.13],
      ['up', 0.38],
      ['down', 0.13],
      ['down', 0.38],
    ]);
    for (const w of walks) {
      expect(w.design.inControlRunLength).toBeGreaterThanOrEqual(40_000_000);
      // At the estimate itself the walk runs longer than the budget it was calibrated to.
      expect(runLength(w.design.steps, bins.probabilities, w.design.threshold)).toBeGreaterThan(80_000_000);
    }
  });
});

describe('score walks on shapes built to break them', () => {
  const random = createRandom(41);
  const shapes: Record<string, () => number> = {
    // Heavy-tailed: Cauchy.
    cauchy: () => Math.tan(Math.PI * (random.nextFloat() - 0.5)),
    // Skewed: log-normal with σ = 2.
    skewed: () => Math.exp(2 * random.nextGaussian()),
    // Discrete: three values, one of them 70 % of the time.
    discrete: () => {
      const u = random.nextFloat();
      return u < 0.7 ? 0 : u < 0.9 ? 1 : 2;
    },
  };

  /** Decile edges and counts of a baseline sample, as a profile holds them. */
  function profiled(draw: () => number, n: number) {
    const values = Array.from({ length: n }, draw).sort((a, b) => a - b);
    const edges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((q) => values[Math.floor((q / 10) * (n - 1))]!);
    const counts = new Array<number>(10).fill(0);
    for (const v of values) {
      let b = 0;
      while (b < edges.length && edges[b]! <= v) b++;
      counts[b]!++;
    }
    return binnedScore(edges, counts);
  }

  it.each(Object.keys(shapes))('raise no alarm on 300k stationary %s scores at a 10M budget', (shape) => {
    const bins = profiled(shapes[shape]!, 20_000)!;
    const walks = designScoreWalks(bins, [0.1257, 0.377], 40_000_000, 2);
    expect(walks.length).toBeGreaterThan(0);
    const states = walks.map(() => freshCusum());
    let alarms = 0;
    for (let i = 0; i < 300_000; i++) {
      const bin = scoreBin(bins, shapes[shape]!());
      walks.forEach((w, k) => {
        if (stepWalk(states[k]!, w.design, bin, false, 'x')) {
          alarms++;
          states[k] = freshCusum();
        }
      });
    }
    expect(alarms).toBe(0);
  });

  it('has no walk for a constant score', () => {
    expect(profiled(() => 0.42, 5000)).toBeNull();
  });
});
