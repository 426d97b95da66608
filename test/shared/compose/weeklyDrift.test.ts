import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import type { ContainerClient } from '@azure/storage-blob';
import { recordedRegistration, triggerBinding } from '../../helpers/functionsCoreFake.js';
import { BlobProfileSource } from '../../../shared/adapters/blobProfileSource.js';
import { BlobProfileCache } from '../../../shared/adapters/blobProfileCache.js';
import { BlobReportSink } from '../../../shared/adapters/blobReportSink.js';
import { BlobRollupStore } from '../../../shared/adapters/blobRollupStore.js';
import { DurableBackfillStarter } from '../../../shared/adapters/durableBackfillStarter.js';
import { startFakeDurableExtension } from '../../helpers/fakeDurableExtension.js';
import { ContainerCaptureStore } from '../../../shared/adapters/containerCaptureStore.js';
import { parseCaptureNameFormat } from '../../../shared/capture/captureNameFormat.js';
import { captureSourceOf } from '../../../shared/drift/run/captureSourceOf.js';
import { defaultSettings } from '../../../shared/config/settings.js';
import { unwrap } from '../../../shared/errors.js';
import type { MetricKey } from '../../../shared/telemetry/monitoring.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';
import { freshContainer } from '../../helpers/storage.js';
import { captureName, encodeCaptureFile, eventRecords, upload } from '../drift/run/fixtures/captureFixtures.js';
import type { Clock } from '../../../shared/contracts/clock.js';

// The production file registers itself on import; the schedule is an app setting when it is set.
process.env.MRM_DRIFT_SCHEDULE = '0 30 2 * * 1';
process.env.MRM_DAILY_DRIFT_SCHEDULE = '0 15 2 * * *';
const { weeklyDriftSchedule, WEEKLY_DRIFT_RETRY } = await import('../../../functions/weeklyDrift.js');
await import('../../../functions/dailyDrift.js');
const { createWeeklyDriftHandler, DAILY } = await import('../../../shared/compose/weeklyDrift.js');

const TICK = Date.UTC(2024, 0, 22, 3);
const WEEK_START = Date.UTC(2024, 0, 15);
const baseline = transactionBaseline();

function timer(isPastDue = false): Timer {
  return {
    isPastDue,
    schedule: { adjustForDST: false },
    scheduleStatus: { last: '2024-01-15T03:00:00Z', next: '2024-01-22T03:00:00Z', lastUpdated: '2024-01-15T03:00:00Z' },
  };
}

function context(logs: string[], retryCount = 0): InvocationContext {
  return new InvocationContext({
    invocationId: `test-${retryCount}`,
    functionName: 'weeklyDrift',
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    retryContext: { retryCount, maxRetryCount: WEEKLY_DRIFT_RETRY.maxRetryCount },
  });
}

describe('weeklyDrift registration', () => {
  it('is a timer on the MRM_DRIFT_SCHEDULE app setting, not run on startup, with continuations as retries', () => {
    const registration = recordedRegistration('weeklyDrift');
    expect(triggerBinding(registration)).toMatchObject({
      type: 'timerTrigger',
      direction: 'in',
      schedule: '%MRM_DRIFT_SCHEDULE%',
      runOnStartup: false,
    });
    expect(registration.metadata.retryOptions).toMatchObject({
      strategy: 'fixedDelay',
      maxRetryCount: WEEKLY_DRIFT_RETRY.maxRetryCount,
    });
  });

  it('falls back to the default schedule itself when the app setting is absent (a dangling expression would stop the host)', () => {
    expect(weeklyDriftSchedule({}, defaultSettings())).toBe('0 0 3 * * 1');
    expect(
      weeklyDriftSchedule(
        { MRM_DRIFT_SCHEDULE: '0 0 4 * * 1' },
        defaultSettings({ MRM_DRIFT_SCHEDULE: '0 0 4 * * 1' }),
      ),
    ).toBe('%MRM_DRIFT_SCHEDULE%');
  });
});

describe('the drift timers’ durable client', () => {
  it.each(['weeklyDrift', 'dailyDrift'])('%s has one, to hand a large backfill to driftBackfill', (name) => {
    const bindings = Object.values(recordedRegistration(name).metadata.bindings);
    expect(bindings.filter((b) => b.type === 'durableClient')).toEqual([expect.objectContaining({ direction: 'in' })]);
  });
});

describe('dailyDrift registration', () => {
  it('is a timer on the MRM_DAILY_DRIFT_SCHEDULE app setting, with the same continuations', () => {
    const registration = recordedRegistration('dailyDrift');
    expect(triggerBinding(registration)).toMatchObject({
      type: 'timerTrigger',
      schedule: '%MRM_DAILY_DRIFT_SCHEDULE%',
      runOnStartup: false,
    });
    expect(registration.metadata.retryOptions).toMatchObject({ maxRetryCount: WEEKLY_DRIFT_RETRY.maxRetryCount });
  });
});

/** The store, telling `onRead` about every blob actually read (cached ones are not). */
function readHook(store: ContainerCaptureStore, onRead: (() => void) | undefined): ContainerCaptureStore {
  if (!onRead) return store;
  const read = store.read.bind(store);
  store.read = (blob) => {
    onRead();
    return read(blob);
  };
  return store;
}

describe('weeklyDrift handler', () => {
  let capture: ContainerClient;

  beforeAll(async () => {
    capture = await freshContainer('capture');
    for (let i = 0; i < 8; i++) {
      const start = WEEK_START + i * 20 * 3_600_000;
      await upload(
        capture,
        captureName('mrm-ns', 'events', i % 2, start),
        encodeCaptureFile(eventRecords(150, { seed: 500 + i, startInMs: start }), {
          codec: i % 2 ? 'deflate' : 'null',
        }),
      );
    }
  });

  async function dependencies(
    options: {
      budgetInMs?: number;
      clock?: Clock;
      onRead?: () => void;
      baselineBlob?: string;
      settings?: Record<string, string>;
      capture?: ContainerClient;
    } = {},
  ) {
    const baselineContainer = await freshContainer('baseline');
    const text = JSON.stringify(baseline);
    await baselineContainer.getBlockBlobClient('profile.json').upload(text, Buffer.byteLength(text));
    const reports = await freshContainer('reports');
    const cache = await freshContainer('drift-cache');
    const observed: Array<[MetricKey, number]> = [];
    const settings = defaultSettings({
      ...(options.budgetInMs
        ? { MRM_DRIFT_TIME_BUDGET_MS: String(options.budgetInMs), MRM_DRIFT_CONCURRENCY: '1' }
        : {}),
      ...options.settings,
    });
    return {
      reports,
      observed,
      deps: {
        settings,
        baseline: new BlobProfileSource(baselineContainer, options.baselineBlob ?? 'profile.json', {
          reloadCheckInMs: 0,
        }),
        source: captureSourceOf(readHook(new ContainerCaptureStore(options.capture ?? capture), options.onRead), {
          format: unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat)),
          namespace: 'mrm-ns',
          hubNames: { events: 'events', scored: 'scored' },
        }),
        cache: new BlobProfileCache(cache),
        reports: new BlobReportSink(reports),
        metrics: {
          count: () => undefined,
          observe: (metric: MetricKey, value: number) => void observed.push([metric, value]),
        },
        clock: options.clock ?? { nowInMs: () => TICK },
      },
    };
  }

  it('reports the previous ISO week, logs progress, writes the report and emits the drift metrics', async () => {
    const { deps, reports, observed } = await dependencies();
    const logs: string[] = [];
    await createWeeklyDriftHandler(deps)(timer(), context(logs));
    expect(await reports.getBlobClient('2024-W03/report.json').exists()).toBe(true);
    expect(await reports.getBlobClient('2024-W03/report.html').exists()).toBe(true);
    expect(logs[0]).toBe('information: weeklyDrift 2024-W03: 2024-01-15T00:00:00.000Z to 2024-01-22T00:00:00.000Z');
    expect(logs).toContain('information: Capture blobs in the window: 8 events, 0 scored');
    expect(logs.some((l) => l.startsWith('information: Profiled 8/8 blobs, 1200 events'))).toBe(true);
    expect(logs.at(-1)).toMatch(
      /^information: weeklyDrift 2024-W03: 1200 events \(1200 profiled\), 8 blobs read, 0 skipped; .* report reports-[a-z0-9]+\/2024-W03\/report\.json$/,
    );
    expect(observed.map(([m]) => m).sort()).toEqual([
      'driftMagnitude',
      'driftShare',
      'driftedFeatures',
      'eventsInWindow',
      'maxPsi',
    ]);
  });

  it('as dailyDrift, reports the previous UTC day under its date, and emits no metric for the alert rules', async () => {
    // Sunday 2024-01-21 02:30: the day before holds two of the week's files (00:00 and 20:00).
    const { deps, reports, observed } = await dependencies({ clock: { nowInMs: () => Date.UTC(2024, 0, 21, 2, 30) } });
    const logs: string[] = [];
    await createWeeklyDriftHandler(deps, DAILY)(timer(), context(logs));
    expect(await reports.getBlobClient('2024-01-20/report.json').exists()).toBe(true);
    expect(logs[0]).toBe('information: dailyDrift 2024-01-20: 2024-01-20T00:00:00.000Z to 2024-01-21T00:00:00.000Z');
    expect(logs).toContain('information: Capture blobs in the window: 2 events, 0 scored');
    expect(logs.at(-1)).toMatch(/^information: dailyDrift 2024-01-20: 300 events/);
    expect(observed).toEqual([]);
  });

  it('runs a past-due tick all the same, and says so', async () => {
    const { deps, reports } = await dependencies();
    const logs: string[] = [];
    await createWeeklyDriftHandler(deps)(timer(true), context(logs));
    expect(logs[0]).toBe('warning: weeklyDrift is past due (last scheduled 2024-01-15T03:00:00Z): running now');
    expect(await reports.getBlobClient('2024-W03/report.json').exists()).toBe(true);
  });

  it('fails with DRIFT.INCOMPLETE when the budget runs out, and the retry finishes from the cached profiles', async () => {
    // Reading a blob takes 10 s of clock time; the 25 s budget covers three reads per invocation.
    let now = TICK;
    const { deps, reports } = await dependencies({
      budgetInMs: 25_000,
      clock: { nowInMs: () => now },
      onRead: () => void (now += 10_000),
    });
    const handler = createWeeklyDriftHandler(deps);
    const logs: string[] = [];
    await expect(handler(timer(), context(logs))).rejects.toMatchObject({
      code: 'DRIFT.INCOMPLETE',
      message: expect.stringMatching(/^Profiled 3 of 8 Capture blobs of 2024-W03/),
    });
    expect(logs.some((l) => l.startsWith('warning: Time budget used up after'))).toBe(true);
    expect(await reports.getBlobClient('2024-W03/report.json').exists()).toBe(false);

    // The host's retry: the same week, each continuation getting further, until the report is written.
    let attempts = 1;
    for (;;) {
      const retryLogs: string[] = [];
      now = TICK + attempts * 60_000;
      try {
        await handler(timer(), context(retryLogs, attempts));
        expect(retryLogs[0]).toContain(`(continuation ${attempts} of at most ${WEEKLY_DRIFT_RETRY.maxRetryCount})`);
        break;
      } catch (error) {
        expect(error).toMatchObject({ code: 'DRIFT.INCOMPLETE' });
      }
      attempts++;
      expect(attempts).toBeLessThanOrEqual(WEEKLY_DRIFT_RETRY.maxRetryCount);
    }
    // 8 blobs at 3 per invocation: the first run and two continuations.
    expect(attempts).toBe(2);
    const report = JSON.parse((await reports.getBlobClient('2024-W03/report.json').downloadToBuffer()).toString());
    expect(report.eventsProfiled).toBe(1200);
  });

  it('reads bodies with scoreEvents’ MRM_MAX_BODY_BYTES: those it dead-letters as too large are counted so', async () => {
    const oversized = await freshContainer('capture');
    const records = eventRecords(20, { seed: 77, startInMs: WEEK_START });
    // Five events of the contract padded past 1 KiB, with a field scoreEvents ignores.
    for (const record of records.slice(0, 5))
      record.Body = Buffer.from(JSON.stringify({ ...JSON.parse(record.Body!.toString()), trace: 'x'.repeat(1100) }));
    await upload(oversized, captureName('mrm-ns', 'events', 0, WEEK_START), encodeCaptureFile(records));
    const reportOf = async (settings: Record<string, string>) => {
      const { deps, reports } = await dependencies({ capture: oversized, settings });
      await createWeeklyDriftHandler(deps)(timer(), context([]));
      const text = (await reports.getBlobClient('2024-W03/report.json').downloadToBuffer()).toString();
      const report = JSON.parse(text) as { eventsProfiled: number; badBodies: Record<string, number> };
      return { eventsProfiled: report.eventsProfiled, badBodies: report.badBodies };
    };
    expect(await reportOf({ MRM_MAX_BODY_BYTES: '1024' })).toEqual({
      eventsProfiled: 15,
      badBodies: { 'EVENT.TOO_LARGE': 5 },
    });
    expect(await reportOf({})).toEqual({ eventsProfiled: 20, badBodies: {} });
  });

  it('fails (so the host retries) when the baseline profile cannot be loaded', async () => {
    const { deps } = await dependencies({ baselineBlob: 'missing.json' });
    await expect(createWeeklyDriftHandler(deps)(timer(), context([]))).rejects.toMatchObject({
      code: 'PROFILE.UNAVAILABLE',
    });
  });
});

describe('weeklyDrift handing a large backfill to the driftBackfill orchestration', () => {
  let capture: ContainerClient;
  let extension: Awaited<ReturnType<typeof startFakeDurableExtension>>;

  beforeAll(async () => {
    extension = await startFakeDurableExtension();
    capture = await freshContainer('capture-handover');
    // Three files of ~1 MiB each, none in a roll-up (the trigger was off).
    for (let i = 0; i < 3; i++) {
      const start = WEEK_START + i * 30 * 3_600_000;
      await upload(
        capture,
        captureName('mrm-ns', 'events', i, start),
        encodeCaptureFile(eventRecords(3000, { seed: 700 + i, startInMs: start })),
      );
    }
  });
  afterAll(() => extension.close());

  async function handoverDependencies(
    environment: Record<string, string>,
    options: { clock?: () => number; onRead?: () => void } = {},
  ) {
    const baselineContainer = await freshContainer('baseline');
    const text = JSON.stringify(baseline);
    await baselineContainer.getBlockBlobClient('profile.json').upload(text, Buffer.byteLength(text));
    const reports = await freshContainer('reports');
    const cache = await freshContainer('drift-cache');
    const settings = defaultSettings(environment);
    let reads = 0;
    return {
      reports,
      reads: () => reads,
      deps: {
        settings,
        baseline: new BlobProfileSource(baselineContainer, 'profile.json', { reloadCheckInMs: 0 }),
        source: captureSourceOf(
          readHook(new ContainerCaptureStore(capture), () => {
            reads++;
            options.onRead?.();
          }),
          {
            format: unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat)),
            namespace: 'mrm-ns',
            hubNames: { events: 'events', scored: 'scored' },
          },
        ),
        cache: new BlobProfileCache(cache),
        rollups: new BlobRollupStore(cache),
        reports: new BlobReportSink(reports),
        metrics: { count: () => undefined, observe: () => undefined },
        clock: { nowInMs: options.clock ?? (() => TICK) },
        backfill: (context: InvocationContext) => new DurableBackfillStarter(df.getClient(context)),
      },
    };
  }

  const timerContext = (logs: string[]) =>
    extension.context(logs, {
      functionName: 'weeklyDrift',
      retryContext: { retryCount: 0, maxRetryCount: WEEKLY_DRIFT_RETRY.maxRetryCount },
    });

  it('starts the window’s orchestration, reads no Capture blob and writes no report itself', async () => {
    const { deps, reports, reads } = await handoverDependencies({ MRM_DRIFT_HANDOVER_MIB: '2' });
    const logs: string[] = [];
    await createWeeklyDriftHandler(deps)(timer(), timerContext(logs));
    expect(reads()).toBe(0);
    expect(await reports.getBlobClient('2024-W03/report.json').exists()).toBe(false);
    expect(extension.instances.get('drift-weeklyDrift-2024-W03')).toEqual({
      name: 'driftBackfill',
      input: {
        run: 'weeklyDrift',
        window: { fromInMs: WEEK_START, toInMs: WEEK_START + 7 * 86_400_000, label: '2024-W03' },
        emitsMetrics: true,
        startedBy: 'weeklyDrift',
      },
      runtimeStatus: 'Pending',
    });
    expect(logs.at(-1)).toMatch(
      /^information: weeklyDrift 2024-W03: 3 of 3 blobs \(\d MiB\) have no roll-up, more than MRM_DRIFT_HANDOVER_MIB: handed to the driftBackfill orchestration, instance drift-weeklyDrift-2024-W03 \(started\); it writes the report$/,
    );
    // The timer's retry (or the next tick) finds it under way and starts no second one.
    const again: string[] = [];
    await createWeeklyDriftHandler(deps)(timer(), timerContext(again));
    expect(again.at(-1)).toMatch(/instance drift-weeklyDrift-2024-W03 \(already running\)/);
    extension.instances.clear();
  });

  it('folds it itself when it is below the limit, and with MRM_DRIFT_HANDOVER_MIB=0 whatever its size', async () => {
    for (const limit of ['16', '0']) {
      const { deps, reports, reads } = await handoverDependencies({ MRM_DRIFT_HANDOVER_MIB: limit });
      await createWeeklyDriftHandler(deps)(timer(), timerContext([]));
      expect(reads(), limit).toBe(3);
      expect(await reports.getBlobClient('2024-W03/report.json').exists(), limit).toBe(true);
    }
    expect(extension.instances.size).toBe(0);
  });

  it('hands over when the time budget runs out, instead of failing for a continuation', async () => {
    let now = TICK;
    const { deps, reports } = await handoverDependencies(
      { MRM_DRIFT_HANDOVER_MIB: '16', MRM_DRIFT_TIME_BUDGET_MS: '15000', MRM_DRIFT_CONCURRENCY: '1' },
      { clock: () => now, onRead: () => void (now += 10_000) },
    );
    const logs: string[] = [];
    await createWeeklyDriftHandler(deps)(timer(), timerContext(logs));
    expect(await reports.getBlobClient('2024-W03/report.json').exists()).toBe(false);
    expect(logs.at(-1)).toMatch(
      /the time budget ran out after 2 of 3 blobs: handed to the driftBackfill orchestration, instance drift-weeklyDrift-2024-W03 \(started\)/,
    );
    expect(extension.instances.has('drift-weeklyDrift-2024-W03')).toBe(true);
    extension.instances.clear();
  });

  it('fails (so the host retries) when the orchestration cannot be started', async () => {
    const { deps } = await handoverDependencies({ MRM_DRIFT_HANDOVER_MIB: '2' });
    extension.state.failWith = 503;
    try {
      const logs: string[] = [];
      await expect(createWeeklyDriftHandler(deps)(timer(), timerContext(logs))).rejects.toMatchObject({
        code: 'DURABLE.UNAVAILABLE',
      });
      expect(logs.at(-1)).toMatch(/^error: weeklyDrift failed \(transient\): Could not start driftBackfill/);
    } finally {
      extension.state.failWith = undefined;
    }
  });
});
