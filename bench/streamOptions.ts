import type { StreamMonitorOptions } from '../shared/stream/streamMonitor.js';

/** The stream detectors' settings in the benchmark: the defaults of the `stream` settings section. */
export const STREAM_BENCH_OPTIONS: StreamMonitorOptions = {
  windowEvents: 1000,
  minDrop: 0.05,
  falseAlarmBudgetInEvents: 10_000_000,
  referenceEvents: 10_000,
  shift: 0.05,
};
