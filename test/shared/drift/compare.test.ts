import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../shared/baseline/random.js';
import { MrmError } from '../../../shared/errors.js';
import { compareProfiles } from '../../../shared/drift/compare.js';
import { DEFAULT_DRIFT_OPTIONS } from '../../../shared/drift/driftOptions.js';
import { driftOptionsFromSettings } from '../../../shared/config/driftOptionsFromSettings.js';
import { mergeProfiles, type DatasetProfile } from '../../../shared/drift/profile.js';
import { ProfileAccumulator } from '../../../shared/drift/profileAccumulator.js';
import { profileFromColumns } from '../../../shared/drift/profileFromColumns.js';
import { STAT_TESTS, type StatTest } from '../../../shared/drift/stats/registry.js';
import { deriveSchema, type ProfileSchema } from '../../../shared/drift/schema.js';
import { benjaminiHochberg } from '../../../shared/drift/stats/benjaminiHochberg.js';
import { moments } from '../../../shared/drift/stats/distribution.js';
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
  it('same distribution: no feature drifts, although with a million rows tiny differences are significant', () => {
    const current = profileFromColumns(schema, columns(2, ROWS));
    const a = compareProfiles(reference, current, { schema });
    expect(a.status).toBe('assessed');
    expect(a.features.map((f) => [f.name, f.drifted])).toEqual(schema.features.map((f) => [f.name, false]));
    expect(a.drift).toEqual({ share: 0, drifted: false, driftedFeatures: [], monitoredFeatures: 6 });
    expect(a.retrainRecommended).toBe(false);
    for (const f of a.features) {
      expect(f.tests.psi!.score).toBeLessThan(0.01);
      if (f.type === 'numeric') {
        expect(Object.keys(f.tests)).toEqual(['ks', 'wasserstein', 'jensenShannon', 'psi', 'hellinger', 'meanShift']);
        expect(f.tests.ks!.details.statistic).toBeLessThan(0.01);
        expect(f.tests.ks!.details.method).toBe('sketch');
        expect(f.tests.wasserstein!.score).toBeLessThan(0.02);
      } else {
        expect(Object.keys(f.tests)).toEqual(['chiSquare', 'jensenShannon', 'psi', 'hellinger']);
      }
    }
    expect(a.recommendations).toEqual(['No action needed: no feature drifted.']);
  });

  it('real shifts are detected by a significance and an effect test together, with severity', () => {
    const current = profileFromColumns(schema, columns(3, ROWS, { incomeShift: 15_000, ageScale: 1.6, usShare: 0.5 }));
    const a = compareProfiles(reference, current, { schema });
    const byName = Object.fromEntries(a.features.map((f) => [f.name, f]));
    expect(byName.income!).toMatchObject({ drifted: true, decidedBy: ['ks', 'wasserstein'], severity: 'HIGH' });
    expect(byName.age!).toMatchObject({ drifted: true, decidedBy: ['ks', 'wasserstein'] });
    expect(byName.country!).toMatchObject({ drifted: true, decidedBy: ['chiSquare', 'jensenShannon'] });
    for (const name of ['score', 'clicks', 'ratio']) expect(byName[name]!.drifted).toBe(false);
    expect(a.drift.driftedFeatures.sort()).toEqual(['age', 'country', 'income']);
    expect(a.drift.share).toBeCloseTo(0.5, 12);
    expect(a.drift.drifted).toBe(true);
    expect(a.retrainRecommended).toBe(true);
    expect(a.recommendations[0]).toMatch(
      /^Retrain the model: 3 of 6 features drifted \(drifted share 0\.500 exceeds 0\.3\)/,
    );
  });
});

describe('decision rules', () => {
  const small = (seed: number, rows: number, shift: Shift = {}) =>
    profileFromColumns(schema, columns(seed, rows, shift));
  const feature = (a: ReturnType<typeof compareProfiles>, name: string) => a.features.find((f) => f.name === name)!;

  it('a significant change below the practical minimum (W / std < 0.1) is reported as significant, not as drift', () => {
    const current = small(5, 20_000, { ageScale: 1.06 });
    const age = feature(compareProfiles(reference, current, { schema }), 'age');
    expect(age.tests.ks!.pValueAdjusted!).toBeLessThan(0.05);
    expect(age.tests.wasserstein!.score).toBeLessThan(0.1);
    expect(age).toMatchObject({ significant: true, drifted: false, severity: 'LOW', decidedBy: [] });
    const lower = compareProfiles(reference, current, { schema, thresholds: { wasserstein: 0.02 } });
    expect(feature(lower, 'age').decidedBy).toEqual(['ks', 'wasserstein']);
  });

  it('a large-looking effect on a window too small to be significant is not drift, and the report says what it could see', () => {
    const current = small(6, 12, {});
    const a = compareProfiles(reference, current, { schema });
    const age = feature(a, 'age');
    expect(age.significant).toBe(false);
    expect(age.drifted).toBe(false);
    // With 12 events only a shift of well over a standard deviation could be flagged.
    expect(age.minimumDetectable.wasserstein!).toBeGreaterThan(0.5);
    expect(a.recommendations.some((r) => r.startsWith('Too few events to see small changes'))).toBe(true);
  });

  it('the minimum detectable effect shrinks as the window grows, never below the practical minimum', () => {
    const mde = (rows: number) =>
      feature(compareProfiles(reference, small(7, rows), { schema }), 'age').minimumDetectable;
    const [tiny, medium, large] = [mde(100), mde(400), mde(200_000)];
    expect(tiny.wasserstein!).toBeGreaterThan(medium.wasserstein!);
    expect(medium.wasserstein!).toBeGreaterThan(0.1);
    expect(large.wasserstein!).toBe(0.1);
  });

  it('PSI is a signal: an empty baseline bin pushing it past 0.2 does not make a verdict on its own', () => {
    // The baseline has nothing between 0.5 and its maximum 1.0, so four of its ten equal-width bins are empty; four
    // values in one of them out of a hundred put PSI past 0.2 through the 1e-4 floor, on a window KS cannot tell apart.
    const column = (values: number[]) => [{ name: 'x', type: 'numeric' as const, values: Float64Array.from(values) }];
    const base = column([...Array.from({ length: 1000 }, (_, i) => (i % 500) / 1000), 1]);
    const oneSchema = deriveSchema(base);
    const ref = profileFromColumns(oneSchema, base);
    const cur = profileFromColumns(
      oneSchema,
      column([...Array.from({ length: 96 }, (_, i) => i / 192), 0.75, 0.75, 0.75, 0.75]),
    );
    const x = compareProfiles(ref, cur, { schema: oneSchema }).features[0]!;
    expect(x.tests.psi!.score).toBeGreaterThanOrEqual(0.2);
    expect(x.tests.psi!.beyondThreshold).toBe(true);
    expect(x.tests.ks!.pValueAdjusted!).toBeGreaterThan(0.05);
    expect(x.drifted).toBe(false);
  });

  it('reads its thresholds from the MRM_DRIFT_* settings', () => {
    const settings = defaultSettings({
      MRM_DRIFT_ALPHA: '0.01',
      MRM_DRIFT_WASSERSTEIN_THRESHOLD: '0.2',
      MRM_DRIFT_PSI_BINNING: 'decile',
      MRM_DRIFT_MIN_LABELLED: '20',
    });
    expect(driftOptionsFromSettings(settings.drift)).toEqual({
      ...DEFAULT_DRIFT_OPTIONS,
      alpha: 0.01,
      thresholds: { ...DEFAULT_DRIFT_OPTIONS.thresholds, wasserstein: 0.2 },
      psiBinning: 'decile',
      minLabelled: 20,
    });
  });

  it('a feature with no values in the window is reported, not tested, and not counted as monitored', () => {
    const acc = new ProfileAccumulator(schema);
    for (let i = 0; i < 100; i++) acc.addFeatures({ income: 20000, age: 40, score: 0.5, clicks: 1, country: 'FR' });
    const a = compareProfiles(reference, acc.toProfile(), { schema });
    const ratio = a.features.find((f) => f.name === 'ratio')!;
    expect(ratio).toMatchObject({ note: 'no values in the window', drifted: false, tests: {}, missingRate: 1 });
    expect(a.drift.monitoredFeatures).toBe(5);
    expect(a.recommendations.some((r) => r.startsWith('"ratio" is missing in 100.0% of events'))).toBe(true);
  });

  it('a window with no events is insufficient data, with the reason, never "no drift"', () => {
    const a = compareProfiles(reference, new ProfileAccumulator(schema).toProfile(), {
      schema,
      emptyReason: 'no Capture blobs in the window',
    });
    expect(a).toMatchObject({ status: 'insufficient-data', reason: 'no Capture blobs in the window' });
    expect(a.drift.drifted).toBe(false);
    expect(a.retrainRecommended).toBe(false);
    expect(a.recommendations).toEqual([
      'Insufficient data: no Capture blobs in the window. No drift verdict for this window: check that Capture is enabled and the producers are sending.',
    ]);
  });

  it('runs a test registered beside the defaults, and lets its role take part in the verdict', () => {
    const spreadChange: StatTest = {
      name: 'spreadChange',
      label: 'Spread change',
      description: '|std ratio − 1| of current against baseline',
      roles: { numeric: 'effect' },
      direction: 'higher-is-worse',
      defaultThreshold: 0.03,
      run(ref, cur, context) {
        if (ref.type !== 'numeric' || cur.type !== 'numeric' || context.feature.type !== 'numeric') return null;
        const r = moments(ref, context.feature.sketch.center)!;
        const c = moments(cur, context.feature.sketch.center)!;
        const score = Math.abs(c.std / r.std - 1);
        return {
          score,
          threshold: context.threshold,
          direction: 'higher-is-worse',
          beyondThreshold: score >= context.threshold,
          minimumDetectable: null,
          details: {},
        };
      },
    };
    const current = small(8, 20_000, { ageScale: 1.06 });
    const a = compareProfiles(reference, current, { schema, tests: [...STAT_TESTS, spreadChange] });
    expect(a.tests.map((t) => t.name)).toContain('spreadChange');
    const age = feature(a, 'age');
    expect(age.tests.spreadChange).toMatchObject({ role: 'effect', threshold: 0.03, beyondThreshold: true });
    expect(age.decidedBy).toEqual(['ks', 'spreadChange']);
    expect(feature(a, 'country').tests.spreadChange).toBeUndefined();
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

  it('flags concept drift when a metric drops by more than 0.05 beyond sampling error, HIGH above 0.10', () => {
    const reference = scored(1, 5000, 0.95);
    const stable = compareProfiles(reference, scored(2, 2000, 0.95), { schema: labelled });
    expect(stable.performance).toMatchObject({ judged: true, conceptDrift: false, severity: 'NONE', decidedBy: [] });
    const worse = compareProfiles(reference, scored(3, 2000, 0.8), { schema: labelled });
    expect(worse.performance).toMatchObject({ judged: true, conceptDrift: true, severity: 'HIGH' });
    const accuracy = worse.performance!.metrics.accuracy!;
    expect(accuracy.drop).toBeGreaterThan(0.1);
    expect(accuracy.ci95[0]).toBeGreaterThan(0.05);
    expect(accuracy.ci95[0]).toBeLessThan(accuracy.drop);
    expect(accuracy.ci95[1]).toBeGreaterThan(accuracy.drop);
    expect(worse.performance!.current!.auc!).toBeLessThan(worse.performance!.reference!.auc!);
    expect(worse.retrainRecommended).toBe(true);
  });

  it('a drop past 0.05 that sampling error explains is not concept drift; the same drop on more labels is', () => {
    const reference = exact(5000, 0.95);
    // 0.95 → 0.88 on 100 labels: a drop of 0.07 whose standard error (about 0.034) makes it not significant.
    const few = compareProfiles(reference, exact(100, 0.88), { schema: labelled }).performance!;
    expect(few.metrics.accuracy!.drop).toBeCloseTo(0.07, 10);
    expect(few.metrics.accuracy!.ci95[0]).toBeLessThan(0.02);
    expect(few).toMatchObject({ judged: true, conceptDrift: false });
    const many = compareProfiles(reference, exact(3000, 0.88), { schema: labelled }).performance!;
    expect(many).toMatchObject({ judged: true, conceptDrift: true });
    expect(many.decidedBy).toContain('accuracy');
  });

  /** n labelled records, exactly `accuracy` of them right, 30% positives, errors spread over both classes. */
  function exact(n: number, accuracy: number): DatasetProfile {
    const acc = new ProfileAccumulator(labelled);
    const wrong = Math.round(n * (1 - accuracy));
    for (let i = 0; i < n; i++) {
      const label = i % 10 < 3 ? '1' : '0';
      const prediction = i < wrong ? (label === '1' ? '0' : '1') : label;
      const p1 = prediction === '1' ? 0.8 : 0.2;
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

  it('does not judge performance below the minimum labelled count, and says why', () => {
    const a = compareProfiles(scored(1, 5000, 0.95), scored(4, 50, 0.5), { schema: labelled });
    expect(a.performance).toMatchObject({ judged: false, conceptDrift: false, labelled: 50 });
    expect(a.performance!.reason).toMatch(/50 labelled records, fewer than the 100/);
  });

  it("compares with the baseline's held-out performance when given, instead of the reference profile's", () => {
    const reference = scored(1, 5000, 0.95);
    const current = scored(3, 2000, 0.8);
    expect(compareProfiles(reference, current, { schema: labelled }).performance!.conceptDrift).toBe(true);
    const a = compareProfiles(reference, current, {
      schema: labelled,
      baselinePerformance: scored(7, 1000, 0.8).performance,
    });
    expect(a.performance!.reference!.accuracy).toBeCloseTo(0.8, 1);
    expect(a.performance!.conceptDrift).toBe(false);
  });

  it('detects prediction drift on the predicted class balance of scored events', () => {
    const a = compareProfiles(scored(1, 5000, 0.95, 0.3), scored(5, 5000, 0.95, 0.7), { schema: labelled });
    expect(a.prediction!.drifted).toBe(true);
    expect(a.prediction!.classes!.decidedBy).toEqual(['chiSquare', 'jensenShannon']);
  });

  it('leaves rejected events (no prediction) out of the class balance and reports their share instead', () => {
    const current = scored(8, 4000, 0.95);
    const withRejected = mergeProfiles(current, rejected(1500));
    const a = compareProfiles(scored(1, 5000, 0.95), withRejected, { schema: labelled });
    expect(a.prediction!.classes!.drifted).toBe(false);
    expect(a.prediction!.unscoredShare.reference).toBe(0);
    expect(a.prediction!.unscoredShare.current).toBeCloseTo(1500 / 5500, 12);
    expect(a.recommendations.some((r) => r.includes('got no prediction'))).toBe(true);
  });

  function rejected(n: number): DatasetProfile {
    const acc = new ProfileAccumulator(labelled);
    for (let i = 0; i < n; i++)
      acc.addScored({
        features: { income: 20000, age: 40 },
        label: 1,
        prediction: null,
        score: null,
        probabilities: null,
      });
    return acc.toProfile();
  }
});
