import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../shared/baseline/random.js';
import { MrmError } from '../../../shared/errors.js';
import { compareProfiles } from '../../../shared/drift/compare.js';
import { DEFAULT_DRIFT_OPTIONS, driftOptionsFromSettings } from '../../../shared/drift/driftOptions.js';
import { ProfileAccumulator, profileFromColumns, type DatasetProfile } from '../../../shared/drift/profile.js';
import { deriveSchema, type ProfileSchema } from '../../../shared/drift/schema.js';
import { benjaminiHochberg } from '../../../shared/drift/stats/benjaminiHochberg.js';
import { defaultSettings } from '../../../shared/config/settings.js';

const ROWS = 1_000_000;
const COUNTRIES = ['FR', 'DE', 'US', 'GB', 'JP'];

interface Shift {
  incomeShift?: number;
  ageScale?: number;
  usShare?: number;
}

/** Five numeric features and a categorical one, 1M rows, optionally shifted. */
function columns(seed: number, rows: number, shift: Shift = {}) {
  const r = createRandom(seed);
  const income = new Float64Array(rows);
  const age = new Float64Array(rows);
  const score = new Float64Array(rows);
  const clicks = new Float64Array(rows);
  const ratio = new Float64Array(rows);
  const country: string[] = new Array<string>(rows);
  for (let i = 0; i < rows; i++) {
    income[i] = Math.exp(10 + 0.5 * r.nextGaussian()) + (shift.incomeShift ?? 0);
    age[i] = 40 + 12 * (shift.ageScale ?? 1) * r.nextGaussian();
    score[i] = r.nextFloat();
    clicks[i] = Math.floor(-Math.log(1 - r.nextFloat()) * 3);
    ratio[i] = r.nextFloat() < 0.01 ? Number.NaN : r.nextGaussian() * 0.1;
    country[i] = r.nextFloat() < (shift.usShare ?? 0) ? 'US' : COUNTRIES[r.nextInt(COUNTRIES.length)]!;
  }
  return [
    { name: 'income', type: 'numeric' as const, values: income },
    { name: 'age', type: 'numeric' as const, values: age },
    { name: 'score', type: 'numeric' as const, values: score },
    { name: 'clicks', type: 'numeric' as const, values: clicks },
    { name: 'ratio', type: 'numeric' as const, values: ratio },
    { name: 'country', type: 'categorical' as const, values: country },
  ];
}

const baselineColumns = columns(1, ROWS);
const schema: ProfileSchema = deriveSchema(baselineColumns);
const reference = profileFromColumns(schema, baselineColumns);

describe('compareProfiles at 1M vs 1M rows (large-sample safety)', () => {
  it('same distribution: no feature drifts, although large samples make raw p-values fragile', () => {
    const current = profileFromColumns(schema, columns(2, ROWS));
    const a = compareProfiles(reference, current, { schema });
    expect(a.features.map((f) => [f.name, f.drifted])).toEqual(schema.features.map((f) => [f.name, false]));
    expect(a.drift).toMatchObject({
      share: 0,
      magnitude: 0,
      drifted: false,
      driftedFeatures: [],
      monitoredFeatures: 6,
    });
    expect(a.retrainRecommended).toBe(false);
    for (const f of a.features) {
      expect(f.psi!).toBeLessThan(0.01);
      if (f.ks) expect(f.ks.statistic).toBeLessThan(0.01);
      if (f.type === 'numeric') expect(f.errorBound!.method).toBe('sketch');
    }
    expect(a.recommendations).toEqual(['No action needed: no feature drifted.']);
  });

  it('real shifts are detected, by the rule that fires, with severity', () => {
    const current = profileFromColumns(schema, columns(3, ROWS, { incomeShift: 15_000, ageScale: 1.6, usShare: 0.5 }));
    const a = compareProfiles(reference, current, { schema });
    const byName = Object.fromEntries(a.features.map((f) => [f.name, f]));
    expect(byName.income!.drifted).toBe(true);
    expect(byName.income!.decidedBy).toContain('psi');
    expect(byName.income!.severity).toBe('HIGH');
    expect(byName.age!.drifted).toBe(true);
    expect(byName.country!.drifted).toBe(true);
    expect(byName.country!.decidedBy).toEqual(expect.arrayContaining(['psi', 'chiSquare']));
    for (const name of ['score', 'clicks', 'ratio']) expect(byName[name]!.drifted).toBe(false);
    expect(a.drift.driftedFeatures.sort()).toEqual(['age', 'country', 'income']);
    expect(a.drift.share).toBeCloseTo(0.5, 12);
    expect(a.drift.drifted).toBe(true);
    expect(a.retrainRecommended).toBe(true);
    expect(a.recommendations[0]).toMatch(/^Retrain the model: drift magnitude 0\.500 exceeds 0\.3/);
  });
});

describe('decision rules', () => {
  const small = (seed: number, shift: Shift = {}) => profileFromColumns(schema, columns(seed, 20_000, shift));

  it('a significant KS test alone does not drift a feature when D is below the effect-size gate', () => {
    const current = small(5, { ageScale: 1.04 });
    const a = compareProfiles(reference, current, { schema });
    const age = a.features.find((f) => f.name === 'age')!;
    expect(age.ks!.pValueAdjusted).toBeLessThan(0.05);
    expect(age.ks!.statistic).toBeLessThan(0.1);
    expect(age.drifted).toBe(false);
    const ungated = compareProfiles(reference, current, { schema, ksMinStatistic: 0 });
    expect(ungated.features.find((f) => f.name === 'age')!.decidedBy).toEqual(['ks']);
  });

  it('every threshold is an option: a lower PSI threshold flags more', () => {
    const current = small(6, { incomeShift: 2500 });
    const strict = compareProfiles(reference, current, {
      schema,
      psiThreshold: 0.01,
      wassersteinRangeThreshold: 1,
      ksMinStatistic: 1,
    });
    const lax = compareProfiles(reference, current, {
      schema,
      psiThreshold: 5,
      wassersteinRangeThreshold: 1,
      ksMinStatistic: 1,
    });
    expect(strict.features.find((f) => f.name === 'income')!.decidedBy).toEqual(['psi']);
    expect(lax.features.find((f) => f.name === 'income')!.drifted).toBe(false);
  });

  it('reads its thresholds from the MRM_DRIFT_* settings', () => {
    const settings = defaultSettings({
      MRM_DRIFT_PSI_THRESHOLD: '0.3',
      MRM_DRIFT_PSI_BINNING: 'decile',
      MRM_DRIFT_MIN_LABELLED: '20',
    });
    expect(driftOptionsFromSettings(settings.drift)).toEqual({
      ...DEFAULT_DRIFT_OPTIONS,
      psiThreshold: 0.3,
      psiBinning: 'decile',
      minLabelled: 20,
    });
  });

  it('a feature with no values in the window is reported, not tested, and not counted as monitored', () => {
    const acc = new ProfileAccumulator(schema);
    for (let i = 0; i < 100; i++) acc.addFeatures({ income: 20000, age: 40, score: 0.5, clicks: 1, country: 'FR' });
    const a = compareProfiles(reference, acc.toProfile(), { schema });
    const ratio = a.features.find((f) => f.name === 'ratio')!;
    expect(ratio).toMatchObject({ note: 'no values in the window', drifted: false, psi: null, missingRate: 1 });
    expect(a.drift.monitoredFeatures).toBe(5);
    expect(a.recommendations.some((r) => r.startsWith('"ratio" is missing in 100.0% of events'))).toBe(true);
  });

  it('refuses a profile counted on another schema with DRIFT.SCHEMA_MISMATCH', () => {
    const other = deriveSchema(columns(9, 100));
    const stale: DatasetProfile = new ProfileAccumulator(other).toProfile();
    try {
      compareProfiles(reference, stale, { schema });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(MrmError);
      expect((error as MrmError).code).toBe('DRIFT.SCHEMA_MISMATCH');
    }
  });
});

describe('Benjamini–Hochberg', () => {
  it('adjusts p-values step-up and keeps them monotone in rank', () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005, 0.5), "BH") = 0.025 0.05 0.05 0.025 0.5
    const adjusted = benjaminiHochberg([0.01, 0.04, 0.03, 0.005, 0.5]);
    [0.025, 0.05, 0.05, 0.025, 0.5].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 12));
    expect(benjaminiHochberg([])).toEqual([]);
  });
});

describe('prediction and performance drift', () => {
  const labelled = deriveSchema(
    baselineColumns
      .slice(0, 2)
      .map((c) => ({ name: c.name, type: 'numeric' as const, values: (c.values as Float64Array).subarray(0, 5000) })),
    {
      prediction: { classes: ['0', '1'], scores: Float64Array.from({ length: 1000 }, (_, i) => i / 1000) },
      labels: { classes: ['0', '1'] },
    },
  );

  function scored(seed: number, n: number, accuracy: number, positiveShare = 0.3): DatasetProfile {
    const r = createRandom(seed);
    const acc = new ProfileAccumulator(labelled);
    for (let i = 0; i < n; i++) {
      const label = r.nextFloat() < positiveShare ? '1' : '0';
      const right = r.nextFloat() < accuracy;
      const prediction = right ? label : label === '1' ? '0' : '1';
      const p1 = prediction === '1' ? 0.5 + 0.5 * r.nextFloat() : 0.5 * r.nextFloat();
      acc.addScored({
        features: { income: 20000, age: 40 },
        label: Number(label),
        prediction,
        score: p1,
        probabilities: { '0': 1 - p1, '1': p1 },
      });
    }
    return acc.toProfile();
  }

  it('flags concept drift when a metric drops by more than 0.05, HIGH above 0.10', () => {
    const reference = scored(1, 5000, 0.95);
    const stable = compareProfiles(reference, scored(2, 2000, 0.95), { schema: labelled });
    expect(stable.performance).toMatchObject({ judged: true, conceptDrift: false, severity: 'NONE' });
    const worse = compareProfiles(reference, scored(3, 2000, 0.8), { schema: labelled });
    expect(worse.performance).toMatchObject({ judged: true, conceptDrift: true, severity: 'HIGH' });
    expect(worse.performance!.drops.accuracy!).toBeGreaterThan(0.1);
    expect(worse.performance!.current!.auc!).toBeLessThan(worse.performance!.reference!.auc!);
    expect(worse.retrainRecommended).toBe(true);
  });

  it('does not judge performance below the minimum labelled count, and says why', () => {
    const a = compareProfiles(scored(1, 5000, 0.95), scored(4, 50, 0.5), { schema: labelled });
    expect(a.performance).toMatchObject({ judged: false, conceptDrift: false, labelled: 50 });
    expect(a.performance!.reason).toMatch(/50 labelled records, fewer than the 100/);
  });

  it("uses the baseline metrics when given (BaselineProfile.metrics) instead of the reference profile's", () => {
    const reference = scored(1, 5000, 0.95);
    const current = scored(3, 2000, 0.8);
    expect(compareProfiles(reference, current, { schema: labelled }).performance!.conceptDrift).toBe(true);
    const a = compareProfiles(reference, current, {
      schema: labelled,
      baselineMetrics: { labelled: 1000, accuracy: 0.6, precision: 0.6, recall: 0.6, f1: 0.6, auc: 0.6 },
    });
    expect(a.performance!.reference!.accuracy).toBe(0.6);
    expect(a.performance!.conceptDrift).toBe(false);
  });

  it('detects prediction drift on the predicted class balance', () => {
    const a = compareProfiles(scored(1, 5000, 0.95, 0.3), scored(5, 5000, 0.95, 0.7), { schema: labelled });
    expect(a.prediction!.drifted).toBe(true);
    expect(a.prediction!.classes!.decidedBy).toContain('psi');
  });
});
