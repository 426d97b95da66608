import { SEVERITY_RANK, type FeatureAssessment, type Severity } from './compare.js';
import type { DatasetProfile, FeatureProfile } from './profile.js';
import type { DriftReport } from './report.js';
import type { ProfileSchema } from './schema.js';
import { binnedCounts, proportions } from './stats/binned.js';

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
  const title = `Drift report ${report.window.from.slice(0, 10)} – ${report.window.to.slice(0, 10)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1><p class="muted">Generated ${esc(report.generatedAt)} · baseline schema ${esc(report.baseline.schemaId)}${report.baseline.profileVersion ? ` · profile ${esc(report.baseline.profileVersion)}` : ''}${report.model ? ` · model: ${esc(MODEL_NAMES[report.model.scorer])}` : ''}${links.dashboardUrl ? ` · <a href="${esc(links.dashboardUrl)}">Dashboard</a>` : ''}</p></header>
${summary(report)}
${recommendations(report)}
<section id="features"><h2>Features by severity</h2>
${featureTable(features, report.tests)}
</section>
${predictionSection(report, reference, current)}
${performanceSection(report)}
<section id="histograms"><h2>Baseline vs current</h2>
<p class="legend"><span class="swatch ref"></span> baseline <span class="swatch cur"></span> current (share of values per bin)</p>
${features.map((f) => featureChart(f, reference.features[f.name], current.features[f.name], report.tests, schema)).join('\n')}
</section>
${blobsSection(report)}
</body>
</html>
`;
}

const STYLE = `
:root{--fg:#1b1f24;--muted:#5b6470;--line:#d8dde3;--ref:#7a8aa0;--cur:#d9822b;--high:#b42318;--medium:#c4620a;--low:#8a6d00;--none:#2e7d32}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:0 0 6px}
.muted{color:var(--muted)}.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:10px 12px}.card .v{font-size:20px;font-weight:600}.card .k{color:var(--muted);font-size:12px}
.verdict{font-size:16px;padding:10px 14px;border-radius:6px;margin:0 0 12px;border:1px solid var(--line)}.verdict.bad{background:#fdecea;border-color:#f4c7c3}.verdict.ok{background:#edf7ee;border-color:#c8e6c9}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{border-bottom:1px solid var(--line);padding:5px 6px;text-align:right;white-space:nowrap}table.features{font-size:13px}table.features th{white-space:normal;vertical-align:bottom}.kind{font-size:11px}
th:first-child,td:first-child{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:9em}thead th{background:#f4f6f8;position:sticky;top:0}
.sev{display:inline-block;border-radius:3px;padding:0 6px;color:#fff;font-size:12px;font-weight:600}.sev.HIGH{background:var(--high)}.sev.MEDIUM{background:var(--medium)}.sev.LOW{background:var(--low)}.sev.NONE{background:var(--none)}
.chart{display:inline-block;vertical-align:top;width:calc(50% - 12px);margin:0 8px 16px 0;break-inside:avoid;page-break-inside:avoid}
.chart svg{width:100%;height:auto;border:1px solid var(--line);border-radius:4px}.legend .swatch{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 10px}
.hit{font-weight:700;color:var(--high)}.swatch.ref{background:var(--ref)}.swatch.cur{background:var(--cur)}svg .ref{fill:var(--ref)}svg .cur{fill:var(--cur)}svg text{font:10px system-ui,sans-serif;fill:var(--muted)}
@media (max-width:800px){.chart{width:100%}}
@media print{body{max-width:none;padding:0;font-size:11px}thead th{position:static}h2{break-after:avoid}.chart{width:48%}a{color:inherit;text-decoration:none}}
`;

function summary(r: DriftReport): string {
  const bad = Object.values(r.badBodies).reduce((s, n) => s + n, 0);
  const verdict =
    r.status === 'insufficient-data'
      ? `Insufficient data: ${r.reason ?? 'nothing to compare'}. No drift verdict.`
      : r.drift.drifted
        ? `Dataset drift: ${r.drift.driftedFeatures.length} of ${r.drift.monitoredFeatures} features drifted.`
        : r.drift.driftedFeatures.length > 0
          ? `${r.drift.driftedFeatures.length} of ${r.drift.monitoredFeatures} features drifted; no dataset drift.`
          : 'No feature drifted.';
  const perf = r.performance
    ? r.performance.judged
      ? r.performance.conceptDrift
        ? `concept drift (${r.performance.severity})`
        : 'stable'
      : 'not judged'
    : 'no labels';
  const cards: Array<[string, string]> = [
    ['Drifted share', fmt(r.drift.share)],
    ['Drifted features', `${r.drift.driftedFeatures.length} / ${r.drift.monitoredFeatures}`],
    ['Retraining', r.retrainRecommended ? 'recommended' : 'not needed'],
    ['Events in window', r.events.toLocaleString('en-US')],
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
<p class="verdict ${r.drift.drifted || r.retrainRecommended || r.status === 'insufficient-data' ? 'bad' : 'ok'}">${esc(verdict)}${r.retrainRecommended ? ' Retraining recommended.' : ''}</p>
<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="v">${esc(v)}</div><div class="k">${esc(k)}</div></div>`).join('')}</div>
${r.telemetry.available ? '' : `<p class="muted">${esc(r.telemetry.reason)}</p>`}
</section>`;
}

function recommendations(r: DriftReport): string {
  return `<section id="recommendations"><h2>Recommendations</h2><ul>${r.recommendations.map((x) => `<li>${esc(x)}</li>`).join('')}</ul></section>`;
}

function featureTable(features: FeatureAssessment[], tests: DriftReport['tests']): string {
  const cellOf = (f: FeatureAssessment, name: string): string => {
    const t = f.tests[name];
    if (!t) return '–';
    const value = t.direction === 'p-value' ? pFmt(t.pValueAdjusted ?? t.score) : fmt(t.score);
    const mark =
      t.role === 'signal'
        ? ''
        : t.role === 'significance'
          ? t.pValueAdjusted !== null && t.pValueAdjusted < t.threshold
            ? ' class="hit"'
            : ''
          : t.beyondThreshold
            ? ' class="hit"'
            : '';
    return `<td${mark} title="${esc(`${name}: ${t.role}, threshold ${t.threshold}`)}">${value}</td>`;
  };
  const detectable = (f: FeatureAssessment): string => {
    const entries = Object.values(f.minimumDetectable);
    return entries.length === 0 ? '–' : entries.map((v) => fmt(v)).join(' / ');
  };
  const rows = features
    .map(
      (f) =>
        `<tr data-feature="${esc(f.name)}"><td><a href="#f-${esc(anchor(f.name))}">${esc(f.name)}</a> <span class="muted kind">${esc(f.type)}</span></td><td title="${esc(f.drifted ? `drifted: ${f.decidedBy.join(' and ')}` : (f.note ?? 'not drifted'))}">${badge(f.severity)}</td>` +
        tests.map((t) => (f.tests[t.name] ? cellOf(f, t.name) : '<td>–</td>')).join('') +
        `<td>${detectable(f)}</td><td>${pct(f.missingRate)}</td></tr>`,
    )
    .join('\n');
  const head = tests
    .map((t) => `<th title="${esc(`${t.description}; threshold ${t.threshold}`)}">${esc(t.label)}</th>`)
    .join('');
  const alpha = tests.find((t) => Object.values(t.roles).includes('significance'))?.threshold ?? '';
  return `<table class="features"><thead><tr><th>Feature</th><th>Severity</th>${head}<th title="The smallest effect (W / std for numbers, JS for categories) this window's size can flag">Detectable effect</th><th>Missing</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="muted">A feature drifts when its significance test rejects at α = ${alpha} after Benjamini–Hochberg across features <em>and</em> an effect reaches its threshold (bold: the test passed its threshold); PSI, Hellinger and mean shift are signals. “Detectable effect”: the smallest effect this window’s size can flag. Hover a heading for its meaning.</p>`;
}

/** The largest effect relative to its threshold: how features of one severity are ordered. */
function strongestEffect(f: FeatureAssessment): number {
  return Math.max(-1, ...Object.values(f.tests).flatMap((t) => (t.role === 'effect' ? [t.score / t.threshold] : [])));
}

/** "PSI 0.012 · JS 0.030 · …": every test of a feature with its heading, for captions. */
function testSummary(f: FeatureAssessment, tests: DriftReport['tests']): string {
  return tests
    .filter((t) => f.tests[t.name])
    .map((t) => {
      const outcome = f.tests[t.name]!;
      return `${t.label} ${t.direction === 'p-value' ? pFmt(outcome.pValueAdjusted ?? outcome.score) : fmt(outcome.score)}`;
    })
    .join(' · ');
}

function featureChart(
  f: FeatureAssessment,
  reference: FeatureProfile | undefined,
  current: FeatureProfile | undefined,
  tests: DriftReport['tests'],
  schema?: ProfileSchema,
): string {
  const featureSchema = schema?.features.find((s) => s.name === f.name);
  let labels: string[] = [];
  let p: number[] = [];
  let q: number[] = [];
  if (reference && current && reference.type === current.type) {
    const bins = binnedCounts(reference, current, {
      feature:
        featureSchema ??
        (reference.type === 'numeric'
          ? {
              name: f.name,
              type: 'numeric',
              psiEdges: [],
              decileEdges: [],
              sketch: { center: 0, scale: 1, relativeAccuracy: 0.005, linearLimit: 0.25 },
              baselineMin: 0,
              baselineMax: 0,
            }
          : { name: f.name, type: 'categorical', categories: [] }),
    });
    labels =
      featureSchema || reference.type === 'categorical' ? bins.labels : bins.reference.map((_, i) => `bin ${i + 1}`);
    p = proportions(bins.reference);
    q = proportions(bins.current);
  }
  return `<figure class="chart" id="f-${esc(anchor(f.name))}"><h3>${esc(f.name)} ${badge(f.severity)}</h3>
${histogramSvg(f.name, labels, p, q)}
<figcaption class="muted">${esc(testSummary(f, tests))} · ${f.count.toLocaleString('en-US')} values</figcaption></figure>`;
}

/** Grouped bars, baseline then current, per bin; each bar has a tooltip with its exact share. */
export function histogramSvg(feature: string, labels: string[], reference: number[], current: number[]): string {
  const width = 520;
  const height = 190;
  const left = 48;
  const bottom = 56;
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
  for (let i = 0; i < labels.length; i++) {
    const x = left + i * slot + slot * 0.1;
    const label = labels[i]!;
    const r = reference[i] ?? 0;
    const c = current[i] ?? 0;
    parts.push(
      `<rect class="ref" x="${x.toFixed(1)}" y="${y(r).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(r)).toFixed(1)}"><title>${esc(label)}: baseline ${pct(r)}</title></rect>`,
    );
    parts.push(
      `<rect class="cur" x="${(x + bar).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bar.toFixed(1)}" height="${(top + plotH - y(c)).toFixed(1)}"><title>${esc(label)}: current ${pct(c)}</title></rect>`,
    );
    const short = label.length > 14 ? `${label.slice(0, 13)}…` : label;
    parts.push(
      `<text x="${(x + bar).toFixed(1)}" y="${top + plotH + 12}" text-anchor="end" transform="rotate(-30 ${(x + bar).toFixed(1)} ${top + plotH + 12})">${esc(short)}</text>`,
    );
  }
  return `<svg class="hist" data-feature="${esc(feature)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`Histogram of ${feature}: baseline vs current`)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

const MODEL_NAMES: Record<NonNullable<DriftReport['model']>['scorer'], string> = {
  forest: 'isolation forest (input-anomaly detector, no classifier)',
  aml: 'Azure ML endpoint (classifier)',
  onnx: 'ONNX model (classifier)',
};

function predictionSection(r: DriftReport, reference: DatasetProfile, current: DatasetProfile): string {
  if (!r.prediction) return '';
  const rows = [r.prediction.classes, r.prediction.score].filter((x): x is FeatureAssessment => x !== null);
  const chart =
    reference.prediction && current.prediction
      ? (() => {
          const bins = binnedCounts(reference.prediction.classes, current.prediction.classes, {
            feature: { name: 'prediction', type: 'categorical', categories: [] },
          });
          return `<figure class="chart">${histogramSvg('prediction', bins.labels, proportions(bins.reference), proportions(bins.current))}<figcaption class="muted">Predicted classes</figcaption></figure>`;
        })()
      : '';
  return `<section id="prediction"><h2>Prediction drift</h2>
<p>${r.model?.kind === 'input-anomaly-detector' ? 'The predictions are the isolation forest’s: an input-anomaly detector (anomaly or not), not a prediction of your outcome. ' : ''}${r.prediction.drifted ? "The model's outputs drifted." : "The model's outputs are stable."} Scored events only: ${pct(r.prediction.unscoredShare.current)} of the window's events got no prediction (baseline ${pct(r.prediction.unscoredShare.reference)}).</p>
<table><thead><tr><th>Output</th><th>Severity</th><th>Tests</th></tr></thead><tbody>
${rows.map((f) => `<tr><td>${esc(f.name)}</td><td>${badge(f.severity)}</td><td>${esc(testSummary(f, r.tests))}</td></tr>`).join('')}
</tbody></table>${chart}</section>`;
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
  const bad = Object.entries(r.badBodies);
  return `<section id="inputs"><h2>Inputs</h2>
<p>${r.blobs.read} blobs read, ${r.blobs.skipped.length} skipped; ${r.eventsProfiled.toLocaleString('en-US')} events profiled.</p>
${r.blobs.skipped.length ? `<table><thead><tr><th>Skipped blob</th><th>Reason</th></tr></thead><tbody>${r.blobs.skipped.map((s) => `<tr><td>${esc(s.name)}</td><td>${esc(s.reason)}</td></tr>`).join('')}</tbody></table>` : ''}
${bad.length ? `<table><thead><tr><th>Bad body reason</th><th>Count</th></tr></thead><tbody>${bad.map(([k, n]) => `<tr><td>${esc(k)}</td><td>${n}</td></tr>`).join('')}</tbody></table>` : ''}
</section>`;
}

const badge = (s: Severity): string => `<span class="sev ${s}">${s}</span>`;
const fmt = (v: number): string => (Math.abs(v) >= 1000 ? v.toExponential(2) : v.toFixed(3));
const pFmt = (p: number): string => (p === 0 ? '< 1e-300' : p < 1e-4 ? p.toExponential(1) : p.toFixed(4));
const pct = (v: number | null): string => (v === null ? '–' : `${(100 * v).toFixed(1)}%`);
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const anchor = (name: string): string => name.replace(/[^A-Za-z0-9_-]/g, '_');

/** Escapes text for HTML content and attribute values. */
export function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
