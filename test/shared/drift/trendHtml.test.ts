import { describe, expect, it } from 'vitest';
import { trendSection } from '../../../shared/drift/trendHtml.js';
import { trendPointOf } from '../../../shared/drift/trend.js';
import type { DriftReport } from '../../../shared/drift/report.js';
import { reportOf } from './fixtures/trendReports.js';

const DAY = 86_400_000;
const MONDAY = Date.UTC(2024, 0, 15);
const iso = (ms: number): string => new Date(ms).toISOString();
const week = (k: number, shift: number) =>
  reportOf({ from: iso(MONDAY + k * 7 * DAY), to: iso(MONDAY + (k + 1) * 7 * DAY) }, shift);
const day = (d: number, shift: number) =>
  reportOf({ from: iso(MONDAY + d * DAY), to: iso(MONDAY + (d + 1) * DAY) }, shift);
const count = (html: string, pattern: RegExp): number => html.match(pattern)?.length ?? 0;

function withTrend(): DriftReport {
  const current = week(0, 5);
  current.trend = {
    windows: [
      trendPointOf(week(-2, 0), '2024-W01'),
      trendPointOf(week(-1, 0.3), '2024-W02'),
      trendPointOf(current, '2024-W03'),
    ],
    days: [trendPointOf(day(0, 0), '2024-01-15'), trendPointOf(day(1, 5), '2024-01-16')],
    missing: [{ label: '2023-W52', reason: 'TREND.NOT_JSON: <script>x</script>' }],
  };
  return current;
}

describe('trendSection', () => {
  it('is empty for a report without a trend', () => {
    expect(trendSection(week(0, 0))).toBe('');
  });

  it('draws one point per window, filled where the window had dataset drift, and both thresholds', () => {
    const report = withTrend();
    const html = trendSection(report);
    const windows = html.slice(html.indexOf('data-trend="windows"'), html.indexOf('</svg>'));
    expect(count(windows, /<circle /g)).toBe(3);
    expect(count(windows, /class="point drift"/g)).toBe(report.trend!.windows.filter((w) => w.datasetDrift).length);
    expect(report.trend!.windows.at(-1)!.datasetDrift).toBe(true);
    expect(report.trend!.windows[0]!.datasetDrift).toBe(false);
    expect(count(windows, /class="thr"/g)).toBe(2);
    expect(windows).toContain(`dataset drift ${report.thresholds.datasetDriftShare}`);
    const last = report.trend!.windows.at(-1)!;
    expect(windows).toContain(
      `<title>2024-W03: drifted share ${last.driftShare.toFixed(2)} (${last.driftedFeatures} of 2 features), 1,500 events, dataset drift`,
    );
  });

  it('names the first day the daily run found dataset drift, and draws the days', () => {
    const html = trendSection(withTrend());
    expect(html).toContain('The daily run first found dataset drift on 2024-01-16.');
    const days = html.slice(html.indexOf('data-trend="days"'));
    expect(count(days.slice(0, days.indexOf('</svg>')), /<circle /g)).toBe(2);
  });

  it('lists the windows left out with their reason, escaped', () => {
    const html = trendSection(withTrend());
    expect(html).toContain('Left out of the trend: 2023-W52 (TREND.NOT_JSON: &lt;script&gt;x&lt;/script&gt;)');
    expect(html).not.toContain('<script>');
  });

  it('says in one line which windows have no report yet', () => {
    const report = week(0, 0);
    report.trend = {
      windows: [trendPointOf(report, '2024-W03')],
      days: [],
      missing: [
        { label: '2024-W01', reason: 'no report' },
        { label: '2024-W02', reason: 'no report' },
      ],
    };
    const html = trendSection(report);
    expect(html).toContain('No report for 2 windows: 2024-W01, 2024-W02.');
    expect(html).not.toContain('Left out of the trend');
  });

  it("tabulates the week's days while there is no earlier week", () => {
    const report = week(0, 5);
    report.trend = {
      windows: [trendPointOf(report, '2024-W03')],
      days: [trendPointOf(day(0, 0), '2024-01-15')],
      missing: [],
    };
    expect(trendSection(report)).toMatch(/<th class="nb">2024-01-15<\/th><\/tr>/);
  });

  it("tabulates each feature's effect size per window, strongest first, bold where it drifted", () => {
    const report = withTrend();
    const table = trendSection(report).split('<table class="trend">')[1]!;
    expect(table).toMatch(/<th class="nb">2024-W01<\/th><th class="nb">2024-W02<\/th><th class="nb">2024-W03<\/th>/);
    const amount = report.trend!.windows.map((w) => w.features.amount_usd!.score!.toFixed(3));
    const row = table.slice(table.indexOf('amount_<wbr>usd'));
    expect(row).toMatch(
      new RegExp(`<td title="[^"]+">${amount[0]}</td><td title="[^"]+">${amount[1]}</td><td class="hit"`),
    );
  });
});
