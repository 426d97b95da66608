import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MrmError } from '../../../shared/errors.js';
import { deriveSchema, MISSING, OTHER, type ProfileSchema } from '../../../shared/drift/schema.js';
import { emptyProfile, mergeProfiles, type DatasetProfile } from '../../../shared/drift/profile.js';
import { ProfileAccumulator } from '../../../shared/drift/profileAccumulator.js';
import { profileFromColumns } from '../../../shared/drift/profileFromColumns.js';

const baseline = [
  { name: 'amount', type: 'numeric' as const, values: Float64Array.from({ length: 200 }, (_, i) => (i * 7.3) % 101) },
  { name: 'age', type: 'numeric' as const, values: Float64Array.from({ length: 200 }, (_, i) => 18 + (i % 60)) },
  {
    name: 'country',
    type: 'categorical' as const,
    values: Array.from({ length: 200 }, (_, i) => ['FR', 'DE', 'US', 'GB'][i % 4]!),
  },
];
const schema: ProfileSchema = deriveSchema(baseline, {
  exactValueCap: 40,
  prediction: { classes: ['normal', 'anomaly'], scores: Float64Array.from({ length: 200 }, (_, i) => i / 200) },
  labels: { classes: ['normal', 'anomaly'] },
});

type Row = {
  amount: number | null;
  age: number | null;
  country: string | null;
  label: string | null;
  prediction: string | null;
  score: number | null;
};
const rowArb: fc.Arbitrary<Row> = fc.record({
  amount: fc.oneof(fc.double({ min: -50, max: 200, noNaN: true }), fc.constant(null), fc.constant(Number.NaN)),
  age: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(null)),
  country: fc.oneof(fc.constantFrom('FR', 'DE', 'US', 'GB', 'JP', 'BR'), fc.constant(null)),
  label: fc.oneof(fc.constantFrom('normal', 'anomaly'), fc.constant(null)),
  prediction: fc.oneof(fc.constantFrom('normal', 'anomaly'), fc.constant(null)),
  score: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(null)),
});

function profileOf(rows: Row[], badBodies: string[] = []): DatasetProfile {
  const acc = new ProfileAccumulator(schema);
  for (const r of rows)
    acc.addScored({
      features: { amount: r.amount, age: r.age, country: r.country },
      label: r.label,
      prediction: r.prediction,
      score: r.score,
      probabilities: null,
    });
  for (const b of badBodies) acc.addBadBody(b);
  return acc.toProfile();
}

/** Counts must match exactly; float sums within 1e-9 relative (addition is not associative in floating point). */
function expectSameProfile(a: DatasetProfile, b: DatasetProfile): void {
  const strip = (p: DatasetProfile) =>
    JSON.parse(
      JSON.stringify(p, (key, value) => (key === 'sum' || key === 'centeredSumSquares' ? 0 : value)),
    ) as unknown;
  expect(strip(a)).toEqual(strip(b));
  for (const [name, fa] of Object.entries(a.features)) {
    const fb = b.features[name]!;
    if (fa.type !== 'numeric' || fb.type !== 'numeric') continue;
    for (const key of ['sum', 'centeredSumSquares'] as const) {
      expect(Math.abs(fa[key] - fb[key])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(fa[key])));
    }
  }
}

describe('mergeProfiles', () => {
  it('is associative and commutative, and merging chunks equals profiling them all at once', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 40 }),
        fc.array(rowArb, { maxLength: 40 }),
        fc.array(rowArb, { maxLength: 40 }),
        (x, y, z) => {
          const [a, b, c] = [
            profileOf(x, ['EVENT.INVALID_JSON']),
            profileOf(y),
            profileOf(z, ['EVENT.NOT_FINITE', 'EVENT.INVALID_JSON']),
          ];
          const left = mergeProfiles(mergeProfiles(a, b), c);
          const right = mergeProfiles(a, mergeProfiles(b, c));
          expectSameProfile(left, right);
          expectSameProfile(mergeProfiles(a, b), mergeProfiles(b, a));
          expectSameProfile(
            left,
            profileOf([...x, ...y, ...z], ['EVENT.INVALID_JSON', 'EVENT.NOT_FINITE', 'EVENT.INVALID_JSON']),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('has the empty profile as identity', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), (rows) => {
        const p = profileOf(rows);
        expect(mergeProfiles(p, emptyProfile(schema))).toEqual(p);
        expect(mergeProfiles(emptyProfile(schema), p)).toEqual(p);
      }),
      { numRuns: 100 },
    );
  });

  it('keeps raw values sorted up to the cap, then drops them for good', () => {
    const rows = (n: number, offset: number): Row[] =>
      Array.from({ length: n }, (_, i) => ({
        amount: offset + n - i,
        age: null,
        country: null,
        label: null,
        prediction: null,
        score: null,
      }));
    const small = mergeProfiles(profileOf(rows(15, 0)), profileOf(rows(20, 100)));
    const amount = small.features.amount!;
    expect(amount.type === 'numeric' && amount.values).toEqual([
      ...Array.from({ length: 15 }, (_, i) => i + 1),
      ...Array.from({ length: 20 }, (_, i) => 101 + i),
    ]);
    const big = mergeProfiles(small, profileOf(rows(10, 500)));
    const bigAmount = big.features.amount!;
    expect(bigAmount.type === 'numeric' && bigAmount.values).toBeNull();
    expect(mergeProfiles(big, emptyProfile(schema)).features.amount).toEqual(big.features.amount!);
  });

  it('refuses profiles of another schema', () => {
    const other = deriveSchema([baseline[0]!]);
    expect(() => mergeProfiles(emptyProfile(schema), emptyProfile(other))).toThrowError(MrmError);
    try {
      mergeProfiles(emptyProfile(schema), emptyProfile(other));
    } catch (error) {
      expect((error as MrmError).code).toBe('PROFILE.SCHEMA_MISMATCH');
    }
  });
});

describe('ProfileAccumulator', () => {
  it('counts values, missing ones (null, absent, NaN, ±Infinity, wrong type), unseen categories and bad bodies', () => {
    const acc = new ProfileAccumulator(schema);
    acc.addFeatures({ amount: 10, age: 30, country: 'FR' });
    acc.addFeatures({ amount: Number.NaN, age: null, country: 'JP' });
    acc.addFeatures({ amount: Number.POSITIVE_INFINITY, country: null });
    acc.addFeatures({ amount: '12', age: 40, country: 7 });
    acc.addBadBody('EVENT.INVALID_JSON');
    acc.addBadBody('EVENT.INVALID_JSON');
    const p = acc.toProfile();
    expect(p.events).toBe(4);
    expect(p.badBodies).toEqual({ 'EVENT.INVALID_JSON': 2 });
    const amount = p.features.amount!;
    const age = p.features.age!;
    const country = p.features.country!;
    expect(amount.type === 'numeric' && [amount.count, amount.missing, amount.min, amount.max, amount.sum]).toEqual([
      1, 3, 10, 10, 10,
    ]);
    expect(age.type === 'numeric' && [age.count, age.missing, age.sum]).toEqual([2, 2, 70]);
    expect(country.type === 'categorical' && country.counts).toEqual({
      FR: 1,
      DE: 0,
      US: 0,
      GB: 0,
      [OTHER]: 2,
      [MISSING]: 1,
    });
    expect(country.type === 'categorical' && [country.count, country.missing]).toEqual([3, 1]);
  });

  it('counts PSI buckets like numpy.histogram: [a, b) bins, values on an edge go up, outer bins unbounded', () => {
    const f = schema.features[0]!;
    if (f.type !== 'numeric') throw new Error('numeric expected');
    const acc = new ProfileAccumulator(schema);
    for (const amount of [-1e9, f.psiEdges[0]!, f.psiEdges[0]! - 1e-9, f.psiEdges[8]!, 1e9])
      acc.addFeatures({ amount });
    const counts = acc.toProfile().features.amount!;
    expect(counts.type === 'numeric' && counts.psiCounts).toEqual([2, 1, 0, 0, 0, 0, 0, 0, 0, 2]);
  });

  it('keeps the confusion matrix and AUC histograms of labelled scored records only', () => {
    const p = profileOf([
      { amount: 1, age: 1, country: 'FR', label: 'anomaly', prediction: 'anomaly', score: 0.9 },
      { amount: 1, age: 1, country: 'FR', label: 'normal', prediction: 'anomaly', score: 0.6 },
      { amount: 1, age: 1, country: 'FR', label: 'normal', prediction: 'normal', score: 0.1 },
      { amount: 1, age: 1, country: 'FR', label: null, prediction: 'normal', score: 0.1 },
      { amount: 1, age: 1, country: 'FR', label: 'anomaly', prediction: null, score: null },
    ]);
    expect(p.performance!.labelled).toBe(3);
    // classes [normal, anomaly, __other__]: confusion[actual * 3 + predicted]
    expect(p.performance!.confusion).toEqual([1, 1, 0, 0, 1, 0, 0, 0, 0]);
    expect(p.performance!.scoreHistogram!.positive[900]).toBe(1);
    expect(p.performance!.scoreHistogram!.negative[600]).toBe(1);
    expect(p.prediction!.classes.counts).toEqual({ normal: 2, anomaly: 2, [OTHER]: 0, [MISSING]: 1 });
    expect(p.labels!.counts).toMatchObject({ normal: 2, anomaly: 2, [MISSING]: 1 });
  });

  it('gives the same profile as profileFromColumns on the same data', () => {
    const fromColumns = profileFromColumns(schema, baseline);
    const acc = new ProfileAccumulator(schema);
    for (let i = 0; i < 200; i++)
      acc.addFeatures({ amount: baseline[0]!.values[i], age: baseline[1]!.values[i], country: baseline[2]!.values[i] });
    expect(fromColumns).toEqual(acc.toProfile());
  });
});

describe('serialisation', () => {
  it('round-trips through JSON unchanged (no Infinity, no typed arrays) and keeps merging', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), fc.array(rowArb, { maxLength: 60 }), (x, y) => {
        const a = profileOf(x);
        const b = profileOf(y);
        const revived = JSON.parse(JSON.stringify(a)) as DatasetProfile;
        expect(revived).toEqual(a);
        expect(mergeProfiles(revived, b)).toEqual(mergeProfiles(a, b));
      }),
      { numRuns: 50 },
    );
  });

  it('stores −0 as 0, since JSON cannot keep the sign of zero', () => {
    const p = profileOf([{ amount: -0, age: -0, country: null, label: null, prediction: null, score: -0 }]);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
  });

  it('schema ids change with the binning and survive JSON', () => {
    const again = deriveSchema(baseline, {
      exactValueCap: 40,
      prediction: { classes: ['normal', 'anomaly'], scores: Float64Array.from({ length: 200 }, (_, i) => i / 200) },
      labels: { classes: ['normal', 'anomaly'] },
    });
    expect(again.id).toBe(schema.id);
    expect(deriveSchema(baseline, { psiBuckets: 5 }).id).not.toBe(deriveSchema(baseline).id);
    expect((JSON.parse(JSON.stringify(schema)) as ProfileSchema).id).toBe(schema.id);
  });
});
