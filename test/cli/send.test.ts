import { afterEach, describe, expect, it } from 'vitest';
import { sendCommand, type SendIo } from '../../cli/commands/send.js';
import { EventHubSender } from '../../cli/demo/eventHubSender.js';
import { unwrap } from '../../shared/errors.js';
import { startFakeEventHubs, type FakeEventHubs } from './demo/fakes/fakeEventHubs.js';

let broker: FakeEventHubs | undefined;
afterEach(async () => {
  await broker?.close();
  broker = undefined;
});

/** The command with its output captured and a real sender (or none, to check arguments alone). */
function harness(env: Record<string, string> = {}, connect = true) {
  const out: string[] = [];
  const opened: string[] = [];
  const io: SendIo = {
    env,
    stdout: { isTTY: false, write: (text: string) => out.push(text) },
    clock: { nowInMs: () => performance.now(), sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    open: (target) => {
      opened.push(
        target.kind === 'identity'
          ? `identity:${target.fullyQualifiedNamespace}/${target.eventHub}`
          : `cs:${target.eventHub ?? '(EntityPath)'}`,
      );
      if (!connect) return { send: async (groups) => ({ batches: groups.length }), close: async () => undefined };
      return unwrap(EventHubSender.open(target, { maxRetries: 0, timeoutInMs: 5000 }));
    },
  };
  const run = (args: string[]) =>
    sendCommand(io)
      .exitOverride()
      .configureOutput({ writeErr: () => undefined })
      .parseAsync(args, { from: 'user' });
  return { run, out, opened };
}

describe('mrm send', () => {
  it('sends the asked traffic to the hub, keyed by caller, and says what it sent', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'] });
    const { run, out } = harness();
    await run([
      '--connection-string',
      broker.connectionString(),
      '--events',
      '1200',
      '--rate',
      '0',
      '--chunk',
      '300',
      '--callers',
      '25',
      '--attack',
      '120',
      '--malformed',
      '0.05',
      '--drift',
      '0.8',
      '--drift-after',
      '600',
    ]);
    expect(broker.events).toHaveLength(1200);
    const keys = new Set(broker.events.map((e) => e.partitionKey));
    expect(keys.size).toBe(26);
    expect(broker.events.filter((e) => e.partitionKey === 'partner-api-7f3a')).toHaveLength(120);
    const summary = out.join('');
    expect(summary).toMatch(
      /Sent 1,200 events to hub events \(\d{1,3}(,\d{3})* ordinary, \d+ malformed, 120 probes\) in \d+ batches, 26 partition keys/,
    );
    // Progress lines while sending (not a terminal: plain lines).
    expect(summary).toContain('Sent 600/1,200 events in');
  });

  it('uses the app’s Event Hubs connection setting when no connection string is given', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'] });
    const { run, opened } = harness({ EventHubConnection: broker.connectionString() });
    await run(['--events', '10', '--rate', '0']);
    expect(opened).toEqual(['cs:events']);
    expect(broker.events).toHaveLength(10);
  });

  it('holds the rate: 300 events at 1,000 per second take at least 0.3 s', async () => {
    broker = await startFakeEventHubs({ hubs: ['events'] });
    const { run } = harness();
    const started = performance.now();
    await run(['--connection-string', broker.connectionString(), '--events', '300', '--rate', '1000', '--chunk', '50']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(broker.events).toHaveLength(300);
  });

  it('goes to a namespace with the Entra identity when asked (hub defaults to events)', async () => {
    // Not connected: a real send would ask Entra for a token, which this machine cannot reach.
    const { run, opened, out } = harness({}, false);
    await run(['--namespace', 'evhns-mrm', '--events', '3', '--rate', '0']);
    expect(opened).toEqual(['identity:evhns-mrm.servicebus.windows.net/events']);
    expect(out.join('')).toContain('Sent 3 events to evhns-mrm.servicebus.windows.net/events');
  });

  it.each([
    [[], /No Event Hub to send to: pass --connection-string/],
    [['--connection-string', 'x=y', '--namespace', 'n'], /Give either --connection-string or --namespace, not both/],
    [
      ['--connection-string', 'garbage', '--events', '5'],
      /The Event Hubs connection string is malformed near "garbage"/,
    ],
    [
      [
        '--connection-string',
        'Endpoint=sb://localhost;SharedAccessKeyName=a;SharedAccessKey=b',
        '--events',
        '5',
        '--attack',
        '6',
      ],
      /--attack \(6\) cannot exceed --events \(5\)/,
    ],
    [['--events', '0'], /expected a whole number >= 1/],
    [['--drift', '1.5'], /expected a number between 0 and 1/],
    [['--rate', '-3'], /expected events per second >= 0/],
  ])('refuses %j with a message saying what to fix', async (args, message) => {
    const { run } = harness();
    await expect(run(args as string[])).rejects.toThrow(message);
  });

  it('fails with a stable code when the connection string is broken', async () => {
    const { run } = harness();
    await expect(
      run(['--connection-string', 'Endpoint=sb://x.servicebus.windows.net/;EntityPath=events']),
    ).rejects.toMatchObject({ code: 'SEND.BAD_CONNECTION_STRING' });
  });
});
