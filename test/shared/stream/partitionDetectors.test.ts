import { describe, expect, it } from 'vitest';
import { BlobServiceClient } from '@azure/storage-blob';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { PartitionDetectors, blobName } from '../../../shared/stream/partitionDetectors.js';
import { StreamMonitor, type StreamAlarm, type StreamMonitorOptions } from '../../../shared/stream/streamMonitor.js';
import type { ScoredRecord } from '../../../shared/contracts/records.js';
import { ScoredStream, syntheticStreamBaseline, type StreamScenario } from '../../../dev/synthetic/scoredStream.js';
import { freshContainer } from '../../helpers/storage.js';
import { BlobAlarmLog } from '../../../shared/adapters/blobAlarmLog.js';

const OPTIONS: StreamMonitorOptions & { saveIntervalInMs: number } = {
  windowEvents: 1000,
  minDrop: 0.05,
  falseAlarmBudgetInEvents: 10_000_000,
  referenceEvents: 2000,
  shift: 0.05,
  saveIntervalInMs: 0,
};
const baseline = syntheticStreamBaseline(20_000, 101);
const drifting: StreamScenario = { seed: 21, extraError: (i) => (i >= 4000 ? 0.13 : 0) };

function batches(scenario: StreamScenario, count: number, size: number, partition = '0'): ScoredRecord[][] {
  const stream = new ScoredStream(scenario);
  return Array.from({ length: count }, () =>
    Array.from({ length: size }, () => ({ ...stream.next().record, partition })),
  );
}

const clock = () => {
  let t = 0;
  return { nowInMs: () => t, advance: (ms: number) => (t += ms) };
};

describe('PartitionDetectors on blob storage', () => {
  it('saves each partition with its ETag and restores it where the partition moves, as if it never moved', async () => {
    const store = new BlobStateStore(await freshContainer('stream-move'));
    const all = batches(drifting, 12, 500);
    // One instance over the whole stream, in memory.
    const monitor = new StreamMonitor(baseline, OPTIONS);
    const state = monitor.fresh();
    const expected = all.flatMap((b) => monitor.observe(state, b, '0').alarms);
    expect(expected.length).toBeGreaterThan(0);
    // Two instances: the partition moves from the first to the second after six batches.
    const first = new PartitionDetectors(store, OPTIONS, clock());
    const second = new PartitionDetectors(store, OPTIONS, clock());
    const alarms: StreamAlarm[] = [];
    for (const b of all.slice(0, 6)) alarms.push(...(await first.observe(baseline, b)).alarms);
    const picked = await second.observe(baseline, all[6]!);
    expect(picked.freshStarts).toEqual([]);
    alarms.push(...picked.alarms);
    for (const b of all.slice(7)) alarms.push(...(await second.observe(baseline, b)).alarms);
    expect(alarms).toEqual(expected);
    const stored = await store.read(blobName('0'));
    expect((stored!.value as { events: number }).events).toBe(6000);
  });

  it('lets only one of two instances holding a partition write; the other adopts its state and goes on', async () => {
    const store = new BlobStateStore(await freshContainer('stream-race'));
    const [b1, b2, b3] = batches({ seed: 22 }, 3, 500);
    const time = clock();
    const options = { ...OPTIONS, saveIntervalInMs: 1000 };
    const a = new PartitionDetectors(store, options, time);
    const b = new PartitionDetectors(store, options, time);
    const events = async () => ((await store.read(blobName('0')))!.value as { events: number }).events;
    // During a rebalance both pick the partition up before either has written: both will try to create its blob.
    await a.observe(baseline, b1!);
    await b.observe(baseline, b2!);
    time.advance(1000);
    expect((await a.observe(baseline, b3!)).conflicts).toBe(0);
    expect(await events()).toBe(1000);
    const racing = await b.observe(baseline, b3!);
    expect(racing.conflicts).toBe(1);
    // b's write was refused: the blob keeps a's 1000 events, and b now holds a's state with its ETag.
    expect(await events()).toBe(1000);
    time.advance(1000);
    expect((await b.observe(baseline, b1!)).conflicts).toBe(0);
    expect(await events()).toBe(1500);
    // a's ETag is stale now: its next write conflicts and it adopts b's state in turn.
    expect((await a.observe(baseline, b2!)).conflicts).toBe(1);
    expect(await events()).toBe(1500);
  });

  it('saves no more often than the interval, and flush saves what is left', async () => {
    const store = new BlobStateStore(await freshContainer('stream-interval'));
    const time = clock();
    const detectors = new PartitionDetectors(store, { ...OPTIONS, saveIntervalInMs: 30_000 }, time);
    const [b1, b2] = batches({ seed: 23 }, 2, 100);
    await detectors.observe(baseline, b1!);
    expect(await store.read(blobName('0'))).toBeUndefined();
    time.advance(30_000);
    await detectors.observe(baseline, b2!);
    expect(((await store.read(blobName('0')))!.value as { events: number }).events).toBe(200);
    await detectors.observe(baseline, b1!);
    await detectors.flush();
    expect(((await store.read(blobName('0')))!.value as { events: number }).events).toBe(300);
  });

  it('starts afresh from a stored blob that is not a state of this profile, and keeps partitions apart', async () => {
    const container = await freshContainer('stream-garbage');
    const store = new BlobStateStore(container);
    await store.create(blobName('1'), { version: 1, profileVersion: 'another' });
    const detectors = new PartitionDetectors(store, OPTIONS, clock());
    const records = [...batches({ seed: 24 }, 1, 50, '1')[0]!, ...batches({ seed: 25 }, 1, 70, '2')[0]!];
    const observed = await detectors.observe(baseline, records);
    expect(observed.freshStarts.sort()).toEqual(['1', '2']);
    // The garbage blob was replaced under its ETag; partition 2's was created.
    expect(((await store.read(blobName('1')))!.value as { events: number }).events).toBe(50);
    expect(((await store.read(blobName('2')))!.value as { events: number }).events).toBe(70);
  });

  it('starts every partition over when the baseline changes', async () => {
    const store = new BlobStateStore(await freshContainer('stream-profile'));
    const detectors = new PartitionDetectors(store, OPTIONS, clock());
    const [b1] = batches({ seed: 26 }, 1, 100);
    await detectors.observe(baseline, b1!);
    const other = syntheticStreamBaseline(20_000, 102);
    const observed = await detectors.observe(other, b1!);
    expect(observed.freshStarts).toEqual(['0']);
    expect((await store.read(blobName('0')))!.value).toMatchObject({
      profileVersion: other.profileVersion,
      events: 100,
    });
  });

  it('goes on in memory and says so when storage cannot be reached, and the alarms still come', async () => {
    const unreachable = BlobServiceClient.fromConnectionString(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;',
      { retryOptions: { maxTries: 1 } },
    );
    const detectors = new PartitionDetectors(
      new BlobStateStore(unreachable.getContainerClient('streamstate')),
      OPTIONS,
      clock(),
    );
    const alarms: StreamAlarm[] = [];
    const problems: string[] = [];
    for (const b of batches(drifting, 12, 500)) {
      const observed = await detectors.observe(baseline, b);
      alarms.push(...observed.alarms);
      problems.push(...observed.problems);
    }
    expect(problems[0]).toMatch(/^reading the detector state of partition 0: /);
    expect(problems.slice(1).every((p) => p.startsWith('saving the detector state of partition 0: '))).toBe(true);
    expect(alarms.some((a) => a.detector === 'errorCusum')).toBe(true);
  });

  it('records every page in the alarm log with when it was raised, and goes on when the log fails', async () => {
    const container = await freshContainer('stream-alarm-log');
    const store = new BlobStateStore(container);
    const log = new BlobAlarmLog(container);
    const time = clock();
    time.advance(Date.UTC(2026, 10, 17, 9));
    const detectors = new PartitionDetectors(store, OPTIONS, time, log);
    const raised: StreamAlarm[] = [];
    for (const b of batches(drifting, 12, 500, '7')) {
      time.advance(60_000);
      raised.push(...(await detectors.observe(baseline, b)).alarms);
    }
    expect(raised.length).toBeGreaterThan(0);
    const { alarms } = await log.between(Date.UTC(2026, 10, 17), Date.UTC(2026, 10, 18), 100);
    expect(alarms.map(({ raisedAt: _, ...a }) => a)).toEqual(raised);
    for (const a of alarms) expect(Date.parse(a.raisedAt)).toBeGreaterThan(Date.UTC(2026, 10, 17, 9));

    const failing = new PartitionDetectors(
      new BlobStateStore(await freshContainer('stream-alarm-fail')),
      OPTIONS,
      clock(),
      {
        append: () => Promise.reject(new Error('append refused')),
      },
    );
    const problems: string[] = [];
    const pages: StreamAlarm[] = [];
    for (const b of batches(drifting, 12, 500, '8')) {
      const observed = await failing.observe(baseline, b);
      problems.push(...observed.problems);
      pages.push(...observed.alarms);
    }
    expect(pages.length).toBe(raised.length);
    expect(problems[0]).toBe('recording the alarms of partition 8: append refused');
  });
});
