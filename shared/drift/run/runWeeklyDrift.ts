import { compareProfiles } from '../compare.js';
import type { DriftOptions } from '../driftOptions.js';
import { renderDriftReportHtml } from '../html.js';
import { emptyProfile, type DatasetProfile, type PerformanceState } from '../profile.js';
import { buildDriftReport, type DriftReport, type DriftTelemetry } from '../report.js';
import type { ProfileSchema } from '../schema.js';
import type { MetricsPort } from '../../telemetry/metricsPort.js';
import type { Scorer } from '../../contracts/scorer.js';
import type { DriftWindow } from './driftWindow.js';
import type { FoldCaptureOptions } from './foldCaptureBlob.js';
import type { CapturedHub } from './types.js';
import { profileWindow, type HubWindow } from './profileWindow.js';
import { profileWindowFromRollups } from './profileWindowFromRollups.js';
import type {
  CaptureSource,
  Clock,
  DriftProgress,
  ProfileCache,
  ReportHistory,
  ReportSink,
  RollupStore,
  ScoringTelemetrySource,
} from './ports.js';
import { readTrend } from './readTrend.js';
import type { AlarmHistory } from '../../contracts/streamAlarms.js';
import { streamAlarmsOf } from '../report/streamTimeline.js';

/** What the drift needs of the baseline profile (BaselineProfile satisfies it). */
export interface DriftBaseline {
  schema: ProfileSchema;
  data: DatasetProfile;
  /** Out-of-sample performance counts of the baseline (its held-out split): what performance drift compares with. */
  heldOut?:
    | {
        performance?: PerformanceState | null | undefined;
        /** The model whose held-out predictions the baseline holds (absent: the embedded forest). */
        scoredBy?: { scorer: 'forest' | 'onnx'; modelVersion: string } | undefined;
      }
    | undefined;
  profileVersion?: string | null | undefined;
}

export interface WeeklyDriftDeps {
  source: CaptureSource;
  cache: ProfileCache;
  clock: Clock;
  progress: DriftProgress;
  metrics: MetricsPort;
  /** Absent: no Log Analytics workspace configured, and the report says so. */
  telemetry?: ScoringTelemetrySource | undefined;
  /** Absent: the report is only returned (the CLI writes files itself). */
  reports?: ReportSink | undefined;
  /** Hourly roll-ups (profileCaptureBlob builds them): the window merges them and folds only what they lack. */
  rollups?: RollupStore | undefined;
  /** Earlier reports (where `reports` wrote them): the report draws the trend of the last windows from them. */
  history?: ReportHistory | undefined;
  /** The stream detectors' alarm log: the report shows the window's pages on a timeline. */
  streamAlarms?: AlarmHistory | undefined;
}

export interface WeeklyDriftRequest {
  baseline: DriftBaseline;
  window: DriftWindow;
  options: DriftOptions;
  /** Blobs read at once (default 4). */
  concurrency?: number;
  /** Stop starting new blobs after this long (clock time from the start of the run); the next run resumes. */
  timeBudgetInMs?: number;
  decoder?: FoldCaptureOptions;
  /** MRM_SCORER: the report says what the predictions are (a classifier's, or the input-anomaly detector's). */
  scorer?: Scorer['kind'];
  /** MRM_DASHBOARD_URL: the report links to the dashboard. */
  dashboardUrl?: string | undefined;
  /** MRM_DRIFT_TREND_WINDOWS: earlier windows the trend reads (0: no trend). Needs `deps.history`. */
  trendWindows?: number;
  /**
   * With roll-ups: report nothing and say so (`handover`) when the blobs without a roll-up add up to more than this
   * many bytes, so the caller can fan the backfill out (the driftBackfill orchestration). Default: backfill inline.
   */
  handOverAboveBytes?: number;
}

/** Per hub: what Capture held and how it was read. */
export interface CaptureSummary {
  hubs: Partial<
    Record<
      CapturedHub,
      Omit<HubWindow, 'profile' | 'skipped' | 'firstEnqueuedInMs' | 'lastEnqueuedInMs'> & {
        eventsProfiled: number;
        badBodies: Record<string, number>;
        firstEnqueued: string | null;
        lastEnqueued: string | null;
      }
    >
  >;
  /** Skipped blobs with the full message (the report's `blobs.skipped` keeps name and reason). */
  skipped: Array<{ hub: CapturedHub; name: string; reason: string; message: string }>;
  /** Where the features were taken from: the inputs hub, or the scored records when only those are captured. */
  featuresFrom: CapturedHub | null;
}

export type WeeklyDriftReport = DriftReport & { capture: CaptureSummary };

export type WeeklyDriftOutcome =
  | { status: 'complete'; report: WeeklyDriftReport; html: string; written?: { json: string; html: string } }
  | { status: 'incomplete'; window: DriftWindow; blobsDone: number; blobsTotal: number }
  /** More Capture data without a roll-up than `handOverAboveBytes`: nothing was folded (or reported). */
  | { status: 'handover'; window: DriftWindow; blobsPending: number; bytesPending: number; blobsTotal: number };

/**
 * The weekly drift, as one story: profile the window's Capture blobs (cached per blob, resumable), put the week's
 * inputs and scored records together, compare with the baseline, add the week's scoring telemetry and stream alarms,
 * build the report and its HTML, write them, and emit the drift metrics. When the time budget runs out first, nothing is reported:
 * the outcome says how far it got, and a new run picks up from the cached profiles.
 */
export async function runWeeklyDrift(deps: WeeklyDriftDeps, request: WeeklyDriftRequest): Promise<WeeklyDriftOutcome> {
  const { baseline, window } = request;
  const startedAt = deps.clock.nowInMs();
  const profileTheWindow = deps.rollups
    ? (request: Parameters<typeof profileWindowFromRollups>[1]) =>
        profileWindowFromRollups({ ...deps, rollups: deps.rollups! }, request)
    : (request: Parameters<typeof profileWindow>[1]) => profileWindow(deps, request);
  const profiled = await profileTheWindow({
    schema: baseline.schema,
    window,
    ...(request.concurrency !== undefined ? { concurrency: request.concurrency } : {}),
    ...(request.timeBudgetInMs !== undefined ? { deadlineInMs: startedAt + request.timeBudgetInMs } : {}),
    ...(request.decoder ? { decoder: request.decoder } : {}),
    ...(request.handOverAboveBytes !== undefined ? { handOverAboveBytes: request.handOverAboveBytes } : {}),
  });
  if (profiled.status === 'incomplete')
    return { status: 'incomplete', window, blobsDone: profiled.blobsDone, blobsTotal: profiled.blobsTotal };
  if (profiled.status === 'handover') return { ...profiled, window };

  // A hub counts as captured when the window has blobs for it; with none at all, the report says so.
  const captured = (hub: HubWindow | undefined): HubWindow | undefined => (hub && hub.blobs > 0 ? hub : undefined);
  const current = combine(
    captured(profiled.hubs.events),
    captured(profiled.hubs.scored),
    baseline.schema,
    deps.source.hubs,
  );
  const hubs = Object.entries(profiled.hubs) as Array<[CapturedHub, HubWindow]>;
  const skipped = hubs.flatMap(([hub, h]) => h.skipped.map((s) => ({ hub, ...s })));
  const assessment = compareProfiles(baseline.data, current.profile, {
    ...request.options,
    schema: baseline.schema,
    ...(baseline.heldOut?.performance ? { baselinePerformance: baseline.heldOut.performance } : {}),
    emptyReason: emptyReason(hubs, skipped.length, deps.source.hubs),
  });
  // The report's event count and bad bodies are those of the hub the features come from (per hub: capture.hubs).
  const badBodies = current.profile.badBodies;

  const report = buildDriftReport({
    window: { from: new Date(window.fromInMs), to: new Date(window.toInMs) },
    assessment,
    blobs: { read: hubs.reduce((n, [, h]) => n + h.folded, 0), skipped },
    badBodies,
    telemetry: await weekTelemetry(deps.telemetry, window),
    generatedAt: new Date(deps.clock.nowInMs()),
    baselineProfileVersion: baseline.profileVersion ?? null,
    scorer: request.scorer,
    profiles: { reference: baseline.data, current: current.profile, schema: baseline.schema },
  });
  if (current.note) report.recommendations.push(current.note);
  const mismatch = scorerMismatch(baseline, request.scorer);
  if (mismatch) report.recommendations.push(mismatch);
  const full: WeeklyDriftReport = { ...report, capture: captureSummary(profiled.hubs, skipped, current.featuresFrom) };
  if (deps.history && (request.trendWindows ?? 0) > 0)
    full.trend = await readTrend(deps.history, window, request.trendWindows!, report, deps.progress);
  const streamAlarms = await streamAlarmsOf(deps.streamAlarms, window);
  if (streamAlarms) full.streamAlarms = streamAlarms;
  const html = renderDriftReportHtml(full, baseline.data, current.profile, baseline.schema, {
    dashboardUrl: request.dashboardUrl,
  });

  emitMetrics(deps.metrics, full);
  if (!deps.reports) return { status: 'complete', report: full, html };
  const written = await deps.reports.write(window, `${JSON.stringify(full, null, 2)}\n`, html);
  return { status: 'complete', report: full, html, written };
}

/**
 * Prediction and performance drift compare the baseline's held-out predictions with the week's: from two different
 * models they differ whatever the data does, so the report says so.
 */
function scorerMismatch(baseline: DriftBaseline, scorer: Scorer['kind'] | undefined): string | undefined {
  const by = baseline.heldOut?.scoredBy?.scorer ?? 'forest';
  if (scorer === undefined || scorer === by || (scorer === 'aml' && by === 'onnx')) return undefined;
  return by === 'forest'
    ? `The baseline's predictions are the embedded input-anomaly detector's, but this week's come from the ${scorer} scorer: ` +
        'prediction and performance drift compare two different models. Rebuild the baseline with your model (`mrm baseline --model model.onnx`).'
    : `The baseline's predictions are those of ONNX model ${baseline.heldOut!.scoredBy!.modelVersion}, but this week's come from the ${scorer} scorer: ` +
        'prediction and performance drift compare two different models. Score with the same model, or rebuild the baseline without --model.';
}

/**
 * The week's profile: features from the inputs hub (what producers sent, before any clipping), prediction, labels
 * and performance from the scored hub. With only the scored hub, its (sanitised) features stand in.
 */
function combine(
  events: HubWindow | undefined,
  scored: HubWindow | undefined,
  schema: ProfileSchema,
  hubs: ReadonlyArray<CapturedHub>,
): { profile: DatasetProfile; featuresFrom: CapturedHub | null; note?: string } {
  if (events && scored) {
    return {
      profile: {
        ...events.profile,
        prediction: scored.profile.prediction,
        labels: scored.profile.labels,
        performance: scored.profile.performance,
      },
      featuresFrom: 'events',
    };
  }
  if (events) return { profile: events.profile, featuresFrom: 'events' };
  if (scored) {
    return {
      profile: scored.profile,
      featuresFrom: 'scored',
      note: 'Features were read from scored records (the events hub is not captured): values outside the baseline range were clipped by scoreEvents, which hides part of any drift.',
    };
  }
  return {
    profile: emptyProfile(schema),
    featuresFrom: null,
    note: `No Capture blobs in the window for the ${hubs.join(' and ')} hub(s): check that Capture is enabled and MRM_CAPTURE_* match its container and name format.`,
  };
}

/** Why a window has no events, in the words of what was found. */
function emptyReason(
  hubs: Array<[CapturedHub, HubWindow]>,
  skipped: number,
  captured: ReadonlyArray<CapturedHub>,
): string {
  const blobs = hubs.reduce((n, [, h]) => n + h.blobs, 0);
  if (blobs === 0)
    return `no Capture blobs in the window for the ${captured.join(' and ')} hub${captured.length > 1 ? 's' : ''}`;
  if (skipped >= blobs)
    return `all ${blobs} Capture blobs of the window were skipped as unreadable (see blobs.skipped)`;
  return `the window's ${blobs} Capture blobs held no events`;
}

async function weekTelemetry(
  source: ScoringTelemetrySource | undefined,
  window: DriftWindow,
): Promise<DriftTelemetry | undefined> {
  if (!source) return undefined;
  const result = await source.weekTelemetry(window);
  if (!result.ok)
    return { available: false, reason: `${source.description}: ${result.error.code}: ${result.error.message}` };
  return { available: true, source: 'log-analytics', ...result.value, from: source.description };
}

function captureSummary(
  hubs: Partial<Record<CapturedHub, HubWindow>>,
  skipped: CaptureSummary['skipped'],
  featuresFrom: CapturedHub | null,
): CaptureSummary {
  const summary: CaptureSummary = { hubs: {}, skipped, featuresFrom };
  for (const [hub, h] of Object.entries(hubs) as Array<[CapturedHub, HubWindow]>) {
    summary.hubs[hub] = {
      blobs: h.blobs,
      folded: h.folded,
      fromCache: h.fromCache,
      records: h.records,
      eventsProfiled: h.profile.events,
      badBodies: h.profile.badBodies,
      unparsedTimes: h.unparsedTimes,
      firstEnqueued: h.firstEnqueuedInMs === null ? null : new Date(h.firstEnqueuedInMs).toISOString(),
      lastEnqueued: h.lastEnqueuedInMs === null ? null : new Date(h.lastEnqueuedInMs).toISOString(),
    };
  }
  return summary;
}

/** The drift metrics the alerts watch (names in monitoring.json), one value per run. */
function emitMetrics(metrics: MetricsPort, report: DriftReport): void {
  const psis = Object.values(report.features)
    .map((f) => f.tests.psi?.score)
    .filter((p): p is number => p !== undefined && Number.isFinite(p));
  // The alert on drift magnitude watches the drifted share (the seed's "magnitude").
  metrics.observe('driftMagnitude', report.drift.share);
  metrics.observe('driftShare', report.drift.share);
  metrics.observe('driftedFeatures', report.drift.driftedFeatures.length);
  metrics.observe('maxPsi', psis.length > 0 ? Math.max(...psis) : 0);
  metrics.observe('eventsInWindow', report.events);
}
