import { readFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { BlobDemoStorage } from '../demo/blobDemoStorage.js';
import { loadSettings } from '../../shared/config/settings.js';
import { planDemoScenario, type DemoScenario } from '../demo/demoScenario.js';
import { formatDemoSummary } from '../demo/demoSummary.js';
import { runDemo, type DemoResult } from '../demo/runDemo.js';
import { MrmError, errorMessage, unwrap } from '../../shared/errors.js';
import { folderOutput } from '../demo/folderOutput.js';
import { startLocalFunctionHost } from '../demo/localFunctionHost.js';
import { progressView, type ProgressStream } from '../demo/progressView.js';
import { repoPath } from '../repoPath.js';
import type { Clock } from '../../shared/contracts/clock.js';
import { monotonicClock, systemClock } from '../../shared/adapters/clocks.js';

export interface DemoOptions {
  events: number;
  seed: number;
  /** ISO date-time the demo pretends it is; the week before it is played. Default: now. */
  date?: string;
  out: string;
  captureInterval: number;
  verbose?: boolean;
  /** The ONNX classifier to guard (default: the bundled fraud model); false: the embedded input-anomaly detector. */
  model?: string | false;
}

/** The demo's fraud classifier, made by scripts/models/make_demo_model.py. */
export const DEMO_MODEL = repoPath('examples', 'models', 'card-fraud-gbt.onnx');

export interface DemoIo {
  stdout: ProgressStream;
  stderr: (text: string) => void;
  /** Registers the Ctrl-C handler; answers a function that removes it. */
  onInterrupt: (handler: () => void) => () => void;
  clock: Clock;
}

const processIo: DemoIo = {
  stdout: process.stdout,
  stderr: (text) => process.stderr.write(text),
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  },
  clock: systemClock,
};

/**
 * `mrm demo`: the whole loop on a laptop. Starts Azurite on a free loopback port, runs the demo use case against it
 * with the real function handlers, prints the summary and stops Azurite, also when interrupted (Ctrl-C stops
 * Azurite and exits with 130).
 */
export async function runDemoCommand(options: DemoOptions, io: DemoIo = processIo): Promise<DemoResult> {
  const nowInMs = options.date === undefined ? io.clock.nowInMs() : Date.parse(options.date);
  if (Number.isNaN(nowInMs))
    throw new MrmError('bad-input', 'CLI.ARGUMENT', `--date must be an ISO-8601 date-time, got "${options.date}"`);
  let scenario: DemoScenario;
  try {
    scenario = planDemoScenario({
      events: options.events,
      seed: options.seed,
      nowInMs,
      captureIntervalInSeconds: options.captureInterval,
    });
  } catch (error) {
    throw new MrmError('bad-input', 'CLI.ARGUMENT', errorMessage(error));
  }

  const modelFile = options.model === false ? undefined : (options.model ?? DEMO_MODEL);
  let model: { bytes: Uint8Array; file: string } | undefined;
  if (modelFile !== undefined) {
    try {
      // Shown as typed, or relative to the working directory when inside it (the bundled model's path is absolute).
      const shown = relative(process.cwd(), modelFile);
      model = {
        bytes: await readFile(modelFile),
        file: shown.startsWith('..') || isAbsolute(shown) ? modelFile : shown,
      };
    } catch (error) {
      throw new MrmError(
        'bad-input',
        'CLI.ARGUMENT',
        `Cannot read the model ${modelFile}: ${errorMessage(error)} (--no-model runs the demo without one)`,
      );
    }
  }

  const azurite: RunningAzurite = await startAzurite();
  let stopping: Promise<void> | undefined;
  const stopAzurite = () => (stopping ??= azurite.stop());
  const removeInterrupt = io.onInterrupt(() => {
    io.stderr('\nInterrupted: stopping Azurite...\n');
    void stopAzurite().finally(() => process.exit(130));
  });
  const progress = progressView(io.stdout);
  try {
    io.stdout.write(`Azurite (blob) on ${azurite.blobEndpoint}\n`);
    // The demo runs on the defaults, whatever MRM_* settings the shell has: only the storage connection and the
    // scorer (the bundled classifier, unless --no-model) are its own.
    const env = { AzureWebJobsStorage: azurite.connectionString, ...(model ? { MRM_SCORER: 'onnx' } : {}) };
    const settings = unwrap(loadSettings(env));
    const host = await startLocalFunctionHost({
      settings,
      env,
      namespace: scenario.namespace,
      verbose: options.verbose ?? false,
    });
    const output = folderOutput(options.out);
    const result = await runDemo(
      {
        storage: new BlobDemoStorage(BlobServiceClient.fromConnectionString(azurite.connectionString)),
        scoreEvents: host.scoreEvents,
        weeklyDrift: host.weeklyDrift,
        dailyDrift: host.dailyDrift,
        retrainWebhook: host.retrainWebhook,
        output,
        progress,
        stopwatch: monotonicClock,
      },
      { scenario, settings, ...(model ? { model } : {}) },
    );
    progress.stop();
    const logs = host.logs();
    // An empty file the summary points to reads as a failure to log: it says what it holds instead.
    const logPath = await output.write(
      'functions.log',
      logs.length > 0 ? `${logs.join('\n')}\n` : `${NO_FUNCTION_WARNINGS}\n`,
    );
    io.stdout.write(`\n${formatDemoSummary(result)}\n`);
    io.stdout.write(
      `Files            ${options.out}/ (report, alert, webhook response, baseline, training set; ` +
        `${logs.length > 0 ? `function logs in ${logPath}` : `no function warnings or errors (--verbose logs every line to ${logPath})`})\n`,
    );
    return result;
  } finally {
    progress.stop();
    removeInterrupt();
    await stopAzurite();
  }
}

const integer =
  (min: number) =>
  (value: string): number => {
    const n = Number(value.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`expected a whole number >= ${min}`);
    return n;
  };

/** functions.log when the functions logged no warning or error (and --verbose was not given). */
export const NO_FUNCTION_WARNINGS =
  'scoreEvents, weeklyDrift and retrainWebhook logged no warnings or errors during the demo (run with --verbose to keep every log line).';

export function demoCommand(): Command {
  return new Command('demo')
    .description(
      'Run the whole loop locally: Azurite, baseline, a week of events through scoreEvents, weeklyDrift, the retraining alert',
    )
    .option('--events <n>', 'events to stream through scoreEvents', integer(1000), 200_000)
    .option('--seed <n>', 'seed of the synthetic data (same seed, same run)', integer(0), 42)
    .option('--date <iso>', 'pretend it is this date-time (UTC); the ISO week before it is played (default: now)')
    .option('--out <dir>', 'folder for the report and the other files', 'demo-output')
    .option(
      '--capture-interval <seconds>',
      'Capture window per file (Azure: 60-900 s; the default hour keeps the blob count small)',
      integer(60),
      3600,
    )
    .option('--verbose', 'keep every function log line in functions.log', false)
    .option('--model <model.onnx>', 'the ONNX classifier scoreEvents runs (default: the bundled fraud model)')
    .option('--no-model', 'guard no classifier: score with the embedded input-anomaly detector')
    .action(async (options: DemoOptions) => {
      await runDemoCommand(options);
    });
}
