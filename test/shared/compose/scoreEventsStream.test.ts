import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { createScoreEventsHandler, scoreEventsHandler } from '../../../shared/compose/scoreEvents.js';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { defaultSettings, type Settings } from '../../../shared/config/settings.js';
import { blobName } from '../../../shared/stream/partitionDetectors.js';
import type { MetricKey } from '../../../shared/telemetry/monitoring.js';
import { TransactionGenerator } from '../../../dev/synthetic/transactions.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';
import { azuriteDeadLetters } from '../../faults/faultHelpers.js';
import { azuriteConnectionString, blobService, freshContainer, uniqueContainerName } from '../../helpers/storage.js';
import { recordedHooks } from '../../helpers/functionsCoreFake.js';
// The function file registers itself (and its shutdown hook) on import, as the host loads it.
import '../../../functions/scoreEvents.js';

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

  it('saves every partition’s unsaved state when flushed at shutdown, and says why when it cannot', async () => {
    const container = await freshContainer('stream-flush');
    const store = new BlobStateStore(container);
    const r = recorder();
    const handler = createScoreEventsHandler({
      // No save during the batches: an hour between saves.
      settings: settingsWith({ saveIntervalInMs: 3_600_000 }),
      profiles: { current: async () => transactionBaseline() },
      metrics: r.metrics,
      deadLetters: azuriteDeadLetters().sink,
      streamStates: store,
    });
    await handler(bodies(new TransactionGenerator(34), 0, 300), r.context());
    expect(await store.read(blobName('4'))).toBeUndefined();
    await handler.flush({ warn: (l) => r.lines.push(l), error: (l) => r.lines.push(l) });
    expect((await store.read(blobName('4')))!.value).toMatchObject({ events: 300 });

    const failing = new Error('storage down');
    const broken = createScoreEventsHandler({
      settings: settingsWith({ saveIntervalInMs: 3_600_000 }),
      profiles: { current: async () => transactionBaseline() },
      metrics: r.metrics,
      deadLetters: azuriteDeadLetters().sink,
      streamStates: {
        read: async () => undefined,
        create: () => Promise.reject(failing),
        replace: () => Promise.reject(failing),
        remove: () => Promise.reject(failing),
      },
    });
    await broken(bodies(new TransactionGenerator(35), 0, 100), r.context());
    const errors: string[] = [];
    await broken.flush({ warn: (l) => errors.push(l), error: (l) => errors.push(l) });
    expect(errors).toEqual([
      'Stream detectors went on in memory after saving the detector state of partition 4: storage down',
    ]);
  });

  it('flushes through the production handler, which the function file hooks to the host’s shutdown', async () => {
    // The production composition over Azurite: the profile blob, the detectors' state container.
    const baseline = await freshContainer('stream-prod-baseline');
    const profile = JSON.stringify(transactionBaseline());
    await baseline.getBlockBlobClient('profile.json').upload(profile, Buffer.byteLength(profile));
    const defaults = defaultSettings();
    const settings: Settings = {
      ...defaults,
      core: {
        ...defaults.core,
        storageConnection: 'TEST_STORAGE',
        baselineContainer: baseline.containerName,
        baselineBlob: 'profile.json',
      },
      scoring: { ...defaults.scoring, deadLetterContainer: uniqueContainerName('stream-prod-dead') },
      stream: {
        ...defaults.stream,
        stateContainer: uniqueContainerName('stream-prod-state'),
        saveIntervalInMs: 3_600_000,
      },
    };
    const handler = scoreEventsHandler(settings, { TEST_STORAGE: azuriteConnectionString() });
    const log = { warn: () => undefined, error: (l: string) => expect.fail(l) };
    // Before the first batch nothing is built, so nothing is saved.
    await handler.flush(log);
    const state = new BlobStateStore(blobService().getContainerClient(settings.stream.stateContainer));
    await handler(bodies(new TransactionGenerator(36), 0, 200), recorder().context());
    await handler.flush(log);
    expect((await state.read(blobName('4')))!.value).toMatchObject({ events: 200 });
    // The function file registered its shutdown hook; the host runs it with its own context.
    const hooks = recordedHooks('appTerminate');
    expect(hooks.length).toBeGreaterThanOrEqual(1);
    for (const hook of hooks) await hook.callback({ hookData: {}, appHookData: {} });
  });
});
