import { esc, wrappable } from './escapeHtml.js';
import type { DriftReport, DriftTrend, TrendPoint } from './report.js';

/** The table shows this many windows at most (the chart draws them all), so it fits a 1024 px page. */
const TABLE_WINDOWS = 10;

/**
 * The trend section: the drifted share of the last windows (and, in a weekly report, of its days) against both
 * thresholds, then each feature's deciding effect size per window. Empty when the report carries no trend.
 */
export function trendSection(report: DriftReport): string {
  const trend = report.trend;
  if (!trend) return '';
  const { datasetDriftShare, retrainMagnitude } = report.thresholds;
  const thresholds = [
    { value: datasetDriftShare, label: `dataset drift ${datasetDriftShare}` },
    { value: retrainMagnitude, label: `retrain ${retrainMagnitude}` },
  ];
  const earlier = trend.windows.length - 1;
  const intro =
    earlier === 0
      ? 'No earlier report was found: the trend of windows starts with this one.'
      : `Drifted share of the last ${trend.windows.length} windows, this one last.`;
  // Usual and unalarming (the run is new, or was off): one line for all windows without a report.
  const absent = trend.missing.filter((m) => m.reason === 'no report').map((m) => m.label);
  const faulty = trend.missing.filter((m) => m.reason !== 'no report');
  const missing = [
    absent.length === 0
      ? ''
      : `<p class="muted">No report for ${absent.length === 1 ? esc(absent[0]!) : `${absent.length} windows: ${esc(absent.join(', '))}`}.</p>`,
    faulty.length === 0
      ? ''
      : `<p class="muted">Left out of the trend: ${faulty.map((m) => `${esc(m.label)} (${esc(m.reason)})`).join(', ')}.</p>`,
  ].join('');
  // The table follows the longer series: the earlier windows, or this window's days while there are no earlier ones.
  const tabulated = trend.windows.length > 1 || trend.days.length === 0 ? trend.windows : trend.days;
  return `<section id="trend"><h2>Trend</h2>
<p>${esc(intro)}</p>
${lineChartSvg('windows', trend.windows, thresholds)}
${trend.days.length > 0 ? daysPart(trend, thresholds) : ''}
${missing}
${featureTrendTable(tabulated.slice(-TABLE_WINDOWS))}
</section>`;
}

function daysPart(trend: DriftTrend, thresholds: Threshold[]): string {
  const first = trend.days.find((d) => d.datasetDrift);
  const firstLine = first
    ? `The daily run first found dataset drift on ${esc(first.label)}.`
    : 'No day of the window had dataset drift in the daily run.';
  return `<h3>Days of this window (dailyDrift)</h3>
<p>${firstLine}</p>
${lineChartSvg('days', trend.days, thresholds)}`;
}

/** One row per feature of the latest window: its effect size per window, bold when it drifted there. */
function featureTrendTable(windows: TrendPoint[]): string {
  const latest = windows[windows.length - 1];
  if (!latest) return '';
  const names = Object.keys(latest.features).sort((a, b) => relative(latest, b) - relative(latest, a));
  if (names.length === 0) return '';
  const head = windows.map((w) => `<th class="nb">${esc(w.label)}</th>`).join('');
  const rows = names.map((name) => {
    const cells = windows.map((w) => {
      const f = w.features[name];
      if (!f) return '<td class="muted">–</td>';
      if (f.score === null) return `<td class="muted" title="not tested">n/a</td>`;
      const title = `${name} in ${w.label}: ${f.test} ${f.score.toPrecision(3)} (practical minimum ${f.threshold}), ${f.drifted ? `drifted, ${f.severity}` : 'not drifted'}`;
      return `<td${f.drifted ? ' class="hit"' : ''} title="${esc(title)}">${f.score.toFixed(3)}</td>`;
    });
    return `<tr><td class="name">${wrappable(name)}</td>${cells.join('')}</tr>`;
  });
  return `<table class="trend"><thead><tr><th>Feature (effect size)</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="muted">Wasserstein / baseline std for numeric features, Jensen-Shannon distance for categorical ones; bold: the feature drifted in that window.</p>`;
}

/** A feature's effect size over its practical minimum in a window: the table's order, strongest first. */
function relative(point: TrendPoint, name: string): number {
  const f = point.features[name];
  return f && f.score !== null && f.threshold ? f.score / f.threshold : -1;
}

interface Threshold {
  value: number;
  label: string;
}

/** Drifted share per window as a line with points (filled: dataset drift), the thresholds as dashed lines. */
function lineChartSvg(id: string, points: TrendPoint[], thresholds: Threshold[]): string {
  const width = 720;
  const height = 200;
  const left = 64;
  const right = 110;
  const top = 10;
  const bottom = 56;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = points.length;
  const x = (i: number): number => left + (n === 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number): number => top + plotH - Math.min(1, Math.max(0, v)) * plotH;
  const parts: string[] = [
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#d8dde3"/>`,
    `<text x="${left - 4}" y="${top + 8}" text-anchor="end">1</text><text x="${left - 4}" y="${top + plotH}" text-anchor="end">0</text>`,
  ];
  for (const t of thresholds) {
    parts.push(
      `<line class="thr" x1="${left}" y1="${y(t.value).toFixed(1)}" x2="${left + plotW}" y2="${y(t.value).toFixed(1)}" stroke="#8a94a0" stroke-dasharray="4 3"/>`,
      `<text x="${left + plotW + 4}" y="${(y(t.value) + 3).toFixed(1)}">${esc(t.label)}</text>`,
    );
  }
  if (n > 1) {
    const path = points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.driftShare).toFixed(1)}`)
      .join('');
    parts.push(`<path d="${path}" fill="none" stroke="#d9822b" stroke-width="2"/>`);
  }
  // Label every point when they fit, else about ten of them (the first and last always).
  const every = Math.max(1, Math.ceil(n / 10));
  points.forEach((p, i) => {
    const title = `${p.label}: drifted share ${p.driftShare.toFixed(2)} (${p.driftedFeatures} of ${p.monitoredFeatures} features), ${p.events.toLocaleString('en-US')} events${p.datasetDrift ? ', dataset drift' : ''}${p.retrainRecommended ? ', retraining recommended' : ''}${p.status === 'insufficient-data' ? ', insufficient data' : ''}`;
    parts.push(
      `<circle class="point${p.datasetDrift ? ' drift' : ''}" cx="${x(i).toFixed(1)}" cy="${y(p.driftShare).toFixed(1)}" r="4" fill="${p.datasetDrift ? '#b42318' : '#fff'}" stroke="#d9822b" stroke-width="2"><title>${esc(title)}</title></circle>`,
    );
    if (i % every === 0 || i === n - 1)
      parts.push(
        `<text x="${x(i).toFixed(1)}" y="${top + plotH + 14}" text-anchor="end" transform="rotate(-35 ${x(i).toFixed(1)} ${top + plotH + 14})">${esc(p.label)}</text>`,
      );
  });
  return `<svg class="trend" data-trend="${esc(id)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`Drifted share per window (${id})`)}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
