import type { InvocationContext, Timer } from '@azure/functions';
import { DefaultAzureCredential } from '@azure/identity';
import type { Environment, Settings } from '../config/settings.js';
import { MrmError, errorMessage, kindOf, unwrap, type ErrorKind } from '../errors.js';
import { printable } from '../printable.js';
import { blobServiceClientFor } from '../adapters/blobServiceClient.js';
import { BlobProfileSource, type ProfileSource } from '../adapters/blobProfileSource.js';
import { ContainerCaptureStore } from '../adapters/containerCaptureStore.js';
import { BlobProfileCache } from '../adapters/blobProfileCache.js';
import { BlobReportSink } from '../adapters/blobReportSink.js';
import { BlobRollupStore } from '../adapters/blobRollupStore.js';
import { BlobAlarmLog } from '../adapters/blobAlarmLog.js';
import type { AlarmHistory } from '../stream/alarmLog.js';
import type { RollupStore } from '../drift/run/ports.js';
import { LogAnalyticsTelemetry } from '../adapters/logAnalyticsTelemetry.js';
import { OtelMetrics, flushTelemetry, startFunctionTelemetry } from '../adapters/telemetry.js';
import { parseCaptureNameFormat, type CaptureNameFormat } from '../capture/captureNameFormat.js';
import { captureSourceOf } from '../drift/run/captureSourceOf.js';
import { previousIsoWeek, previousUtcDay, type DriftWindow } from '../drift/run/driftWindow.js';
import { driftOptionsFromSettings } from '../config/driftOptionsFromSettings.js';
import { runWeeklyDrift, type WeeklyDriftDeps, type WeeklyDriftOutcome } from '../drift/run/runWeeklyDrift.js';
import type { BackfillStarter } from '../drift/backfill/ports.js';
import type {
  CaptureSource,
  Clock,
  DriftProgress,
  ProfileCache,
  ReportHistory,
  ReportSink,
  ScoringTelemetrySource,
} from '../drift/run/ports.js';
import * as df from 'durable-functions';
import { DurableBackfillStarter } from '../adapters/durableBackfillStarter.js';
import { systemClock } from '../adapters/clocks.js';
import { noMetrics, type MetricsPort } from '../telemetry/metricsPort.js';

export interface WeeklyDriftDependencies {
  settings: Settings;
  baseline: ProfileSource;
  source: CaptureSource;
  cache: ProfileCache;
  /** Hourly roll-ups built by profileCaptureBlob; absent: a full fold of the window's blobs. */
  rollups?: RollupStore | undefined;
  reports: ReportSink;
  /** Earlier reports for the trend (the production sink reads back what it wrote). */
  history?: ReportHistory | undefined;
  metrics: MetricsPort;
  telemetry?: ScoringTelemetrySource | undefined;
  /** The stream detectors' alarm log (their state container): the report's timeline of the week's pages. */
  streamAlarms?: AlarmHistory | undefined;
  clock: Clock;
  /** Pushes buffered metrics out before the invocation ends. */
  flush?: () => Promise<void>;
  /**
   * Starts the window's driftBackfill orchestration (the invocation's Durable Functions client). With it and
   * MRM_DRIFT_HANDOVER_MIB > 0, a window with more than that to backfill, or whose time budget runs out, is handed
   * over rather than continued through retries. Absent: no hand-over.
   */
  backfill?: ((context: InvocationContext) => BackfillStarter) | undefined;
}

/**
 * The weeklyDrift (or dailyDrift) handler over its dependencies: report the previous ISO week (or UTC day). A late
 * tick (isPastDue, e.g. after the app was scaled to zero or redeployed over the schedule) is logged and run all the
 * same. The timer run stays short: when the roll-ups lack more than MRM_DRIFT_HANDOVER_MIB of Capture data, or the
 * time budget runs out first, the window is handed to the driftBackfill orchestration (which fans the backfill out
 * per hub and hour and writes the report) and the invocation ends; the blobs profiled so far stay cached. Without
 * the orchestration (MRM_DRIFT_HANDOVER_MIB=0) an exhausted budget fails the invocation with DRIFT.INCOMPLETE, and the
 * host's retry policy starts a continuation a minute later, which resumes from the cache.
 */
export function createWeeklyDriftHandler(deps: WeeklyDriftDependencies, cadence: DriftCadence = WEEKLY) {
  const run = weeklyDriftRun(cadence.emitsMetrics ? deps : { ...deps, metrics: noMetrics }, cadence);
  return async function weeklyDrift(timer: Timer, context: InvocationContext): Promise<void> {
    try {
      await run(timer, context);
    } catch (error) {
      // Every failure fails the invocation, so the host's retry policy runs it again; the log says what to expect.
      const kind = kindOf(error);
      context.error(printable(`${cadence.name} failed (${kind}): ${errorMessage(error)} ${AFTER_FAILURE[kind]}`));
      throw error;
    }
  };
}

const AFTER_FAILURE: Record<ErrorKind, string> = {
  transient: 'The retry resumes from the cached profiles.',
  configuration: 'Retries fail the same way until the setting, permission or baseline named is fixed.',
  'bad-input': 'Retries fail the same way until the input named is fixed.',
  bug: 'Retries will likely fail the same way: report it with this log.',
};

function weeklyDriftRun(deps: WeeklyDriftDependencies, cadence: DriftCadence) {
  const name = cadence.name;
  const handOverAboveBytes =
    deps.backfill && deps.settings.drift.handOverAboveMiB > 0 ? deps.settings.drift.handOverAboveMiB * MIB : undefined;
  return async function weeklyDrift(timer: Timer, context: InvocationContext): Promise<void> {
    const window = cadence.window(deps.clock.nowInMs());
    const retry = context.retryContext;
    if (timer.isPastDue)
      context.warn(`${name} is past due (last scheduled ${timer.scheduleStatus?.last ?? 'unknown'}): running now`);
    context.log(
      `${name} ${window.label}: ${new Date(window.fromInMs).toISOString()} to ${new Date(window.toInMs).toISOString()}` +
        (retry && retry.retryCount > 0 ? ` (continuation ${retry.retryCount} of at most ${retry.maxRetryCount})` : ''),
    );
    const outcome = await reportDriftWindow(deps, name, window, context, { handOverAboveBytes });
    if (outcome.status === 'complete') return;
    if (handOverAboveBytes !== undefined) {
      const why =
        outcome.status === 'handover'
          ? `${outcome.blobsPending} of ${outcome.blobsTotal} blobs (${mib(outcome.bytesPending)} MiB) have no roll-up, more than MRM_DRIFT_HANDOVER_MIB`
          : `the time budget ran out after ${outcome.blobsDone} of ${outcome.blobsTotal} blobs`;
      const started = await deps.backfill!(context).start({
        run: name,
        window,
        emitsMetrics: cadence.emitsMetrics,
        startedBy: name,
      });
      context.log(
        `${name} ${window.label}: ${why}: handed to the driftBackfill orchestration, instance ${started.instanceId}` +
          ` (${started.state === 'started' ? 'started' : 'already running'}); it writes the report`,
      );
      return;
    }
    if (outcome.status === 'incomplete')
      throw new MrmError(
        'transient',
        'DRIFT.INCOMPLETE',
        `Profiled ${outcome.blobsDone} of ${outcome.blobsTotal} Capture blobs of ${window.label} within MRM_DRIFT_TIME_BUDGET_MS; a continuation resumes from the cached profiles`,
        { detail: { ...outcome } },
      );
  };
}

const MIB = 1_048_576;
const mib = (bytes: number) => (bytes / MIB).toFixed(0);

/**
 * One window's report as the drift runs make it (the timer, or the driftBackfill orchestration's report activity):
 * the baseline, the run over the settings, a log line with the verdict, and the metrics flushed. Returns the outcome
 * for the caller to act on when nothing was reported (`incomplete`, `handover`).
 */
export async function reportDriftWindow(
  deps: WeeklyDriftDependencies,
  name: DriftCadence['name'],
  window: DriftWindow,
  context: InvocationContext,
  options: { handOverAboveBytes?: number | undefined } = {},
): Promise<WeeklyDriftOutcome> {
  const baseline = await deps.baseline.current();
  const { settings } = deps;
  const runDeps: WeeklyDriftDeps = { ...deps, progress: logProgress(context) };
  const outcome = await runWeeklyDrift(runDeps, {
    baseline,
    window,
    options: driftOptionsFromSettings(settings.drift),
    concurrency: settings.drift.concurrency,
    timeBudgetInMs: settings.drift.timeBudgetInMs,
    // Bodies are read with scoreEvents' limit: what it dead-letters as too large is counted so here.
    decoder: { maxBodyBytes: settings.scoring.maxBodyBytes },
    scorer: settings.scoring.scorer,
    dashboardUrl: settings.drift.dashboardUrl,
    trendWindows: settings.drift.trendWindows,
    ...(options.handOverAboveBytes !== undefined ? { handOverAboveBytes: options.handOverAboveBytes } : {}),
  });
  if (outcome.status !== 'complete') return outcome;
  const { report, written } = outcome;
  context.log(
    `${name} ${window.label}: ${report.events} events (${report.eventsProfiled} profiled), ${report.blobs.read} blobs read, ${report.blobs.skipped.length} skipped; ` +
      `drift share ${report.drift.share.toFixed(3)} (${report.drift.driftedFeatures.join(', ') || 'no feature'} drifted), ` +
      `retrain ${report.retrainRecommended ? 'recommended' : 'not recommended'}; report ${written?.json ?? '(not written)'}`,
  );
  try {
    await deps.flush?.();
  } catch (error) {
    context.warn(`Could not flush the drift metrics: ${errorMessage(error)}`);
  }
  return outcome;
}

/**
 * Retries of a failed run (a store fault, the orchestration not starting), and the continuations of a budget run out
 * when hand-over is off (MRM_DRIFT_HANDOVER_MIB=0): DRIFT.INCOMPLETE, and the host runs it again a minute later.
 */
export const DRIFT_RETRY = { strategy: 'fixedDelay', delayInterval: { minutes: 1 }, maxRetryCount: 10 } as const;

/** Which window a drift run reports, under which name, and whether its verdict feeds the alerts (metrics). */
export interface DriftCadence {
  name: 'weeklyDrift' | 'dailyDrift';
  window: (nowInMs: number) => DriftWindow;
  emitsMetrics: boolean;
}

export const WEEKLY: DriftCadence = { name: 'weeklyDrift', window: previousIsoWeek, emitsMetrics: true };
/**
 * The previous UTC day, a report only: cheap once the hour roll-ups exist, and an earlier look; its metrics would
 * feed the weekly alert rules a day's smaller sample, so the weekly run alone decides retraining.
 */
export const DAILY: DriftCadence = { name: 'dailyDrift', window: previousUtcDay, emitsMetrics: false };

/** Progress as log lines: listing, every skipped blob, and about ten milestones however large the week. */
export function logProgress(context: InvocationContext): DriftProgress {
  let total = 0;
  let done = 0;
  let events = 0;
  let nextMilestone = 0;
  return {
    listed: (counts) => {
      total = counts.events + counts.scored;
      nextMilestone = Math.max(1, Math.ceil(total / 10));
      context.log(`Capture blobs in the window: ${counts.events} events, ${counts.scored} scored`);
    },
    blobDone: (event) => {
      done++;
      events += event.events;
      if (event.skipped)
        context.warn(printable(`Skipped ${event.name}: ${event.skipped.code}: ${event.skipped.message}`));
      if (done >= nextMilestone || done === total) {
        context.log(`Profiled ${done}/${total} blobs, ${events} events so far`);
        nextMilestone = done + Math.max(1, Math.ceil(total / 10));
      }
    },
    note: (message) => context.warn(message),
  };
}

/** The production dependencies, from settings and the Functions-style connections. */
export function weeklyDriftDependencies(
  settings: Settings,
  env: Environment,
  format: CaptureNameFormat = weeklyDriftCaptureFormat(settings),
): WeeklyDriftDependencies {
  const service = blobServiceClientFor(settings.core.storageConnection, env);
  const workspace = settings.drift.logAnalyticsWorkspaceId;
  const clientId = settings.core.managedIdentityClientId;
  const reports = new BlobReportSink(service.getContainerClient(settings.drift.reportsContainer));
  return {
    settings,
    baseline: new BlobProfileSource(
      service.getContainerClient(settings.core.baselineContainer),
      settings.core.baselineBlob,
      { reloadCheckInMs: 0 },
    ),
    source: captureSourceOf(new ContainerCaptureStore(service.getContainerClient(settings.drift.captureContainer)), {
      format,
      namespace: settings.drift.captureNamespace,
      hubNames: { events: settings.scoring.eventsHub, scored: settings.scoring.scoredHub },
    }),
    cache: new BlobProfileCache(service.getContainerClient(settings.drift.cacheContainer)),
    rollups: new BlobRollupStore(service.getContainerClient(settings.drift.cacheContainer)),
    reports,
    history: reports,
    streamAlarms: new BlobAlarmLog(service.getContainerClient(settings.stream.stateContainer)),
    metrics: new OtelMetrics(),
    telemetry: workspace
      ? new LogAnalyticsTelemetry(
          workspace,
          clientId ? new DefaultAzureCredential({ managedIdentityClientId: clientId }) : new DefaultAzureCredential(),
        )
      : undefined,
    clock: systemClock,
    flush: flushTelemetry,
    backfill: (context) => new DurableBackfillStarter(df.getClient(context)),
  };
}

/** The Capture name format, parsed once: a bad MRM_CAPTURE_NAME_FORMAT stops the app at cold start, by name. */
export function weeklyDriftCaptureFormat(settings: Settings): CaptureNameFormat {
  return unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat));
}

/**
 * The production handler. Built on first use so cold start stays small and tests can import the function file without
 * storage; telemetry starts first, since meters taken from the global provider before it is registered stay no-ops.
 */
export function weeklyDriftHandler(
  settings: Settings,
  env: Environment,
  format: CaptureNameFormat,
  cadence: DriftCadence = WEEKLY,
): (timer: Timer, context: InvocationContext) => Promise<void> {
  let handler: ReturnType<typeof createWeeklyDriftHandler> | undefined;
  return async (timer, context) => {
    if (!handler) {
      await startFunctionTelemetry(settings.core, (message) => context.error(message));
      handler = createWeeklyDriftHandler(weeklyDriftDependencies(settings, env, format), cadence);
    }
    return handler(timer, context);
  };
}
