import type { MetricsPort } from '../telemetry/metricsPort.js';
import { LOG_LINES } from '../telemetry/monitoring.js';
import type { PartitionObservation } from './partitionDetectors.js';
import type { DetectorName } from './streamMonitor.js';

export interface StreamLog {
  warn(line: string): void;
  error(line: string): void;
}

/**
 * Alarms reach people: one counter per detector (the alert rules watch them) and one structured line per alarm,
 * `Stream alarm: {json}` with partition, detector, statistic and threshold, the window's numbers and the ids of the
 * events that started and tipped it; estimated accuracy of each valid window as a distribution.
 */
export function reportObservation(observed: PartitionObservation, metrics: MetricsPort, log: StreamLog): void {
  // The total is what the operators' alert rule watches (infra/modules/alerts.bicep); the per-detector counters say which.
  if (observed.alarms.length > 0) metrics.count('streamAlarms', observed.alarms.length);
  for (const alarm of observed.alarms) {
    countAlarm(metrics, alarm.detector);
    log.warn(`${LOG_LINES.streamAlarm}${JSON.stringify(alarm)}`);
  }
  for (const estimate of observed.estimates)
    if (estimate.valid) metrics.observe('streamEstimatedAccuracy', estimate.estimatedAccuracy);
  if (observed.conflicts > 0) metrics.count('streamStateConflicts', observed.conflicts);
  for (const problem of observed.problems) log.error(`Stream detectors went on in memory after ${problem}`);
}

/** Literal keys, one per detector: the infra checks find the metrics an alert watches by these calls. */
function countAlarm(metrics: MetricsPort, detector: DetectorName): void {
  switch (detector) {
    case 'errorWindow':
      return metrics.count('streamAlarmsErrorWindow', 1);
    case 'errorCusum':
      return metrics.count('streamAlarmsErrorCusum', 1);
    case 'score':
      return metrics.count('streamAlarmsScore', 1);
    case 'entropy':
      return metrics.count('streamAlarmsEntropy', 1);
    case 'decisions':
      return metrics.count('streamAlarmsDecisions', 1);
    case 'estimatedAccuracy':
      return metrics.count('streamAlarmsEstimatedAccuracy', 1);
  }
}
