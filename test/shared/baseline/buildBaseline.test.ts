import { describe, expect, it } from 'vitest';
import { buildBaseline, type BuildBaselineOptions } from '../../../shared/baseline/buildBaseline.js';
import { performanceMetrics } from '../../../shared/drift/performance.js';
import { readTrainingData } from '../../../shared/baseline/trainingData.js';
import { readBaselineProfile } from '../../../shared/baseline/readBaselineProfile.js';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

describe('buildBaseline', () => {
  const profile = transactionBaseline();
  const read = readTrainingData(new TransactionGenerator(7).csv(4000), {
    format: 'csv',
    id: 'id',
    label: 'label',
    categorical: ['merchant_category', 'channel'],
  });
  if (!read.ok) throw new Error(read.error.message);
  const table = read.value;
  const options: BuildBaselineOptions = {
    seed: 7,
    createdAt: '2026-11-02T00:00:00.000Z',
    source: { file: 'synthetic.csv', format: 'csv' },
    columns: { id: 'id', label: 'label' },
  };

  it('records per-feature statistics that match the data', () => {
    const csv = new TransactionGenerator(7).csv(4000);
    const hours = csv
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => Number(line.split(',')[2]));
    const mean = hours.reduce((a, b) => a + b, 0) / hours.length;
    expect(profile.numeric.hour!.count).toBe(4000);
    expect(profile.numeric.hour!.mean).toBeCloseTo(mean, 9);
    expect(profile.numeric.hour!.min).toBe(Math.min(...hours));
    expect(profile.numeric.hour!.max).toBe(Math.max(...hours));
    expect(Object.values(profile.categorical.channel!.frequencies).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('orders numeric features first and feeds only them to the forest', () => {
    expect(profile.features.map((f) => f.type)).toEqual([...Array(7).fill('numeric'), 'categorical', 'categorical']);
    expect(profile.model.inputs).toEqual(profile.features.filter((f) => f.type === 'numeric').map((f) => f.name));
    expect(profile.model.forest.columns).toBe(7);
  });

  it('takes the binary label classes as model classes, the conventional positive second', () => {
    expect(profile.model.classes).toEqual(['0', '1']);
    expect(profile.model.calibration.method).toBe('platt');
  });

  it('holds out a fifth of the rows, stratified by label, and fits the forest on the rest only', () => {
    expect(profile.heldOut).toMatchObject({ share: 0.2, rows: 800, trainRows: 3200, stratifiedBy: 'label' });
    expect(profile.model.forest.trainingRows).toBe(3200);
    const frauds = table.labels.filter((l) => l === '1').length;
    expect(profile.data.labels!.counts['1']).toBe(Math.round(frauds * 0.2));
  });

  it('measures the embedded model out of sample: on the held-out rows validation does not reject, as production scores', () => {
    const { heldOut, metrics } = profile;
    expect(metrics!.labelled).toBe(heldOut.rows - heldOut.rejected);
    expect(heldOut.performance!.labelled).toBe(metrics!.labelled);
    expect(metrics).toEqual(performanceMetrics(heldOut.performance!, profile.schema.labels!));
    // Fraud is found far better than chance.
    expect(metrics!.auc).toBeGreaterThan(0.9);
    expect(metrics!.accuracy).toBeGreaterThan(0.9);
  });

  it("takes the drift baseline's predictions, scores and confusion counts from the same held-out rows", () => {
    const { data, heldOut } = profile;
    expect(data.events).toBe(4000);
    expect(data.features.amount!.count).toBe(4000);
    const predicted = data.prediction!.classes;
    // A rejected row has no prediction, as in production.
    expect(predicted.count).toBe(heldOut.rows - heldOut.rejected);
    expect(predicted.counts.__missing__).toBe(heldOut.rejected);
    expect(data.prediction!.score!.count).toBe(heldOut.rows - heldOut.rejected);
    expect(data.labels!.count).toBe(heldOut.rows);
    expect(data.performance).toEqual(heldOut.performance);
  });

  it('records the calibrated validation: budgets, levels and the held-out rates they give', () => {
    const { validation, heldOut } = profile;
    expect(validation.budgets).toEqual({ reject: 0.005, flag: 0.05 });
    expect(validation.calibration).toMatchObject({ rows: 4000, heldOutRows: 800, crossFittedRows: 3200 });
    expect(heldOut.rejected / heldOut.rows).toBeLessThanOrEqual(0.01);
    expect(heldOut.flagged / heldOut.rows).toBeLessThanOrEqual(0.07);
    expect(validation.numeric.map((r) => r.name)).toEqual(profile.model.inputs);
  });

  it('takes other budgets and hold-out shares', () => {
    const built = buildBaseline(table, { ...options, holdout: 0.3, budgets: { reject: 0.01, flag: 0.1 } });
    if (!built.ok) throw new Error(built.error.message);
    expect(built.value.heldOut.rows).toBe(1200);
    expect(built.value.validation.budgets).toEqual({ reject: 0.01, flag: 0.1 });
    expect(built.value.validation.thresholds.flag).toBeLessThan(profile.validation.thresholds.flag);
  });

  it('refuses budgets and shares out of range, naming the flag', () => {
    const failure = (o: Partial<BuildBaselineOptions>) => {
      const built = buildBaseline(table, { ...options, ...o });
      return built.ok ? 'built' : `${built.error.code}: ${built.error.message}`;
    };
    expect(failure({ holdout: 1 })).toBe('BASELINE.INVALID_OPTION: --holdout must be a share between 0 and 1, got 1');
    expect(failure({ budgets: { flag: 0.6 } })).toBe(
      'BASELINE.INVALID_OPTION: --flag-budget must be a share between 0 and 0.5, got 0.6',
    );
    expect(failure({ budgets: { reject: 0.2, flag: 0.1 } })).toBe(
      'BASELINE.INVALID_OPTION: --reject-budget (0.2) must not exceed --flag-budget (0.1)',
    );
  });

  it('refuses data too small to hold out and calibrate on, saying what the split left', () => {
    const small = readTrainingData(new TransactionGenerator(3).csv(24), { format: 'csv', id: 'id', label: 'label' });
    if (!small.ok) throw new Error(small.error.message);
    const built = buildBaseline(small.value, options);
    expect(built.ok).toBe(false);
    if (!built.ok) {
      expect(built.error.code).toBe('BASELINE.TOO_FEW_ROWS');
      expect(built.error.message).toMatch(
        /^24 rows split at --holdout 0\.2 into \d+ to fit and \d+ to hold out; calibrated validation needs at least 20 and 5/,
      );
    }
    const enough = readTrainingData(new TransactionGenerator(3).csv(40), { format: 'csv', id: 'id', label: 'label' });
    if (!enough.ok) throw new Error(enough.error.message);
    expect(buildBaseline(enough.value, options).ok).toBe(true);
  });

  it('is deterministic for a seed and names its content with profileVersion', () => {
    const table = readTrainingData(new TransactionGenerator(7).csv(4000), {
      format: 'csv',
      id: 'id',
      label: 'label',
      categorical: ['merchant_category', 'channel'],
    });
    if (!table.ok) throw new Error(table.error.message);
    const again = buildBaseline(table.value, {
      seed: 7,
      createdAt: '2030-01-01T00:00:00.000Z',
      source: { file: 'synthetic.csv', format: 'csv' },
      columns: { id: 'id', label: 'label' },
    });
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.profileVersion).toBe(profile.profileVersion);
    expect(again.value.model.forest).toEqual(profile.model.forest);
    const otherSeed = buildBaseline(table.value, {
      seed: 8,
      createdAt: '2030-01-01T00:00:00.000Z',
      source: { file: 'synthetic.csv', format: 'csv' },
      columns: { id: 'id', label: 'label' },
    });
    expect(otherSeed.ok && otherSeed.value.profileVersion).not.toBe(profile.profileVersion);
  });

  it('survives a JSON round trip as a readable profile', () => {
    const read = readBaselineProfile(JSON.parse(JSON.stringify(profile)), 'profile.json');
    expect(read.ok).toBe(true);
  });

  it('refuses data with no numeric feature, naming why', () => {
    const table = readTrainingData('a,b\nx,y\nz,w\n', { format: 'csv' });
    if (!table.ok) throw new Error(table.error.message);
    const built = buildBaseline(table.value, {
      seed: 1,
      createdAt: '2026-01-01T00:00:00Z',
      source: { file: 'x.csv', format: 'csv' },
      columns: {},
    });
    expect(built.ok).toBe(false);
    if (!built.ok) expect(built.error.code).toBe('BASELINE.NO_NUMERIC_FEATURES');
  });
});

describe('readTrainingData', () => {
  // A column named __proto__ cannot be a feature: csv-parse drops it silently, JSON Schema validators never accept it
  // as a property, and an object literal takes it as the prototype. Refused by name, from CSV and JSONL alike.
  it.each([
    ['a CSV header', '__proto__,amount\n1,2\n3,4\n5,6\n', 'csv'],
    [
      'JSONL events',
      '{"id":"a","features":{"__proto__":1,"amount":2}}\n{"id":"b","features":{"__proto__":3,"amount":4}}\n',
      'jsonl',
    ],
    ['flat JSONL rows', '{"__proto__":1,"amount":2}\n{"__proto__":3,"amount":4}\n', 'jsonl'],
  ] as const)('refuses a column named __proto__ in %s, naming it', (_where, text, format) => {
    const read = readTrainingData(text, { format });
    expect(read.ok ? 'read' : `${read.error.code}: ${read.error.message}`).toBe(
      'BASELINE.RESERVED_NAME: Column "__proto__" cannot be a feature: the name is reserved (it names the prototype of a JavaScript object); rename the column',
    );
  });
});

describe('readBaselineProfile', () => {
  it('refuses a profile with a feature named __proto__ (made by hand: mrm baseline refuses such a column)', () => {
    const broken = JSON.parse(JSON.stringify(transactionBaseline()));
    broken.features[0].name = '__proto__';
    const read = readBaselineProfile(broken, 'p.json');
    expect(read.ok ? 'read' : read.error.message).toBe(
      'p.json is not a usable baseline profile: feature name "__proto__" is reserved (it names the prototype of a JavaScript object)',
    );
  });

  it('names what is wrong with a file of another kind', () => {
    const read = readBaselineProfile({ kind: 'something' }, 'baseline/profile.json');
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.error.message).toBe(
        'baseline/profile.json is not a usable baseline profile: kind must be "mrm.baseline", got "something"',
      );
  });

  it('tells to rebuild a profile of format 1, which predates calibrated validation', () => {
    const old = { ...JSON.parse(JSON.stringify(transactionBaseline())), formatVersion: 1 };
    const read = readBaselineProfile(old, 'p.json');
    expect(read.ok ? 'read' : read.error.message).toBe(
      'p.json is not a usable baseline profile: formatVersion 1 predates calibrated validation and the held-out split; rebuild it with `mrm baseline` (this build reads 2)',
    );
  });

  it('names what is wrong with the validation rules', () => {
    const broken = JSON.parse(JSON.stringify(transactionBaseline()));
    broken.validation.residuals.predictors[2][0] = 2;
    const read = readBaselineProfile(broken, 'p.json');
    expect(read.ok ? 'read' : read.error.message).toBe(
      'p.json is not a usable baseline profile: validation.residuals must be null or hold 7 means, predictors and weights of other inputs, and 7 bounds',
    );
    delete broken.validation;
    const missing = readBaselineProfile(broken, 'p.json');
    expect(missing.ok ? 'read' : missing.error.message).toContain('validation (the calibrated rules) is missing');
  });

  it('refuses a profile whose drift schema names other features than it (the drift would read events otherwise)', () => {
    const broken = JSON.parse(JSON.stringify(transactionBaseline()));
    broken.schema.features[0].name = 'renamed';
    const read = readBaselineProfile(broken, 'p.json');
    expect(read.ok ? 'read' : read.error.message).toBe(
      "p.json is not a usable baseline profile: schema.features must name the profile's features, with the same types",
    );
  });

  it('rejects a profile whose forest does not match its inputs', () => {
    const broken = JSON.parse(JSON.stringify(transactionBaseline()));
    broken.model.inputs = broken.model.inputs.slice(1);
    const read = readBaselineProfile(broken, 'p.json');
    expect(read.ok).toBe(false);
    if (!read.ok) expect(read.error.message).toContain('the forest reads 7 columns but model.inputs names 6');
  });
});
