import { describe, expect, it } from 'vitest';
import { compareProfiles } from '../../../shared/drift/compare.js';
import { renderDriftReportHtml } from '../../../shared/drift/html.js';
import { ProfileAccumulator } from '../../../shared/drift/profile.js';
import { buildDriftReport } from '../../../shared/drift/report.js';
import { deriveSchema } from '../../../shared/drift/schema.js';

const EVIL = '<img src=x onerror="alert(1)">&';
const baselineRows = 2000;
const schema = deriveSchema(
  [
    {
      name: 'stable',
      type: 'numeric',
      values: Float64Array.from({ length: baselineRows }, (_, i) => Math.sin(i) * 10),
    },
    { name: 'moved', type: 'numeric', values: Float64Array.from({ length: baselineRows }, (_, i) => (i % 100) / 10) },
    {
      name: EVIL,
      type: 'categorical',
      values: Array.from({ length: baselineRows }, (_, i) => (i % 3 === 0 ? '<b>bold</b>' : 'plain')),
    },
  ],
  { prediction: { classes: ['ok', 'fraud'] }, labels: { classes: ['ok', 'fraud'] } },
);

function profile(rows: number, moved: (i: number) => number, category: (i: number) => string) {
  const acc = new ProfileAccumulator(schema);
  for (let i = 0; i < rows; i++) {
    acc.addScored({
      features: { stable: Math.sin(i + 0.5) * 10, moved: moved(i), [EVIL]: category(i) },
      prediction: i % 5 === 0 ? 'fraud' : 'ok',
      label: null,
      score: null,
      probabilities: null,
    });
  }
  return acc.toProfile();
}

const reference = profile(
  baselineRows,
  (i) => (i % 100) / 10,
  (i) => (i % 3 === 0 ? '<b>bold</b>' : 'plain'),
);
const current = profile(
  1500,
  (i) => 5 + (i % 100) / 10,
  (i) => (i % 2 === 0 ? '<b>bold</b>' : '"quoted"'),
);
const assessment = compareProfiles(reference, current, { schema });
const report = buildDriftReport({
  window: { from: new Date('2026-11-09T00:00:00Z'), to: new Date('2026-11-16T00:00:00Z') },
  assessment,
  blobs: { read: 12, skipped: [{ name: 'ns/events/0/2026/11/10/03/00/00.avro', reason: 'CAPTURE.TRUNCATED' }] },
  badBodies: { 'EVENT.INVALID_JSON': 3, 'EVENT.NOT_FINITE': 1 },
  generatedAt: new Date('2026-11-16T03:00:05Z'),
  baselineProfileVersion: 'abc123',
});

describe('buildDriftReport', () => {
  it('has the JSON shape of issue 3 "Output"', () => {
    expect(report.window).toEqual({ from: '2026-11-09T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' });
    expect(report.events).toBe(1504);
    expect(report.eventsProfiled).toBe(1500);
    expect(report.blobs).toEqual({
      read: 12,
      skipped: [{ name: 'ns/events/0/2026/11/10/03/00/00.avro', reason: 'CAPTURE.TRUNCATED' }],
    });
    expect(report.badBodies).toEqual({ 'EVENT.INVALID_JSON': 3, 'EVENT.NOT_FINITE': 1 });
    const moved = report.features.moved!;
    expect(Object.keys(moved)).toEqual(
      expect.arrayContaining([
        'type',
        'count',
        'missing',
        'psi',
        'ks',
        'wasserstein',
        'jensenShannon',
        'hellinger',
        'meanShift',
        'errorBound',
        'drifted',
        'severity',
        'decidedBy',
      ]),
    );
    expect(moved.ks).toEqual({
      statistic: expect.any(Number),
      pValue: expect.any(Number),
      pValueAdjusted: expect.any(Number),
    });
    expect(moved.wasserstein).toEqual({
      raw: expect.any(Number),
      perRange: expect.any(Number),
      perStd: expect.any(Number),
    });
    expect(moved.drifted).toBe(true);
    expect(report.features[EVIL]!.chiSquare).toEqual({
      statistic: expect.any(Number),
      pValue: expect.any(Number),
      pValueAdjusted: expect.any(Number),
      dof: expect.any(Number),
    });
    expect(report.features.stable!.drifted).toBe(false);
    expect(report.drift).toEqual({
      share: 2 / 3,
      magnitude: 2 / 3,
      drifted: true,
      driftedFeatures: ['moved', EVIL],
      monitoredFeatures: 3,
    });
    expect(report.prediction).not.toBeNull();
    expect(report.performance).toMatchObject({ judged: false, labelled: 0 });
    expect(report.recommendations.length).toBeGreaterThan(0);
    expect(report.telemetry).toEqual({ available: false, reason: expect.stringMatching(/No Log Analytics workspace/) });
    expect(report.thresholds.psiThreshold).toBe(0.2);
  });

  it('is plain JSON: a round trip changes nothing', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('carries the telemetry when given', () => {
    const withTelemetry = buildDriftReport({
      window: { from: '2026-11-09T00:00:00.000Z', to: '2026-11-16T00:00:00.000Z' },
      assessment,
      blobs: { read: 0, skipped: [] },
      badBodies: {},
      generatedAt: '2026-11-16T03:00:00.000Z',
      telemetry: { available: true, source: 'log-analytics', rejectedRate: 0.02, lowConfidenceRate: 0.1 },
    });
    expect(withTelemetry.telemetry).toEqual({
      available: true,
      source: 'log-analytics',
      rejectedRate: 0.02,
      lowConfidenceRate: 0.1,
    });
  });
});

describe('renderDriftReportHtml', () => {
  const html = renderDriftReportHtml(report, reference, current, schema);

  it('is self-contained: no scripts, no external fonts, stylesheets or images', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/@import|@font-face|url\(/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toMatch(/@media print/);
  });

  it('puts the summary first, then the features table sorted by severity', () => {
    const summaryAt = html.indexOf('id="summary"');
    const tableAt = html.indexOf('id="features"');
    const chartsAt = html.indexOf('id="histograms"');
    expect(summaryAt).toBeGreaterThan(0);
    expect(summaryAt).toBeLessThan(tableAt);
    expect(tableAt).toBeLessThan(chartsAt);
    const order = [...html.slice(tableAt, chartsAt).matchAll(/<tr data-feature="([^"]*)">/g)].map((m) => m[1]);
    const rank = { HIGH: 3, MEDIUM: 2, LOW: 1, NONE: 0 };
    const severities = order.map(
      (name) => rank[Object.entries(report.features).find(([n]) => escapeForTest(n) === name)![1].severity],
    );
    expect(severities).toEqual([...severities].sort((a, b) => b - a));
    expect(order).toHaveLength(3);
    expect(order[order.length - 1]).toBe('stable');
  });

  it('draws one SVG histogram per feature, with baseline and current bars per bin', () => {
    const svgs = [...html.matchAll(/<svg class="hist" data-feature="([^"]*)"[\s\S]*?<\/svg>/g)];
    const perFeature = svgs.filter((m) => m.index! > html.indexOf('id="histograms"'));
    expect(perFeature.map((m) => m[1]).sort()).toEqual(['moved', 'stable', escapeForTest(EVIL)].sort());
    const moved = perFeature.find((m) => m[1] === 'moved')![0];
    expect(moved.match(/class="ref"/g)).toHaveLength(10);
    expect(moved.match(/class="cur"/g)).toHaveLength(10);
  });

  it('escapes every string from data (feature names, categories, blob names)', () => {
    expect(html).not.toContain(EVIL);
    expect(html).not.toContain('<b>bold</b>');
    expect(html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(html).toContain('__other__');
    expect(html).toContain('CAPTURE.TRUNCATED');
  });
});

function escapeForTest(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
