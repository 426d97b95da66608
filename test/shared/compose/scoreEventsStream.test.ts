import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createScoreEventsHandler } from '../../../shared/compose/scoreEvents.js';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { defaultSettings, type Settings } from '../../../shared/config/settings.js';
import { blobName } from '../../../shared/stream/partitionDetectors.js';
import type { MetricKey } from '../../../shared/telemetry/monitoring.js';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';
import { azuriteDeadLetters } from '../../faults/faultHelpers.js';
import { freshContainer } from '../../helpers/storage.js';

function settingsWith(stream: Partial<Settings['stream']>): Settings {
  const defaults = defaultSettings();
  return { ...defaults, stream: { ...defaults.stream, saveIntervalInMs: 0, ...stream } };
}

/** Ordinary transactions, each from its own caller; `label` overrides the true one (a model gone wrong). */
function bodies(generator: TransactionGenerator, from: number, count: number, label?: number) {
  return Array.from({ length: count }, (_, i) => {
    const event = generator.event(`t${from + i}`, `caller-${from + i}`, '2026-11-10T12:00:00Z', { fraudRate: 0 });
    return { ...event, label: label ?? event.label };
  });
}

function recorder() {
  const counts = new Map<string, number>();
  const lines: string[] = [];
  const metrics = {
    count: (key: MetricKey, value: number) => counts.set(key, (counts.get(key) ?? 0) + value),
    observe: () => undefined,
  };
  const context = () =>
    new InvocationContext({
      triggerMetadata: { partitionContext: { partitionId: '4' } },
      logHandler: (_level, ...args) => lines.push(args.map(String).join(' ')),
    });
  return { counts, lines, metrics, context };
}

describe('scoreEvents with the stream detectors', () => {
  it('pages on a labelled accuracy drop with a metric and a structured line, and keeps the partition state', async () => {
    const container = await freshContainer('stream-handler');
    const store = new BlobStateStore(container);
    const r = recorder();
    const handler = createScoreEventsHandler({
      settings: settingsWith({ windowEvents: 100 }),
      profiles: { current: async () => transactionBaseline() },
      metrics: r.metrics,
      deadLetters: azuriteDeadLetters().sink,
      streamStates: store,
    });
    const generator = new TransactionGenerator(31);
    for (let b = 0; b < 3; b++) await handler(bodies(generator, b * 200, 200), r.context());
    expect(r.lines.filter((l) => l.startsWith('Stream alarm: '))).toEqual([]);
    // Every label now disagrees with what the model says of ordinary transactions.
    await handler(bodies(generator, 600, 200, 1), r.context());
    const alarm = r.lines.find((l) => l.startsWith('Stream alarm: '));
    const record = JSON.parse(alarm!.slice('Stream alarm: '.length)) as Record<string, unknown>;
    expect(record).toMatchObject({ detector: expect.any(String), partition: '4', direction: 'up' });
    expect(['errorCusum', 'errorWindow']).toContain(record.detector);
    expect((record.firstEventId as string).startsWith('t')).toBe(true);
    expect(r.counts.get('streamAlarmsErrorCusum')).toBe(1);
    const stored = await store.read(blobName('4'));
    expect(stored!.value).toMatchObject({ events: 800, profileVersion: transactionBaseline().profileVersion });
  });

  it('does not run them when MRM_STREAM_DETECTORS is off, or without a state store', async () => {
    const container = await freshContainer('stream-off');
    const store = new BlobStateStore(container);
    const r = recorder();
    for (const deps of [
      { settings: settingsWith({ enabled: false }), streamStates: store },
      { settings: settingsWith({}), streamStates: undefined },
    ]) {
      const handler = createScoreEventsHandler({
        ...deps,
        profiles: { current: async () => transactionBaseline() },
        metrics: r.metrics,
        deadLetters: azuriteDeadLetters().sink,
      });
      await handler(bodies(new TransactionGenerator(32), 0, 300, 1), r.context());
    }
    expect(await store.read(blobName('4'))).toBeUndefined();
    expect([...r.counts.keys()].filter((k) => k.startsWith('stream'))).toEqual([]);
  });

  it('scores every event and says why when the state store fails', async () => {
    const r = recorder();
    const failing = new Error('storage down');
    const handler = createScoreEventsHandler({
      settings: settingsWith({}),
      profiles: { current: async () => transactionBaseline() },
      metrics: r.metrics,
      deadLetters: azuriteDeadLetters().sink,
      streamStates: {
        read: () => Promise.reject(failing),
        create: () => Promise.reject(failing),
        replace: () => Promise.reject(failing),
        remove: () => Promise.reject(failing),
      },
    });
    const scored = await handler(bodies(new TransactionGenerator(33), 0, 100), r.context());
    expect(scored).toHaveLength(100);
    expect(r.lines.filter((l) => l.startsWith('Stream detectors went on in memory after '))).toEqual([
      'Stream detectors went on in memory after reading the detector state of partition 4: storage down',
      'Stream detectors went on in memory after saving the detector state of partition 4: storage down',
    ]);
  });
});
