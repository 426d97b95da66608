import { describe, expect, it } from 'vitest';
import { ExtractionDefence } from '../../../shared/scoring/extractionDefence.js';
import { createRandom } from '../../../shared/baseline/random.js';

const scales = { means: new Float64Array([0, 0, 0]), stds: new Float64Array([1, 1, 1]) };
const options = { queryLimit: 5, queryWindowInSeconds: 60, probingMinQueries: 20, probingShare: 0.5 };
const q = (...v: number[]) => ({ vector: Float64Array.from(v), outOfDistribution: false });

describe('ExtractionDefence: the sliding-window query limit', () => {
  it('admits queryLimit queries per window, rejects the next, and admits again once old ones leave the window', () => {
    const defence = new ExtractionDefence(options, scales);
    const verdicts = [0, 1, 2, 3, 4, 5].map((s) => defence.observe('c', s * 1000, q(s, 0, 0)));
    expect(verdicts.map((v) => v.rateLimited)).toEqual([false, false, false, false, false, true]);
    expect(verdicts[4]!.queriesInWindow).toBe(5);
    // The first query (t=0) leaves the window at t=60 s.
    expect(defence.observe('c', 59_999, q(9, 0, 0)).rateLimited).toBe(true);
    expect(defence.observe('c', 60_000, q(9, 0, 0)).rateLimited).toBe(false);
  });

  it('counts callers separately', () => {
    const defence = new ExtractionDefence(options, scales);
    for (let i = 0; i < 5; i++) defence.observe('a', i, q(i, 0, 0));
    expect(defence.observe('a', 10, q(0, 0, 0)).rateLimited).toBe(true);
    expect(defence.observe('b', 10, q(0, 0, 0)).rateLimited).toBe(false);
  });

  it('keeps at most maxCallers callers, forgetting the least recently seen', () => {
    const defence = new ExtractionDefence({ ...options, maxCallers: 3 }, scales);
    for (const c of ['a', 'b', 'c', 'a', 'd']) defence.observe(c, 0, q(0, 0, 0));
    expect(defence.trackedCallers).toBe(3);
    // 'b' was forgotten, so it starts afresh; 'a' was kept and remembers its two queries.
    expect(defence.observe('a', 1, q(0, 0, 0)).queriesInWindow).toBe(3);
    expect(defence.observe('b', 1, q(0, 0, 0)).queriesInWindow).toBe(1);
  });
});

describe('ExtractionDefence: probing detection', () => {
  const generous = { ...options, queryLimit: 10_000 };

  it('does not flag a caller sending ordinary, varied traffic', () => {
    const defence = new ExtractionDefence(generous, scales);
    const r = createRandom(3);
    let last;
    for (let i = 0; i < 200; i++)
      last = defence.observe('honest', i, {
        vector: Float64Array.from([r.nextGaussian(), r.nextGaussian(), r.nextGaussian()]),
        outOfDistribution: r.nextFloat() < 0.1,
      });
    expect(last!.probing).toBe(false);
    expect(last!.suspiciousShare).toBeLessThan(0.2);
  });

  it('flags a one-feature-at-a-time sweep (grid or line search over the model)', () => {
    const defence = new ExtractionDefence(generous, scales);
    let last;
    for (let i = 0; i < 60; i++) last = defence.observe('prober', i, q(-3 + i * 0.1, 0.5, 0.5));
    expect(last!.probing).toBe(true);
    expect(last!.suspiciousShare).toBeGreaterThan(0.9);
  });

  it('flags a caller repeating near-identical queries', () => {
    const defence = new ExtractionDefence(generous, scales);
    const r = createRandom(4);
    let last;
    for (let i = 0; i < 60; i++)
      last = defence.observe('repeater', i, q(1 + r.nextFloat() * 0.001, 2, -1 + r.nextFloat() * 0.001));
    expect(last!.probing).toBe(true);
  });

  it('flags a caller whose queries are mostly out of distribution', () => {
    const defence = new ExtractionDefence(generous, scales);
    const r = createRandom(5);
    let last;
    for (let i = 0; i < 60; i++)
      last = defence.observe('explorer', i, {
        vector: Float64Array.from([r.nextGaussian() * 9, r.nextGaussian() * 9, r.nextGaussian() * 9]),
        outOfDistribution: true,
      });
    expect(last!.probing).toBe(true);
  });

  it('waits for probingMinQueries before judging', () => {
    const defence = new ExtractionDefence(generous, scales);
    let last;
    for (let i = 0; i < 19; i++) last = defence.observe('early', i, q(i * 0.1, 0, 0));
    expect(last!.probing).toBe(false);
    expect(defence.observe('early', 19, q(1.9, 0, 0)).probing).toBe(true);
  });
});

describe('ExtractionDefence: bounded memory per caller', () => {
  const generous = { ...options, queryLimit: 10_000 };
  const varied = (r: ReturnType<typeof createRandom>) => ({
    vector: Float64Array.from([r.nextGaussian() * 5, r.nextGaussian() * 5, r.nextGaussian() * 5]),
    outOfDistribution: false,
  });

  it('judges only the last historySize queries: old suspicious queries age out', () => {
    const defence = new ExtractionDefence({ ...generous, historySize: 40 }, scales);
    const r = createRandom(6);
    for (let i = 0; i < 40; i++) defence.observe('reformed', i, { ...varied(r), outOfDistribution: true });
    expect(defence.observe('reformed', 40, varied(r)).suspiciousShare).toBeCloseTo(39 / 40);
    let last;
    for (let i = 41; i < 80; i++) last = defence.observe('reformed', i, varied(r));
    expect(last!.suspiciousShare).toBe(0);
    expect(last!.probing).toBe(false);
  });

  it('gives a newcomer that replaces a forgotten caller a clean history', () => {
    const defence = new ExtractionDefence({ ...generous, maxCallers: 2, probingMinQueries: 1 }, scales);
    for (let i = 0; i < 30; i++) defence.observe('repeater', i, q(1, 2, 3));
    defence.observe('other', 30, q(0, 0, 0));
    // 'repeater' is the least recently inserted: the newcomer takes its place and must not inherit its queries.
    const first = defence.observe('newcomer', 31, q(1, 2, 3));
    expect(defence.trackedCallers).toBe(2);
    expect(first.queriesInWindow).toBe(1);
    expect(first.suspiciousShare).toBe(0);
    expect(first.probing).toBe(false);
    // Its second identical query is a duplicate of its own first, not of the forgotten caller's.
    expect(defence.observe('newcomer', 32, q(1, 2, 3)).suspiciousShare).toBe(0.5);
  });
});
