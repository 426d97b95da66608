import { describe, expect, it } from 'vitest';
import { InvocationContext } from '@azure/functions';
import { recordedRegistration, triggerBinding } from '../../helpers/functionsCoreFake.js';
import { createScoreEventsHandler } from '../../../shared/compose/scoreEvents.js';
// The function file registers itself on import, as the host loads it.
import '../../../functions/scoreEvents.js';
import { BlobProfileSource } from '../../../shared/adapters/blobProfileSource.js';
import { defaultSettings } from '../../../shared/config/settings.js';
import { scorerFromSettings } from '../../../shared/adapters/scorerFromSettings.js';
import type { MetricKey } from '../../../shared/telemetry/monitoring.js';
import type { MetricsPort } from '../../../shared/telemetry/metricsPort.js';
import { freshContainer } from '../../helpers/storage.js';
import { goodBody, transactionBaseline } from '../../helpers/baselineFixture.js';
import { azuriteDeadLetters } from '../../faults/faultHelpers.js';

class RecordingMetrics implements MetricsPort {
  readonly counts: Partial<Record<MetricKey, number>> = {};
  readonly observed: Partial<Record<MetricKey, number[]>> = {};
  count(metric: MetricKey, value: number): void {
    this.counts[metric] = (this.counts[metric] ?? 0) + value;
  }
  observe(metric: MetricKey, value: number): void {
    (this.observed[metric] ??= []).push(value);
  }
}

function contextFor(count: number, partitionId = '0') {
  return new InvocationContext({
    invocationId: 'test',
    functionName: 'scoreEvents',
    triggerMetadata: {
      partitionContext: { partitionId, eventHubName: 'events', consumerGroup: 'scoreevents' },
      sequenceNumberArray: Array.from({ length: count }, (_, i) => i),
      offsetArray: Array.from({ length: count }, (_, i) => String(i * 100)),
      enqueuedTimeUtcArray: Array.from({ length: count }, () => '2026-11-10T12:00:00.000Z'),
      partitionKeyArray: Array.from({ length: count }, () => 'caller-1'),
    },
    logHandler: () => undefined,
  });
}

describe('scoreEvents registration', () => {
  it('is an Event Hub trigger on the events hub, batched, delivering bodies as bytes, returning to the scored hub, retried when dead letters cannot be stored', () => {
    const registration = recordedRegistration('scoreEvents');
    const trigger = triggerBinding(registration);
    expect(trigger).toMatchObject({
      type: 'eventHubTrigger',
      direction: 'in',
      eventHubName: 'events',
      connection: 'EventHubConnection',
      consumerGroup: 'scoreevents',
      cardinality: 'many',
      dataType: 'binary',
    });
    // Scored records are the return value; the handler stores dead letters itself (in parts, see test/faults).
    expect(registration.metadata.bindings.$return).toMatchObject({
      type: 'eventHub',
      direction: 'out',
      eventHubName: 'scored',
      connection: 'EventHubConnection',
    });
    expect(Object.values(registration.metadata.bindings).filter((b) => b.direction === 'out')).toHaveLength(1);
    expect(registration.metadata.retryOptions).toMatchObject({
      strategy: 'exponentialBackoff',
      maxRetryCount: -1,
      minimumInterval: { seconds: 5 },
      maximumInterval: { seconds: 300 },
    });
  });
});

describe('scoreEvents handler', () => {
  const profile = transactionBaseline();

  async function setUp() {
    const container = await freshContainer('baseline');
    await container
      .getBlockBlobClient('profile.json')
      .upload(JSON.stringify(profile), Buffer.byteLength(JSON.stringify(profile)));
    const metrics = new RecordingMetrics();
    const dead = azuriteDeadLetters();
    const handler = createScoreEventsHandler({
      settings: defaultSettings(),
      profiles: new BlobProfileSource(container, 'profile.json', { reloadCheckInMs: 0 }),
      metrics,
      deadLetters: dead.sink,
      clock: { nowInMs: () => Date.parse('2026-11-10T12:00:01Z') },
    });
    return { container, metrics, handler, dead };
  }

  it('scores a batch loaded from storage: scored records out, dead letters as JSON lines, telemetry per batch', async () => {
    const { handler, metrics, dead } = await setUp();
    // Bytes, as the binary trigger delivers them, beside the parsed objects and text other settings would give.
    const bodies = [
      Buffer.from(JSON.stringify(goodBody('a'))),
      { ...goodBody('b'), label: 0 },
      '{"id":"c","features":{}}',
      Buffer.from([0x7b, 0xff, 0x00]),
      Buffer.from('{"id":"d","features":{}}'),
    ];
    const context = contextFor(bodies.length, '2');
    const scored = await handler(bodies, context);
    const blobs = await dead.blobs();
    expect(blobs.map((b) => b.name)).toEqual(['2026/11/10/12/2-0-001.jsonl']);
    const deadLetters = await dead.letters();
    expect(scored.map((r) => [r.id, r.partition, r.decision])).toEqual([
      ['a', '2', 'ACCEPT'],
      ['b', '2', 'ACCEPT'],
    ]);
    expect(deadLetters.map((d) => [d.reason, d.id, d.metadata.sequenceNumber, d.bodyEncoding, d.body])).toEqual([
      ['EVENT.MISSING_FEATURE', 'c', 2, 'text', '{"id":"c","features":{}}'],
      ['EVENT.NOT_UTF8', null, 3, 'base64', Buffer.from([0x7b, 0xff, 0x00]).toString('base64')],
      ['EVENT.MISSING_FEATURE', 'd', 4, 'text', '{"id":"d","features":{}}'],
    ]);
    expect(metrics.counts).toMatchObject({ events: 5, accepted: 2, deadLettered: 3, labelled: 1 });
    expect(metrics.observed.accuracy).toEqual([1]);
    expect(metrics.observed.deadLetterRate).toEqual([0.6]);
  });

  it('accepts a single event (cardinality one) as a batch of one', async () => {
    const { handler } = await setUp();
    const context = contextFor(1);
    expect((await handler(goodBody('solo'), context)).map((r) => r.id)).toEqual(['solo']);
  });

  it('reloads the profile when its blob changes (ETag), and scores with the new version', async () => {
    const { handler, container } = await setUp();
    const [before] = await handler([goodBody('before')], contextFor(1));
    const newer = transactionBaseline(3000, 11);
    await container
      .getBlockBlobClient('profile.json')
      .upload(JSON.stringify(newer), Buffer.byteLength(JSON.stringify(newer)));
    const [after] = await handler([goodBody('after')], contextFor(1));
    expect(before!.profileVersion).toBe(profile.profileVersion);
    expect(after!.profileVersion).toBe(newer.profileVersion);
    expect(after!.profileVersion).not.toBe(before!.profileVersion);
  });

  it('keeps the last good profile when a broken one is uploaded', async () => {
    const { handler, container } = await setUp();
    await handler([goodBody('warm')], contextFor(1));
    await container.getBlockBlobClient('profile.json').upload('{"truncated":', 13);
    const [scored] = await handler([goodBody('still-scored')], contextFor(1));
    expect(scored!.profileVersion).toBe(profile.profileVersion);
  });

  it('dead-letters the whole batch, replayable, when no profile exists yet: nothing is lost', async () => {
    const container = await freshContainer('empty');
    const metrics = new RecordingMetrics();
    const dead = azuriteDeadLetters();
    const handler = createScoreEventsHandler({
      settings: defaultSettings(),
      profiles: new BlobProfileSource(container, 'profile.json', { reloadCheckInMs: 0 }),
      metrics,
      deadLetters: dead.sink,
    });
    const context = contextFor(2);
    const scored = await handler([goodBody('a'), goodBody('b')], context);
    const letters = await dead.letters();
    expect(letters.map((l) => [l.id, l.reason, l.replayable])).toEqual([
      ['a', 'PROFILE.UNAVAILABLE', true],
      ['b', 'PROFILE.UNAVAILABLE', true],
    ]);
    expect(letters[0]!.message).toContain(`${container.containerName}/profile.json could not be read`);
    expect(scored).toEqual([]);
    expect(metrics.counts).toMatchObject({ events: 2, deadLettered: 2 });
  });
});

describe('scoreEvents with a broken scorer setup', () => {
  it('dead-letters the batch as SCORER.UNAVAILABLE when the aml scorer cannot be built, naming why', async () => {
    const profile = transactionBaseline();
    const dead = azuriteDeadLetters();
    const settings = defaultSettings({
      MRM_SCORER: 'aml',
      MRM_AML_ENDPOINT_URL: 'http://127.0.0.1:9/score',
      MRM_AML_CLASSES: 'fraud',
    });
    const handler = createScoreEventsHandler({
      settings,
      profiles: { current: async () => profile },
      metrics: new RecordingMetrics(),
      deadLetters: dead.sink,
      scorer: scorerFromSettings(settings, {}),
    });
    await handler([goodBody('a')], contextFor(1));
    const [letter] = await dead.letters();
    expect([letter!.reason, letter!.replayable, letter!.message]).toEqual([
      'SCORER.UNAVAILABLE',
      true,
      "The aml scorer needs at least two distinct class names (MRM_AML_CLASSES or the profile's), got [fraud]",
    ]);
  });
});
