import { describe, expect, it } from 'vitest';
import { compareProfiles } from '../../../shared/drift/compare.js';
import { renderDriftReportHtml } from '../../../shared/drift/html.js';
import { ProfileAccumulator } from '../../../shared/drift/profileAccumulator.js';
import { buildDriftReport } from '../../../shared/drift/report.js';
import { deriveSchema } from '../../../shared/drift/schema.js';
import { STAT_TESTS, type StatTest } from '../../../shared/drift/stats/registry.js';
import { reportDistributions } from '../../../shared/drift/distributions.js';
import { proportions } from '../../../shared/drift/stats/binned.js';

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
  badBodies: { 'EVENT.NOT_JSON': 3, 'EVENT.NOT_FINITE': 1 },
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
    expect(report.badBodies).toEqual({ 'EVENT.NOT_JSON': 3, 'EVENT.NOT_FINITE': 1 });
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

  it('lists the bad bodies under the reasons scoreEvents dead-letters them with, most frequent first, saying what each means', () => {
    const inputs = html.slice(html.indexOf('id="inputs"'));
    expect(inputs).toContain(
      '<p>4 bad bodies, counted here and not profiled: each breaks the event contract, and scoreEvents dead-letters the same bodies under the same reasons.</p>',
    );
    const rows = [...inputs.matchAll(/<tr><td>(EVENT\.[A-Z_]+)<\/td><td>([^<]*)<\/td><td>(\d+)<\/td><\/tr>/g)];
    expect(rows.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['EVENT.NOT_JSON', 'text that is not JSON', '3'],
      ['EVENT.NOT_FINITE', 'a feature is NaN or ±Infinity', '1'],
    ]);
  });

  it('recommends fixing the producers, naming the reasons of the bad bodies, most frequent first', () => {
    const acc = new ProfileAccumulator(schema);
    acc.addScored({
      features: { stable: 1, moved: 1, [EVIL]: 'plain' },
      prediction: 'ok',
      label: null,
      score: null,
      probabilities: null,
    });
    for (const code of ['EVENT.WRONG_TYPE', 'EVENT.NOT_UTF8', 'EVENT.WRONG_TYPE']) acc.addBadBody(code);
    const assessed = compareProfiles(reference, acc.toProfile(), { schema });
    expect(assessed.recommendations).toContain(
      "3 event bodies could not be read (EVENT.WRONG_TYPE 2, EVENT.NOT_UTF8 1): see badBodies, whose EVENT.* reasons are those of scoreEvents' dead letters, and fix the producers.",
    );
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

  it('a registered test appears in the JSON of every feature it applies to, and in the HTML table under its kind', () => {
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
    expect(head).toContain('Tail share: Share of current values above the baseline maximum');
    expect(head).toContain('>Signals</th>');
    const movedRow = html.match(/<tr data-feature="moved">[\s\S]*?<\/tr>/)![0];
    const signals = movedRow.match(/<td class="signals">[\s\S]*?<\/td>/)![0];
    expect(signals).toContain('<span class="stat">Tail share</span> 0.500 <span class="thr">≥ 0.01</span>');
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

describe('the report for a reader: what it draws is in the JSON, and every number has its threshold', () => {
  const full = buildDriftReport({
    window: { from: new Date('2026-11-23T00:00:00Z'), to: new Date('2026-11-30T00:00:00Z') },
    assessment,
    blobs: { read: 1, skipped: [] },
    badBodies: {},
    generatedAt: new Date('2026-11-30T03:00:00Z'),
    profiles: { reference, current, schema },
  });
  const page = renderDriftReportHtml(full, reference, current, schema);
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const np = (v: number[], q: number) => {
    const s = sorted(v);
    const pos = ((s.length - 1) * q) / 100;
    const lo = Math.floor(pos);
    return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (pos - lo);
  };

  it('titles the window by its first and last day (the stored end is exclusive)', () => {
    expect(page).toContain('<title>Drift report 2026-11-23 – 2026-11-29</title>');
  });

  it('carries per feature the bins and counts the chart draws: the baseline deciles, every value counted once', () => {
    const moved = full.distributions!.features.moved!;
    const edges = schema.features.find((f) => f.name === 'moved')!;
    if (edges.type !== 'numeric') throw new Error('moved is numeric');
    expect(moved.bins.binning).toBe('baseline-deciles');
    expect(moved.bins.edges).toEqual(edges.decileEdges);
    expect(moved.bins.baseline).toEqual(
      reference.features.moved!.type === 'numeric' && reference.features.moved!.decileCounts,
    );
    expect(moved.bins.current.reduce((a, b) => a + b, 0)).toBe(1500);
    // Deciles of the baseline: each baseline bar holds a tenth of its values.
    for (const n of moved.bins.baseline) expect(n).toBe(200);
    expect(moved.bins.labels[0]).toMatch(/^< /);
    expect(moved.bins.labels.at(-1)).toMatch(/^≥ /);
    const svg = page.match(/<svg class="hist" data-feature="moved"[\s\S]*?<\/svg>/)![0];
    for (const label of moved.bins.labels) expect(svg).toContain(`<title>${label.replace('<', '&lt;')}</title>`);
    const category = full.distributions!.features[EVIL]!;
    expect(category.bins.binning).toBe('categories');
    expect(category.bins.labels).toEqual(expect.arrayContaining(['<b>bold</b>', 'plain', '__other__']));
    expect(category.bins.labels).not.toContain('__missing__');
  });

  it('carries count, missing, mean, std and p5 / p50 / p95 of both sides, as numpy computes them from the values', () => {
    const values = Array.from({ length: 1500 }, (_, i) => 5 + (i % 100) / 10);
    const base = Array.from({ length: baselineRows }, (_, i) => (i % 100) / 10);
    const { baseline, current: now } = full.distributions!.features.moved!.summary;
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const std = (v: number[]) => Math.sqrt(mean(v.map((x) => (x - mean(v)) ** 2)));
    expect(now.count).toBe(1500);
    expect(now.missing).toBe(0);
    expect(now.mean).toBeCloseTo(mean(values), 10);
    expect(now.std).toBeCloseTo(std(values), 10);
    expect(now.p5).toBeCloseTo(np(values, 5), 10);
    expect(now.p50).toBeCloseTo(np(values, 50), 10);
    expect(now.p95).toBeCloseTo(np(values, 95), 10);
    expect(baseline.count).toBe(baselineRows);
    expect(baseline.mean).toBeCloseTo(mean(base), 10);
    for (const [q, got] of [
      [5, baseline.p5],
      [50, baseline.p50],
      [95, baseline.p95],
    ] as const)
      expect(Math.abs(got! - np(base, q))).toBeLessThanOrEqual(0.1 + 0.01 * Math.abs(np(base, q)));
    const table = page.match(/<figure class="chart" id="f-moved">[\s\S]*?<\/figure>/)![0];
    expect(table).toMatch(/<tr><td>p50<\/td><td>[\d.]+<\/td><td>[\d.]+<\/td><\/tr>/);
    expect(table).toMatch(/<tr><td>count<\/td><td>2,000<\/td><td>1,500<\/td><\/tr>/);
  });

  it('takes quantiles from the sketch once a profile keeps no raw values, within the sketch’s accuracy', () => {
    // A long tail (amounts): exp of a spread of values, 3,000 of them against a cap of 100.
    const skewed = Array.from({ length: 3000 }, (_, i) => Math.exp(3 + 1.5 * Math.sin(i * 12.9898)));
    const capped = deriveSchema([{ name: 'amount', type: 'numeric', values: Float64Array.from(skewed) }], {
      exactValueCap: 100,
    });
    const acc = new ProfileAccumulator(capped);
    for (const v of skewed)
      acc.addScored({ features: { amount: v }, prediction: null, label: null, score: null, probabilities: null });
    const p = acc.toProfile();
    const amount = p.features.amount!;
    expect(amount.type === 'numeric' && amount.values).toBe(null);
    const d = reportDistributions(p, p, capped).features.amount!;
    for (const [q, got] of [
      [5, d.summary.baseline.p5],
      [50, d.summary.baseline.p50],
      [95, d.summary.baseline.p95],
    ] as const)
      expect(Math.abs(got! - np(skewed, q)) / np(skewed, q)).toBeLessThan(0.01);
    // On deciles the long tail reads: no bar holds more than a tenth (and a bit) of the values.
    expect(Math.max(...proportions(d.bins.baseline))).toBeLessThan(0.11);
  });

  it('draws values piled on a few points (a score near 0) on equal-width bins over the baseline range instead', () => {
    const piled = Array.from({ length: 1000 }, (_, i) => (i % 20 === 0 ? i / 1000 : 1e-6));
    const s = deriveSchema([{ name: 'score', type: 'numeric', values: Float64Array.from(piled) }]);
    const acc = new ProfileAccumulator(s);
    for (const v of piled)
      acc.addScored({ features: { score: v }, prediction: null, label: null, score: null, probabilities: null });
    const p = acc.toProfile();
    const bins = reportDistributions(p, p, s).features.score!.bins;
    const numeric = s.features[0]!;
    if (numeric.type !== 'numeric') throw new Error('score is numeric');
    expect(new Set(numeric.decileEdges).size).toBeLessThan(4);
    expect(bins.binning).toBe('baseline-range');
    expect(bins.edges).toEqual(numeric.psiEdges);
    expect(bins.labels[0]).toBe(`< ${Number(numeric.psiEdges[0]!.toPrecision(4))}`);
    expect(bins.baseline.reduce((a, b) => a + b, 0)).toBe(1000);
  });

  it('puts each statistic in its kind’s column, beside its threshold, and says how big the baseline is', () => {
    const row = page.match(/<tr data-feature="moved">[\s\S]*?<\/tr>/)![0];
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => m[1]!);
    expect(cells[2]).toContain('<span class="stat">KS p</span>');
    expect(cells[2]).toContain('<span class="thr">α 0.05</span>');
    expect(cells[3]).toContain('<span class="stat">W / std</span>');
    expect(cells[3]).toContain('<span class="thr">≥ 0.1</span>');
    expect(cells[4]).toContain('<span class="stat">PSI</span>');
    expect(cells[4]).not.toContain('KS p');
    const categoryRow = page.match(/<tr data-feature="&lt;img[\s\S]*?<\/tr>/)![0];
    expect(categoryRow).toContain('<span class="stat">χ² p</span>');
    expect(page).toContain('Values (baseline 2,000)');
    expect(page).toContain('<div class="k">Baseline events</div>');
  });

  it('breaks feature names at underscores only', () => {
    const named = deriveSchema([{ name: 'merchant_category', type: 'categorical', values: ['a', 'b', 'a', 'b'] }]);
    const acc = new ProfileAccumulator(named);
    for (const v of ['a', 'b', 'a'])
      acc.addScored({
        features: { merchant_category: v },
        prediction: null,
        label: null,
        score: null,
        probabilities: null,
      });
    const p = acc.toProfile();
    const r = buildDriftReport({
      window: { from: '2026-11-23T00:00:00.000Z', to: '2026-11-30T00:00:00.000Z' },
      assessment: compareProfiles(p, p, { schema: named }),
      blobs: { read: 1, skipped: [] },
      badBodies: {},
      generatedAt: '2026-11-30T03:00:00.000Z',
      profiles: { reference: p, current: p, schema: named },
    });
    const html = renderDriftReportHtml(r, p, p, named);
    expect(html).toContain('merchant_<wbr>category');
    expect(html).not.toContain('overflow-wrap:anywhere');
  });

  it('shows the class shares of the predictions, scored events only', () => {
    const classes = full.distributions!.prediction!.classes!;
    expect(classes.bins.labels).toEqual(expect.arrayContaining(['ok', 'fraud']));
    const okAt = classes.bins.labels.indexOf('ok');
    expect(classes.bins.baseline[okAt]).toBe(1600);
    expect(page).toContain('<th>Predicted class</th><th>Baseline share</th><th>Current share</th>');
    expect(page).toContain('<tr><td>ok</td><td>80.0%</td><td>80.0%</td></tr>');
  });

  it('is plain JSON with its distributions: a round trip changes nothing', () => {
    expect(JSON.parse(JSON.stringify(full))).toEqual(full);
  });
});
