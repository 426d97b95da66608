import { describe, expect, it } from 'vitest';
import { InputValidator } from '../../../shared/scoring/inputValidator.js';
import { compileForest } from '../../../shared/baseline/compileForest.js';
import type { InputEvent } from '../../../shared/contracts/records.js';
import { goodBody, transactionBaseline } from '../../helpers/baselineFixture.js';

const profile = transactionBaseline();
const forest = compileForest(profile.model.forest);
const validator = new InputValidator(profile, forest);
const event = (overrides: Record<string, number | string | null> = {}) => goodBody('e', overrides) as InputEvent;
const codes = (e: InputEvent) =>
  validator.validate(e).issues.map((i) => `${i.code}${i.feature ? `:${i.feature}` : ''}`);
const rule = (name: string) => profile.validation.numeric.find((r) => r.name === name)!;

describe('InputValidator', () => {
  it('passes a typical transaction with no issue and LOW risk', () => {
    const v = validator.validate(event());
    expect(v.issues).toEqual([]);
    expect(v.risk).toBe('LOW');
    expect(v.sanitised).toEqual(event().features);
    expect(Array.from(v.vector)).toEqual(profile.model.inputs.map((n) => event().features[n]));
  });

  it('FLAGs a value beyond its calibrated flag bound and REJECTs one beyond its reject bound, naming the bound', () => {
    const { flag, reject } = rule('device_trust');
    const flagged = validator.validate(event({ device_trust: (flag[0] + reject[0]) / 2 }));
    expect(flagged.issues.find((i) => i.feature === 'device_trust')?.message).toMatch(
      /^device_trust=.* is outside its flag bounds \[/,
    );
    expect(flagged.risk).not.toBe('LOW');
    const rejected = validator.validate(event({ device_trust: reject[0] - 0.5 }));
    expect(rejected.issues.find((i) => i.code === 'VALIDATION.OUT_OF_RANGE')?.message).toContain('reject bounds');
    expect(rejected.risk).toBe('HIGH');
  });

  it('leaves a value inside its flag bounds alone however far it is from the mean in standard deviations', () => {
    // The seed's |z| > 3 rule flagged these; the calibrated bounds know the column's own tail.
    const stats = profile.numeric.distance_km!;
    const far = stats.mean + 3.5 * stats.std;
    expect(far).toBeLessThan(rule('distance_km').flag[1]);
    expect(codes(event({ distance_km: far }))).not.toContain('VALIDATION.OUT_OF_RANGE:distance_km');
  });

  it('sees a value that does not fit the others, though each is ordinary alone', () => {
    // An amount ordinary for the population, but fifteen times this customer's 30-day average.
    const v = validator.validate(event({ amount: 450, avg_amount_30d: 30 }));
    expect(450).toBeLessThan(rule('amount').flag[1]);
    expect(v.issues.map((i) => `${i.code}:${i.feature}`)).toContain('VALIDATION.INCONSISTENT:amount');
    expect(v.issues.find((i) => i.code === 'VALIDATION.INCONSISTENT')?.message).toMatch(
      /^amount is .* from what the other features predict, outside its (flag|reject) bounds/,
    );
  });

  it('clips an out-of-range value, and the forest scores the clipped vector exactly as the raw one', () => {
    const max = profile.numeric.amount!.max;
    const v = validator.validate(event({ amount: max * 10 }));
    expect(v.issues.map((i) => i.code)).toContain('VALIDATION.OUT_OF_RANGE');
    expect(v.risk).toBe('HIGH');
    expect(v.sanitised.amount).toBe(max);
    expect(v.clipped).toBe(1);
    const raw = Float64Array.from(profile.model.inputs, (n) =>
      n === 'amount' ? max * 10 : (event().features[n] as number),
    );
    expect(forest.score(raw)).toBe(v.anomalyScore);
  });

  it('flags a fraud-like transaction as an isolation-forest anomaly', () => {
    const v = validator.validate(
      event({ amount: 900, hour: 3, distance_km: 400, account_age_days: 5, tx_count_24h: 14, device_trust: 0.2 }),
    );
    expect(v.issues.map((i) => i.code)).toContain('VALIDATION.ANOMALY');
    expect(v.anomalyScore).toBeGreaterThan(profile.validation.anomaly.flag);
    expect(v.risk).not.toBe('LOW');
  });

  it('imputes a missing numeric with the baseline mean, and FLAGs it: it was never missing in training', () => {
    const v = validator.validate(event({ hour: null }));
    expect(codes(event({ hour: null }))).toEqual(['VALIDATION.MISSING:hour']);
    expect(v.vector[profile.model.inputs.indexOf('hour')]).toBe(profile.numeric.hour!.mean);
    expect(v.sanitised.hour).toBeNull();
    expect(v.risk).toBe('MEDIUM');
  });

  it('FLAGs a category never seen in the baseline', () => {
    expect(codes(event({ channel: 'carrier-pigeon' }))).toEqual(['VALIDATION.UNSEEN_CATEGORY:channel']);
    expect(validator.validate(event({ channel: 'carrier-pigeon' })).risk).toBe('MEDIUM');
  });

  it('validates a batch as it validates each event alone, each with its own vector, the forest score included', () => {
    const amount = profile.numeric.amount!;
    const events = [
      event(),
      event({ hour: null }),
      event({ amount: amount.max * 50, distance_km: 1e6, tx_count_24h: 500 }),
      event({ channel: 'fax' }),
      event({ amount: 450, avg_amount_30d: 30 }),
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

  it('refuses a profile without a validation rule for an input, naming it', () => {
    const broken = { ...profile, validation: { ...profile.validation, numeric: profile.validation.numeric.slice(1) } };
    expect(() => new InputValidator(broken, forest)).toThrow(
      'Baseline profile has no validation rule for model input "amount"',
    );
  });
});
