import { Command, InvalidArgumentError } from 'commander';
import { DefaultAzureCredential } from '@azure/identity';
import { EventHubSender, type EventHubTarget } from '../demo/eventHubSender.js';
import { loadSettings, type Environment } from '../../shared/config/settings.js';
import {
  sendTraffic,
  type EventSender,
  type SendClock,
  type SendOptions,
  type SendReport,
} from '../demo/sendTraffic.js';
import { MrmError, errorMessage, kindOf, unwrap } from '../../shared/errors.js';
import { monotonicClock } from '../../shared/adapters/clocks.js';

export interface SendCommandOptions {
  connectionString?: string;
  namespace?: string;
  hub?: string;
  events: number;
  rate: number;
  chunk: number;
  callers: number;
  drift: number;
  driftAfter: number;
  malformed: number;
  attack: number;
  seed: number;
}

export interface SendIo {
  env: Environment;
  stdout: { isTTY?: boolean; write(text: string): unknown };
  clock: SendClock;
  /** Opens the sender for a target; tests hand in a fake. */
  open(target: EventHubTarget): EventSender & { close(): Promise<void> };
}

const processIo: SendIo = {
  env: process.env,
  stdout: process.stdout,
  clock: { ...monotonicClock, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
  open: (target) => unwrap(EventHubSender.open(target)),
};

/**
 * `mrm send`: streams the demo's synthetic transactions to an Event Hub (Azure or the emulator), with drift, broken
 * bodies and a model-extraction attacker mixed in as asked, at a bounded rate. The target is a connection string
 * (`--connection-string`, else the app's Event Hubs connection setting from the environment), or `--namespace` with
 * the Entra identity of DefaultAzureCredential.
 */
export async function runSend(options: SendCommandOptions, io: SendIo = processIo): Promise<SendReport> {
  const target = targetOf(options, io.env);
  const sendOptions: SendOptions = {
    events: options.events,
    ratePerSecond: options.rate,
    chunkSize: options.chunk,
    seed: options.seed,
    callers: options.callers,
    drift: options.drift,
    driftAfter: options.driftAfter,
    malformedShare: options.malformed,
    probes: options.attack,
  };
  const sender = io.open(target);
  const where =
    target.kind === 'identity'
      ? `${target.fullyQualifiedNamespace}/${target.eventHub}`
      : `hub ${target.eventHub ?? '(EntityPath)'}`;
  let nextLine = 0.1;
  try {
    const report = await sendTraffic(sender, io.clock, sendOptions, (progress) => {
      const line = `Sent ${progress.sent.toLocaleString('en-US')}/${options.events.toLocaleString('en-US')} events in ${progress.batches.toLocaleString('en-US')} batches`;
      if (io.stdout.isTTY) io.stdout.write(`\r${line}`);
      else if (progress.sent >= options.events * nextLine) {
        io.stdout.write(`${line}\n`);
        while (progress.sent >= options.events * nextLine) nextLine += 0.1;
      }
    });
    const seconds = report.elapsedInMs / 1000;
    io.stdout.write(
      `${io.stdout.isTTY ? '\n' : ''}Sent ${report.sent.toLocaleString('en-US')} events to ${where} (${report.kinds.ordinary.toLocaleString('en-US')} ordinary, ` +
        `${report.kinds.malformed.toLocaleString('en-US')} malformed, ${report.kinds.probe.toLocaleString('en-US')} probes) in ${report.batches.toLocaleString('en-US')} batches, ` +
        `${report.partitionKeys.toLocaleString('en-US')} partition keys, ${seconds.toFixed(1)} s (${seconds > 0 ? Math.round(report.sent / seconds).toLocaleString('en-US') : report.sent} events/s)\n`,
    );
    return report;
  } finally {
    await sender.close();
  }
}

function targetOf(options: SendCommandOptions, env: Environment): EventHubTarget {
  const settings = unwrap(loadSettings(env));
  const hub = options.hub;
  if (options.connectionString && options.namespace) {
    throw new MrmError('bad-input', 'CLI.ARGUMENT', 'Give either --connection-string or --namespace, not both');
  }
  if (options.namespace) {
    const fullyQualifiedNamespace = options.namespace.includes('.')
      ? options.namespace
      : `${options.namespace}.servicebus.windows.net`;
    return {
      kind: 'identity',
      fullyQualifiedNamespace,
      eventHub: hub ?? settings.scoring.eventsHub,
      credential: new DefaultAzureCredential(),
    };
  }
  const fromEnv = env[settings.scoring.eventHubConnection];
  const connectionString = options.connectionString ?? fromEnv;
  if (!connectionString) {
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      `No Event Hub to send to: pass --connection-string "<Endpoint=sb://...>" (the emulator's: Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;), ` +
        `set ${settings.scoring.eventHubConnection}, or pass --namespace <name> to use your Entra identity`,
    );
  }
  // A connection string without EntityPath sends to the app's events hub unless --hub says otherwise.
  const eventHub = hub ?? (/;\s*EntityPath=/i.test(`;${connectionString}`) ? undefined : settings.scoring.eventsHub);
  return { kind: 'connectionString', connectionString, eventHub };
}

const whole =
  (min: number) =>
  (value: string): number => {
    const n = Number(value.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };
const share = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number between 0 and 1');
  return n;
};
const rate = (value: string): number => {
  const n = Number(value);
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected events per second >= 0 (0: no limit)');
  return n;
};

export function sendCommand(io?: SendIo): Command {
  return new Command('send')
    .description(
      'Send synthetic transactions (with drift, broken bodies and an extraction attack if asked) to an Event Hub or the emulator',
    )
    .option(
      '--connection-string <cs>',
      "Event Hubs connection string (default: the app's Event Hubs connection setting, EventHubConnection)",
    )
    .option(
      '--namespace <name>',
      'Event Hubs namespace (name or FQDN) reached with your Entra identity (DefaultAzureCredential)',
    )
    .option(
      '--hub <name>',
      'Event Hub to send to (default: EntityPath of the connection string, else MRM_EVENTS_HUB, "events")',
    )
    .option('--events <n>', 'events to send', whole(1), 10_000)
    .option('--rate <per-second>', 'events per second at most (0: as fast as the hub accepts)', rate, 200)
    .option('--chunk <n>', 'events gathered per send, then grouped into one batch per partition key', whole(1), 500)
    .option(
      '--callers <n>',
      'distinct caller ids (the partition key); fewer callers make fuller batches',
      whole(1),
      200,
    )
    .option('--drift <strength>', 'drift strength in [0, 1] (amounts, hours, categories, channel)', share, 0)
    .option('--drift-after <n>', 'events sent before the drift starts', whole(0), 0)
    .option('--malformed <share>', 'share of broken bodies (dead-letter material)', share, 0.002)
    .option(
      '--attack <probes>',
      'probes of a model-extraction attacker, spread through the run (1,000 within an hour trips the rate limit)',
      whole(0),
      0,
    )
    .option('--seed <n>', 'seed of the generator', whole(0), 42)
    .action(async (options: SendCommandOptions) => {
      if (options.attack > options.events)
        throw new MrmError(
          'bad-input',
          'CLI.ARGUMENT',
          `--attack (${options.attack}) cannot exceed --events (${options.events})`,
        );
      try {
        await runSend(options, io);
      } catch (error) {
        if (error instanceof MrmError || (error instanceof Error && 'code' in error)) throw error;
        throw new MrmError(kindOf(error), 'SEND.FAILED', errorMessage(error), { cause: error });
      }
    });
}
