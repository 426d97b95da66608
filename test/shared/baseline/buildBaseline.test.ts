import { describe, expect, it } from 'vitest';
import { buildBaseline } from '../../../shared/baseline/buildBaseline.js';
import { readTrainingData } from '../../../shared/baseline/trainingData.js';
import { readBaselineProfile } from '../../../shared/baseline/readBaselineProfile.js';
import { TransactionGenerator } from '../../../shared/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';

describe('buildBaseline', () => {
  const profile = transactionBaseline();

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

  it('measures the embedded model on the labelled rows: fraud is found far better than chance', () => {
    expect(profile.metrics!.labelled).toBe(4000);
    expect(profile.metrics!.auc).toBeGreaterThan(0.9);
    expect(profile.metrics!.accuracy).toBeGreaterThan(0.9);
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

describe('readBaselineProfile', () => {
  it('names what is wrong with a file of another kind', () => {
    const read = readBaselineProfile({ kind: 'something' }, 'baseline/profile.json');
    expect(read.ok).toBe(false);
    if (!read.ok)
      expect(read.error.message).toBe(
        'baseline/profile.json is not a usable baseline profile: kind must be "mrm.baseline", got "something"',
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
