import { describe, expect, it } from 'vitest';
import { InputValidator } from '../../../shared/scoring/inputValidator.js';
import { compileForest } from '../../../shared/baseline/compileForest.js';
import type { InputEvent } from '../../../shared/scoring/records.js';
import { goodBody, transactionBaseline } from '../../helpers/baselineFixture.js';

const profile = transactionBaseline();
const forest = compileForest(profile.model.forest);
const validator = new InputValidator(profile, forest, { zScoreThreshold: 3, rejectIssueCount: 3 });
const event = (overrides: Record<string, number | string | null> = {}) => goodBody('e', overrides) as InputEvent;
const codes = (e: InputEvent) =>
  validator.validate(e).issues.map((i) => `${i.code}${i.feature ? `:${i.feature}` : ''}`);

describe('InputValidator', () => {
  it('passes a typical transaction with no issue and LOW risk', () => {
    const v = validator.validate(event());
    expect(v.issues).toEqual([]);
    expect(v.risk).toBe('LOW');
    expect(v.sanitised).toEqual(event().features);
    expect(Array.from(v.vector)).toEqual(profile.model.inputs.map((n) => event().features[n]));
  });

  it('raises a z-score issue for a value inside the range but far from the mean', () => {
    const stats = profile.numeric.device_trust!;
    const far = stats.mean - 3.5 * stats.std;
    expect(far).toBeGreaterThanOrEqual(stats.min);
    expect(codes(event({ device_trust: far }))).toContain('VALIDATION.Z_SCORE:device_trust');
  });

  it('clips an out-of-range value, and the forest scores the clipped vector exactly as the raw one', () => {
    const max = profile.numeric.amount!.max;
    const v = validator.validate(event({ amount: max * 10 }));
    expect(v.issues.map((i) => i.code)).toEqual(
      expect.arrayContaining(['VALIDATION.OUT_OF_RANGE', 'VALIDATION.Z_SCORE']),
    );
    expect(v.sanitised.amount).toBe(max);
    expect(v.clipped).toBe(1);
    const raw = Float64Array.from(profile.model.inputs, (n) =>
      n === 'amount' ? max * 10 : (event().features[n] as number),
    );
    expect(forest.score(raw)).toBe(v.anomalyScore);
  });

  it('rejects (HIGH) an event with three or more issues', () => {
    const max = profile.numeric.amount!.max;
    const v = validator.validate(event({ amount: max * 10, distance_km: profile.numeric.distance_km!.max * 10 }));
    expect(v.issues.length).toBeGreaterThanOrEqual(3);
    expect(v.risk).toBe('HIGH');
  });

  it('flags a fraud-like transaction as an isolation-forest anomaly', () => {
    const v = validator.validate(
      event({ amount: 900, hour: 3, distance_km: 400, account_age_days: 5, tx_count_24h: 14, device_trust: 0.2 }),
    );
    expect(v.issues.map((i) => i.code)).toContain('VALIDATION.ANOMALY');
    expect(v.anomalyScore).toBeGreaterThan(forest.threshold);
  });

  it('imputes a missing numeric with the baseline mean and says so', () => {
    const v = validator.validate(event({ hour: null }));
    expect(codes(event({ hour: null }))).toEqual(['VALIDATION.MISSING:hour']);
    expect(v.vector[profile.model.inputs.indexOf('hour')]).toBe(profile.numeric.hour!.mean);
    expect(v.sanitised.hour).toBeNull();
    expect(v.risk).toBe('MEDIUM');
  });

  it('raises an issue for a category never seen in the baseline', () => {
    expect(codes(event({ channel: 'carrier-pigeon' }))).toEqual(['VALIDATION.UNSEEN_CATEGORY:channel']);
  });

  it('validates a batch as it validates each event alone, each with its own vector, the forest score included', () => {
    const amount = profile.numeric.amount!;
    const events = [
      event(),
      event({ hour: null }),
      event({ amount: amount.max * 50, distance_km: 1e6, tx_count_24h: 500 }),
      event({ channel: 'fax' }),
      ...Array.from({ length: 11 }, (_, i) => event({ amount: amount.min + ((amount.max - amount.min) * i) / 10 })),
    ];
    const batch = validator.validateMany(events);
    expect(batch).toHaveLength(events.length);
    events.forEach((e, i) => {
      const alone = validator.validate(e);
      expect(batch[i]!.issues).toEqual(alone.issues);
      expect(batch[i]!.risk).toBe(alone.risk);
      expect(batch[i]!.anomalyScore).toBe(forest.score(alone.vector));
      expect(Array.from(batch[i]!.vector)).toEqual(Array.from(alone.vector));
    });
    expect(new Set(batch.map((v) => v.risk))).toEqual(new Set(['LOW', 'MEDIUM', 'HIGH']));
    expect(validator.validateMany([])).toEqual([]);
  });
});
