import { Ajv } from 'ajv';
import { fail, ok, type Result } from '../errors.js';
import type { DriftReport, TrendFeature, TrendPoint } from './report.js';

/** The trend point of a report built in this run. */
export function trendPointOf(report: DriftReport, label: string): TrendPoint {
  const features: Record<string, TrendFeature> = {};
  for (const [name, f] of Object.entries(report.features)) {
    const effect = Object.entries(f.tests).find(([, t]) => t.role === 'effect');
    features[name] = {
      test: effect ? effect[0] : null,
      score: effect && Number.isFinite(effect[1].score) ? effect[1].score : null,
      threshold: effect ? effect[1].threshold : null,
      drifted: f.drifted,
      severity: f.severity,
    };
  }
  return {
    label,
    from: report.window.from,
    to: report.window.to,
    status: report.status,
    events: report.events,
    driftShare: report.drift.share,
    datasetDrift: report.drift.drifted,
    driftedFeatures: report.drift.driftedFeatures.length,
    monitoredFeatures: report.drift.monitoredFeatures,
    retrainRecommended: report.retrainRecommended,
    conceptDrift: report.performance?.judged ? report.performance.conceptDrift : null,
    features,
  };
}

/**
 * What an earlier report.json must hold for its trend point: the fields read, with their types. Reports of older
 * versions or edited by hand that lack them are reported as missing with the first thing wrong, never guessed at.
 */
const EARLIER_REPORT_SCHEMA = {
  type: 'object',
  required: ['kind', 'window', 'status', 'events', 'drift', 'retrainRecommended', 'features'],
  properties: {
    kind: { const: 'mrm.driftReport' },
    window: {
      type: 'object',
      required: ['from', 'to'],
      properties: { from: { type: 'string' }, to: { type: 'string' } },
    },
    status: { enum: ['assessed', 'insufficient-data'] },
    events: { type: 'number' },
    retrainRecommended: { type: 'boolean' },
    drift: {
      type: 'object',
      required: ['share', 'drifted', 'driftedFeatures', 'monitoredFeatures'],
      properties: {
        share: { type: 'number' },
        drifted: { type: 'boolean' },
        driftedFeatures: { type: 'array', items: { type: 'string' } },
        monitoredFeatures: { type: 'number' },
      },
    },
    features: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['tests', 'drifted', 'severity'],
        properties: {
          drifted: { type: 'boolean' },
          severity: { enum: ['NONE', 'LOW', 'MEDIUM', 'HIGH'] },
          tests: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['role', 'score', 'threshold'],
              properties: {
                role: { type: 'string' },
                score: { type: ['number', 'null'] },
                threshold: { type: 'number' },
              },
            },
          },
        },
      },
    },
    performance: { type: ['object', 'null'] },
  },
} as const;

const validateEarlier = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile(
  EARLIER_REPORT_SCHEMA,
);

/** The trend point of an earlier window's report.json (already parsed), or why it cannot give one. */
export function trendPointOfEarlier(json: unknown, label: string): Result<TrendPoint> {
  if (!validateEarlier(json)) {
    const first = validateEarlier.errors?.[0];
    const where = first?.instancePath ? ` at ${first.instancePath}` : '';
    return fail('bad-input', 'TREND.UNREADABLE_REPORT', `not a drift report${where}: ${first?.message ?? 'invalid'}`);
  }
  const report = json as unknown as DriftReport;
  // JSON has no NaN: a score written as null stays null.
  return ok(trendPointOf(report, label));
}
