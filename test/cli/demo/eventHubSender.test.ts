import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHubSender } from '../../../cli/demo/eventHubSender.js';
import { groupByKey } from '../../../cli/demo/sendTraffic.js';
import { TrafficSource, type TrafficEvent } from '../../../cli/demo/trafficSource.js';
import { startFakeEventHubs, type FakeEventHubs } from './fakes/fakeEventHubs.js';

let broker: FakeEventHubs | undefined;
let sender: EventHubSender | undefined;
afterEach(async () => {
  await sender?.close();
  await broker?.close();
  sender = undefined;
  broker = undefined;
});

function traffic(count: number, callers = 5): TrafficEvent[] {
  const source = new TrafficSource(8, { callers });
  return Array.from({ length: count }, (_, i) => (i % 10 === 9 ? source.malformed(i) : source.ordinary(i)));
}

function open(
  connectionString: string,
  eventHub?: string,
  options = { maxRetries: 0, timeoutInMs: 5000 },
): EventHubSender {
  const opened = EventHubSender.open({ kind: 'connectionString', connectionString, eventHub }, options);
  if (!opened.ok) throw new Error(opened.error.message);
  return (sender = opened.value);
}

describe('EventHubSender against a loopback AMQP broker', () => {
  it('sends each caller’s events in batches made with its key: every event arrives once, keyed, with its bytes and properties', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'] });
    const events = traffic(60);
    const { batches } = await open(broker.connectionString(), 'events').send(groupByKey(events));

    expect(broker.events).toHaveLength(60);
    expect(batches).toBe(5);
    expect(broker.transfers).toBe(5);
    const sentBodies = events.map((e) => `${e.partitionKey}|${e.body.toString('base64')}`).sort();
    expect(broker.events.map((e) => `${e.partitionKey}|${e.body.toString('base64')}`).sort()).toEqual(sentBodies);
    for (const received of broker.events) {
      expect(received.hub).toBe('events');
      expect(received.properties).toEqual({ source: 'card-gateway' });
      const original = events.find((e) => e.body.equals(received.body))!;
      expect(received.contentType).toBe(original.kind === 'malformed' ? undefined : 'application/json');
    }
    // A SAS token for the hub was presented before sending.
    expect(broker.tokens.some((t) => t.name.endsWith('/events') && t.type === 'servicebus.windows.net:sastoken')).toBe(
      true,
    );
  });

  it('takes the hub from EntityPath when no hub is named', async () => {
    broker = await startFakeEventHubs({ hubs: ['scored'] });
    await open(broker.connectionString('scored')).send(groupByKey(traffic(3, 1)));
    expect(broker.events.map((e) => e.hub)).toEqual(['scored', 'scored', 'scored']);
  });

  it('splits a caller’s events over several batches when one would exceed the hub’s message size, keeping their order', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'], maxMessageSizeInBytes: 2048 });
    const events = traffic(40, 1);
    const { batches } = await open(broker.connectionString(), 'events').send(groupByKey(events));
    expect(batches).toBeGreaterThan(3);
    expect(broker.transfers).toBe(batches);
    expect(broker.events.map((e) => e.body.toString('base64'))).toEqual(events.map((e) => e.body.toString('base64')));
  });

  it('refuses an event larger than an empty batch with SEND.EVENT_TOO_LARGE', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'], maxMessageSizeInBytes: 1024 });
    const huge: TrafficEvent = {
      body: Buffer.alloc(4000, 0x61),
      partitionKey: 'k',
      timeInMs: 0,
      id: 'e-1',
      kind: 'ordinary',
      properties: {},
    };
    await expect(
      open(broker.connectionString(), 'events').send([{ partitionKey: 'k', events: [huge] }]),
    ).rejects.toMatchObject({
      code: 'SEND.EVENT_TOO_LARGE',
      message: expect.stringMatching(/^An event of 4000 bytes does not fit in an empty batch \(at most 1024 bytes\)$/),
    });
  });

  it('says the key is wrong when the namespace refuses the token (SEND.UNAUTHORIZED)', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'], rejectTokens: true });
    await expect(open(broker.connectionString(), 'events').send(groupByKey(traffic(2)))).rejects.toMatchObject({
      code: 'SEND.UNAUTHORIZED',
      message: expect.stringContaining(`Event Hubs refused the credentials for 127.0.0.1:${broker.port}/events`),
    });
    expect(broker.events).toHaveLength(0);
  });

  it('says the hub does not exist when the namespace has no such hub (SEND.NO_EVENT_HUB)', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'] });
    await expect(open(broker.connectionString(), 'evnets').send(groupByKey(traffic(2)))).rejects.toMatchObject({
      code: 'SEND.NO_EVENT_HUB',
      message: expect.stringContaining(`No Event Hub at 127.0.0.1:${broker.port}/evnets`),
    });
  });

  it('says nothing listens there when the endpoint refuses connections (SEND.UNREACHABLE)', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const cs = `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`;
    await expect(open(cs, 'events').send(groupByKey(traffic(1)))).rejects.toMatchObject({
      code: 'SEND.UNREACHABLE',
      message: expect.stringMatching(
        new RegExp(
          `^Cannot reach Event Hubs at 127\\.0\\.0\\.1:${port}/events \\(ECONNREFUSED\\): is the emulator running`,
        ),
      ),
    });
  });
});

describe('EventHubSender.open', () => {
  it.each([
    [
      'not a connection string',
      'The Event Hubs connection string is malformed near "not a connection string": expected Key=Value pairs separated by ";"',
    ],
    [
      'SharedAccessKeyName=a;SharedAccessKey=b',
      'The Event Hubs connection string needs Endpoint=sb://<namespace>.servicebus.windows.net/ (or sb://localhost for the emulator), got none',
    ],
    [
      'Endpoint=https://x.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b',
      'The Event Hubs connection string needs Endpoint=sb://<namespace>.servicebus.windows.net/ (or sb://localhost for the emulator), got "https://x.servicebus.windows.net/"',
    ],
    [
      'Endpoint=sb://x.servicebus.windows.net/;EntityPath=events',
      'The Event Hubs connection string needs SharedAccessKeyName and SharedAccessKey (or SharedAccessSignature); for Entra ID use --namespace instead',
    ],
  ])('refuses %j with SEND.BAD_CONNECTION_STRING and says what is wrong', (connectionString, message) => {
    expect(EventHubSender.open({ kind: 'connectionString', connectionString, eventHub: 'events' })).toEqual({
      ok: false,
      error: { kind: 'configuration', code: 'SEND.BAD_CONNECTION_STRING', message },
    });
  });

  it('asks for a hub when neither the connection string nor the caller names one (SEND.NO_EVENT_HUB)', () => {
    const cs =
      'Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;';
    expect(EventHubSender.open({ kind: 'connectionString', connectionString: cs })).toEqual({
      ok: false,
      error: {
        kind: 'configuration',
        code: 'SEND.NO_EVENT_HUB',
        message: 'No Event Hub named: pass --hub <name> or use a connection string with EntityPath=<hub>',
      },
    });
  });

  it('opens a namespace target with an identity without connecting (tokens are asked for on the first send)', async () => {
    let asked = 0;
    const credential = { getToken: async () => (asked++, null) };
    const opened = EventHubSender.open({
      kind: 'identity',
      fullyQualifiedNamespace: 'evhns-x.servicebus.windows.net',
      eventHub: 'events',
      credential,
    });
    expect(opened.ok).toBe(true);
    if (opened.ok) await opened.value.close();
    expect(asked).toBe(0);
  });
});
