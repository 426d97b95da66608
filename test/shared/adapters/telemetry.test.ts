import { describe, expect, it } from 'vitest';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { OtelMetrics } from '../../../shared/adapters/telemetry.js';
import { METER_NAME, METRICS } from '../../../shared/telemetry/monitoring.js';
import { recordBatchMetrics, summariseBatch } from '../../../shared/scoring/batchSummary.js';

describe('OtelMetrics', () => {
  it('exports batch telemetry under the metric names shared with the alerts, without dimensions', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new OtelMetrics(provider);
    const summary = summariseBatch([], [], {
      events: 10,
      batchLatencyInMs: 12,
      scorerLatencyInMs: 3,
      minConfidence: 0.7,
    });
    recordBatchMetrics(
      {
        ...summary,
        accepted: 6,
        rejected: 2,
        deadLettered: 2,
        predicted: 6,
        lowConfidence: 3,
        meanEntropy: 0.4,
        labelled: 4,
        correct: 3,
      },
      metrics,
    );
    await reader.forceFlush();
    const exported = exporter
      .getMetrics()
      .flatMap((r) => r.scopeMetrics)
      .filter((s) => s.scope.name === METER_NAME)
      .flatMap((s) => s.metrics);
    const byName = new Map(exported.map((m) => [m.descriptor.name, m]));
    const sum = (name: string) => byName.get(name)!.dataPoints[0]!.value as number;
    const histogram = (name: string) => byName.get(name)!.dataPoints[0]!.value as { sum: number; count: number };
    expect(sum(METRICS.events)).toBe(10);
    expect(sum(METRICS.accepted)).toBe(6);
    expect(sum(METRICS.rejected)).toBe(2);
    expect(sum(METRICS.deadLettered)).toBe(2);
    expect(histogram(METRICS.accuracy)).toMatchObject({ sum: 0.75, count: 1 });
    expect(histogram(METRICS.lowConfidenceRate)).toMatchObject({ sum: 0.5, count: 1 });
    expect(histogram(METRICS.deadLetterRate)).toMatchObject({ sum: 0.2, count: 1 });
    for (const m of exported) for (const point of m.dataPoints) expect(point.attributes).toEqual({});
    await provider.shutdown();
  });

  it('drops non-finite observations instead of poisoning an average', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const metrics = new OtelMetrics(provider);
    metrics.observe('driftMagnitude', NaN);
    metrics.observe('driftMagnitude', 0.4);
    await reader.forceFlush();
    const point = exporter.getMetrics()[0]!.scopeMetrics[0]!.metrics[0]!.dataPoints[0]!.value as {
      sum: number;
      count: number;
    };
    expect(point).toMatchObject({ sum: 0.4, count: 1 });
    await provider.shutdown();
  });
});

describe('entraClientId', () => {
  it('reads the managed identity client id of an App Insights authentication string', async () => {
    const { entraClientId } = await import('../../../shared/adapters/telemetry.js');
    expect(entraClientId('Authorization=AAD;ClientId=0b1e2c3d-aaaa-bbbb-cccc-123456789012')).toBe(
      '0b1e2c3d-aaaa-bbbb-cccc-123456789012',
    );
    expect(entraClientId('Authorization=AAD')).toBeUndefined();
    expect(entraClientId(undefined)).toBeUndefined();
  });
});
