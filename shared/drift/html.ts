import { SEVERITY_RANK, type FeatureAssessment, type Severity } from './compare.js';
import type { DatasetProfile } from './profile.js';
import type { DriftReport } from './report.js';
import type { ProfileSchema } from './schema.js';
import { proportions } from './stats/binned.js';
import { reportDistributions, type FeatureDistribution, type ReportDistributions } from './distributions.js';
import { driftVerdict } from './verdict.js';
import { badBodyMeaning } from './badBodies.js';
import { esc, wrappable } from './escapeHtml.js';
import { trendSection } from './trendHtml.js';
import { streamTimelineSection } from './report/streamTimeline.js';

export { esc };

/**
 * The report as one self-contained HTML page (no scripts, no external fonts or images): summary first, then the
 * features sorted by severity, then per feature the baseline vs current histogram as inline SVG (numeric: the PSI
 * bins; categorical: the categories). Every string from data is escaped. With `schema`, bins are labelled by
 * their edges; without, by their number.
 */
export function renderDriftReportHtml(
  report: DriftReport,
  reference: DatasetProfile,
  current: DatasetProfile,
  schema?: ProfileSchema,
  links: { dashboardUrl?: string | undefined } = {},
): string {
  const features = Object.entries(report.features)
    .map(([name, f]) => ({ name, ...f }) as FeatureAssessment)
    .sort(
      (a, b) =>
        SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
        strongestEffect(b) - strongestEffect(a) ||
        cmp(a.name, b.name),
    );
  // The charts draw what the JSON carries; a report built without profiles gets them computed here.
  const distributions = report.distributions ?? reportDistributions(reference, current, schema);
  const title = `Drift report ${dateRange(report.window)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="muted">Generated ${esc(report.generatedAt)} · window ${esc(report.window.from)} to ${esc(report.window.to)} (end exclusive) · baseline ${report.baseline.events.toLocaleString('en-US')} events, schema ${esc(report.baseline.schemaId)}${report.baseline.profileVersion ? `, profile ${esc(report.baseline.profileVersion)}` : ''}${report.model ? ` · model: ${esc(MODEL_NAMES[report.model.scorer])}` : ''}${links.dashboardUrl ? ` · <a href="${esc(links.dashboardUrl)}">Dashboard</a>` : ''}</p></header>
${summary(report)}
${recommendations(report)}
${trendSection(report)}
<section id="features"><h2>Features by severity</h2>
${featureTable(features, report)}
</section>
${predictionSection(report, distributions)}
${performanceSection(report)}
${streamTimelineSection(report)}
<section id="histograms"><h2>Baseline vs current</h2>
<p class="legend"><span class="swatch ref"></span> baseline (${report.baseline.events.toLocaleString('en-US')} events) <span class="swatch cur"></span> current (${report.eventsProfiled.toLocaleString('en-US')} events): share of each side's values per bin. Numeric features are binned on the baseline's deciles, so each baseline bar holds about a tenth of its values whatever the skew, and a shift shows as current bars leaving 10%. Hover a bar or label for its full range and share.</p>
<div class="charts">
${features.map((f) => featureChart(f, distributions.features[f.name], report)).join('\n')}
</div>
</section>
${blobsSection(report)}
</body>
</html>
`;
}

const STYLE = `
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--ref:#7a8aa0;--cur:#d9822b;--high:#b42318;--medium:#c4620a;--low:#8a6d00;--none:#2e7d32}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1240px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:0 0 6px;overflow-wrap:break-word}
.muted{color:var(--muted)}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px}.card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
.verdict{font-size:16px;padding:10px 14px;border-radius:6px;margin:0 0 12px;border:1px solid var(--line)}.verdict.bad{background:#fdecea;border-color:#f4c7c3}.verdict.ok{background:#edf7ee;border-color:#c8e6c9}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{border-bottom:1px solid var(--line);padding:5px 6px;text-align:right;vertical-align:top}
th{white-space:normal;vertical-align:bottom}thead th{background:#f4f6f8;position:sticky;top:0}
th:first-child,td:first-child{text-align:left}
table.features{font-size:13px}table.features td{white-space:normal}
.name{overflow-wrap:break-word;word-break:normal;hyphens:none}.kind{font-size:11px}
.nb{white-space:nowrap}.thr{color:var(--muted);font-size:11px}.stat{color:var(--muted)}.signals span{display:inline-block;margin-left:8px;white-space:nowrap}
.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}.sev.HIGH{background:var(--high)}.sev.MEDIUM{background:var(--medium)}.sev.LOW{background:var(--low)}.sev.NONE{background:var(--none)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));gap:16px}
.chart{margin:0;min-width:0;break-inside:avoid;page-break-inside:avoid;border:1px solid var(--line);border-radius:6px;padding:10px}
.chart svg{display:block;width:100%;height:auto}.legend .swatch{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 10px}
svg.trend{display:block;width:100%;max-width:720px;height:auto}table.trend{font-size:12px;margin-top:8px}table.trend th,table.trend td{padding:3px 5px}
table.stats{font-size:12px;margin-top:6px}table.stats td,table.stats th{padding:2px 6px}
table.bad-bodies td:first-child,table.bad-bodies td:nth-child(2),table.bad-bodies th:nth-child(-n+2){text-align:left}
.hit{font-weight:700;color:var(--high)}.swatch.ref{background:var(--ref)}.swatch.cur{background:var(--cur)}svg .ref{fill:var(--ref)}svg .cur{fill:var(--cur)}svg text{font:10px system-ui,sans-serif;fill:var(--muted)}
@media print{body{max-width:none;padding:0;font-size:11px}thead th{position:static}h2{break-after:avoid}.charts{display:block}.chart{display:inline-block;width:48%;vertical-align:top}a{color:inherit;text-decoration:none}}
`;

/** "2026-11-23 – 2026-11-29": the window's first and last day (the stored end is exclusive). */
function dateRange(window: DriftReport['window']): string {
  const from = window.from.slice(0, 10);
  const lastMs = Date.parse(window.to) - 1;
  const last = Number.isNaN(lastMs) ? window.to.slice(0, 10) : new Date(lastMs).toISOString().slice(0, 10);
  return from === last ? from : `${from} – ${last}`;
}

function summary(r: DriftReport): string {
  const bad = Object.values(r.badBodies).reduce((s, n) => s + n, 0);
  const verdict = driftVerdict(r);
  const perf = r.performance
    ? r.performance.judged
      ? r.performance.conceptDrift
        ? `concept drift (${r.performance.severity})`
        : 'stable'
      : 'not judged'
    : 'no labels';
  const cards: Array<[string, string]> = [
    ['Drifted share', `${fmt(r.drift.share)} (dataset drift at ${r.thresholds.datasetDriftShare})`],
    ['Drifted features', `${r.drift.driftedFeatures.length} / ${r.drift.monitoredFeatures}`],
    ['Retraining', `${r.retrainRecommended ? 'recommended' : 'not needed'} (above ${r.thresholds.retrainMagnitude})`],
    ['Events in window', r.events.toLocaleString('en-US')],
    ['Baseline events', r.baseline.events.toLocaleString('en-US')],
    ['Bad bodies', bad.toLocaleString('en-US')],
    ['Blobs read / skipped', `${r.blobs.read} / ${r.blobs.skipped.length}`],
    ['Prediction drift', r.prediction ? (r.prediction.drifted ? 'yes' : 'no') : 'n/a'],
    ['Performance', perf],
    [
      'Telemetry',
      r.telemetry.available
        ? `rejected ${pct(r.telemetry.rejectedRate)}, low confidence ${pct(r.telemetry.lowConfidenceRate)}`
        : 'not available',
    ],
  ];
  return `<section id="summary"><h2>Summary</h2>
<p class="verdict ${r.drift.drifted || r.retrainRecommended || r.status === 'insufficient-data' ? 'bad' : 'ok'}">${esc(verdict)}</p>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</div>
${r.telemetry.available ? '' : `<p class="muted">${esc(r.telemetry.reason)}</p>`}
</section>`;
}

function recommendations(r: DriftReport): string {
  return `<section id="recommendations"><h2>Recommendations</h2><ul>${r.recommendations.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></section>`;
}

type Tests = DriftReport['tests'];
type ReportedTest = Tests[number];

/**
 * One column per kind of statistic: the significance test (p after Benjamini–Hochberg, against α), the effect size
 * (against its practical minimum), and the signals; each value names its test and carries its threshold.
 */
function featureTable(features: FeatureAssessment[], report: DriftReport): string {
  const tests = report.tests;
  const byRole = (f: FeatureAssessment, role: string): ReportedTest[] =>
    tests.filter((t) => f.tests[t.name]?.role === role);
  const rows = features
    .map((f) => {
      const significance = byRole(f, 'significance').map((t) => statCell(f, t, 'significance'));
      const effect = byRole(f, 'effect').map((t) => statCell(f, t, 'effect'));
      const signals = byRole(f, 'signal').map((t) => statCell(f, t, 'signal'));
      return (
        `<tr data-feature="${esc(f.name)}"><td><a class="name" href="#f-${esc(anchor(f.name))}">${wrappable(f.name)}</a> <span class="muted kind">${esc(f.type)}</span></td>` +
        `<td title="${esc(f.drifted ? `drifted: ${f.decidedBy.join(' and ')}` : (f.note ?? 'not drifted'))}">${badge(f.severity)}</td>` +
        `<td>${significance.join('<br>') || '–'}</td><td>${effect.join('<br>') || '–'}</td>` +
        `<td class="signals">${signals.join(' ') || '–'}</td>` +
        `<td><span class="nb">${pct(f.referenceMissingRate)} → ${pct(f.missingRate)}</span></td>` +
        `<td>${detectable(f, tests)}</td><td>${f.count.toLocaleString('en-US')}</td></tr>`
      );
    })
    .join('\n');
  const alpha = tests.find((t) => Object.values(t.roles).includes('significance'))?.threshold ?? '';
  const described = (role: string): string =>
    tests
      .filter((t) => Object.values(t.roles).includes(role as never))
      .map((t) => `${t.label}: ${t.description}`)
      .join('; ');
  return `<table class="features"><thead><tr><th>Feature</th><th>Severity</th><th title="${esc(described('significance'))}">Significance (p, α ${alpha})</th><th title="${esc(described('effect'))}">Effect (≥ threshold)</th><th title="${esc(described('signal'))}">Signals</th><th>Missing (baseline → current)</th><th title="The smallest effect this window's size can flag">Detectable effect</th><th>Values (baseline ${report.baseline.events.toLocaleString('en-US')})</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="muted">A feature drifts when its significance test rejects at α = ${alpha} after Benjamini–Hochberg across features <em>and</em> its effect reaches its threshold (bold: past its threshold). Signals are reported, not decisive. “Detectable effect”: the smallest effect this window’s size can flag. Hover a heading for what its tests measure.</p>`;
}

/** "KS p 1.2e-9 α 0.05": a test's value beside its threshold, bold when past it. */
function statCell(f: FeatureAssessment, t: ReportedTest, role: string): string {
  const outcome = f.tests[t.name]!;
  const pValue = t.direction === 'p-value';
  const value = pValue ? pFmt(outcome.pValueAdjusted ?? outcome.score) : fmt(outcome.score);
  const hit =
    role === 'significance'
      ? outcome.pValueAdjusted !== null && outcome.pValueAdjusted < outcome.threshold
      : outcome.beyondThreshold;
  const threshold = pValue ? `α ${outcome.threshold}` : `≥ ${outcome.threshold}`;
  return `<span class="nb${hit ? ' hit' : ''}" title="${esc(`${t.label}: ${t.description}; ${role}, threshold ${outcome.threshold}`)}"><span class="stat">${esc(t.label)}</span> ${value} <span class="thr">${esc(threshold)}</span></span>`;
}

function detectable(f: FeatureAssessment, tests: Tests): string {
  const entries = Object.entries(f.minimumDetectable);
  if (entries.length === 0) return '–';
  return entries
    .map(([name, v]) => `<span class="nb">${esc(tests.find((t) => t.name === name)?.label ?? name)} ${fmt(v)}</span>`)
    .join('<br>');
}

/** The largest effect relative to its threshold: how features of one severity are ordered. */
function strongestEffect(f: FeatureAssessment): number {
  return Math.max(-1, ...Object.values(f.tests).flatMap((t) => (t.role === 'effect' ? [t.score / t.threshold] : [])));
}

/** "PSI 0.012 (≥ 0.2) · JS 0.030 (≥ 0.1) · …": every test of a feature with its heading and threshold, for captions. */
function testSummary(f: FeatureAssessment, tests: Tests): string {
  return tests
    .filter((t) => f.tests[t.name])
    .map((t) => {
      const outcome = f.tests[t.name]!;
      return t.direction === 'p-value'
        ? `${t.label} ${pFmt(outcome.pValueAdjusted ?? outcome.score)} (α ${outcome.threshold})`
        : `${t.label} ${fmt(outcome.score)} (≥ ${outcome.threshold})`;
    })
    .join(' · ');
}

function featureChart(f: FeatureAssessment, d: FeatureDistribution | undefined, report: DriftReport): string {
  const bins = d?.bins ?? { labels: [], baseline: [], current: [] };
  return `<figure class="chart" id="f-${esc(anchor(f.name))}"><h3><span class="name">${wrappable(f.name)}</span> ${badge(f.severity)}</h3>
${histogramSvg(f.name, bins.labels, proportions(bins.baseline), proportions(bins.current), bins.baseline, bins.current)}
${d ? statsTable(d) : ''}
<figcaption class="muted">${esc(testSummary(f, report.tests))}</figcaption></figure>`;
}

/** Count, missing, mean, std and p5 / p50 / p95 of both sides (categorical: count, missing and categories). */
function statsTable(d: FeatureDistribution): string {
  const b = d.summary.baseline;
  const c = d.summary.current;
  const num = (v: number | null): string => (v === null ? '–' : fmtValue(v));
  const missing = (s: typeof b): string => `${s.missing.toLocaleString('en-US')} (${pct(rate(s))})`;
  const rows: Array<[string, string, string]> = [
    ['count', b.count.toLocaleString('en-US'), c.count.toLocaleString('en-US')],
    ['missing', missing(b), missing(c)],
    ...(d.type === 'numeric'
      ? ([
          ['mean', num(b.mean), num(c.mean)],
          ['std', num(b.std), num(c.std)],
          ['p5', num(b.p5), num(c.p5)],
          ['p50', num(b.p50), num(c.p50)],
          ['p95', num(b.p95), num(c.p95)],
        ] as Array<[string, string, string]>)
      : ([['categories', String(b.categories ?? '–'), String(c.categories ?? '–')]] as Array<
          [string, string, string]
        >)),
  ];
  return `<table class="stats"><thead><tr><th></th><th>Baseline</th><th>Current</th></tr></thead><tbody>${rows.map(([k, x, y]) => `<tr><td>${k}</td><td>${x}</td><td>${y}</td></tr>`).join('')}</tbody></table>`;
}

const rate = (s: { count: number; missing: number }): number | null =>
  s.count + s.missing === 0 ? null : s.missing / (s.count + s.missing);

/** Labels longer than this are shortened on the axis; the full text is the tooltip of the label and of its bars. */
const AXIS_LABEL_LENGTH = 18;

/** Grouped bars, baseline then current, per bin; each bar and label has a tooltip with the full label and its share. */
export function histogramSvg(
  feature: string,
  labels: string[],
  reference: number[],
  current: number[],
  referenceCounts: number[] = [],
  currentCounts: number[] = [],
): string {
  const width = 520;
  const height = 230;
  const left = 48;
  const bottom = 86;
  const top = 10;
  const n = Math.max(labels.length, 1);
  const plotW = width - left - 8;
  const plotH = height - top - bottom;
  const max = Math.max(0.0001, ...reference, ...current);
  const slot = plotW / n;
  const bar = Math.max(1, slot * 0.38);
  const y = (v: number): number => top + plotH - (v / max) * plotH;
  const parts: string[] = [];
  parts.push(`<line x1="${left}" y1="${top + plotH}" x2="${width - 8}" y2="${top + plotH}" stroke="#d8dde3"/>`);
  parts.push(
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end">${pct(max)}</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end">0</text>`,
  );
  const counted = (counts: number[], i: number): string =>
    counts[i] === undefined ? '' : `, ${counts[i]!.toLocaleString('en-US')} values`;
  for (let i = 0; i < labels.length; i++) {
    const x = left + i * slot + slot * 0.1;
    const label = labels[i]!;
    const r = reference[i] ?? 0;
    const c = current[i] ?? 0;
    parts.push(
      `<rect class="ref" x="${x.toFixed(1)}" y="${y(r).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(r)).toFixed(1)}"><title>${esc(`${label}: baseline ${pct(r)}${counted(referenceCounts, i)}`)}</title></rect>`,
    );
    parts.push(
      `<rect class="cur" x="${(x + bar).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(c)).toFixed(1)}"><title>${esc(`${label}: current ${pct(c)}${counted(currentCounts, i)}`)}</title></rect>`,
    );
    const short = label.length > AXIS_LABEL_LENGTH ? `${label.slice(0, AXIS_LABEL_LENGTH - 1)}…` : label;
    parts.push(
      `<text class="bin" x="${(x + bar).toFixed(1)}" y="${top + plotH + 12}" text-anchor="end" transform="rotate(-40 ${(x + bar).toFixed(1)} ${top + plotH + 12})"><title>${esc(label)}</title>${esc(short)}</text>`,
    );
  }
  return `<svg class="hist" data-feature="${esc(feature)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`Histogram of ${feature}: baseline vs current`)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

const SCORE_MEANING: Record<NonNullable<DriftReport['model']>['kind'], string> = {
  classifier: 'the positive class’s probability, or the top one for more than two classes',
  'input-anomaly-detector': 'the isolation forest’s anomaly score',
};

const MODEL_NAMES: Record<NonNullable<DriftReport['model']>['scorer'], string> = {
  forest: 'isolation forest (input-anomaly detector, no classifier)',
  aml: 'Azure ML endpoint (classifier)',
  onnx: 'ONNX model (classifier)',
};

function predictionSection(r: DriftReport, distributions: ReportDistributions): string {
  if (!r.prediction) return '';
  const rows = [r.prediction.classes, r.prediction.score].filter((x): x is FeatureAssessment => x !== null);
  const classes = distributions.prediction?.classes ?? null;
  const score = distributions.prediction?.score ?? null;
  const shares = classes
    ? (() => {
        const p = proportions(classes.bins.baseline);
        const q = proportions(classes.bins.current);
        return `<table class="stats"><thead><tr><th>Predicted class</th><th>Baseline share</th><th>Current share</th></tr></thead><tbody>${classes.bins.labels.map((l, i) => `<tr><td>${esc(l)}</td><td>${pct(p[i]!)}</td><td>${pct(q[i]!)}</td></tr>`).join('')}</tbody></table>`;
      })()
    : '';
  const charts = [
    classes
      ? `<figure class="chart" id="prediction-classes"><h3>Predicted classes</h3>${histogramSvg('prediction', classes.bins.labels, proportions(classes.bins.baseline), proportions(classes.bins.current), classes.bins.baseline, classes.bins.current)}${shares}</figure>`
      : '',
    score
      ? `<figure class="chart" id="prediction-score"><h3>Score (${esc(SCORE_MEANING[r.model?.kind ?? 'classifier'])}, ${score.bins.binning === 'baseline-deciles' ? 'on the baseline’s deciles' : 'equal-width bins over the baseline’s range'})</h3>${histogramSvg('score', score.bins.labels, proportions(score.bins.baseline), proportions(score.bins.current), score.bins.baseline, score.bins.current)}${statsTable(score)}</figure>`
      : '',
  ].join('');
  return `<section id="prediction"><h2>Prediction drift</h2>
<p>${r.model?.kind === 'input-anomaly-detector' ? 'The predictions are the isolation forest’s: an input-anomaly detector (anomaly or not), not a prediction of your outcome. ' : ''}${r.prediction.drifted ? "The model's outputs drifted." : "The model's outputs are stable."} Scored events only: ${pct(r.prediction.unscoredShare.current)} of the window's events got no prediction (baseline ${pct(r.prediction.unscoredShare.reference)}).</p>
<table><thead><tr><th>Output</th><th>Severity</th><th>Tests</th></tr></thead><tbody>
${rows.map((f) => `<tr><td>${esc(f.name)}</td><td>${badge(f.severity)}</td><td style="text-align:left">${esc(testSummary(f, r.tests))}</td></tr>`).join('')}
</tbody></table><div class="charts">${charts}</div></section>`;
}

function performanceSection(r: DriftReport): string {
  const p = r.performance;
  if (!p) return '';
  const keys = ['accuracy', 'precision', 'recall', 'f1', 'auc'] as const;
  const cell = (v: number | null | undefined): string => (typeof v === 'number' ? fmt(v) : '–');
  return `<section id="performance"><h2>Performance</h2>
<p>${p.judged ? (p.conceptDrift ? `Concept drift (${esc(p.severity)}).` : 'No concept drift.') : `Not judged: ${esc(p.reason ?? '')}`} ${p.labelled.toLocaleString('en-US')} labelled records.</p>
<table><thead><tr><th>Metric</th><th>Baseline</th><th>Current</th><th>Drop</th><th>95% CI of the drop</th><th>Concept drift</th></tr></thead><tbody>
${keys
  .map((k) => {
    const m = p.metrics[k];
    return `<tr><td>${k}</td><td>${cell(p.reference?.[k])}</td><td>${cell(p.current?.[k])}</td><td>${cell(m?.drop)}</td><td>${m ? `${fmt(m.ci95[0])} to ${fmt(m.ci95[1])}` : '–'}</td><td>${m ? (m.conceptDrift ? 'yes' : 'no') : '–'}</td></tr>`;
  })
  .join('')}
</tbody></table></section>`;
}

function blobsSection(r: DriftReport): string {
  // Most frequent first, as the demo's dead-letter line and the recommendation list them.
  const bad = Object.entries(r.badBodies).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const badTotal = bad.reduce((sum, [, n]) => sum + n, 0);
  return `<section id="inputs"><h2>Inputs</h2>
<p>${r.blobs.read} blobs read, ${r.blobs.skipped.length} skipped; ${r.eventsProfiled.toLocaleString('en-US')} events profiled.</p>
${r.blobs.skipped.length ? `<table><thead><tr><th>Skipped blob</th><th>Reason</th></tr></thead><tbody>${r.blobs.skipped.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.reason)}</td></tr>`).join('')}</tbody></table>` : ''}
${bad.length ? `<p>${badTotal.toLocaleString('en-US')} bad bodies, counted here and not profiled${bad.every(([k]) => k.startsWith('EVENT.')) ? ': each breaks the event contract, and scoreEvents dead-letters the same bodies under the same reasons' : ''}.</p><table class="bad-bodies"><thead><tr><th>Reason</th><th>What the body is</th><th>Count</th></tr></thead><tbody>${bad.map(([k, n]) => `<tr><td>${esc(k)}</td><td>${esc(badBodyMeaning(k))}</td><td>${n.toLocaleString('en-US')}</td></tr>`).join('')}</tbody></table>` : ''}
</section>`;
}

const badge = (s: Severity): string => `<span class="sev ${s}">${s}</span>`;
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3));
/** A feature's value: four significant digits, exponent only when very large or small. */
const fmtValue = (v: number): string =>
  v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)
    ? v.toExponential(2)
    : Number(v.toPrecision(4)).toLocaleString('en-US');
const pFmt = (p: number): string => (p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const anchor = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_');
