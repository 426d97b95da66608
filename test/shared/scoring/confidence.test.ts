import { describe, expect, it } from 'vitest';
import { judgeConfidence } from '../../../shared/scoring/confidence.js';

const seed = { minConfidence: 0.7, maxEntropy: 1.5 };

describe('judgeConfidence', () => {
  it('accepts a confident binary prediction', () => {
    const j = judgeConfidence([0.05, 0.95], seed);
    expect(j.flags).toEqual([]);
    expect(j.uncertainty).toBe('LOW');
    expect(j.confidence).toBe(0.95);
    expect(j.entropy).toBeCloseTo(-(0.05 * Math.log(0.05) + 0.95 * Math.log(0.95)), 12);
  });

  it('flags a single low max probability as MEDIUM', () => {
    const j = judgeConfidence([0.4, 0.6], seed);
    expect(j.flags).toEqual(['LOW_CONFIDENCE']);
    expect(j.uncertainty).toBe('MEDIUM');
  });

  it('sends a near-uniform many-class prediction to manual review', () => {
    const j = judgeConfidence([0.2, 0.2, 0.2, 0.2, 0.2], seed);
    expect(j.flags).toEqual(['LOW_CONFIDENCE', 'HIGH_ENTROPY', 'NEAR_UNIFORM']);
    expect(j.uncertainty).toBe('HIGH');
  });

  it('flags more than two classes above 0.3', () => {
    const j = judgeConfidence([0.31, 0.31, 0.32, 0.06], seed);
    expect(j.flags).toContain('MULTIPLE_CLASSES');
    expect(j.flags).toContain('LOW_CONFIDENCE');
    expect(j.uncertainty).toBe('HIGH');
  });

  it('does not call two classes near-uniform (the seed needs more than two)', () => {
    expect(judgeConfidence([0.5, 0.5], seed).flags).toEqual(['LOW_CONFIDENCE']);
  });
});
