import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobProfileCache } from '../../../../shared/adapters/blobProfileCache.js';
import { BlobReportSink } from '../../../../shared/adapters/blobReportSink.js';
import { ContainerCaptureStore } from '../../../../shared/adapters/containerCaptureStore.js';
import { parseCaptureNameFormat } from '../../../../shared/capture/captureNameFormat.js';
import { captureSourceOf } from '../../../../shared/drift/run/captureSourceOf.js';
import { previousIsoWeek } from '../../../../shared/drift/run/driftWindow.js';
import { silentProgress, type Clock } from '../../../../shared/drift/run/ports.js';
import {
  runWeeklyDrift,
  type WeeklyDriftOutcome,
  type WeeklyDriftReport,
} from '../../../../shared/drift/run/runWeeklyDrift.js';
import { DEFAULT_DRIFT_OPTIONS } from '../../../../shared/drift/driftOptions.js';
import { trendPointOf } from '../../../../shared/drift/trend.js';
import { unwrap } from '../../../../shared/errors.js';
import type { MetricKey } from '../../../../shared/telemetry/monitoring.js';
import { transactionBaseline } from '../../../helpers/baselineFixture.js';
import { BlobAlarmLog } from '../../../../shared/adapters/blobAlarmLog.js';
import type { StoredAlarm } from '../../../../shared/stream/alarmLog.js';
import { blobService, freshContainer } from '../../../helpers/storage.js';
import {
  badBodyRecords,
  captureName,
  encodeCaptureFile,
  eventRecords,
  scoredRecords,
  upload,
} from './fixtures/captureFixtures.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// The timer's tick on Monday 2024-01-22 03:00 UTC reports ISO week 2024-W03 (Monday 15th to Monday 22nd).
const TICK = Date.UTC(2024, 0, 22, 3);
const WINDOW = previousIsoWeek(TICK);
const FORMAT = unwrap(
  parseCaptureNameFormat('{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'),
);
const baseline = transactionBaseline();

interface WeekLayout {
  /** Good input events per file; 3 partitions × 4 hours spread over the week. */
  eventsPerFile: number;
  drift: number;
  scoredAccuracy: number;
}

/**
 * A week of Capture in a container: events over 3 partitions and 4 distinct days/hours, alternating codecs, plus an
 * empty (header-only) file, a truncated file, a file from the week before, and a file with 5 bad bodies; and the
 * scored hub on one partition. Returns what a correct reader must find.
 */
async function writeWeek(container: ContainerClient, layout: WeekLayout) {
  let goodFiles = 0;
  let goodEvents = 0;
  for (let partition = 0; partition < 3; partition++) {
    for (let slot = 0; slot < 4; slot++) {
      const start = WINDOW.fromInMs + ((slot * 2 + partition) * DAY) / 2 + slot * 5 * HOUR;
      const records = eventRecords(layout.eventsPerFile, {
        seed: 1000 + partition * 10 + slot,
        drift: layout.drift,
        startInMs: start,
      });
      await upload(
        container,
        captureName('mrm-ns', 'events', partition, start),
        encodeCaptureFile(records, { codec: (partition + slot) % 2 ? 'deflate' : 'null', recordsPerBlock: 97 }),
      );
      goodFiles++;
      goodEvents += layout.eventsPerFile;
    }
  }
  const emptyName = captureName('mrm-ns', 'events', 0, WINDOW.fromInMs + 2 * DAY + 7 * HOUR);
  await upload(container, emptyName, encodeCaptureFile([]));
  const truncatedName = captureName('mrm-ns', 'events', 1, WINDOW.fromInMs + 3 * DAY + 9 * HOUR);
  const truncated = encodeCaptureFile(
    eventRecords(200, { seed: 77, drift: layout.drift, startInMs: WINDOW.fromInMs + 3 * DAY }),
    { recordsPerBlock: 50 },
  );
  await upload(container, truncatedName, truncated.subarray(0, Math.floor(truncated.length * 0.6)));
  const outsideName = captureName('mrm-ns', 'events', 2, WINDOW.fromInMs - 5 * 60_000);
  await upload(
    container,
    outsideName,
    encodeCaptureFile(eventRecords(500, { seed: 78, drift: 1, startInMs: WINDOW.fromInMs - 5 * 60_000 })),
  );
  const badName = captureName('mrm-ns', 'events', 2, WINDOW.fromInMs + 5 * DAY + 11 * HOUR);
  await upload(
    container,
    badName,
    encodeCaptureFile([
      ...eventRecords(20, { seed: 79, drift: layout.drift, startInMs: WINDOW.fromInMs + 5 * DAY }),
      ...badBodyRecords(WINDOW.fromInMs + 5 * DAY),
    ]),
  );
  const scoredName = captureName('mrm-ns', 'scored', 0, WINDOW.fromInMs + 4 * DAY);
  await upload(
    container,
    scoredName,
    encodeCaptureFile(
      scoredRecords(1500, { seed: 80, startInMs: WINDOW.fromInMs + 4 * DAY, accuracy: layout.scoredAccuracy }),
      { codec: 'deflate' },
    ),
  );
  return {
    blobsRead: goodFiles + 1 /* empty */ + 1 /* bad bodies */ + 1 /* scored */,
    eventsProfiled: goodEvents + 20,
    truncatedName,
    outsideName,
  };
}

class RecordingMetrics {
  readonly observed: Array<[MetricKey, number]> = [];
  count(metric: MetricKey, value: number): void {
    this.observed.push([metric, value]);
  }
  observe(metric: MetricKey, value: number): void {
    this.observed.push([metric, value]);
  }
}

function deps(
  capture: ContainerClient,
  cache: ContainerClient,
  reports: ContainerClient,
  clock: Clock,
  metrics = new RecordingMetrics(),
) {
  return {
    source: captureSourceOf(new ContainerCaptureStore(capture), {
      format: FORMAT,
      namespace: 'mrm-ns',
      hubNames: { events: 'events', scored: 'scored' },
    }),
    cache: new BlobProfileCache(cache),
    clock,
    progress: silentProgress,
    metrics,
    reports: new BlobReportSink(reports),
  };
}

const fixedClock: Clock = { nowInMs: () => TICK };

function completed(outcome: WeeklyDriftOutcome): Extract<WeeklyDriftOutcome, { status: 'complete' }> {
  if (outcome.status !== 'complete') throw new Error(`expected a complete run, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('runWeeklyDrift against Capture files in Azurite', () => {
  let stable: { capture: ContainerClient; expected: Awaited<ReturnType<typeof writeWeek>> };
  let drifted: { capture: ContainerClient; expected: Awaited<ReturnType<typeof writeWeek>> };

  beforeAll(async () => {
    const a = await freshContainer('capture-stable');
    stable = { capture: a, expected: await writeWeek(a, { eventsPerFile: 400, drift: 0, scoredAccuracy: 1 }) };
    const b = await freshContainer('capture-drifted');
    drifted = { capture: b, expected: await writeWeek(b, { eventsPerFile: 400, drift: 1, scoredAccuracy: 0.6 }) };
  });

  it('reads the window’s blobs only, counts events, bad bodies and skipped blobs, and finds no drift in baseline-like traffic', async () => {
    const reports = await freshContainer('reports');
    const metrics = new RecordingMetrics();
    const outcome = completed(
      await runWeeklyDrift(deps(stable.capture, await freshContainer('cache'), reports, fixedClock, metrics), {
        baseline,
        window: WINDOW,
        options: DEFAULT_DRIFT_OPTIONS,
      }),
    );
    const report = outcome.report;
    expect(report.window).toEqual({ from: '2024-01-15T00:00:00.000Z', to: '2024-01-22T00:00:00.000Z' });
    expect(report.eventsProfiled).toBe(stable.expected.eventsProfiled);
    expect(report.events).toBe(stable.expected.eventsProfiled + 5);
    expect(report.badBodies).toEqual({
      'EVENT.EMPTY': 1,
      'EVENT.MISSING_FEATURES': 1,
      'EVENT.NOT_JSON': 2,
      'EVENT.NOT_OBJECT': 1,
    });
    expect(report.blobs).toEqual({
      read: stable.expected.blobsRead,
      skipped: [{ name: stable.expected.truncatedName, reason: 'CAPTURE.TRUNCATED' }],
    });
    expect(report.capture.hubs.events).toMatchObject({ blobs: 15, folded: 14, fromCache: 0 });
    expect(report.capture.hubs.scored).toMatchObject({ blobs: 1, folded: 1, eventsProfiled: 1500 });
    expect(report.capture.featuresFrom).toBe('events');
    expect(JSON.stringify(report)).not.toContain(stable.expected.outsideName);
    expect(report.drift).toMatchObject({ drifted: false, driftedFeatures: [] });
    expect(report.performance).toMatchObject({ labelled: 1500, judged: true, conceptDrift: false });
    expect(report.telemetry).toMatchObject({ available: false });

    // Written beside each other under the ISO week, and the HTML is the same report.
    const json = JSON.parse(
      (await reports.getBlobClient('2024-W03/report.json').downloadToBuffer()).toString(),
    ) as WeeklyDriftReport;
    expect(json).toEqual(report);
    const html = (await reports.getBlobClient('2024-W03/report.html').downloadToBuffer()).toString();
    expect(html).toBe(outcome.html);
    expect(html).toContain('<svg');
    expect((await reports.getBlobClient('2024-W03/report.html').getProperties()).contentType).toBe(
      'text/html; charset=utf-8',
    );
    expect(outcome.written).toEqual({
      json: `${reports.containerName}/2024-W03/report.json`,
      html: `${reports.containerName}/2024-W03/report.html`,
    });

    expect(Object.fromEntries(metrics.observed)).toEqual({
      driftMagnitude: 0,
      driftShare: 0,
      driftedFeatures: 0,
      maxPsi: Math.max(...Object.values(report.features).map((f) => f.tests.psi?.score ?? 0)),
      eventsInWindow: report.events,
    });
  });

  it("says when the week's predictions come from another model than the baseline's, and not when they match", async () => {
    const run = async (scorer: 'forest' | 'onnx', scoredBy: 'forest' | 'onnx') =>
      completed(
        await runWeeklyDrift(
          deps(stable.capture, await freshContainer('cache'), await freshContainer('reports'), fixedClock),
          {
            baseline: {
              ...baseline,
              heldOut: { ...baseline.heldOut, scoredBy: { ...baseline.heldOut.scoredBy, scorer: scoredBy } },
            },
            window: WINDOW,
            options: DEFAULT_DRIFT_OPTIONS,
            scorer,
          },
        ),
      ).report.recommendations.join('\n');
    expect(await run('onnx', 'forest')).toMatch(
      /baseline's predictions are the embedded input-anomaly detector's, but this week's come from the onnx scorer.*mrm baseline --model/,
    );
    expect(await run('forest', 'onnx')).toMatch(/compare two different models/);
    expect(await run('forest', 'forest')).not.toMatch(/two different models/);
  });

  it('flags data drift, prediction drift and concept drift in shifted traffic', async () => {
    const outcome = completed(
      await runWeeklyDrift(
        deps(drifted.capture, await freshContainer('cache'), await freshContainer('reports'), fixedClock),
        {
          baseline,
          window: WINDOW,
          options: DEFAULT_DRIFT_OPTIONS,
        },
      ),
    );
    const report = outcome.report;
    expect(report.drift.drifted).toBe(true);
    expect(report.drift.driftedFeatures).toEqual(expect.arrayContaining(['amount', 'hour', 'merchant_category']));
    expect(report.features.amount).toMatchObject({ drifted: true, severity: expect.stringMatching(/MEDIUM|HIGH/) });
    expect(report.performance).toMatchObject({ judged: true, conceptDrift: true });
    expect(report.retrainRecommended).toBe(true);
  });

  it('resumes after running out of time: the second run reads only what is left and writes the same report', async () => {
    const cache = await freshContainer('cache');
    const reports = await freshContainer('reports');
    // Each look at the clock moves it a minute: the 10-minute budget covers a few blobs.
    let now = TICK;
    const ticking: Clock = { nowInMs: () => (now += 60_000) };
    const first = await runWeeklyDrift(deps(drifted.capture, cache, reports, ticking), {
      baseline,
      window: WINDOW,
      options: DEFAULT_DRIFT_OPTIONS,
      concurrency: 1,
      timeBudgetInMs: 10 * 60_000,
    });
    expect(first).toMatchObject({ status: 'incomplete', blobsTotal: 16 });
    expect(first.status === 'incomplete' && first.blobsDone).toBeGreaterThan(0);
    expect(first.status === 'incomplete' && first.blobsDone).toBeLessThan(16);
    expect(await reports.getBlobClient('2024-W03/report.json').exists()).toBe(false);

    const resumed = completed(
      await runWeeklyDrift(deps(drifted.capture, cache, reports, fixedClock), {
        baseline,
        window: WINDOW,
        options: DEFAULT_DRIFT_OPTIONS,
      }),
    );
    const done = first.status === 'incomplete' ? first.blobsDone : 0;
    const fromCache =
      (resumed.report.capture.hubs.events?.fromCache ?? 0) + (resumed.report.capture.hubs.scored?.fromCache ?? 0);
    expect(fromCache).toBe(done);
    const fresh = completed(
      await runWeeklyDrift(
        deps(drifted.capture, await freshContainer('cache'), await freshContainer('reports'), fixedClock),
        { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    const withoutCacheCounts = (r: WeeklyDriftReport) => ({
      ...r,
      capture: {
        ...r.capture,
        hubs: Object.fromEntries(Object.entries(r.capture.hubs).map(([k, h]) => [k, { ...h, fromCache: 0 }])),
      },
    });
    expect(withoutCacheCounts(resumed.report)).toEqual(withoutCacheCounts(fresh.report));
  });

  it('reports an empty window (nothing captured) as insufficient data, emits 0 events for the no-data alert, and says what to check', async () => {
    const empty = await freshContainer('capture-empty');
    const metrics = new RecordingMetrics();
    const outcome = completed(
      await runWeeklyDrift(
        deps(empty, await freshContainer('cache'), await freshContainer('reports'), fixedClock, metrics),
        { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    expect(outcome.report).toMatchObject({
      status: 'insufficient-data',
      reason: 'no Capture blobs in the window for the events and scored hubs',
    });
    expect(Object.fromEntries(metrics.observed).eventsInWindow).toBe(0);
    expect(outcome.html).toContain('Insufficient data: no Capture blobs in the window');
    expect(outcome.report.events).toBe(0);
    expect(outcome.report.drift).toMatchObject({ drifted: false, monitoredFeatures: 0 });
    expect(outcome.report.capture.featuresFrom).toBeNull();
    expect(outcome.report.recommendations.join(' ')).toContain('No Capture blobs in the window');
  });

  it('adds the week’s scoring telemetry when a source is configured, and its failure as a reason', async () => {
    const base = deps(stable.capture, await freshContainer('cache'), await freshContainer('reports'), fixedClock);
    const window = WINDOW;
    const seen: unknown[] = [];
    const withTelemetry = completed(
      await runWeeklyDrift(
        {
          ...base,
          telemetry: {
            description: 'log-analytics:ws-1',
            weekTelemetry: async (w) => {
              seen.push(w);
              return { ok: true, value: { events: 1000, rejectedRate: 0.02, lowConfidenceRate: 0.1 } };
            },
          },
        },
        { baseline, window, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    expect(seen).toEqual([window]);
    expect(withTelemetry.report.telemetry).toMatchObject({
      available: true,
      source: 'log-analytics',
      rejectedRate: 0.02,
      lowConfidenceRate: 0.1,
      events: 1000,
    });
    const failing = completed(
      await runWeeklyDrift(
        {
          ...base,
          telemetry: {
            description: 'log-analytics:ws-1',
            weekTelemetry: async () => ({
              ok: false,
              error: { kind: 'configuration', code: 'TELEMETRY.FORBIDDEN', message: 'HTTP 403' },
            }),
          },
        },
        { baseline, window, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    expect(failing.report.telemetry).toEqual({
      available: false,
      reason: 'log-analytics:ws-1: TELEMETRY.FORBIDDEN: HTTP 403',
    });
  });

  it('shows the window’s stream alarms, read from the detectors’ alarm log, in the JSON and on the HTML timeline', async () => {
    const base = deps(stable.capture, await freshContainer('cache'), await freshContainer('reports'), fixedClock);
    const log = new BlobAlarmLog(await freshContainer('stream-alarms'));
    const page = (partition: string, at: number, detector: StoredAlarm['detector']): StoredAlarm => ({
      detector,
      direction: 'up',
      partition,
      statistic: 900,
      threshold: 874,
      window: { events: 412, hits: 130, rate: 130 / 412, baseRate: 0.2 },
      firstEventId: 'tx-1',
      lastEventId: 'tx-412',
      enqueuedTime: new Date(at).toISOString(),
      atEvent: 50_000,
      raisedAt: new Date(at + 1000).toISOString(),
    });
    await log.append('1', [page('1', WINDOW.fromInMs + 2 * DAY, 'errorCusum')]);
    await log.append('0', [
      page('0', WINDOW.fromInMs + 3 * DAY + HOUR, 'score'),
      page('0', WINDOW.fromInMs + 3 * DAY + HOUR, 'entropy'),
    ]);
    // The week before: not this report's.
    await log.append('0', [page('0', WINDOW.fromInMs - HOUR, 'score')]);
    const outcome = completed(
      await runWeeklyDrift(
        { ...base, streamAlarms: log },
        { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    const alarms = outcome.report.streamAlarms!;
    expect(alarms).toMatchObject({
      available: true,
      total: 3,
      byDetector: { errorCusum: 1, score: 1, entropy: 1 },
      byPartition: { '0': 2, '1': 1 },
    });
    expect(alarms.available && alarms.alarms.map((a) => [a.detector, a.at])).toEqual([
      ['errorCusum', new Date(WINDOW.fromInMs + 2 * DAY).toISOString()],
      ['score', new Date(WINDOW.fromInMs + 3 * DAY + HOUR).toISOString()],
      ['entropy', new Date(WINDOW.fromInMs + 3 * DAY + HOUR).toISOString()],
    ]);
    expect(outcome.html).toContain('<section id="stream-alarms">');
    expect(outcome.html.match(/<polygon [^>]*class="alarm up"/g)).toHaveLength(3);
    // Without a log the report has no such part; a log that cannot be read is said.
    const without = completed(await runWeeklyDrift(base, { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS }));
    expect(without.report.streamAlarms).toBeUndefined();
    expect(without.html).not.toContain('stream-alarms');
    const broken = completed(
      await runWeeklyDrift(
        {
          ...base,
          streamAlarms: { description: 'blob container x', between: () => Promise.reject(new Error('403 forbidden')) },
        },
        { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    expect(broken.report.streamAlarms).toEqual({ available: false, reason: 'blob container x: 403 forbidden' });
  });

  it('takes features from the scored hub when the inputs hub is not captured, and says so', async () => {
    const outcome = completed(
      await runWeeklyDrift(
        {
          ...deps(stable.capture, await freshContainer('cache'), await freshContainer('reports'), fixedClock),
          source: captureSourceOf(new ContainerCaptureStore(stable.capture), {
            format: FORMAT,
            namespace: 'mrm-ns',
            hubNames: { scored: 'scored' },
          }),
        },
        { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS },
      ),
    );
    expect(outcome.report.capture.featuresFrom).toBe('scored');
    expect(outcome.report.eventsProfiled).toBe(1500);
    expect(outcome.report.recommendations.join(' ')).toContain('Features were read from scored records');
  });

  it("draws the trend from the earlier weeks' reports the same sink wrote, this week last", async () => {
    const reports = await freshContainer('reports-trend');
    const sink = new BlobReportSink(reports);
    const run = async (window: typeof WINDOW) =>
      completed(
        await runWeeklyDrift(
          { ...deps(stable.capture, await freshContainer('cache'), reports, fixedClock), history: sink },
          { baseline, window, options: DEFAULT_DRIFT_OPTIONS, trendWindows: 3 },
        ),
      );
    const first = await run(WINDOW);
    expect(first.report.trend!.windows.map((w) => w.label)).toEqual(['2024-W03']);
    expect(first.report.trend!.missing.map((m) => m.label)).toEqual(['2023-W52', '2024-W01', '2024-W02']);
    // The next Monday's run: nothing was captured that week, and its trend starts with the week before.
    const next = await run(previousIsoWeek(TICK + 7 * DAY));
    expect(next.report.status).toBe('insufficient-data');
    expect(next.report.trend!.windows).toEqual([
      trendPointOf(first.report, '2024-W03'),
      trendPointOf(next.report, '2024-W04'),
    ]);
    expect(next.html).toContain('<section id="trend">');
    expect(next.html.match(/<circle /g)).toHaveLength(2);
    // Without a history (or with 0 windows) there is no trend, and the HTML has no section for it.
    const plain = completed(
      await runWeeklyDrift(deps(stable.capture, await freshContainer('cache'), reports, fixedClock), {
        baseline,
        window: WINDOW,
        options: DEFAULT_DRIFT_OPTIONS,
        trendWindows: 3,
      }),
    );
    expect(plain.report.trend).toBeUndefined();
    expect(plain.html).not.toContain('id="trend"');
  });

  it('lists by partition-and-day prefixes, never the whole container', async () => {
    const store = new ContainerCaptureStore(stable.capture);
    const prefixes: string[] = [];
    const listBlobs = store.listBlobs.bind(store);
    store.listBlobs = (prefix: string) => {
      prefixes.push(prefix);
      return listBlobs(prefix);
    };
    const source = captureSourceOf(store, { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events' } });
    const names: string[] = [];
    for await (const blob of source.list('events', WINDOW)) names.push(blob.name);
    expect(names).toHaveLength(15);
    expect(prefixes).toHaveLength(3 * 7);
    expect(prefixes.every((p) => /^mrm-ns\/events\/\d\/2024\/01\/\d\d\/$/.test(p))).toBe(true);
    expect(blobService()).toBeDefined();
  });
});
