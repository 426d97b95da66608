import type { SentEvent } from './simulatedEventHub.js';

/** What the Functions host hands scoreEvents in one invocation: consecutive events of one partition. */
export interface HostBatch {
  partitionId: string;
  events: SentEvent[];
}

/**
 * The Functions host's Event Hubs consumer for the demo: one reader per partition handing over batches of
 * `maxBatchSize` events in partition order (host.json `maxEventBatchSize`, 100), as it does when it reads a backlog.
 */
export class HostBatcher {
  private readonly pending = new Map<string, SentEvent[]>();

  constructor(private readonly maxBatchSize = 100) {
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1)
      throw new RangeError(`maxBatchSize must be a whole number >= 1, got ${maxBatchSize}`);
  }

  /** Takes one stored event; answers its partition's batch when this event filled it. */
  add(event: SentEvent): HostBatch | undefined {
    let events = this.pending.get(event.partitionId);
    if (!events) this.pending.set(event.partitionId, (events = []));
    events.push(event);
    if (events.length < this.maxBatchSize) return undefined;
    this.pending.delete(event.partitionId);
    return { partitionId: event.partitionId, events };
  }

  /** The partly filled batches left at the end, in partition order. */
  drain(): HostBatch[] {
    const batches = [...this.pending.entries()]
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([partitionId, events]) => ({ partitionId, events }));
    this.pending.clear();
    return batches;
  }
}
