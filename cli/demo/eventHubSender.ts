import { EventHubProducerClient, type EventData, type EventDataBatch } from '@azure/event-hubs';
import type { TokenCredential } from '@azure/identity';
import type { EventSender, KeyedEvents } from './sendTraffic.js';
import { fail, ok, errorMessage, type Result } from '../../shared/errors.js';
import { mapWithConcurrency } from '../../shared/concurrency/mapWithConcurrency.js';

/** Where to send: a connection string (the emulator's, or a SAS one), or a namespace reached with an Entra identity. */
export type EventHubTarget =
  | { kind: 'connectionString'; connectionString: string; eventHub?: string | undefined }
  | { kind: 'identity'; fullyQualifiedNamespace: string; eventHub: string; credential: TokenCredential };

export interface EventHubSenderOptions {
  /** Partition-key groups sent at once. Default 8. */
  concurrency?: number;
  /** Per operation, including connecting. Default 30,000 ms. */
  timeoutInMs?: number;
  /** SDK retries per operation. Default 3. */
  maxRetries?: number;
}

/**
 * The EventSender over `@azure/event-hubs`: one batch per partition key (created with the key, so the service
 * hashes it to the partition and stamps it on each event), split whenever a batch is full. Known faults (a
 * malformed connection string, a missing hub name, an unreachable or refusing endpoint) become clear errors that
 * name what to fix.
 */
export class EventHubSender implements EventSender {
  private constructor(
    private readonly producer: EventHubProducerClient,
    private readonly endpoint: string,
    private readonly concurrency: number,
  ) {}

  /** The sender, or SEND.BAD_CONNECTION_STRING / SEND.NO_EVENT_HUB when the target cannot describe a hub. */
  static open(target: EventHubTarget, options: EventHubSenderOptions = {}): Result<EventHubSender> {
    const clientOptions = {
      retryOptions: { maxRetries: options.maxRetries ?? 3, timeoutInMs: options.timeoutInMs ?? 30_000 },
    };
    try {
      if (target.kind === 'identity') {
        const producer = new EventHubProducerClient(
          target.fullyQualifiedNamespace,
          target.eventHub,
          target.credential,
          clientOptions,
        );
        return ok(
          new EventHubSender(
            producer,
            `${target.fullyQualifiedNamespace}/${target.eventHub}`,
            options.concurrency ?? 8,
          ),
        );
      }
      const endpoint = describeConnectionString(target.connectionString);
      if (!endpoint.ok) return endpoint;
      if (!target.eventHub && !endpoint.value.entityPath) {
        return fail(
          'configuration',
          'SEND.NO_EVENT_HUB',
          'No Event Hub named: pass --hub <name> or use a connection string with EntityPath=<hub>',
        );
      }
      const producer = target.eventHub
        ? new EventHubProducerClient(target.connectionString, target.eventHub, clientOptions)
        : new EventHubProducerClient(target.connectionString, clientOptions);
      return ok(
        new EventHubSender(
          producer,
          `${endpoint.value.host}/${target.eventHub ?? endpoint.value.entityPath}`,
          options.concurrency ?? 8,
        ),
      );
    } catch (error) {
      return fail(
        'configuration',
        'SEND.BAD_CONNECTION_STRING',
        `The Event Hubs connection string is not usable: ${errorMessage(error)}`,
      );
    }
  }

  async send(groups: readonly KeyedEvents[]): Promise<{ batches: number }> {
    const counts = await mapWithConcurrency(groups, this.concurrency, (group) =>
      this.sendGroup(group).catch((error: unknown) => Promise.reject(this.explain(error))),
    );
    return { batches: counts.reduce((sum, n) => sum + n, 0) };
  }

  close(): Promise<void> {
    return this.producer.close();
  }

  private async sendGroup(group: KeyedEvents): Promise<number> {
    let batches = 0;
    let batch: EventDataBatch = await this.producer.createBatch({ partitionKey: group.partitionKey });
    for (const event of group.events) {
      const data: EventData = {
        body: event.body,
        properties: event.properties,
        ...(event.kind === 'malformed' ? {} : { contentType: 'application/json' }),
      };
      if (batch.tryAdd(data)) continue;
      if (batch.count === 0)
        throw new SendError(
          'SEND.EVENT_TOO_LARGE',
          `An event of ${event.body.length} bytes does not fit in an empty batch (at most ${batch.maxSizeInBytes} bytes)`,
        );
      await this.producer.sendBatch(batch);
      batches++;
      batch = await this.producer.createBatch({ partitionKey: group.partitionKey });
      if (!batch.tryAdd(data))
        throw new SendError(
          'SEND.EVENT_TOO_LARGE',
          `An event of ${event.body.length} bytes does not fit in an empty batch (at most ${batch.maxSizeInBytes} bytes)`,
        );
    }
    if (batch.count > 0) {
      await this.producer.sendBatch(batch);
      batches++;
    }
    return batches;
  }

  private explain(error: unknown): Error {
    if (error instanceof SendError) return error;
    const code =
      typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
    const message = errorMessage(error);
    if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ECONNRESET/.test(`${code} ${message}`)) {
      return new SendError(
        'SEND.UNREACHABLE',
        `Cannot reach Event Hubs at ${this.endpoint} (${code || 'network error'}): is the emulator running (docker compose up -d) or the namespace right? ${message}`,
        error,
      );
    }
    if (/Unauthorized|401|403|InvalidSignature|claims|Put token failed/i.test(`${code} ${message}`)) {
      return new SendError(
        'SEND.UNAUTHORIZED',
        `Event Hubs refused the credentials for ${this.endpoint}: check the key, or grant the identity "Azure Event Hubs Data Sender". ${message}`,
        error,
      );
    }
    if (/MessagingEntityNotFound|could not be found|not found/i.test(`${code} ${message}`)) {
      return new SendError(
        'SEND.NO_EVENT_HUB',
        `No Event Hub at ${this.endpoint}: check --hub (the emulator's Config.json declares "events" and "scored"). ${message}`,
        error,
      );
    }
    return error instanceof Error ? error : new Error(message);
  }
}

/** A send failure with a stable code (the CLI prints it). */
export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SendError';
  }
}

/** Checks the connection string's shape before the SDK does, so the message says which part is wrong. */
function describeConnectionString(text: string): Result<{ host: string; entityPath: string | undefined }> {
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    if (piece.trim() === '') continue;
    const at = piece.indexOf('=');
    if (at <= 0)
      return fail(
        'configuration',
        'SEND.BAD_CONNECTION_STRING',
        `The Event Hubs connection string is malformed near "${piece.slice(0, 24)}": expected Key=Value pairs separated by ";"`,
      );
    parts.set(piece.slice(0, at).trim().toLowerCase(), piece.slice(at + 1).trim());
  }
  const endpoint = parts.get('endpoint');
  if (!endpoint || !/^sb:\/\/[^/;]+\/?$/i.test(endpoint)) {
    return fail(
      'configuration',
      'SEND.BAD_CONNECTION_STRING',
      `The Event Hubs connection string needs Endpoint=sb://<namespace>.servicebus.windows.net/ (or sb://localhost for the emulator), got ${endpoint ? `"${endpoint}"` : 'none'}`,
    );
  }
  if (!parts.get('sharedaccesskeyname') || !parts.get('sharedaccesskey')) {
    if (!parts.get('sharedaccesssignature')) {
      return fail(
        'configuration',
        'SEND.BAD_CONNECTION_STRING',
        'The Event Hubs connection string needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature); for Entra ID use --namespace instead',
      );
    }
  }
  return ok({
    host: endpoint.replace(/^sb:\/\//i, '').replace(/\/$/, ''),
    entityPath: parts.get('entitypath') || undefined,
  });
}
