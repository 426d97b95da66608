import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { loadSettings, type Environment, type Settings } from '../../shared/config/settings.js';
import { MrmError, unwrap } from '../../shared/errors.js';
import { readBaselineProfile } from '../../shared/baseline/readBaselineProfile.js';
import {
  parseCaptureBlobName,
  parseCaptureNameFormat,
  type CaptureNameFormat,
} from '../../shared/capture/captureNameFormat.js';
import type { CaptureStore } from '../../shared/capture/ports.js';
import { ContainerCaptureStore } from '../../shared/adapters/containerCaptureStore.js';
import { LocalCaptureStore } from '../../shared/adapters/localCaptureStore.js';
import { FileProfileCache } from '../../shared/adapters/fileProfileCache.js';
import { LogAnalyticsTelemetry } from '../../shared/adapters/logAnalyticsTelemetry.js';
import { captureSourceOf } from '../../shared/drift/run/captureSourceOf.js';
import { previousIsoWeek, windowOf, type DriftWindow } from '../../shared/drift/run/driftWindow.js';
import { driftOptionsFromSettings } from '../../shared/config/driftOptionsFromSettings.js';
import { noProfileCache, silentProgress, type DriftProgress } from '../../shared/drift/run/ports.js';
import { runWeeklyDrift, type WeeklyDriftReport } from '../../shared/drift/run/runWeeklyDrift.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';
import { driftVerdict } from '../../shared/drift/verdict.js';
import { addInputOptions, captureFilesFromInput, type CaptureArguments } from './capture.js';
import { writeCaptureFiles } from '../capture/captureFilesOf.js';
import type { Clock } from '../../shared/contracts/clock.js';
import { systemClock } from '../../shared/adapters/clocks.js';
import { parseIsoTime } from '../../shared/time/parseIsoTime.js';

export interface DriftArguments {
  baseline: string;
  /** A local folder, a container URL (with a SAS, or Entra via DefaultAzureCredential), or a connection string. */
  capture?: string;
  /** Rows (CSV or JSONL) read directly, for a quick look: captured into a temporary folder first. */
  input?: string;
  /** With a connection string: the container (default MRM_CAPTURE_CONTAINER). */
  container?: string;
  hub?: 'events' | 'scored';
  from?: string;
  to?: string;
  out?: string;
  html?: string;
  namespace?: string;
  nameFormat?: string;
  cache?: string;
  concurrency?: number;
  workspace?: string;
  failOnDrift?: boolean;
}

/** How `--input` rows are read (the options `mrm capture` takes). */
export type DriftInputArguments = Pick<
  CaptureArguments,
  'format' | 'id' | 'label' | 'categorical' | 'coerceNumeric' | 'timeColumn' | 'start' | 'rate'
>;

/** Where progress and notes go: a progress bar when it is a terminal, nothing otherwise. */
export interface DriftTerminal {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface DriftRunResult {
  report: WeeklyDriftReport;
  html: string;
  /** What `mrm drift` prints: the report JSON without --out, else a summary. */
  stdout: string;
  exitCode: number;
}

const WEEK_IN_MS = 7 * 86_400_000;

/** The use case behind `mrm drift`: the same weekly drift as the function, over a chosen window and Capture location. */
export async function runDrift(
  args: DriftArguments & DriftInputArguments,
  env: Environment = process.env,
  terminal: DriftTerminal = process.stderr,
  clock: Clock = systemClock,
): Promise<DriftRunResult> {
  if ((args.capture === undefined) === (args.input === undefined))
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      args.input === undefined
        ? 'mrm drift needs --capture <Capture files> or --input <rows.csv|rows.jsonl>'
        : 'mrm drift reads --capture or --input, not both',
    );
  if (args.input === undefined) return runDriftOn(args, args.capture!, undefined, env, terminal, clock);
  const baseline = await readBaseline(args.baseline);
  const made = await captureFilesFromInput({ ...args, input: args.input }, env, clock.nowInMs());
  const folder = await mkdtemp(join(tmpdir(), 'mrm-drift-input-'));
  try {
    await writeCaptureFiles(made.files, folder);
    for (const warning of made.warnings) terminal.write(`mrm drift: warning: ${warning}\n`);
    // Without --from/--to the window is the rows' own days.
    const window =
      args.from === undefined && args.to === undefined
        ? windowOf(dayOf(made.fromInMs), dayOf(made.toInMs) + DAY_IN_MS)
        : windowFromArguments(args, clock.nowInMs());
    return await runDriftOn(args, folder, { baseline, window }, env, terminal, clock);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const DAY_IN_MS = 86_400_000;
const dayOf = (timeInMs: number): number => Math.floor(timeInMs / DAY_IN_MS) * DAY_IN_MS;

async function runDriftOn(
  args: DriftArguments,
  capture: string,
  given: { baseline: Awaited<ReturnType<typeof readBaseline>>; window: DriftWindow } | undefined,
  env: Environment,
  terminal: DriftTerminal,
  clock: Clock,
): Promise<DriftRunResult> {
  const settings = unwrap(loadSettings(env));
  const baseline = given?.baseline ?? (await readBaseline(args.baseline));
  const window = given?.window ?? windowFromArguments(args, clock.nowInMs());
  const store = await captureStore({ ...args, capture }, settings);
  const format = unwrap(parseCaptureNameFormat(args.nameFormat ?? settings.drift.captureNameFormat));
  const hubNames = args.hub
    ? { [args.hub]: args.hub === 'events' ? settings.scoring.eventsHub : settings.scoring.scoredHub }
    : { events: settings.scoring.eventsHub, scored: settings.scoring.scoredHub };
  const workspace = args.workspace ?? settings.drift.logAnalyticsWorkspaceId;
  const progress = terminal.isTTY ? progressBar(terminal) : quietProgress(terminal);
  let outcome;
  try {
    outcome = await runWeeklyDrift(
      {
        source: captureSourceOf(store, {
          format,
          namespace: args.namespace ?? settings.drift.captureNamespace,
          hubNames,
        }),
        cache: args.cache ? new FileProfileCache(args.cache) : noProfileCache,
        clock,
        progress: progress.port,
        metrics: noMetrics,
        telemetry: workspace ? new LogAnalyticsTelemetry(workspace, new DefaultAzureCredential()) : undefined,
      },
      {
        baseline,
        window,
        options: driftOptionsFromSettings(settings.drift),
        concurrency: args.concurrency ?? settings.drift.concurrency,
        scorer: settings.scoring.scorer,
      },
    );
  } finally {
    progress.stop();
  }
  if (outcome.status !== 'complete')
    throw new MrmError('transient', 'DRIFT.INCOMPLETE', 'The drift run stopped before reading every blob');
  const { report, html } = outcome;
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (args.out) await writeFile(args.out, json);
  if (args.html) await writeFile(args.html, html);
  const insufficient = report.status === 'insufficient-data';
  const outside = insufficient ? await captureFilesOutside(store, format, window) : [];
  if (insufficient) terminal.write(`mrm drift: ${insufficientNote(report, window, outside)}\n`);
  const exitCode = !args.failOnDrift
    ? 0
    : insufficient
      ? EXIT_INSUFFICIENT_DATA
      : report.drift.drifted || report.retrainRecommended
        ? EXIT_DRIFT
        : 0;
  return {
    report,
    html,
    stdout: args.out ? summary(report, window, args, outside) : json,
    exitCode,
  };
}

/** `--fail-on-drift` exit codes: drift (or retraining recommended), and a window with nothing to judge. */
export const EXIT_DRIFT = 3;
export const EXIT_INSUFFICIENT_DATA = 4;

/** Capture files the store holds outside the window (names in order), so an empty window says where the data is. */
async function captureFilesOutside(
  store: CaptureStore,
  format: CaptureNameFormat,
  window: DriftWindow,
): Promise<Array<{ name: string; windowStartInMs: number }>> {
  const outside: Array<{ name: string; windowStartInMs: number }> = [];
  for await (const blob of store.listBlobs('')) {
    const parsed = parseCaptureBlobName(format, blob.name);
    if (!parsed) continue;
    if (parsed.windowStartInMs < window.fromInMs || parsed.windowStartInMs >= window.toInMs)
      outside.push({ name: blob.name, windowStartInMs: parsed.windowStartInMs });
  }
  return outside;
}

function insufficientNote(
  report: WeeklyDriftReport,
  window: DriftWindow,
  outside: ReadonlyArray<{ name: string; windowStartInMs: number }>,
): string {
  const parts = [`insufficient data for ${window.label}: ${report.reason ?? 'no events'}; no drift verdict.`];
  if (outside.length > 0) {
    const times = outside.map((o) => o.windowStartInMs);
    const first = new Date(Math.min(...times)).toISOString();
    const last = new Date(Math.max(...times)).toISOString();
    parts.push(
      `${outside.length} Capture file${outside.length === 1 ? '' : 's'} outside ${window.label} (${first} to ${last}, e.g. ${outside[0]!.name}); use --from/--to.`,
    );
  }
  return parts.join(' ');
}

async function readBaseline(path: string) {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new MrmError('bad-input', 'PROFILE.INVALID', `Cannot read baseline ${path}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return unwrap(readBaselineProfile(json, path));
}

/** --from/--to as ISO dates; one of them alone means a week from or to it; neither, the previous ISO week. */
export function windowFromArguments(args: Pick<DriftArguments, 'from' | 'to'>, nowInMs: number): DriftWindow {
  if (args.from === undefined && args.to === undefined) return previousIsoWeek(nowInMs);
  const from = args.from === undefined ? undefined : isoTime('--from', args.from);
  const to = args.to === undefined ? undefined : isoTime('--to', args.to);
  const start = from ?? to! - WEEK_IN_MS;
  const end = to ?? from! + WEEK_IN_MS;
  if (!(start < end))
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      `--from (${new Date(start).toISOString()}) must be before --to (${new Date(end).toISOString()})`,
    );
  return windowOf(start, end);
}

function isoTime(flag: string, text: string): number {
  // A date alone is midnight UTC; a date-time needs its zone, so nothing depends on the machine's time zone.
  const time = parseIsoTime(text, { dateAlone: true });
  if (time === undefined)
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      `${flag} must be an ISO date (2024-01-15) or date-time with a zone (2024-01-15T00:00:00Z), got "${text}"`,
    );
  return time;
}

async function captureStore(args: DriftArguments & { capture: string }, settings: Settings): Promise<CaptureStore> {
  const capture = args.capture.trim();
  if (/^https?:\/\//i.test(capture)) {
    // A SAS in the URL authorises by itself; otherwise Entra (az login, managed identity, environment).
    const hasSas = /[?&]sig=/.test(capture);
    return new ContainerCaptureStore(
      hasSas ? new ContainerClient(capture) : new ContainerClient(capture, new DefaultAzureCredential()),
    );
  }
  if (/(^|;)\s*(AccountName|BlobEndpoint|UseDevelopmentStorage|SharedAccessSignature)\s*=/i.test(capture)) {
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(capture);
    } catch (cause) {
      throw new MrmError(
        'bad-input',
        'CLI.ARGUMENT',
        `--capture looks like a connection string but is not a valid one: ${(cause as Error).message}`,
        { cause },
      );
    }
    return new ContainerCaptureStore(service.getContainerClient(args.container ?? settings.drift.captureContainer));
  }
  const info = await stat(capture).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new MrmError(
      'bad-input',
      'CLI.ARGUMENT',
      `--capture ${capture} is neither a folder, a container URL (https://…) nor a storage connection string`,
    );
  }
  return new LocalCaptureStore(capture);
}

function progressBar(terminal: DriftTerminal): { port: DriftProgress; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: terminal as NodeJS.WriteStream,
      format: 'drift [{bar}] {value}/{total} blobs | {events} events | {skipped} skipped',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let events = 0;
  let skipped = 0;
  let started = false;
  return {
    port: {
      listed: (counts) => {
        bar.start(counts.events + counts.scored, 0, { events, skipped });
        started = true;
      },
      blobDone: (event) => {
        events += event.events;
        if (event.skipped) skipped++;
        bar.increment(1, { events, skipped });
      },
      note: () => undefined,
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function quietProgress(terminal: DriftTerminal): { port: DriftProgress; stop: () => void } {
  return {
    port: { ...silentProgress, note: (message) => void terminal.write(`mrm drift: ${message}\n`) },
    stop: () => undefined,
  };
}

function summary(
  report: WeeklyDriftReport,
  window: DriftWindow,
  args: DriftArguments,
  outside: ReadonlyArray<{ name: string; windowStartInMs: number }>,
): string {
  const verdict =
    report.status === 'insufficient-data'
      ? `Dataset drift: INSUFFICIENT DATA (${insufficientNote(report, window, outside)})`
      : driftVerdict(report);
  const lines = [
    `Drift ${window.label} (${report.window.from} to ${report.window.to}): ${report.events} events, ${report.eventsProfiled} profiled, ` +
      `${report.blobs.read} blobs read, ${report.blobs.skipped.length} skipped`,
    verdict,
    `Report written to ${args.out}${args.html ? ` and ${args.html}` : ''}`,
  ];
  for (const s of report.blobs.skipped) lines.push(`Skipped ${s.name}: ${s.reason}`);
  return `${lines.join('\n')}\n`;
}

const positiveInteger = (value: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
};

export function driftCommand(): Command {
  const command = new Command('drift')
    .description(
      'Compare a window of Event Hubs Capture files with the baseline profile and report drift (the weeklyDrift use case)',
    )
    .requiredOption('--baseline <profile.json>', 'the baseline profile (from `mrm baseline`)')
    .option(
      '--capture <location>',
      'Capture files: a local folder, a container URL (https://…, with a SAS or your Entra login), or a storage connection string',
    )
    .option(
      '--input <rows>',
      'instead of --capture, rows read directly for a quick look (CSV or JSONL, read as `mrm capture` reads them)',
    )
    .option('--container <name>', 'with a connection string: the Capture container (default MRM_CAPTURE_CONTAINER)')
    .addOption(new Option('--hub <hub>', 'read only one captured hub (default both)').choices(['events', 'scored']))
    .option('--from <iso>', 'window start, UTC (default: the previous ISO week)')
    .option('--to <iso>', 'window end, exclusive (default: --from plus 7 days; with --input, the rows’ last day)')
    .option('--out <report.json>', 'write the report JSON there (otherwise it is printed)')
    .option('--html <report.html>', 'write the HTML report there')
    .option('--namespace <name>', 'Event Hubs namespace in blob names (default MRM_CAPTURE_NAMESPACE, else discovered)')
    .option('--name-format <format>', 'Capture archive name format (default MRM_CAPTURE_NAME_FORMAT)')
    .option('--cache <dir>', 'keep per-blob profiles in this folder, so re-runs over the same files read nothing twice')
    .option('--concurrency <n>', 'blobs read at once (default MRM_DRIFT_CONCURRENCY)', positiveInteger)
    .option(
      '--workspace <id>',
      "Log Analytics workspace id for the week's scoring telemetry (default MRM_LOG_ANALYTICS_WORKSPACE_ID)",
    )
    .option(
      '--fail-on-drift',
      `exit with code ${EXIT_DRIFT} when the dataset drifts or retraining is recommended, ${EXIT_INSUFFICIENT_DATA} when the window has no events to judge`,
    );
  return addInputOptions(command).action(async (options: DriftArguments & DriftInputArguments) => {
    const result = await runDrift(options);
    process.stdout.write(result.stdout);
    process.exitCode = result.exitCode;
  });
}
