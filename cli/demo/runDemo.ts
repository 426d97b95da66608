import { buildBaseline } from '../../shared/baseline/buildBaseline.js';
import { buildBaselineWithModel } from '../../shared/baseline/buildBaselineWithModel.js';
import type { BaselineProfile } from '../../shared/baseline/profile.js';
import { readTrainingData } from '../../shared/baseline/trainingData.js';
import { captureEvent } from '../../shared/capture/captureFileWriter.js';
import { parseCaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import type { CaptureEventData } from '../../shared/capture/captureSchema.js';
import { THRESHOLDS } from '../../shared/telemetry/monitoring.js';
import type { Settings } from '../../shared/config/settings.js';
import type { WeeklyDriftReport } from '../../shared/drift/run/runWeeklyDrift.js';
import { silentProgress, type DriftProgress } from '../../shared/drift/run/ports.js';
import { MrmError, ok, unwrap } from '../../shared/errors.js';
import { OnnxScorer } from '../../shared/scoring/onnxScorer.js';
import { summariseBatch, type BatchSummary } from '../../shared/scoring/batchSummary.js';
import type { ScoredRecord } from '../../shared/contracts/records.js';
import { TransactionGenerator } from '../../dev/synthetic/transactions.js';
import { StreamMonitor } from '../../shared/stream/streamMonitor.js';
import type { StreamState } from '../../shared/stream/streamState.js';
import { CaptureArchiver, type CaptureFile } from './captureArchiver.js';
import type { DemoScenario } from './demoScenario.js';
import { demoTraffic } from './demoTraffic.js';
import { demoRunKey, driftAlert } from './driftAlert.js';
import type { DemoPorts } from './ports.js';
import { HostBatcher, type HostBatch } from './hostBatcher.js';
import { SimulatedEventHub, type SentEvent } from './simulatedEventHub.js';
import { TaskPool } from '../../shared/concurrency/taskPool.js';

export interface DemoRequest {
  scenario: DemoScenario;
  /** The app's settings (containers, hubs, Capture name format, batch size); the demo runs on the defaults. */
  settings: Settings;
  /** Rows of the synthetic training set. Default 10,000. */
  trainingRows?: number;
  /** host.json `maxEventBatchSize`. Default 100. */
  maxBatchSize?: number;
  /** Blob uploads in flight at once. Default 8. */
  uploadConcurrency?: number;
  /**
   * The classifier the demo guards (an ONNX file; the settings must say MRM_SCORER=onnx): stored where scoreEvents
   * loads it, and the baseline is built for it. Absent: the embedded input-anomaly detector.
   */
  model?: { bytes: Uint8Array; file: string };
}

/** How the model did on the ordinary transactions (not the attacker's, not broken bodies) on each side of the onset. */
export interface DemoModelSide {
  /** Ordinary transactions sent. */
  ordinary: number;
  /** Of those, scored and ACCEPTed. */
  accepted: number;
  /** Scored with a label, and predicted right. */
  labelled: number;
  correct: number;
}

/** The week's totals: the batch summaries' counts added up, and what the defence did to the attacker. */
export interface DemoCounts extends Pick<
  BatchSummary,
  'events' | 'accepted' | 'flagged' | 'review' | 'rejected' | 'deadLettered' | 'extractionFlagged' | 'deadLetterReasons'
> {
  /** What the defence did to the attacker's queries. */
  probe: { callerId: string; queries: number; probing: number; rateLimited: number };
  invocations: number;
  /** Before and after the drift onset. */
  model: { beforeOnset: DemoModelSide; afterOnset: DemoModelSide };
  /** The first page of each stream detector and direction (the same detectors as scoreEvents), at simulated time. */
  streamAlarms: DemoStreamAlarm[];
}

export interface DemoStreamAlarm {
  detector: string;
  direction: 'up' | 'down';
  partition: string;
  atInMs: number;
}

export interface DemoResult {
  scenario: DemoScenario;
  baseline: {
    profileVersion: string;
    rows: number;
    features: number;
    /** The model the demo guarded, and its held-out metrics in the baseline (null without labels). */
    scoredBy: BaselineProfile['heldOut']['scoredBy'];
    metrics: BaselineProfile['metrics'] | null;
    /** The model file, when the demo guarded a classifier. */
    modelFile: string | null;
  };
  counts: DemoCounts;
  blobs: { events: number; scored: number; deadLetters: number };
  report: WeeklyDriftReport;
  alert: { fired: boolean; magnitude: number; threshold: number; response?: { status: number; body: unknown } };
  files: Record<'training' | 'baseline' | 'reportHtml' | 'reportJson', string> & {
    alert?: string;
    webhookResponse?: string;
  };
  /** The daily reports of the week, in order: each day's verdict and when dailyDrift gave it. */
  daily: DemoDay[];
  timingsInMs: Record<'baseline' | 'stream' | 'daily' | 'drift' | 'retrain' | 'total', number>;
}

export interface DemoDay {
  label: string;
  /** When dailyDrift reported the day (its 02:30 UTC tick the next morning). */
  reportedAtInMs: number;
  driftShare: number;
  datasetDrift: boolean;
  driftedFeatures: string[];
}

const HOUR_IN_MS = 3_600_000;
const DAY_IN_MS = 24 * HOUR_IN_MS;
// MRM_DAILY_DRIFT_SCHEDULE's default: 02:30 UTC.
const DAILY_TICK_IN_MS = 2.5 * HOUR_IN_MS;
// The host picks a batch up shortly after its last event is enqueued.
const PROCESSING_DELAY_IN_MS = 250;

/**
 * The demo, as one story: build a baseline from the synthetic training set and store it where scoreEvents reads it;
 * play a week of traffic through the real scoreEvents handler in host-sized batches per partition, while Capture
 * files of both hubs (inputs and scored records) and the dead letters are written to storage; run the real
 * weeklyDrift for that week; and when the drift magnitude crosses the alert rule's threshold, post the alert Azure
 * Monitor would send to the real retrainWebhook.
 */
export async function runDemo(ports: DemoPorts, request: DemoRequest): Promise<DemoResult> {
  const { scenario, settings } = request;
  const startedAt = ports.stopwatch.nowInMs();
  const timings = { baseline: 0, stream: 0, daily: 0, drift: 0, retrain: 0, total: 0 };

  ports.progress.begin('baseline', 1);
  const { profile, rows, csv } = await trainBaseline(scenario, request.trainingRows ?? 10_000, request.model);
  if (request.model) {
    await ports.storage.upload(
      settings.scoring.onnxModelContainer,
      settings.scoring.onnxModelBlob,
      Buffer.from(request.model.bytes),
      'application/octet-stream',
    );
  }
  const profileJson = JSON.stringify(profile);
  const files = {
    training: await ports.output.write('training.csv', csv),
    baseline: await ports.output.write('baseline.json', profileJson),
  };
  await ports.storage.upload(
    settings.core.baselineContainer,
    settings.core.baselineBlob,
    profileJson,
    'application/json',
  );
  timings.baseline = ports.stopwatch.nowInMs() - startedAt;
  ports.progress.end(
    'baseline',
    `Baseline ${profile.profileVersion} from ${rows.toLocaleString('en-US')} training rows (${profile.features.length} features)` +
      (request.model ? `, for the model in ${request.model.file}` : ', for the embedded input-anomaly detector'),
  );

  const streamStartedAt = ports.stopwatch.nowInMs();
  const { counts, blobs } = await streamWeek(ports, request, profile);
  timings.stream = ports.stopwatch.nowInMs() - streamStartedAt;
  ports.progress.end(
    'stream',
    `${counts.events.toLocaleString('en-US')} events scored in ${counts.invocations.toLocaleString('en-US')} invocations; ` +
      `${(blobs.events + blobs.scored).toLocaleString('en-US')} Capture files, ${blobs.deadLetters} dead-letter blobs`,
  );

  const dailyStartedAt = ports.stopwatch.nowInMs();
  const daily = await dailyDrifts(ports, scenario);
  timings.daily = ports.stopwatch.nowInMs() - dailyStartedAt;
  const first = daily.find((d) => d.datasetDrift);
  ports.progress.end(
    'daily',
    `${daily.length} daily reports: ${first ? `dataset drift first on ${first.label}` : 'no day had dataset drift'}`,
  );

  const driftStartedAt = ports.stopwatch.nowInMs();
  const report = await weeklyDrift(ports, scenario);
  timings.drift = ports.stopwatch.nowInMs() - driftStartedAt;
  const reportFiles = {
    reportJson: await ports.output.write('report.json', `${JSON.stringify(report.report, null, 2)}\n`),
    reportHtml: await ports.output.write('report.html', report.html),
  };
  ports.progress.end(
    'drift',
    `Week ${scenario.window.label}: ${report.report.drift.driftedFeatures.length} of ${report.report.drift.monitoredFeatures} features drifted (drifted share ${report.report.drift.share.toFixed(2)})`,
  );

  const retrainStartedAt = ports.stopwatch.nowInMs();
  ports.progress.begin('retrain', 1);
  const magnitude = report.report.drift.share;
  const threshold = THRESHOLDS.retrainDriftMagnitude;
  const alert: DemoResult['alert'] = { fired: magnitude > threshold, magnitude, threshold };
  const alertFiles: Partial<DemoResult['files']> = {};
  if (alert.fired) {
    // The rule evaluates every 15 minutes; the alert fires at the first evaluation after weeklyDrift's metric lands.
    const firedAtInMs = scenario.nowInMs + 15 * 60_000;
    const payload = driftAlert({
      magnitude,
      threshold,
      firedAtInMs,
      runKey: demoRunKey(scenario),
    });
    const body = JSON.stringify(payload, null, 2);
    alertFiles.alert = await ports.output.write('alert.json', `${body}\n`);
    // The action group delivers within seconds of the alert firing.
    alert.response = await ports.retrainWebhook.post(body, firedAtInMs + 2_000);
    alertFiles.webhookResponse = await ports.output.write(
      'webhook-response.json',
      `${JSON.stringify(alert.response, null, 2)}\n`,
    );
  }
  timings.retrain = ports.stopwatch.nowInMs() - retrainStartedAt;
  ports.progress.end(
    'retrain',
    alert.fired
      ? `Alert fired; retrainWebhook answered ${alert.response!.status}`
      : 'No alert: the drifted share stayed within the threshold',
  );
  timings.total = ports.stopwatch.nowInMs() - startedAt;

  return {
    scenario,
    baseline: {
      profileVersion: profile.profileVersion,
      rows,
      features: profile.features.length,
      scoredBy: profile.heldOut.scoredBy,
      metrics: profile.metrics ?? null,
      modelFile: request.model?.file ?? null,
    },
    counts,
    blobs,
    report: report.report,
    daily,
    alert,
    files: { ...files, ...reportFiles, ...alertFiles },
    timingsInMs: timings,
  };
}

async function trainBaseline(
  scenario: DemoScenario,
  rows: number,
  model: DemoRequest['model'],
): Promise<{ profile: BaselineProfile; rows: number; csv: string }> {
  // Its own seed: the training set and the week's traffic are different draws of the same distribution.
  const csv = new TransactionGenerator(scenario.seed + 7919).csv(rows);
  const table = unwrap(
    readTrainingData(csv, { format: 'csv', id: 'id', label: 'label', categorical: ['merchant_category', 'channel'] }),
  );
  const options = {
    seed: scenario.seed,
    // Trained before the week it monitors.
    createdAt: new Date(scenario.window.fromInMs - 7 * 24 * HOUR_IN_MS).toISOString(),
    source: { file: 'training.csv', format: 'csv' as const },
    columns: { id: 'id', label: 'label' },
  };
  if (!model) return { profile: unwrap(buildBaseline(table, options)), rows: table.rows, csv };
  const source = { current: async () => ({ bytes: model.bytes, version: model.file, where: model.file }) };
  const profile = await buildBaselineWithModel(table, options, async (forModel) => {
    const scorer = new OnnxScorer(source, forModel);
    const ready = await scorer.ready();
    return ready.ok ? ok(scorer) : ready;
  });
  return { profile: unwrap(profile), rows: table.rows, csv };
}

async function streamWeek(
  ports: DemoPorts,
  request: DemoRequest,
  profile: BaselineProfile,
): Promise<{ counts: DemoCounts; blobs: DemoResult['blobs'] }> {
  const { scenario, settings } = request;
  const format = unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat));
  const archive = (eventHub: string) =>
    new CaptureArchiver({
      namespace: scenario.namespace,
      eventHub,
      format,
      intervalInMs: scenario.captureIntervalInMs,
    });
  const eventsArchive = archive(settings.scoring.eventsHub);
  const scoredArchive = archive(settings.scoring.scoredHub);
  const eventsHub = new SimulatedEventHub({ partitions: scenario.partitions });
  const scoredHub = new SimulatedEventHub({ partitions: scenario.partitions, enqueueLatencyInMs: 0 });
  const host = new HostBatcher(request.maxBatchSize ?? 100);
  const uploads = new TaskPool(request.uploadConcurrency ?? 8);
  const blobs = { events: 0, scored: 0, deadLetters: 0 };
  const counts: DemoCounts = {
    events: 0,
    accepted: 0,
    flagged: 0,
    review: 0,
    rejected: 0,
    deadLettered: 0,
    extractionFlagged: 0,
    deadLetterReasons: {},
    probe: { callerId: scenario.probe.callerId, queries: 0, probing: 0, rateLimited: 0 },
    invocations: 0,
    model: { beforeOnset: emptySide(), afterOnset: emptySide() },
    streamAlarms: [],
  };
  // The stream detectors of scoreEvents over the same scored records, one state per partition, to say when they
  // would have paged (the week's report says it only on Monday).
  const monitor = settings.stream.enabled ? new StreamMonitor(profile, settings.stream) : null;
  const streamStates = new Map<string, StreamState>();
  const sideAt = (timeInMs: number) =>
    timeInMs < scenario.drift.onsetInMs ? counts.model.beforeOnset : counts.model.afterOnset;

  const uploadCapture = (file: CaptureFile, kind: 'events' | 'scored') =>
    uploads.submit(async () => {
      await ports.storage.upload(settings.drift.captureContainer, file.name, file.bytes, 'application/octet-stream');
      blobs[kind]++;
    });

  const invoke = async (batch: HostBatch): Promise<void> => {
    const processedAtInMs = batch.events[batch.events.length - 1]!.enqueuedTimeInMs + PROCESSING_DELAY_IN_MS;
    const outputs = await ports.scoreEvents.invoke(batch, processedAtInMs);
    counts.invocations++;
    tally(
      counts,
      summariseBatch(outputs.scored, outputs.deadLetters, {
        events: batch.events.length,
        batchLatencyInMs: 0,
        scorerLatencyInMs: null,
        minConfidence: 0,
      }),
      outputs.scored,
    );
    const ordinary = new Map(batch.events.flatMap((e) => (e.kind === 'ordinary' ? [[e.id, e.timeInMs] as const] : [])));
    for (const record of outputs.scored) {
      const sentAt = ordinary.get(record.id);
      if (sentAt === undefined) continue;
      const side = sideAt(sentAt);
      if (record.decision === 'ACCEPT') side.accepted++;
      if (record.label !== null && record.prediction !== null) {
        side.labelled++;
        if (String(record.label) === record.prediction) side.correct++;
      }
    }
    if (monitor) {
      let state = streamStates.get(batch.partitionId);
      if (!state) streamStates.set(batch.partitionId, (state = monitor.fresh()));
      for (const alarm of monitor.observe(state, outputs.scored, batch.partitionId).alarms) {
        if (counts.streamAlarms.some((a) => a.detector === alarm.detector && a.direction === alarm.direction)) continue;
        counts.streamAlarms.push({ ...alarm, atInMs: processedAtInMs });
      }
    }
    blobs.deadLetters += outputs.deadLetterBlobs;
    // The scored output binding sends the records without a partition key; here they stay on the input's partition.
    for (const record of outputs.scored) {
      const body = Buffer.from(JSON.stringify(record));
      const sent = scoredHub.enqueue(
        { id: record.id, body, partitionKey: '', timeInMs: processedAtInMs, kind: 'ordinary', properties: {} },
        batch.partitionId,
      );
      const closed = scoredArchive.add(sent.partitionId, captureRecordOf(sent, false), sent.enqueuedTimeInMs);
      if (closed) await uploadCapture(closed, 'scored');
    }
  };

  ports.progress.begin('stream', scenario.events);
  let sent = 0;
  for (const event of demoTraffic(scenario)) {
    const stored = eventsHub.enqueue(event);
    if (event.kind === 'ordinary') sideAt(event.timeInMs).ordinary++;
    const closed = eventsArchive.add(stored.partitionId, captureRecordOf(stored, true), stored.enqueuedTimeInMs);
    if (closed) await uploadCapture(closed, 'events');
    const batch = host.add(stored);
    if (batch) await invoke(batch);
    if (++sent % 2000 === 0) ports.progress.update('stream', sent);
  }
  for (const batch of host.drain()) await invoke(batch);
  for (const file of eventsArchive.flush()) await uploadCapture(file, 'events');
  for (const file of scoredArchive.flush()) await uploadCapture(file, 'scored');
  await uploads.drain();
  ports.progress.update('stream', sent);
  return { counts, blobs };
}

/** dailyDrift's seven ticks of the week (02:30 UTC each next morning, its default schedule), before Monday's weekly run. */
async function dailyDrifts(ports: DemoPorts, scenario: DemoScenario): Promise<DemoDay[]> {
  const days: DemoDay[] = [];
  ports.progress.begin('daily', 7);
  for (let d = 1; d <= 7; d++) {
    const reportedAtInMs = scenario.window.fromInMs + d * DAY_IN_MS + DAILY_TICK_IN_MS;
    const { report } = await ports.dailyDrift.invoke(reportedAtInMs, silentProgress);
    days.push({
      label: report.window.from.slice(0, 10),
      reportedAtInMs,
      driftShare: report.drift.share,
      datasetDrift: report.drift.drifted,
      driftedFeatures: [...report.drift.driftedFeatures],
    });
    ports.progress.update('daily', d, 7);
  }
  return days;
}

async function weeklyDrift(ports: DemoPorts, scenario: DemoScenario) {
  let total = 0;
  let done = 0;
  ports.progress.begin('drift', 0);
  const progress: DriftProgress = {
    listed: (counts) => {
      total = Object.values(counts).reduce((s, n) => s + n, 0);
      ports.progress.update('drift', done, total);
    },
    blobDone: () => {
      done++;
      if (done % 16 === 0 || done === total) ports.progress.update('drift', done, total);
    },
    note: () => undefined,
  };
  const written = await ports.weeklyDrift.invoke(scenario.nowInMs, progress);
  if (written.report.window.from !== new Date(scenario.window.fromInMs).toISOString()) {
    throw new MrmError(
      'bug',
      'DEMO.WRONG_WEEK',
      `weeklyDrift reported on ${written.report.window.from}, not on the demo's week ${scenario.window.label}`,
    );
  }
  return written;
}

/** The Capture record of an event as the broker stored it (system properties as Capture writes them). */
function captureRecordOf(event: SentEvent, withPartitionKey: boolean): CaptureEventData {
  const record = captureEvent({
    sequenceNumber: event.sequenceNumber,
    enqueuedTimeInMs: event.enqueuedTimeInMs,
    offset: event.offset,
    body: event.body,
    properties: Object.fromEntries(Object.entries(event.properties).map(([key, value]) => [key, { string: value }])),
  });
  record.SystemProperties['x-opt-offset'] = { string: event.offset };
  if (withPartitionKey) record.SystemProperties['x-opt-partition-key'] = { string: event.partitionKey };
  return record;
}

const emptySide = (): DemoModelSide => ({ ordinary: 0, accepted: 0, labelled: 0, correct: 0 });

function tally(counts: DemoCounts, summary: BatchSummary, scored: readonly ScoredRecord[]): void {
  counts.events += summary.events;
  counts.accepted += summary.accepted;
  counts.flagged += summary.flagged;
  counts.review += summary.review;
  counts.rejected += summary.rejected;
  counts.deadLettered += summary.deadLettered;
  counts.extractionFlagged += summary.extractionFlagged;
  for (const [reason, n] of Object.entries(summary.deadLetterReasons))
    counts.deadLetterReasons[reason] = (counts.deadLetterReasons[reason] ?? 0) + n;
  for (const record of scored) {
    if (record.callerId !== counts.probe.callerId) continue;
    counts.probe.queries++;
    if (record.reasons.includes('EXTRACTION.PROBING')) counts.probe.probing++;
    if (record.reasons.includes('EXTRACTION.RATE_LIMITED')) counts.probe.rateLimited++;
  }
}
