// @azure/functions is CommonJS whose classes Node's ESM loader cannot name-import: take them from the default export.
import functions from '@azure/functions';
import { deliveredBody } from './deliveredBody.js';
import type { Environment, Settings } from '../../shared/config/settings.js';
import { blobServiceClientFor } from '../../shared/adapters/blobServiceClient.js';
import { BlobProfileSource } from '../../shared/adapters/blobProfileSource.js';
import { BlobDeadLetterSink } from '../../shared/adapters/blobDeadLetterSink.js';
import type { DeadLetter } from '../../shared/scoring/deadLetter.js';
import type { DeadLetterSink } from '../../shared/scoring/deadLetterSink.js';
import { buildRetrainService } from '../../shared/compose/retrainService.js';
import type { CapturedHub } from '../../shared/drift/run/types.js';
import {
  noProfileCache,
  silentProgress,
  type CaptureSource,
  type DriftProgress,
  type ReportSink,
} from '../../shared/drift/run/ports.js';
import type { WeeklyDriftReport } from '../../shared/drift/run/runWeeklyDrift.js';
import type { RetrainWebhookInvoker, ScoreEventsInvoker, WeeklyDriftInvoker } from './ports.js';
import type { HostBatch } from './hostBatcher.js';
import { MrmError } from '../../shared/errors.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';

export interface LocalFunctionHost {
  scoreEvents: ScoreEventsInvoker;
  weeklyDrift: WeeklyDriftInvoker;
  /** dailyDrift: the same invoker, reporting the previous UTC day. */
  dailyDrift: WeeklyDriftInvoker;
  retrainWebhook: RetrainWebhookInvoker;
  /** What the four functions logged, one line each (warnings and errors always; information when asked). */
  logs(): string[];
}

export interface LocalFunctionHostOptions {
  settings: Settings;
  /** Where the connections (AzureWebJobsStorage) are read from. */
  env: Environment;
  /** The Event Hubs namespace the trigger metadata names. */
  namespace: string;
  /** Keep information-level log lines too (one per invocation). Default false. */
  verbose?: boolean;
}

/**
 * The three real functions, invoked the way the Functions host invokes them (InvocationContext with the trigger's
 * metadata, Timer, HttpRequest), with the production dependencies except the edges a laptop replaces: the simulated
 * clock, no telemetry export, no drift-profile cache (the demo reads its week once), Azure ML in dry run.
 */
export async function startLocalFunctionHost(options: LocalFunctionHostOptions): Promise<LocalFunctionHost> {
  const { settings, env } = options;
  const logs: string[] = [];
  const logHandler =
    (functionName: string) =>
    (level: string, ...args: unknown[]): void => {
      if (!options.verbose && (level === 'information' || level === 'debug' || level === 'trace')) return;
      logs.push(`${functionName} ${level}: ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
    };
  const [scoreModule, driftModule, retrainModule] = await Promise.all([
    import('../../shared/compose/scoreEvents.js'),
    import('../../shared/compose/weeklyDrift.js'),
    import('../../shared/compose/retrainWebhook.js'),
  ]);
  const service = blobServiceClientFor(settings.core.storageConnection, env);

  let scoringNow = 0;
  // The production sink, recording what each invocation stored for the demo's tally.
  const storedDeadLetters = new BlobDeadLetterSink(service.getContainerClient(settings.scoring.deadLetterContainer));
  let stored: { letters: DeadLetter[]; blobs: number } = { letters: [], blobs: 0 };
  const deadLetters: DeadLetterSink = {
    async write(letters, batch) {
      const names = await storedDeadLetters.write(letters, batch);
      stored.letters.push(...letters);
      stored.blobs += names.length;
      return names;
    },
  };
  const scoreHandler = scoreModule.createScoreEventsHandler({
    settings,
    profiles: new BlobProfileSource(
      service.getContainerClient(settings.core.baselineContainer),
      settings.core.baselineBlob,
      {
        reloadCheckInMs: settings.scoring.profileReloadCheckInMs,
      },
    ),
    metrics: noMetrics,
    deadLetters,
    clock: { nowInMs: () => scoringNow },
  });
  let invocation = 0;
  const scoreEvents: ScoreEventsInvoker = {
    async invoke(batch, processedAtInMs) {
      scoringNow = processedAtInMs;
      stored = { letters: [], blobs: 0 };
      const context = new functions.InvocationContext({
        invocationId: `demo-${++invocation}`,
        functionName: 'scoreEvents',
        triggerMetadata: triggerMetadataOf(batch, settings, options.namespace),
        logHandler: logHandler('scoreEvents'),
      });
      const scored = await scoreHandler(
        batch.events.map((e) => deliveredBody(e.body)),
        context,
      );
      return { scored, deadLetters: stored.letters, deadLetterBlobs: stored.blobs };
    },
  };

  let driftNow = 0;
  let driftProgress: DriftProgress = silentProgress;
  const written: { report?: { json: string; html: string } } = {};
  const production = driftModule.weeklyDriftDependencies(settings, env);
  const reports: ReportSink = {
    async write(window, reportJson, html) {
      const where = await production.reports.write(window, reportJson, html);
      written.report = { json: reportJson, html };
      return where;
    },
  };
  // The demo's drift runs read every blob (no per-blob cache), and their reports land where the trend reads them.
  const driftDeps = {
    ...production,
    source: countingSource(production.source, () => driftProgress),
    cache: noProfileCache,
    reports,
    metrics: noMetrics,
    telemetry: undefined,
    clock: { nowInMs: () => driftNow },
    flush: undefined,
    // No Durable Functions runtime here: a window is always folded in the run itself, never handed to driftBackfill.
    backfill: undefined,
  };
  const driftInvoker = (cadence: typeof driftModule.WEEKLY): WeeklyDriftInvoker => {
    const handler = driftModule.createWeeklyDriftHandler(driftDeps, cadence);
    const period = cadence === driftModule.DAILY ? 86_400_000 : 7 * 86_400_000;
    return {
      async invoke(nowInMs, progress) {
        driftNow = nowInMs;
        driftProgress = progress;
        delete written.report;
        const timer = {
          isPastDue: false,
          schedule: { adjustForDST: false },
          scheduleStatus: {
            last: new Date(nowInMs - period).toISOString(),
            next: new Date(nowInMs + period).toISOString(),
            lastUpdated: new Date(nowInMs - period).toISOString(),
          },
        };
        await handler(
          timer,
          new functions.InvocationContext({
            invocationId: `demo-${cadence.name}-${nowInMs}`,
            functionName: cadence.name,
            logHandler: logHandler(cadence.name),
          }),
        );
        // Read back through a function: the compiler cannot see that the handler wrote it meanwhile.
        const report = ((): { json: string; html: string } | undefined => written.report)();
        if (!report) throw new MrmError('bug', 'DEMO.NO_REPORT', `${cadence.name} finished without writing a report`);
        return { report: JSON.parse(report.json) as WeeklyDriftReport, html: report.html };
      },
    };
  };
  const weeklyDrift = driftInvoker(driftModule.WEEKLY);
  const dailyDrift = driftInvoker(driftModule.DAILY);

  let webhookNow = 0;
  const retrainService = buildRetrainService(settings, env, {
    dryRun: true,
    clock: { nowInMs: () => webhookNow },
  });
  const retrainHandler = retrainModule.createRetrainHandler(() => retrainService);
  const retrainWebhook: RetrainWebhookInvoker = {
    async post(body, atInMs) {
      webhookNow = atInMs;
      const request = new functions.HttpRequest({
        method: 'POST',
        url: `http://127.0.0.1:7071/api/${settings.retraining.route}`,
        headers: { 'content-type': 'application/json' },
        body: { string: body },
      });
      const response = await retrainHandler(
        request,
        new functions.InvocationContext({ functionName: 'retrainWebhook', logHandler: logHandler('retrainWebhook') }),
      );
      return { status: response.status ?? 200, body: response.jsonBody };
    },
  };

  return { scoreEvents, weeklyDrift, dailyDrift, retrainWebhook, logs: () => [...logs] };
}

/** The batch metadata the Event Hubs trigger passes (`context.triggerMetadata`), as the host fills it. */
function triggerMetadataOf(batch: HostBatch, settings: Settings, namespace: string): Record<string, unknown> {
  const events = batch.events;
  const enqueued = events.map((e) => new Date(e.enqueuedTimeInMs).toISOString());
  return {
    partitionContext: {
      partitionId: batch.partitionId,
      eventHubName: settings.scoring.eventsHub,
      consumerGroup: settings.scoring.consumerGroup,
      fullyQualifiedNamespace: `${namespace}.servicebus.windows.net`,
    },
    sequenceNumberArray: events.map((e) => e.sequenceNumber),
    offsetArray: events.map((e) => e.offset),
    enqueuedTimeUtcArray: enqueued,
    partitionKeyArray: events.map((e) => e.partitionKey),
    propertiesArray: events.map((e) => e.properties),
    systemPropertiesArray: events.map((e, i) => ({
      SequenceNumber: e.sequenceNumber,
      Offset: e.offset,
      PartitionKey: e.partitionKey,
      EnqueuedTimeUtc: enqueued[i],
    })),
  };
}

/** The production Capture source, counting blobs for the progress bar (the handler logs its own progress). */
function countingSource(source: CaptureSource, progress: () => DriftProgress): CaptureSource {
  const listed: Record<CapturedHub, number> = { events: 0, scored: 0 };
  const hubOf = new Map<string, CapturedHub>();
  return {
    hubs: source.hubs,
    async *list(hub, window) {
      for await (const blob of source.list(hub, window)) {
        listed[hub]++;
        hubOf.set(blob.name, hub);
        yield blob;
      }
      progress().listed({ ...listed });
    },
    async *read(blob) {
      yield* source.read(blob);
      progress().blobDone({ hub: hubOf.get(blob.name) ?? 'events', name: blob.name, events: 0, source: 'read' });
    },
  };
}
