import { describe, expect, it } from 'vitest';
import { compareProfiles } from '../../../shared/drift/compare.js';
import { renderDriftReportHtml } from '../../../shared/drift/html.js';
import { ProfileAccumulator } from '../../../shared/drift/profileAccumulator.js';
import { buildDriftReport } from '../../../shared/drift/report.js';
import { deriveSchema } from '../../../shared/drift/schema.js';
import { STAT_TESTS, type StatTest } from '../../../shared/drift/stats/registry.js';

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
      expect.arrayContaining(['type', 'count', 'missing', 'tests', 'significant', 'drifted', 'severity', 'decidedBy']),
    );
    expect(Object.keys(moved.tests)).toEqual(['ks', 'wasserstein', 'jensenShannon', 'psi', 'hellinger', 'meanShift']);
    expect(moved.tests.ks).toMatchObject({
      role: 'significance',
      direction: 'p-value',
      score: expect.any(Number),
      pValueAdjusted: expect.any(Number),
      details: { statistic: expect.any(Number), errorBound: 0, method: 'exact' },
    });
    expect(moved.tests.wasserstein).toMatchObject({
      role: 'effect',
      threshold: 0.1,
      details: { raw: expect.any(Number), perRange: expect.any(Number), perStd: expect.any(Number) },
    });
    expect(moved.minimumDetectable).toEqual({ wasserstein: expect.any(Number) });
    expect(moved.drifted).toBe(true);
    expect(report.features[EVIL]!.tests.chiSquare).toMatchObject({
      role: 'significance',
      pValueAdjusted: expect.any(Number),
      details: { statistic: expect.any(Number), dof: expect.any(Number) },
    });
    expect(report.features.stable!.drifted).toBe(false);
    expect(report.status).toBe('assessed');
    expect(report.tests.map((t) => t.name)).toEqual([
      'ks',
      'wasserstein',
      'chiSquare',
      'jensenShannon',
      'psi',
      'hellinger',
      'meanShift',
    ]);
    expect(report.drift).toEqual({
      share: 2 / 3,
      drifted: true,
      driftedFeatures: ['moved', EVIL],
      monitoredFeatures: 3,
    });
    expect(report.prediction).not.toBeNull();
    expect(report.performance).toMatchObject({ judged: false, labelled: 0 });
    expect(report.recommendations.length).toBeGreaterThan(0);
    expect(report.telemetry).toEqual({ available: false, reason: expect.stringMatching(/No Log Analytics workspace/) });
    expect(report.thresholds.thresholds.psi).toBe(0.2);
    expect(report.thresholds.alpha).toBe(0.05);
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

  it('links to the dashboard when one is configured (MRM_DASHBOARD_URL), escaped, and not otherwise', () => {
    const linked = renderDriftReportHtml(report, reference, current, schema, {
      dashboardUrl: 'https://portal.azure.com/#resource/x/workbook?a=1&b=2',
    });
    expect(linked).toContain('<a href="https://portal.azure.com/#resource/x/workbook?a=1&amp;b=2">Dashboard</a>');
    expect(html).not.toContain('>Dashboard</a>');
  });

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

describe('the report follows the stat-test registry', () => {
  const tailShare: StatTest = {
    name: 'tailShare',
    label: 'Tail share',
    description: 'Share of current values above the baseline maximum',
    roles: { numeric: 'signal' },
    direction: 'higher-is-worse',
    defaultThreshold: 0.01,
    run(ref, cur, context) {
      if (ref.type !== 'numeric' || cur.type !== 'numeric') return null;
      const above = cur.values ? cur.values.filter((v) => v > (ref.max ?? Infinity)).length / cur.count : 0;
      return {
        score: above,
        threshold: context.threshold,
        direction: 'higher-is-worse',
        beyondThreshold: above >= context.threshold,
        minimumDetectable: null,
        details: {},
      };
    },
  };
  const extended = buildDriftReport({
    window: { from: new Date('2026-11-09T00:00:00Z'), to: new Date('2026-11-16T00:00:00Z') },
    assessment: compareProfiles(reference, current, { schema, tests: [...STAT_TESTS, tailShare] }),
    blobs: { read: 1, skipped: [] },
    badBodies: {},
    generatedAt: new Date('2026-11-16T03:00:05Z'),
  });
  const html = renderDriftReportHtml(extended, reference, current, schema);

  it('a registered test appears in the JSON of every feature it applies to, and as a column of the HTML table', () => {
    expect(extended.tests.map((t) => t.name)).toContain('tailShare');
    expect(extended.features.moved!.tests.tailShare).toMatchObject({
      role: 'signal',
      score: 0.5,
      beyondThreshold: true,
    });
    expect(extended.features[EVIL]!.tests.tailShare).toBeUndefined();
    const head = html.slice(
      html.indexOf('<thead>', html.indexOf('id="features"')),
      html.indexOf('</thead>', html.indexOf('id="features"')),
    );
    expect(head).toContain('>Tail share</th>');
    const movedRow = html.match(/<tr data-feature="moved">[\s\S]*?<\/tr>/)![0];
    expect(movedRow).toContain('0.500');
    expect(html).toContain('Tail share 0.500');
  });

  it('a window with no events says "insufficient data" in the verdict line, not "no feature drifted"', () => {
    const empty = new ProfileAccumulator(schema).toProfile();
    const none = buildDriftReport({
      window: { from: new Date('2026-11-09T00:00:00Z'), to: new Date('2026-11-16T00:00:00Z') },
      assessment: compareProfiles(reference, empty, { schema, emptyReason: 'no Capture blobs in the window' }),
      blobs: { read: 0, skipped: [] },
      badBodies: {},
      generatedAt: new Date('2026-11-16T03:00:05Z'),
    });
    expect(none).toMatchObject({ status: 'insufficient-data', reason: 'no Capture blobs in the window', events: 0 });
    const page = renderDriftReportHtml(none, reference, empty, schema);
    expect(page).toContain('Insufficient data: no Capture blobs in the window. No drift verdict.');
    expect(page).not.toContain('No feature drifted.');
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
