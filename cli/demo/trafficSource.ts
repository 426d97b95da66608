import { createRandom, type Random } from '../../shared/baseline/random.js';
import { malformedBody, type MalformedKind } from '../../dev/synthetic/malformedBodies.js';
import { ProbingCaller } from '../../dev/synthetic/probingCaller.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';

/** One event as a producer sends it: the bytes on the wire, its partition key and application properties. */
export interface TrafficEvent {
  /** The event's id (in its body; of the event it was made from, for a broken body). */
  id: string;
  body: Buffer;
  /** The caller id: Event Hubs hashes it to a partition, so one caller's events stay in order on one partition. */
  partitionKey: string;
  /** When the producer sent it (the simulated clock, or the real one for `mrm send`). */
  timeInMs: number;
  kind: 'ordinary' | 'malformed' | 'probe';
  malformed?: MalformedKind;
  properties: Record<string, string>;
}

export interface TrafficSourceOptions {
  /** Ordinary callers (cardholders' terminals and apps), spread uniformly. */
  callers: number;
  /** Share of fraudulent transactions. Default 0.03. */
  fraudRate?: number;
  /** The caller id of the model-extraction attacker. */
  probeCallerId?: string;
}

/**
 * The traffic of the demo and of `mrm send`, one event at a time: ordinary transactions (with a drift strength),
 * broken bodies, and an attacker's probes. Seeded, so a run is reproducible.
 */
export class TrafficSource {
  private readonly transactions: TransactionGenerator;
  private readonly random: Random;
  private readonly prober: ProbingCaller;
  private counter = 0;

  constructor(
    seed: number,
    private readonly options: TrafficSourceOptions,
  ) {
    if (!Number.isInteger(options.callers) || options.callers < 1)
      throw new RangeError(`callers must be a whole number >= 1, got ${options.callers}`);
    this.transactions = new TransactionGenerator(seed);
    this.random = createRandom(seed ^ 0x5eed);
    this.prober = new ProbingCaller(options.probeCallerId ?? 'partner-api-7f3a');
  }

  get probeCallerId(): string {
    return this.prober.callerId;
  }

  /** An ordinary transaction, with data drift and the fraudsters' camouflage (concept drift) of given strengths. */
  ordinary(timeInMs: number, drift = 0, camouflage = 0): TrafficEvent {
    const callerId = this.callerId();
    const event = this.transactions.event(this.nextId(), callerId, producerTimestamp(timeInMs), {
      drift,
      camouflage,
      fraudRate: this.options.fraudRate ?? 0.03,
    });
    return {
      id: event.id,
      body: Buffer.from(JSON.stringify(event)),
      partitionKey: callerId,
      timeInMs,
      kind: 'ordinary',
      properties: { source: 'card-gateway' },
    };
  }

  malformed(timeInMs: number, kind?: MalformedKind): TrafficEvent {
    const callerId = this.callerId();
    const event = this.transactions.event(this.nextId(), callerId, producerTimestamp(timeInMs));
    const broken = malformedBody(this.random, event, kind);
    return {
      id: event.id,
      body: broken.body,
      partitionKey: callerId,
      timeInMs,
      kind: 'malformed',
      malformed: broken.kind,
      properties: { source: 'card-gateway' },
    };
  }

  probe(timeInMs: number): TrafficEvent {
    const event = this.prober.next(this.nextId(), producerTimestamp(timeInMs));
    return {
      id: event.id,
      body: Buffer.from(JSON.stringify(event)),
      partitionKey: this.prober.callerId,
      timeInMs,
      kind: 'probe',
      properties: { source: 'partner-api' },
    };
  }

  private callerId(): string {
    return `caller-${String(this.random.nextInt(this.options.callers)).padStart(5, '0')}`;
  }

  private nextId(): string {
    return `tx-${String(this.counter++).padStart(8, '0')}`;
  }
}

// Producers stamp events a few tens of milliseconds before the broker enqueues them.
function producerTimestamp(timeInMs: number): string {
  return new Date(timeInMs - 40).toISOString();
}
