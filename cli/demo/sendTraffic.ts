import { createRandom } from '../../shared/baseline/random.js';
import { TrafficSource, type TrafficEvent } from './trafficSource.js';
import type { Clock } from '../../shared/contracts/clock.js';

/** Events of one partition key, in order: the sender puts them in batches created with that key. */
export interface KeyedEvents {
  partitionKey: string;
  events: TrafficEvent[];
}

/** Where `mrm send` sends to: an Event Hub (real or the emulator) through @azure/event-hubs, or a test's fake. */
export interface EventSender {
  /** Sends every group (one batch per key, split when full); answers how many batches went out. Throws on faults. */
  send(groups: readonly KeyedEvents[]): Promise<{ batches: number }>;
}

/** The one clock, and a way to wait on it (the sender paces itself). */
export interface SendClock extends Clock {
  sleep(ms: number): Promise<void>;
}

export interface SendOptions {
  events: number;
  /** Events per second at most; 0 sends as fast as the hub accepts. */
  ratePerSecond: number;
  /** Events gathered before a send (then grouped by partition key). */
  chunkSize: number;
  seed: number;
  /** Ordinary callers; fewer callers make fuller batches. */
  callers: number;
  /** Drift strength in [0, 1] applied from event `driftAfter` on (0: the training distribution). */
  drift: number;
  driftAfter: number;
  /** Share of broken bodies (dead-letter material). */
  malformedShare: number;
  /** Probes of the model-extraction attacker, spread evenly through the run. */
  probes: number;
}

export interface SendReport {
  sent: number;
  batches: number;
  sends: number;
  kinds: Record<TrafficEvent['kind'], number>;
  partitionKeys: number;
  elapsedInMs: number;
}

/**
 * `mrm send`: the demo's generator, live. Gathers `chunkSize` events (ordinary, drifted after `driftAfter`, broken
 * ones and the attacker's probes, mixed as asked), groups them by partition key (the caller id, so one caller's
 * events stay in order on one partition), sends, and then waits as long as the rate limit requires.
 */
export async function sendTraffic(
  sender: EventSender,
  clock: SendClock,
  options: SendOptions,
  onProgress?: (report: SendReport) => void,
): Promise<SendReport> {
  checkOptions(options);
  const source = new TrafficSource(options.seed, { callers: options.callers });
  const random = createRandom(options.seed + 1);
  const startedAt = clock.nowInMs();
  const keys = new Set<string>();
  const report: SendReport = {
    sent: 0,
    batches: 0,
    sends: 0,
    kinds: { ordinary: 0, malformed: 0, probe: 0 },
    partitionKeys: 0,
    elapsedInMs: 0,
  };

  for (let start = 0; start < options.events; start += options.chunkSize) {
    const end = Math.min(options.events, start + options.chunkSize);
    const now = clock.nowInMs();
    const chunk: TrafficEvent[] = [];
    for (let i = start; i < end; i++) {
      // Probe i lands where i * probes / events crosses a whole number: evenly spread, exactly `probes` of them.
      const probe =
        Math.floor(((i + 1) * options.probes) / options.events) > Math.floor((i * options.probes) / options.events);
      const event = probe
        ? source.probe(now)
        : random.nextFloat() < options.malformedShare
          ? source.malformed(now)
          : source.ordinary(now, i >= options.driftAfter ? options.drift : 0);
      chunk.push(event);
      report.kinds[event.kind]++;
      keys.add(event.partitionKey);
    }
    const { batches } = await sender.send(groupByKey(chunk));
    report.sent += chunk.length;
    report.batches += batches;
    report.sends++;
    report.partitionKeys = keys.size;
    report.elapsedInMs = clock.nowInMs() - startedAt;
    onProgress?.({ ...report, kinds: { ...report.kinds } });
    if (options.ratePerSecond > 0) {
      const dueInMs = startedAt + (report.sent / options.ratePerSecond) * 1000;
      const wait = dueInMs - clock.nowInMs();
      if (wait > 0) await clock.sleep(wait);
    }
  }
  report.elapsedInMs = clock.nowInMs() - startedAt;
  return report;
}

/** Groups by partition key, keeping each key's events in order and the keys in order of first appearance. */
export function groupByKey(events: readonly TrafficEvent[]): KeyedEvents[] {
  const groups = new Map<string, TrafficEvent[]>();
  for (const event of events) {
    let group = groups.get(event.partitionKey);
    if (!group) groups.set(event.partitionKey, (group = []));
    group.push(event);
  }
  return [...groups.entries()].map(([partitionKey, grouped]) => ({ partitionKey, events: grouped }));
}

function checkOptions(o: SendOptions): void {
  const problems: string[] = [];
  const whole = (name: string, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min)
      problems.push(`${name} must be a whole number >= ${min}, got ${value}`);
  };
  whole('events', o.events, 1);
  whole('chunkSize', o.chunkSize, 1);
  whole('callers', o.callers, 1);
  whole('driftAfter', o.driftAfter, 0);
  whole('probes', o.probes, 0);
  if (!(o.ratePerSecond >= 0) || !Number.isFinite(o.ratePerSecond))
    problems.push(`ratePerSecond must be a number >= 0, got ${o.ratePerSecond}`);
  if (!(o.drift >= 0 && o.drift <= 1)) problems.push(`drift must be in [0, 1], got ${o.drift}`);
  if (!(o.malformedShare >= 0 && o.malformedShare <= 1))
    problems.push(`malformedShare must be in [0, 1], got ${o.malformedShare}`);
  if (o.probes > o.events) problems.push(`probes (${o.probes}) cannot exceed events (${o.events})`);
  if (problems.length > 0) throw new RangeError(problems.join('; '));
}
