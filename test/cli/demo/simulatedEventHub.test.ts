import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HostBatcher } from '../../../cli/demo/hostBatcher.js';
import { partitionForKey } from '../../../cli/demo/partitionForKey.js';
import { SimulatedEventHub, type SentEvent } from '../../../cli/demo/simulatedEventHub.js';
import type { TrafficEvent } from '../../../cli/demo/trafficSource.js';

const event = (key: string, timeInMs: number, body = `{"k":"${key}"}`): TrafficEvent => ({
  body: Buffer.from(body),
  partitionKey: key,
  timeInMs,
  id: 'e-1',
  kind: 'ordinary',
  properties: {},
});

describe('SimulatedEventHub', () => {
  it('puts each key on the partition the service hashes it to, numbering and offsetting each partition on its own', () => {
    const hub = new SimulatedEventHub({ partitions: 4 });
    const keys = ['caller-00001', 'caller-00002', 'caller-00003', 'caller-00004', 'caller-00005', 'caller-00006'];
    const sent = keys.flatMap((key, i) => [hub.enqueue(event(key, 1000 + i)), hub.enqueue(event(key, 2000 + i, '{}'))]);
    for (const s of sent) expect(s.partitionId).toBe(partitionForKey(s.partitionKey, 4));
    const byPartition = new Map<string, SentEvent[]>();
    for (const s of sent) byPartition.set(s.partitionId, [...(byPartition.get(s.partitionId) ?? []), s]);
    for (const events of byPartition.values()) {
      events.forEach((s, i) => expect(s.sequenceNumber).toBe(i));
      for (let i = 1; i < events.length; i++) {
        // The offset advances by the stored bytes of the previous event: its body plus the broker's per-event overhead.
        expect(Number(events[i]!.offset) - Number(events[i - 1]!.offset)).toBe(events[i - 1]!.body.length + 96);
      }
    }
  });

  it('stamps the enqueued time after the send, never going back within a partition', () => {
    const hub = new SimulatedEventHub({ partitions: 1, enqueueLatencyInMs: 25 });
    expect(hub.enqueue(event('a', 1000)).enqueuedTimeInMs).toBe(1025);
    // A producer whose clock lags: the broker's time still moves forward.
    expect(hub.enqueue(event('b', 900)).enqueuedTimeInMs).toBe(1025);
    expect(hub.enqueue(event('c', 2000)).enqueuedTimeInMs).toBe(2025);
  });

  it('stores on the partition a sender chose, and refuses one the hub does not have', () => {
    const hub = new SimulatedEventHub({ partitions: 4 });
    expect(hub.enqueue(event('x', 0), '3').partitionId).toBe('3');
    expect(() => hub.enqueue(event('x', 0), '4')).toThrow('No partition "4" in a hub of 4');
  });
});

describe('HostBatcher', () => {
  it('hands over full batches of one partition, in order, and the rest when drained: every event exactly once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 50 })), { maxLength: 600 }),
        fc.integer({ min: 1, max: 40 }),
        (draws, size) => {
          const hub = new SimulatedEventHub({ partitions: 4 });
          const batcher = new HostBatcher(size);
          const batches = [];
          const stored: SentEvent[] = [];
          let time = 0;
          for (const [caller, gap] of draws) {
            time += gap;
            const sent = hub.enqueue(event(`caller-${caller}`, time));
            stored.push(sent);
            const batch = batcher.add(sent);
            if (batch) {
              expect(batch.events).toHaveLength(size);
              batches.push(batch);
            }
          }
          const rest = batcher.drain();
          for (const b of rest) expect(b.events.length).toBeLessThan(size);
          expect(batcher.drain()).toEqual([]);
          const all = [...batches, ...rest];
          for (const b of all) for (const e of b.events) expect(e.partitionId).toBe(b.partitionId);
          // Per partition, batches concatenated are exactly the partition's events in sequence order.
          for (const p of ['0', '1', '2', '3']) {
            const seen = all.filter((b) => b.partitionId === p).flatMap((b) => b.events.map((e) => e.sequenceNumber));
            expect(seen).toEqual(stored.filter((s) => s.partitionId === p).map((s) => s.sequenceNumber));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a batch size that is not a positive whole number', () => {
    expect(() => new HostBatcher(0)).toThrow('maxBatchSize must be a whole number >= 1, got 0');
  });
});
