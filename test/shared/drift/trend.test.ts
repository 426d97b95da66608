import { describe, expect, it } from 'vitest';
import { trendPointOf, trendPointOfEarlier } from '../../../shared/drift/trend.js';
import { reportOf } from './fixtures/trendReports.js';

const WINDOW = { from: '2024-01-15T00:00:00.000Z', to: '2024-01-22T00:00:00.000Z' };

describe('trendPointOf', () => {
  it("keeps the window's verdict and, per feature, the effect size that decides for its kind", () => {
    const report = reportOf(WINDOW, 5, 0.9);
    const point = trendPointOf(report, '2024-W03');
    expect(point).toMatchObject({
      label: '2024-W03',
      from: WINDOW.from,
      to: WINDOW.to,
      status: 'assessed',
      events: 1500,
      driftShare: report.drift.share,
      datasetDrift: report.drift.drifted,
      driftedFeatures: 2,
      monitoredFeatures: 2,
      conceptDrift: null,
    });
    expect(point.features.amount_usd).toEqual({
      test: 'wasserstein',
      score: report.features.amount_usd!.tests.wasserstein!.score,
      threshold: 0.1,
      drifted: true,
      severity: report.features.amount_usd!.severity,
    });
    expect(point.features.channel!.test).toBe('jensenShannon');
    expect(point.features.channel!.drifted).toBe(true);
  });

  it('gives a feature with no finite effect a null score, not a number that would draw', () => {
    const report = reportOf(WINDOW, 0);
    report.features.amount_usd!.tests.wasserstein!.score = Number.NaN;
    expect(trendPointOf(report, 'w').features.amount_usd!.score).toBeNull();
  });
});

describe('trendPointOfEarlier', () => {
  it("reads the same point back from the report's JSON as from the report itself", () => {
    const report = reportOf(WINDOW, 2);
    const read = trendPointOfEarlier(JSON.parse(JSON.stringify(report)), '2024-W03');
    expect(read).toEqual({ ok: true, value: trendPointOf(report, '2024-W03') });
  });

  it('reads a score JSON wrote as null (an infinite statistic) as null', () => {
    const json = JSON.parse(JSON.stringify(reportOf(WINDOW, 2))) as {
      features: Record<string, { tests: Record<string, { score: unknown }> }>;
    };
    json.features.amount_usd!.tests.wasserstein!.score = null;
    const read = trendPointOfEarlier(json, 'w');
    expect(read.ok && read.value.features.amount_usd!.score).toBeNull();
  });

  it('refuses what is not a drift report, naming the first thing wrong', () => {
    const json = JSON.parse(JSON.stringify(reportOf(WINDOW, 2))) as Record<string, unknown>;
    expect(trendPointOfEarlier([], 'w')).toMatchObject({ ok: false, error: { code: 'TREND.UNREADABLE_REPORT' } });
    expect(trendPointOfEarlier({ ...json, kind: 'other' }, 'w')).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/at \/kind/) },
    });
    const { drift, ...noShare } = json as { drift: Record<string, unknown> };
    const withoutShare = { ...noShare, drift: { ...drift, share: 'high' } };
    expect(trendPointOfEarlier(withoutShare, 'w')).toMatchObject({
      ok: false,
      error: { code: 'TREND.UNREADABLE_REPORT', message: expect.stringMatching(/\/drift\/share/) },
    });
  });
});
