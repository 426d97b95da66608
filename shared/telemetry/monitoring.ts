import monitoring from '../config/monitoring.json' with { type: 'json' };

/** Metric names shared with infra/ (see monitoring.json). */
export const METRICS = monitoring.metrics;
export type MetricKey = keyof typeof METRICS;
/** Alert thresholds shared with infra/; the app's settings default to these. */
export const THRESHOLDS = monitoring.thresholds;
export const METER_NAME = monitoring.meterName;
/** Prefixes of the log lines the dashboard reads (see monitoring.json). */
export const LOG_LINES = monitoring.logs;
