import { describe, expect, it } from 'vitest';
import { driftVerdict } from '../../../shared/drift/verdict.js';
import { DEFAULT_DRIFT_OPTIONS } from '../../../shared/drift/driftOptions.js';

type Input = Parameters<typeof driftVerdict>[0];

const report = (share: number, drifted: string[], monitored: number, extra: Partial<Input> = {}): Input => ({
  status: 'assessed',
  drift: { share, drifted: share >= 0.5, driftedFeatures: drifted, monitoredFeatures: monitored },
  retrainRecommended: share > 0.3,
  performance: null,
  thresholds: DEFAULT_DRIFT_OPTIONS,
  ...extra,
});

describe('the drift verdict line', () => {
  it('between the two thresholds: no dataset drift, retraining recommended, each with its number and threshold', () => {
    expect(driftVerdict(report(3 / 9, ['a', 'b', 'c'], 9))).toBe(
      'Dataset drift: no (3 of 9 features drifted: a, b, c; drifted share 0.33 < 0.50). ' +
        'Retraining recommended: drifted share 0.33 > 0.30 (retraining is asked for at a lower drifted share than dataset drift).',
    );
  });

  it('above both', () => {
    expect(driftVerdict(report(5 / 9, ['a', 'b', 'c', 'd', 'e'], 9))).toBe(
      'Dataset drift: yes (5 of 9 features drifted: a, b, c, d, e; drifted share 0.56 ≥ 0.50). ' +
        'Retraining recommended: drifted share 0.56 > 0.30.',
    );
  });

  it('below both', () => {
    expect(driftVerdict(report(1 / 9, ['a'], 9))).toBe(
      'Dataset drift: no (1 of 9 features drifted: a; drifted share 0.11 < 0.50). ' +
        'Retraining not recommended (drifted share 0.11 ≤ 0.30, no concept drift).',
    );
  });

  it('names concept drift when it is what asks for retraining', () => {
    const performance = { judged: true, conceptDrift: true, severity: 'HIGH' } as unknown as Input['performance'];
    expect(driftVerdict(report(0, [], 9, { retrainRecommended: true, performance }))).toBe(
      'Dataset drift: no (0 of 9 features drifted; drifted share 0.00 < 0.50). Retraining recommended: concept drift (HIGH).',
    );
  });

  it('gives no verdict on insufficient data', () => {
    expect(driftVerdict(report(0, [], 9, { status: 'insufficient-data', reason: 'no events' }))).toBe(
      'Insufficient data: no events. No drift verdict.',
    );
  });
});
