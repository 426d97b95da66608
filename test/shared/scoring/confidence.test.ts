import { describe, expect, it } from 'vitest';
import { judgeConfidence } from '../../../shared/scoring/confidence.js';
import { defaultSettings } from '../../../shared/config/settings.js';

const { minConfidence, maxEntropyRatio, minMargin } = defaultSettings().scoring;
const defaults = { minConfidence, maxEntropyRatio, minMargin };

describe('judgeConfidence', () => {
  it('uses the seed max probability, entropy relative to ln K and a margin as defaults', () => {
    expect(defaults).toEqual({ minConfidence: 0.7, maxEntropyRatio: 0.95, minMargin: 0.1 });
  });

  it('accepts a confident binary prediction', () => {
    const j = judgeConfidence([0.05, 0.95], defaults);
    expect(j.flags).toEqual([]);
    expect(j.uncertainty).toBe('LOW');
    expect(j.confidence).toBe(0.95);
    expect(j.margin).toBeCloseTo(0.9, 12);
    expect(j.entropy).toBeCloseTo(-(0.05 * Math.log(0.05) + 0.95 * Math.log(0.95)), 12);
  });

  it('bands a binary classifier by its one number: flag just under 0.7, manual review nearer a coin toss', () => {
    const decide = (p: number) => judgeConfidence([1 - p, p], defaults);
    expect(decide(0.72).flags).toEqual([]);
    expect(decide(0.65).flags).toEqual(['LOW_CONFIDENCE']);
    expect(decide(0.65).uncertainty).toBe('MEDIUM');
    // H(0.62) / ln 2 = 0.958 > 0.95
    expect(decide(0.62).flags).toEqual(['LOW_CONFIDENCE', 'HIGH_ENTROPY']);
    expect(decide(0.62).uncertainty).toBe('HIGH');
    expect(decide(0.52).flags).toEqual(['LOW_CONFIDENCE', 'HIGH_ENTROPY', 'LOW_MARGIN']);
    // Whichever class is on top.
    expect(decide(0.35).flags).toEqual(decide(0.65).flags);
  });

  it('scales the entropy threshold with the number of classes', () => {
    // More entropy among ten classes (1.27 nats) than among three (1.09), yet only the three are spread out:
    // 0.95 ln 3 = 1.04, 0.95 ln 10 = 2.19.
    const three = [0.4, 0.33, 0.27];
    const ten = [0.7, ...Array.from({ length: 9 }, () => 0.3 / 9)];
    expect(judgeConfidence(three, defaults).entropy).toBeGreaterThan(0.95 * Math.log(3));
    expect(judgeConfidence(three, defaults).flags).toContain('HIGH_ENTROPY');
    expect(judgeConfidence(ten, defaults).entropy).toBeGreaterThan(judgeConfidence(three, defaults).entropy);
    expect(judgeConfidence(ten, defaults).flags).not.toContain('HIGH_ENTROPY');
  });

  it('flags a multiclass prediction torn between two classes by its margin', () => {
    const j = judgeConfidence([0.46, 0.42, 0.12], defaults);
    expect(j.flags).toEqual(['LOW_CONFIDENCE', 'LOW_MARGIN']);
    expect(j.margin).toBeCloseTo(0.04, 12);
    expect(j.uncertainty).toBe('HIGH');
  });

  it('sends a near-uniform many-class prediction to manual review', () => {
    const j = judgeConfidence([0.2, 0.2, 0.2, 0.2, 0.2], defaults);
    expect(j.flags).toEqual(['LOW_CONFIDENCE', 'HIGH_ENTROPY', 'LOW_MARGIN', 'NEAR_UNIFORM']);
    expect(j.uncertainty).toBe('HIGH');
  });

  it('flags more than two classes above 0.3', () => {
    const j = judgeConfidence([0.31, 0.31, 0.32, 0.06], defaults);
    expect(j.flags).toContain('MULTIPLE_CLASSES');
    expect(j.flags).toContain('LOW_CONFIDENCE');
    expect(j.uncertainty).toBe('HIGH');
  });

  it('does not call two classes near-uniform (the seed needs more than two)', () => {
    expect(judgeConfidence([0.5, 0.5], defaults).flags).not.toContain('NEAR_UNIFORM');
  });
});
