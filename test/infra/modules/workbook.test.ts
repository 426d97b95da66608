import { describe, expect, it } from 'vitest';
import monitoring from '../../../shared/config/monitoring.json' with { type: 'json' };
import { extractionCallersLine, summariseBatch } from '../../../shared/scoring/batchSummary.js';
import { LOG_LINES } from '../../../shared/telemetry/monitoring.js';
import { BicepFile, BicepScope, objectProperty } from '../bicepProgram.js';
import { appSettingsOf } from '../appSettingsOf.js';
import { deployedWorkbook, type WorkbookQuery } from '../workbookOf.js';
import { emittedMetricNames } from '../emittedMetrics.js';

const main = new BicepScope(new BicepFile('infra/main.bicep'), { environmentName: () => 'dev' });
const module = main.module('workbook');

const { text, queries } = deployedWorkbook();
const panel = (name: string): WorkbookQuery => {
  const found = queries.find((q) => q.name === name);
  if (!found) throw new Error(`no panel ${name}`);
  return found;
};

describe('the dashboard (Azure Monitor workbook)', () => {
  it('is valid workbook JSON with every placeholder filled from monitoring.json', () => {
    expect(text).not.toMatch(/\{\{/);
    expect(JSON.parse(text)).toMatchObject({ version: 'Notebook/1.0' });
    const resource = module.file.resources().find((r) => r.type === 'Microsoft.Insights/workbooks')!;
    expect(module.evaluate(resource.body)).toMatchObject({
      kind: 'shared',
      properties: { category: 'workbook', displayName: 'Model Risk Monitor (dev)', version: 'Notebook/1.0' },
    });
  });

  it('has every panel an operator needs', () => {
    expect(queries.map((q) => q.name)).toEqual([
      'events-by-decision',
      'rates-vs-thresholds',
      'extraction-by-caller',
      'extraction-rate',
      'scorer-latency',
      'weekly-drift',
      'drifted-features',
      'accuracy',
      'confidence-and-anomalies',
      'retraining-decisions',
      'alert-history',
    ]);
  });

  it('charts only metrics the code emits', () => {
    const named = [...new Set(queries.flatMap((q) => [...q.query.matchAll(/'(mrm_[a-z_]+)'/g)].map((m) => m[1]!)))];
    expect(named.length).toBeGreaterThanOrEqual(15);
    const emitted = emittedMetricNames();
    expect(named.filter((n) => !emitted.has(n))).toEqual([]);
  });

  it('draws the alerts’ own thresholds', () => {
    const t = monitoring.thresholds;
    expect(panel('rates-vs-thresholds').query).toContain(
      `maxRejectedRate = ${t.maxRejectedRate}, maxLowConfidenceRate = ${t.maxLowConfidenceRate}`,
    );
    expect(panel('extraction-rate').query).toContain(`maxExtractionFlaggedRate = ${t.maxExtractionFlaggedRate}`);
    expect(panel('accuracy').query).toContain(`minAccuracy = ${t.minAccuracy}`);
  });

  it('splits events per minute into the five decisions', () => {
    const q = panel('events-by-decision').query;
    for (const key of ['accepted', 'flagged', 'review', 'rejected', 'deadLettered'] as const)
      expect(q).toContain(`'${monitoring.metrics[key]}'`);
    expect(q).toMatch(/by decision, bin\(timestamp, 1m\)/);
  });

  it('reads the extraction callers from the very line scoreEvents logs', () => {
    const q = panel('extraction-by-caller').query;
    expect(q).toContain(`startswith '${LOG_LINES.extractionFlaggedCallers}'`);
    expect(q).toMatch(/top 20 by flagged/);
    const line = extractionCallersLine(
      {
        ...summariseBatch([], [], { events: 0, batchLatencyInMs: 0, scorerLatencyInMs: null, minConfidence: 0 }),
        extractionFlaggedByCaller: { 'caller-a': 2 },
      },
      LOG_LINES.extractionFlaggedCallers,
    )!;
    // What the query does: strip the prefix, parse JSON, one [caller, count] pair per row.
    expect(line.startsWith(LOG_LINES.extractionFlaggedCallers)).toBe(true);
    expect(JSON.parse(line.slice(LOG_LINES.extractionFlaggedCallers.length))).toEqual([['caller-a', 2]]);
  });

  it('reads retraining decisions from the log line every audit-log entry has', () => {
    expect(panel('retraining-decisions').query).toContain(
      `parse message with '${LOG_LINES.retrainDecision}' decision ' (' httpStatus:int '): ' reason`,
    );
  });

  it('shows 12 weeks of drift and this environment’s alert history from Resource Graph', () => {
    const workbook = JSON.parse(text) as { items: { name: string; content: Record<string, unknown> }[] };
    const content = (name: string) => workbook.items.find((i) => i.name === name)!.content;
    for (const name of ['weekly-drift', 'drifted-features'])
      expect(content(name).timeContext).toEqual({ durationMs: 12 * 7 * 24 * 3_600_000 });
    expect(panel('alert-history')).toMatchObject({ queryType: 1 });
    expect(panel('alert-history').query).toContain("rule startswith 'mrm-' and rule endswith '-dev'");
  });

  it('is linked from azd’s outputs and from every drift report (MRM_DASHBOARD_URL)', () => {
    expect(main.file.find('output', 'MRM_DASHBOARD_URL')).toBeDefined();
    expect(main.file.source).toContain(
      "var dashboardUrl = '${environment().portal}/#resource${workbook.outputs.id}/workbook'",
    );
    expect(appSettingsOf(main).scope.file.source).toMatch(/MRM_DASHBOARD_URL: dashboardUrl/);
    expect(
      objectProperty(
        objectProperty(main.file.valueOf(main.file.find('module', 'functionApp')!), 'params'),
        'dashboardUrl',
      )!.text,
    ).toBe('dashboardUrl');
  });
});
