import { createHash } from 'node:crypto';
import { METRICS } from '../../shared/telemetry/monitoring.js';

export interface DriftAlertInput {
  /** The drift magnitude weeklyDrift emitted (mrm_drift_magnitude). */
  magnitude: number;
  /** The rule's static threshold (monitoring.json `retrainDriftMagnitude`). */
  threshold: number;
  firedAtInMs: number;
  /** Default `mrm-retrain-drift-magnitude`, the name infra gives the rule. */
  ruleName?: string;
  /** Names the alert instance (demoRunKey): its id, and so the retraining job's name, follow from it alone. */
  runKey: string;
}

/**
 * The demo's alert instance: one per week and seed. The clock stays out (it was in, and the job name changed between
 * runs of the same seed); each demo run has a fresh in-memory store, so a repeated id never meets an old claim.
 */
export function demoRunKey(scenario: { window: { label: string }; seed: number }): string {
  return `${scenario.window.label}:${scenario.seed}`;
}

const SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';
const COMPONENT = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-mrm-demo/providers/microsoft.insights/components/appi-mrm-demo`;
const WINDOW_IN_MS = 3_600_000;

/**
 * The payload Azure Monitor's action group posts when the drift-magnitude metric alert fires (common alert schema,
 * metric alert context, as infra/modules/alerts.bicep defines the rule: Maximum over one hour, GreaterThan the
 * threshold). It carries no alert rule id: with one, retrainWebhook would ask ARM for the rule's tags, which a
 * laptop cannot reach; without, it routes by the rule's name, as it does when the tags cannot be read.
 */
export function driftAlert(input: DriftAlertInput): Record<string, unknown> {
  const rule = input.ruleName ?? 'mrm-retrain-drift-magnitude';
  const firedAt = new Date(input.firedAtInMs);
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.AlertsManagement/alerts/${guidOf(`${input.runKey}:${rule}`)}`,
        alertRule: rule,
        severity: 'Sev2',
        signalType: 'Metric',
        monitorCondition: 'Fired',
        monitoringService: 'Platform',
        alertTargetIDs: [COMPONENT],
        configurationItems: ['appi-mrm-demo'],
        originAlertId: null,
        firedDateTime: firedAt.toISOString(),
        description: 'Model Risk Monitor: retrain when the weekly drift magnitude is too high (demo)',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: {
        properties: null,
        conditionType: 'SingleResourceMultipleMetricCriteria',
        condition: {
          windowSize: 'PT1H',
          allOf: [
            {
              metricName: METRICS.driftMagnitude,
              metricNamespace: 'azure.applicationinsights',
              operator: 'GreaterThan',
              threshold: String(input.threshold),
              timeAggregation: 'Maximum',
              dimensions: [],
              metricValue: input.magnitude,
            },
          ],
          windowStartTime: new Date(input.firedAtInMs - WINDOW_IN_MS).toISOString(),
          windowEndTime: firedAt.toISOString(),
        },
      },
      customProperties: null,
    },
  };
}

function guidOf(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
