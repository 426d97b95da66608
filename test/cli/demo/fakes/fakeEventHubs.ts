import type { AddressInfo, Server } from 'node:net';
// rhea is the AMQP library @azure/event-hubs itself runs on (through rhea-promise); here it plays the broker's side.
import rhea, { type EventContext, type Message } from 'rhea';

/** One event as the broker stored it. */
export interface BrokeredEvent {
  hub: string;
  partitionKey: string | undefined;
  properties: Record<string, unknown> | undefined;
  contentType: string | undefined;
  body: Buffer;
}

export interface FakeEventHubsOptions {
  /** Event Hubs that exist; a link to any other is refused as not found. */
  hubs: string[];
  /** The largest message (batch) the hub accepts, advertised on the link. Default 1 MiB. */
  maxMessageSizeInBytes?: number;
  /** Answer every CBS put-token with 401, as the service does for a wrong key. */
  rejectTokens?: boolean;
}

export interface FakeEventHubs {
  readonly port: number;
  /** The emulator-style connection string for this broker (plain AMQP, SAS key). */
  connectionString(entityPath?: string): string;
  /** Every event received, in arrival order. */
  readonly events: BrokeredEvent[];
  /** AMQP transfers received on hub links (one per batch sent). */
  readonly transfers: number;
  /** Tokens presented on $cbs. */
  readonly tokens: Array<{ name: string; type: string }>;
  close(): Promise<void>;
}

/**
 * A loopback stand-in for an Event Hubs namespace (or the emulator) that speaks enough AMQP 1.0 for a producer:
 * claims-based auth on `$cbs`, sender links to hubs (refused with amqp:not-found for unknown hubs), and batched
 * messages, unpacked into the events they carry with their partition key annotation. It records everything.
 */
export async function startFakeEventHubs(options: FakeEventHubsOptions): Promise<FakeEventHubs> {
  const container = rhea.create_container({ id: 'fake-eventhubs' });
  const events: BrokeredEvent[] = [];
  const tokens: Array<{ name: string; type: string }> = [];
  const replyLinks = new Map<string, rhea.Sender>();
  let transfers = 0;

  // A client may still be sending on a link the broker refused; rhea reports that here rather than crashing.
  container.on('error', () => undefined);
  container.on('sender_open', (context: EventContext) => {
    const address = context.sender?.source?.address;
    if (address) replyLinks.set(address, context.sender!);
  });
  container.on('receiver_open', (context: EventContext) => {
    const receiver = context.receiver!;
    const address = receiver.target?.address ?? '';
    if (address === '$cbs') return;
    const hub = address.split('/')[0]!;
    if (!options.hubs.includes(hub)) {
      receiver.close({
        condition: 'amqp:not-found',
        description: `The messaging entity 'sb://127.0.0.1/${hub}' could not be found.`,
      });
      return;
    }
    (receiver as unknown as { local: { attach: { max_message_size: number } } }).local.attach.max_message_size =
      options.maxMessageSizeInBytes ?? 1024 * 1024;
  });
  container.on('message', (context: EventContext) => {
    const address = context.receiver?.target?.address ?? '';
    const message = decode(context.message!);
    if (address === '$cbs') {
      const props = (message.application_properties ?? {}) as Record<string, string>;
      tokens.push({ name: props.name ?? '', type: props.type ?? '' });
      const reply =
        [...replyLinks.values()].find((link) => link.source?.address === message.reply_to) ??
        [...replyLinks.values()][0];
      const [status, description] = options.rejectTokens
        ? [401, 'InvalidSignature: The token has an invalid signature.']
        : [202, 'Accepted'];
      reply?.send({
        to: message.reply_to,
        correlation_id: message.message_id,
        application_properties: { 'status-code': status, 'status-description': description },
        body: '',
      } as Message);
      return;
    }
    transfers++;
    const hub = address.split('/')[0]!;
    const body = message.body as { multiple?: boolean; content?: unknown } | undefined;
    // A batch is one message whose body is a list of data sections, each an encoded event.
    const inner =
      body?.multiple && Array.isArray(body.content)
        ? (body.content as Array<Buffer | { content: Buffer }>).map((section) =>
            decode(Buffer.isBuffer(section) ? section : section.content),
          )
        : [message];
    for (const event of inner) {
      const payload = event.body as { content?: Buffer } | Buffer | undefined;
      events.push({
        hub,
        partitionKey: (event.message_annotations as Record<string, string> | undefined)?.['x-opt-partition-key'],
        properties: event.application_properties as Record<string, unknown> | undefined,
        contentType: event.content_type,
        body: Buffer.isBuffer(payload) ? payload : Buffer.from(payload?.content ?? []),
      });
    }
  });

  const server = container.listen({ port: 0, host: '127.0.0.1' }) as unknown as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    connectionString: (entityPath) =>
      `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;${entityPath ? `EntityPath=${entityPath};` : ''}`,
    events,
    get transfers() {
      return transfers;
    },
    tokens,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** rhea hands over messages with a non-zero format (batches) as raw bytes. */
function decode(message: Message | Buffer): Message {
  return Buffer.isBuffer(message) ? (rhea.message.decode(message) as unknown as Message) : message;
}
