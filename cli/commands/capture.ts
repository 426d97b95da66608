import { Command, InvalidArgumentError, Option } from 'commander';
import { loadSettings, type Environment } from '../../shared/config/settings.js';
import { MrmError, unwrap } from '../../shared/errors.js';
import { parseCaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import { previousIsoWeek } from '../../shared/drift/run/driftWindow.js';
import { readInputEvents, type InputEventsOptions } from '../capture/inputEvents.js';
import { captureFilesOf, writeCaptureFiles } from '../capture/captureFilesOf.js';
import type { CaptureFile } from '../demo/captureArchiver.js';
import type { Clock } from '../../shared/contracts/clock.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { parseIsoTime } from '../../shared/time/parseIsoTime.js';

export interface CaptureArguments {
  input: string;
  /** A folder, or a container URL (with a SAS, or Entra via DefaultAzureCredential). */
  out: string;
  hub?: 'events' | 'scored';
  partitions?: number;
  start?: string;
  rate?: number;
  timeColumn?: string;
  format?: 'csv' | 'jsonl';
  id?: string;
  label?: string;
  categorical?: string[];
  coerceNumeric?: boolean;
  namespace?: string;
  nameFormat?: string;
  intervalSeconds?: number;
  codec?: 'null' | 'deflate';
  /** Not a flag: a fixed Avro sync marker, for files that must stay byte-identical (examples/). */
  syncMarker?: Buffer;
}

/** Capture's defaults: 4 partitions (a Standard hub's default), a 5-minute window, no compression. */
export const CAPTURE_DEFAULTS = { partitions: 4, intervalSeconds: 300, codec: 'null', namespace: 'mrm-local' } as const;

const WEEK_IN_MS = 7 * 86_400_000;

/** Reads rows and answers the Capture files Event Hubs would have written for them (shared by `mrm drift --input`). */
export async function captureFilesFromInput(
  args: Omit<CaptureArguments, 'out'>,
  env: Environment,
  nowInMs: number,
): Promise<{ files: CaptureFile[]; warnings: string[]; events: number; fromInMs: number; toInMs: number }> {
  if (args.timeColumn !== undefined && (args.start !== undefined || args.rate !== undefined))
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      '--time-column takes each row’s time from the data: leave out --start and --rate',
    );
  const settings = unwrap(loadSettings(env));
  const hub = args.hub ?? 'events';
  const startInMs = args.start === undefined ? previousIsoWeek(nowInMs).fromInMs : isoStart(args.start);
  const options: InputEventsOptions = {
    input: args.input,
    hub,
    format: args.format,
    id: args.id,
    label: args.label,
    categorical: args.categorical,
    coerceNumeric: args.coerceNumeric,
    timeColumn: args.timeColumn,
    startInMs,
    ratePerSecond: args.rate,
    spreadInMs: WEEK_IN_MS,
  };
  const events = await readInputEvents(options);
  const files = captureFilesOf(events, {
    namespace: args.namespace ?? settings.drift.captureNamespace ?? CAPTURE_DEFAULTS.namespace,
    eventHub: hub === 'events' ? settings.scoring.eventsHub : settings.scoring.scoredHub,
    format: unwrap(parseCaptureNameFormat(args.nameFormat ?? settings.drift.captureNameFormat)),
    partitions: args.partitions ?? CAPTURE_DEFAULTS.partitions,
    intervalInMs: (args.intervalSeconds ?? CAPTURE_DEFAULTS.intervalSeconds) * 1000,
    codec: args.codec ?? CAPTURE_DEFAULTS.codec,
    ...(args.syncMarker ? { syncMarker: args.syncMarker } : {}),
  });
  return {
    files,
    warnings: events.warnings,
    events: events.bodies.length,
    fromInMs: events.timesInMs[0]!,
    toInMs: events.timesInMs[events.timesInMs.length - 1]!,
  };
}

/** The use case behind `mrm capture`: rows in, Event Hubs Capture files out; answers the summary it prints. */
export async function runCapture(
  args: CaptureArguments,
  env: Environment = process.env,
  clock: Clock = systemClock,
): Promise<string> {
  const made = await captureFilesFromInput(args, env, clock.nowInMs());
  const where = await writeCaptureFiles(made.files, args.out);
  const hubs = new Set(made.files.map((f) => f.eventHub));
  const lines = [
    `Captured ${made.events} events of hub ${[...hubs].join(', ')} into ${made.files.length} Capture files in ${where} ` +
      `(${new Date(made.fromInMs).toISOString()} to ${new Date(made.toInMs).toISOString()}), e.g. ${made.files[0]!.name}`,
    ...made.warnings.map((w) => `Warning: ${w}`),
  ];
  return `${lines.join('\n')}\n`;
}

function isoStart(text: string): number {
  const time = parseIsoTime(text, { dateAlone: true });
  if (time === undefined)
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      `--start must be an ISO date (2024-01-15) or date-time with a zone (2024-01-15T00:00:00Z), got "${text}"`,
    );
  return time;
}

export const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};

const rate = (value: string): number => {
  const n = Number(value.replace(/\/s$/, ''));
  if (!(n > 0 && Number.isFinite(n))) throw new InvalidArgumentError('expected events per second, such as 50 or 50/s');
  return n;
};

const intervalSeconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 60 || n > 900)
    throw new InvalidArgumentError('Capture windows are 60 to 900 seconds');
  return n;
};

export const columnList = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** The options `mrm capture` and `mrm drift --input` share: how rows are read and when they arrived. */
export function addInputOptions(command: Command): Command {
  return command
    .addOption(new Option('--format <format>', 'input format (default: from the extension)').choices(['csv', 'jsonl']))
    .option('--id <column>', 'id column (default: `id` in JSONL, the row number otherwise)')
    .option('--label <column>', 'label column, sent as the event label')
    .option('--categorical <a,b>', 'columns to treat as categorical even when they look numeric', columnList)
    .option('--coerce-numeric', 'read stray text in a numeric column as missing (with a warning) instead of failing')
    .option('--time-column <column>', 'each row’s enqueued time (ISO 8601, UTC unless zoned; or epoch s/ms)')
    .option('--start <iso>', 'enqueued time of the first row (default: the start of the previous ISO week)')
    .option('--rate <n/s>', 'events per second from --start (default: the rows spread over 7 days)', rate);
}

export function captureCommand(): Command {
  const command = new Command('capture')
    .description(
      'Write rows (CSV or JSONL) as the Event Hubs Capture files (Avro, the Capture name layout) that `mrm drift` and weeklyDrift read',
    )
    .requiredOption('--input <file>', 'events.jsonl (events, flat objects or scored records) or data.csv (a header)')
    .requiredOption(
      '--out <dir|container URL>',
      'a folder, or a container URL (https://…, with a SAS or your Entra login)',
    )
    .addOption(
      new Option('--hub <hub>', 'which hub the rows went to (the name from MRM_EVENTS_HUB/MRM_SCORED_HUB)')
        .choices(['events', 'scored'])
        .default('events'),
    )
    .option('--partitions <n>', `partitions of the hub (default ${CAPTURE_DEFAULTS.partitions})`, positiveInteger)
    .option(
      '--namespace <name>',
      `namespace in blob names (default MRM_CAPTURE_NAMESPACE, else ${CAPTURE_DEFAULTS.namespace})`,
    )
    .option('--name-format <format>', 'Capture archive name format (default MRM_CAPTURE_NAME_FORMAT)')
    .option(
      '--interval-seconds <n>',
      `Capture time window (default ${CAPTURE_DEFAULTS.intervalSeconds})`,
      intervalSeconds,
    )
    .addOption(new Option('--codec <codec>', 'Avro codec (default null, as Capture)').choices(['null', 'deflate']));
  return addInputOptions(command).action(async (options: CaptureArguments) => {
    process.stdout.write(await runCapture(options));
  });
}
