import { errorMessage } from '../errors.js';
import type { ScoredRecord } from '../contracts/records.js';
import type { Clock } from '../contracts/clock.js';
import type { StateStore } from '../retraining/ports.js';
import type { StreamBaseline } from './baselineReference.js';
import { StreamMonitor, type AccuracyEstimate, type StreamAlarm, type StreamMonitorOptions } from './streamMonitor.js';
import type { StreamState } from './streamState.js';
import type { AlarmLog } from './alarmLog.js';

interface Held {
  state: StreamState;
  /** The ETag this instance last read or wrote; null when no blob existed (the next save creates it). */
  etag: string | null;
  savedAtInMs: number;
  /** Events folded in since the last save. */
  unsaved: number;
}

export interface PartitionObservation {
  alarms: StreamAlarm[];
  estimates: AccuracyEstimate[];
  /** Saves refused because another instance wrote first: that instance's state was adopted. */
  conflicts: number;
  /** Partitions whose stored state could not be used and started afresh (missing, another profile's, unreadable). */
  freshStarts: string[];
  /** Storage failures: the detectors went on in memory, the batch was not failed for them. */
  problems: string[];
}

/**
 * The stream detectors of every partition this instance scores. A partition's state is read from the store the first
 * time the partition is seen (so it is restored when the partition moves here), folded in memory batch by batch,
 * and saved at most every `saveIntervalInMs` with the ETag it was read or last written with: when two instances hold
 * the same partition during a rebalance, only one write wins; the other re-reads the winner's state and goes on from
 * it (its own evidence since its last save is dropped: delay, never a false alarm). Storage never fails a batch.
 */
export class PartitionDetectors {
  private monitor: StreamMonitor | undefined;
  private readonly held = new Map<string, Held>();

  constructor(
    private readonly store: StateStore,
    private readonly options: StreamMonitorOptions & { saveIntervalInMs: number },
    private readonly clock: Clock,
    /** Where every page is recorded for the weekly report; absent: pages are only metered and logged. */
    private readonly alarmLog?: AlarmLog,
  ) {}

  async observe(profile: StreamBaseline, records: readonly ScoredRecord[]): Promise<PartitionObservation> {
    if (this.monitor?.profile.profileVersion !== profile.profileVersion) {
      // A new baseline: its rates and thresholds differ, so every state starts over against it.
      this.monitor = new StreamMonitor(profile, this.options);
      this.held.clear();
    }
    const monitor = this.monitor;
    const out: PartitionObservation = { alarms: [], estimates: [], conflicts: 0, freshStarts: [], problems: [] };
    for (const [partition, batch] of byPartition(records)) {
      const held = this.held.get(partition) ?? (await this.load(monitor, partition, out));
      this.held.set(partition, held);
      const observed = monitor.observe(held.state, batch, partition);
      out.alarms.push(...observed.alarms);
      if (observed.alarms.length > 0 && this.alarmLog) await this.record(partition, observed.alarms, out);
      out.estimates.push(...observed.estimates);
      held.unsaved += batch.length;
      if (this.clock.nowInMs() - held.savedAtInMs >= this.options.saveIntervalInMs)
        await this.save(monitor, partition, held, out);
    }
    return out;
  }

  /** Saves every partition's unsaved state now (at shutdown, or in tests). */
  async flush(): Promise<PartitionObservation> {
    const out: PartitionObservation = { alarms: [], estimates: [], conflicts: 0, freshStarts: [], problems: [] };
    if (!this.monitor) return out;
    for (const [partition, held] of this.held)
      if (held.unsaved > 0) await this.save(this.monitor, partition, held, out);
    return out;
  }

  private async record(partition: string, alarms: StreamAlarm[], out: PartitionObservation): Promise<void> {
    const raisedAt = new Date(this.clock.nowInMs()).toISOString();
    try {
      await this.alarmLog!.append(
        partition,
        alarms.map((a) => ({ ...a, raisedAt })),
      );
    } catch (error) {
      out.problems.push(`recording the alarms of partition ${partition}: ${errorMessage(error)}`);
    }
  }

  private async load(monitor: StreamMonitor, partition: string, out: PartitionObservation): Promise<Held> {
    const now = this.clock.nowInMs();
    try {
      const stored = await this.store.read(blobName(partition));
      const { state, restored } = monitor.restore(stored?.value);
      if (!restored) out.freshStarts.push(partition);
      return { state, etag: stored?.etag ?? null, savedAtInMs: now, unsaved: 0 };
    } catch (error) {
      out.problems.push(`reading the detector state of partition ${partition}: ${errorMessage(error)}`);
      out.freshStarts.push(partition);
      // Unknown whether a blob exists: the first save tries to create one, and a conflict then reads it.
      return { state: monitor.fresh(), etag: null, savedAtInMs: now, unsaved: 0 };
    }
  }

  private async save(monitor: StreamMonitor, partition: string, held: Held, out: PartitionObservation): Promise<void> {
    const name = blobName(partition);
    held.savedAtInMs = this.clock.nowInMs();
    try {
      const written =
        held.etag === null
          ? await this.store.create(name, held.state)
          : await this.store.replace(name, held.state, held.etag);
      if (written.ok) {
        held.etag = written.etag;
        held.unsaved = 0;
        return;
      }
      out.conflicts++;
      const stored = await this.store.read(name);
      const { state } = monitor.restore(stored?.value);
      held.state = state;
      held.etag = stored?.etag ?? null;
      held.unsaved = 0;
    } catch (error) {
      out.problems.push(`saving the detector state of partition ${partition}: ${errorMessage(error)}`);
    }
  }
}

export function blobName(partition: string): string {
  return `partitions/${encodeURIComponent(partition)}.json`;
}

function byPartition(records: readonly ScoredRecord[]): Map<string, ScoredRecord[]> {
  const groups = new Map<string, ScoredRecord[]>();
  for (const r of records) {
    const key = r.partition ?? 'unknown';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = []));
    group.push(r);
  }
  return groups;
}
