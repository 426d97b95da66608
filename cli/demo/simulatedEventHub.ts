import { partitionForKey } from './partitionForKey.js';
import type { TrafficEvent } from './trafficSource.js';

/** An event as the broker stored it: its partition, sequence number, offset and enqueued time. */
export interface SentEvent extends TrafficEvent {
  partitionId: string;
  sequenceNumber: number;
  offset: string;
  enqueuedTimeInMs: number;
}

export interface SimulatedEventHubOptions {
  partitions: number;
  /** Broker latency between the producer's send and the enqueued time. Default 25 ms. */
  enqueueLatencyInMs?: number;
}

// Bytes Event Hubs adds per event to the stream offset besides the body (headers, annotations); an estimate.
const OVERHEAD_IN_BYTES = 96;

/**
 * An event hub's partitions as the demo needs them: the partition key picks the partition (the service's hash), and
 * each partition numbers its events, advances its offset by the bytes stored and stamps a clock that never goes back.
 */
export class SimulatedEventHub {
  private readonly latency: number;
  private readonly sequence: number[];
  private readonly offset: number[];
  private readonly lastEnqueued: number[];

  constructor(private readonly options: SimulatedEventHubOptions) {
    this.latency = options.enqueueLatencyInMs ?? 25;
    this.sequence = new Array<number>(options.partitions).fill(0);
    this.offset = new Array<number>(options.partitions).fill(0);
    this.lastEnqueued = new Array<number>(options.partitions).fill(-Infinity);
  }

  /** Stores one event on the partition its key hashes to, or on `partitionId` when the sender chose one. */
  enqueue(event: TrafficEvent, partitionId?: string): SentEvent {
    const partition = partitionId ?? partitionForKey(event.partitionKey, this.options.partitions);
    const p = Number(partition);
    if (!Number.isInteger(p) || p < 0 || p >= this.options.partitions)
      throw new RangeError(`No partition "${partition}" in a hub of ${this.options.partitions}`);
    const enqueuedTimeInMs = Math.max(event.timeInMs + this.latency, this.lastEnqueued[p]!);
    this.lastEnqueued[p] = enqueuedTimeInMs;
    const sent: SentEvent = {
      ...event,
      partitionId: partition,
      sequenceNumber: this.sequence[p]!,
      offset: String(this.offset[p]!),
      enqueuedTimeInMs,
    };
    this.sequence[p]!++;
    this.offset[p]! += event.body.length + OVERHEAD_IN_BYTES;
    return sent;
  }
}
