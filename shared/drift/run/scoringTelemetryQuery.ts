import { METRICS } from '../../telemetry/monitoring.js';
import type { ScoringTelemetry } from './ports.js';

/**
 * The KQL that sums the week's scoring metrics in the workspace's AppMetrics table (App Insights custom metrics,
 * names from monitoring.json). The time range is the query's timespan, not part of the text.
 */
export function scoringTelemetryKql(): string {
  const names = [METRICS.events, METRICS.rejected, METRICS.lowConfidenceRate].map((n) => JSON.stringify(n)).join(', ');
  return `AppMetrics
| where Name in (${names})
| summarize Total = sum(Sum), Samples = sum(ItemCount) by Name`;
}

/** One row of the query: a metric's sum of values and number of recorded values over the window. */
export interface MetricTotal {
  name: string;
  total: number;
  samples: number;
}

/**
 * Rates from the sums: rejected rate = rejected events / events (event-weighted); low-confidence rate = the mean of
 * the per-batch rates scoreEvents records (the only form that metric has).
 */
export function readScoringTelemetry(rows: ReadonlyArray<MetricTotal>): ScoringTelemetry {
  const byName = new Map(rows.map((r) => [r.name, r]));
  const events = byName.get(METRICS.events)?.total ?? 0;
  const rejected = byName.get(METRICS.rejected)?.total ?? 0;
  const lowConfidence = byName.get(METRICS.lowConfidenceRate);
  return {
    events,
    rejectedRate: events > 0 ? rejected / events : null,
    lowConfidenceRate: lowConfidence && lowConfidence.samples > 0 ? lowConfidence.total / lowConfidence.samples : null,
  };
}
