import type { MetricKey } from './monitoring.js';

/**
 * How the core reports metrics, without knowing OpenTelemetry: `count` adds to a counter, `observe` records one value
 * of a distribution (rates, latencies, drift figures). Names come from monitoring.json, shared with the alerts.
 */
export interface MetricsPort {
  count(metric: MetricKey, value: number): void;
  observe(metric: MetricKey, value: number): void;
}

export const noMetrics: MetricsPort = { count: () => undefined, observe: () => undefined };
