import { beforeAll, describe, expect, it } from 'vitest';
import type { InvocationContext } from '@azure/functions';
import type { ContainerClient } from '@azure/storage-blob';
import { recordedRegistration, triggerBinding } from '../helpers/functionsCoreFake.js';
import { runOrchestration } from '../helpers/durableReplay.js';
import { azuriteConnectionString, blobService, uniqueContainerName } from '../helpers/storage.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { BlobProfileCache } from '../../shared/adapters/blobProfileCache.js';
import { BlobRollupStore } from '../../shared/adapters/blobRollupStore.js';
import { ContainerCaptureStore } from '../../shared/adapters/containerCaptureStore.js';
import { parseCaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { driftOptionsFromSettings } from '../../shared/config/driftOptionsFromSettings.js';
import { createDriftBackfillActivities } from '../../shared/compose/driftBackfill.js';
import { weeklyDriftDependencies } from '../../shared/compose/weeklyDrift.js';
import { BACKFILL, backfillInstanceId, type BackfillInput } from '../../shared/drift/backfill/backfillOrchestration.js';
import { captureSourceOf } from '../../shared/drift/run/captureSourceOf.js';
import { previousIsoWeek } from '../../shared/drift/run/driftWindow.js';
import { noProfileCache, silentProgress } from '../../shared/drift/run/ports.js';
import { profileLandedBlob } from '../../shared/drift/run/profileLandedBlob.js';
import { runWeeklyDrift } from '../../shared/drift/run/runWeeklyDrift.js';
import { unwrap } from '../../shared/errors.js';
import {
  captureName,
  encodeCaptureFile,
  eventRecords,
  scoredRecords,
  upload,
} from '../shared/drift/run/fixtures/captureFixtures.js';

// The production wiring, over Azurite: settings name this test's containers, then the function file registers the
// orchestration and its activities as the host would load them.
const containers = {
  capture: uniqueContainerName('bf-capture'),
  cache: uniqueContainerName('bf-cache'),
  reports: uniqueContainerName('bf-reports'),
  baseline: uniqueContainerName('bf-baseline'),
};
Object.assign(process.env, {
  MRM_STORAGE_CONNECTION_NAME: 'MrmBackfillStorage',
  MrmBackfillStorage: azuriteConnectionString(),
  MRM_CAPTURE_CONTAINER: containers.capture,
  MRM_DRIFT_CACHE_CONTAINER: containers.cache,
  MRM_REPORTS_CONTAINER: containers.reports,
  MRM_BASELINE_CONTAINER: containers.baseline,
  MRM_CAPTURE_NAMESPACE: 'mrm-ns',
  MRM_DRIFT_TREND_WINDOWS: '0',
});
await import('../../functions/driftBackfill.js');

const HOUR = 3_600_000;
const TICK = Date.UTC(2024, 0, 22, 3);
const WINDOW = previousIsoWeek(TICK);
const baseline = transactionBaseline();
const settings = defaultSettings(process.env);
const FORMAT = unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat));
const INPUT: BackfillInput = { run: 'weeklyDrift', window: WINDOW, emitsMetrics: false, startedBy: 'test' };

const registered = (name: string) => recordedRegistration(name).handler as (...args: unknown[]) => Promise<unknown>;
const productionActivities = {
  [BACKFILL.plan]: registered(BACKFILL.plan),
  [BACKFILL.hour]: registered(BACKFILL.hour),
  [BACKFILL.report]: registered(BACKFILL.report),
};

function orchestrate(
  activities: Record<string, (input: unknown, context: InvocationContext) => unknown> = productionActivities,
) {
  return runOrchestration({
    orchestrator: registered(BACKFILL.orchestration),
    name: BACKFILL.orchestration,
    instanceId: backfillInstanceId(INPUT.run, WINDOW),
    input: INPUT,
    activities,
    startInMs: TICK,
  });
}

/** Four hours of the events hub (two partitions, two files each) and two of the scored hub. */
async function writeWeek(capture: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  let seed = 900;
  for (const hour of [3, 40, 41, 150]) {
    for (let partition = 0; partition < 2; partition++) {
      for (let file = 0; file < 2; file++) {
        const start = WINDOW.fromInMs + hour * HOUR + file * 10 * 60_000;
        const name = captureName('mrm-ns', 'events', partition, start);
        const records = eventRecords(120 + 11 * file, { seed: seed++, drift: hour > 100 ? 0.7 : 0, startInMs: start });
        await upload(capture, name, encodeCaptureFile(records, { codec: file ? 'deflate' : 'null' }));
        names.push(name);
      }
    }
  }
  for (const hour of [3, 150]) {
    const start = WINDOW.fromInMs + hour * HOUR;
    const name = captureName('mrm-ns', 'scored', 0, start);
    await upload(
      capture,
      name,
      encodeCaptureFile(scoredRecords(250, { seed: seed++, startInMs: start, accuracy: 0.8 })),
    );
    names.push(name);
  }
  return names;
}

/** What profileCaptureBlob did for the blobs that landed while it ran. */
async function land(capture: ContainerClient, cache: ContainerClient, names: string[]) {
  for (const name of names) {
    const response = await capture.getBlobClient(name).download();
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
    await profileLandedBlob(
      { cache: new BlobProfileCache(cache), rollups: new BlobRollupStore(cache) },
      {
        schema: baseline.schema,
        filter: { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events', scored: 'scored' } },
        blob: { name, etag: response.etag!, content: [Buffer.concat(chunks)] },
      },
    );
  }
}

/** The report of a full fold of every blob, as weeklyDrift without roll-ups or cache computes it. */
async function fullFold(capture: ContainerClient) {
  const outcome = await runWeeklyDrift(
    {
      source: captureSourceOf(new ContainerCaptureStore(capture), {
        format: FORMAT,
        namespace: 'mrm-ns',
        hubNames: { events: 'events', scored: 'scored' },
      }),
      cache: noProfileCache,
      clock: { nowInMs: () => TICK },
      progress: silentProgress,
      metrics: { count: () => undefined, observe: () => undefined },
    },
    { baseline, window: WINDOW, options: driftOptionsFromSettings(settings.drift), scorer: settings.scoring.scorer },
  );
  if (outcome.status !== 'complete') throw new Error(outcome.status);
  return outcome.report;
}

/**
 * A report without what only says when it was made and where profiles came from, and without the stream alarms the
 * production report adds from scoreEvents' alarm log (the bare fold has none to read).
 */
function comparable(report: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(report)) as {
    generatedAt?: unknown;
    streamAlarms?: unknown;
    capture: { hubs: Record<string, { fromCache?: number }> };
  };
  delete copy.generatedAt;
  delete copy.streamAlarms;
  for (const hub of Object.values(copy.capture.hubs)) delete hub.fromCache;
  return copy;
}

describe('driftBackfill registration', () => {
  it('registers the orchestration and its three activities with their Durable Functions triggers', () => {
    expect(triggerBinding(recordedRegistration(BACKFILL.orchestration))).toMatchObject({
      type: 'orchestrationTrigger',
      direction: 'in',
    });
    for (const name of [BACKFILL.plan, BACKFILL.hour, BACKFILL.report])
      expect(triggerBinding(recordedRegistration(name)), name).toMatchObject({ type: 'activityTrigger' });
  });
});

describe('driftBackfill, replayed by durable-functions over Azurite', () => {
  let capture: ContainerClient;
  let names: string[];
  let expected: unknown;
  const reports = () => blobService().getContainerClient(containers.reports);

  beforeAll(async () => {
    const service = blobService();
    capture = service.getContainerClient(containers.capture);
    await capture.create();
    const baselineContainer = service.getContainerClient(containers.baseline);
    await baselineContainer.create();
    const text = JSON.stringify(baseline);
    await baselineContainer.getBlockBlobClient(settings.core.baselineBlob).upload(text, Buffer.byteLength(text));
    names = await writeWeek(capture);
    expected = comparable(await fullFold(capture));
    // The trigger saw the first hour of each hub; everything else was written while it was off.
    await land(
      capture,
      service.getContainerClient(containers.cache),
      names.filter((n) => n.includes('/2024/01/15/03/')),
    );
  });

  it('fans the missing hub-hours out, one activity each, and reports exactly what a full fold reports', async () => {
    const run = await orchestrate();
    expect(run.status, run.error).toBe('completed');
    // Hours 40, 41 and 150 of the events hub and hour 150 of the scored hub had no roll-up.
    expect(run.calls.map((c) => c.name)).toEqual([
      BACKFILL.plan,
      BACKFILL.hour,
      BACKFILL.hour,
      BACKFILL.hour,
      BACKFILL.hour,
      BACKFILL.report,
    ]);
    expect(run.calls.filter((c) => c.name === BACKFILL.hour).map((c) => c.input)).toEqual(
      [
        ['events', 40],
        ['events', 41],
        ['events', 150],
        ['scored', 150],
      ].map(([hub, hour]) => ({
        window: WINDOW,
        hub,
        hourStartInMs: WINDOW.fromInMs + (hour as number) * HOUR,
        schemaId: baseline.schema.id,
      })),
    );
    // The fan-in came back over several episodes (completions in batches), each a replay of the whole history.
    expect(run.episodes).toBeGreaterThan(3);
    expect(run.output).toMatchObject({
      window: WINDOW.label,
      rounds: 1,
      hoursBackfilled: 4,
      blobsRead: 13,
      report: { status: 'complete', reportJson: `${containers.reports}/${WINDOW.label}/report.json` },
    });
    const written = JSON.parse(
      (await reports().getBlobClient(`${WINDOW.label}/report.json`).downloadToBuffer()).toString(),
    );
    expect(comparable(written)).toEqual(expected);
    // Each step is logged once, however many replays.
    expect(run.logs.filter((l) => l.includes('round 1: planning'))).toHaveLength(1);
    expect(run.customStatus).toEqual({ step: 'round 1: reporting 2024-W03' });
  });

  it('goes straight to the report the next time: every hour is rolled up now', async () => {
    const run = await orchestrate();
    expect(run.status).toBe('completed');
    expect(run.calls.map((c) => c.name)).toEqual([BACKFILL.plan, BACKFILL.report]);
    expect(run.output).toMatchObject({ hoursBackfilled: 0, blobsRead: 0 });
  });

  /** Activities over this test's wiring, with the hour (or plan) activity's roll-up reads failing `faults` times. */
  async function faultyActivities(where: 'hour' | 'plan', faults: number) {
    const cache = blobService().getContainerClient(uniqueContainerName('bf-cache-fault'));
    await cache.create();
    const store = new BlobRollupStore(cache);
    const flaky = {
      read: async (name: string) => {
        if (name.includes('/2024/01/16/17') && faults-- > 0)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10000'), { code: 'ECONNREFUSED' });
        return store.read(name);
      },
      write: (name: string, bytes: Uint8Array, expected: { version: string } | 'absent') =>
        store.write(name, bytes, expected),
    };
    const base = { ...weeklyDriftDependencies(settings, process.env), cache: new BlobProfileCache(cache) };
    const steady = createDriftBackfillActivities(async () => ({ ...base, rollups: store }));
    const broken = createDriftBackfillActivities(async () => ({ ...base, rollups: flaky }));
    return {
      [BACKFILL.plan]: (where === 'plan' ? broken : steady).plan,
      [BACKFILL.hour]: (where === 'hour' ? broken : steady).hour,
      [BACKFILL.report]: steady.report,
    };
  }

  it('waits out a store fault on an hour, plans that hour again, and reports', async () => {
    const run = await orchestrate(await faultyActivities('hour', 1));
    expect(run.status, run.error).toBe('completed');
    // Hour 41 (2024-01-16 17h) failed in round 1: a durable timer a minute on, then round 2 planned that hour alone.
    expect(run.timers).toHaveLength(1);
    expect(run.timers[0]!.getTime()).toBeGreaterThan(TICK + 60_000);
    expect(run.calls.map((c) => c.name)).toEqual([
      BACKFILL.plan,
      ...Array<string>(6).fill(BACKFILL.hour),
      BACKFILL.plan,
      BACKFILL.hour,
      BACKFILL.report,
    ]);
    expect(run.calls[8]!.input).toMatchObject({ hub: 'events', hourStartInMs: WINDOW.fromInMs + 41 * HOUR });
    expect(
      run.logs.some((l) => /round 1: 1 of 6 hours failed, first events 2024-01-16T17h: .*ECONNREFUSED/.test(l)),
    ).toBe(true);
    const written = JSON.parse(
      (await reports().getBlobClient(`${WINDOW.label}/report.json`).downloadToBuffer()).toString(),
    );
    expect(comparable(written)).toEqual(expected);
  });

  it('waits out a store fault while planning, then plans and reports', async () => {
    const run = await orchestrate(await faultyActivities('plan', 1));
    expect(run.status, run.error).toBe('completed');
    expect(run.calls.slice(0, 2).map((c) => c.name)).toEqual([BACKFILL.plan, BACKFILL.plan]);
    expect(run.logs.some((l) => /^warning: driftBackfillPlan failed \(transient\): connect ECONNREFUSED/.test(l))).toBe(
      true,
    );
    expect(run.output).toMatchObject({ rounds: 2, hoursBackfilled: 6 });
  });

  it('plans a failing hour again each round, and lets the last round’s report fold it itself', async () => {
    const run = await orchestrate(await faultyActivities('hour', 1000));
    // Every hour activity fails on 17h; the last report (final: nothing handed back) reads it through its own store.
    expect(run.status, run.error).toBe('completed');
    expect(run.timers).toHaveLength(2);
    expect(run.output).toMatchObject({ rounds: 3 });
  });

  it('fails the instance when an activity has a bug, with its message', async () => {
    const run = await orchestrate({
      ...productionActivities,
      [BACKFILL.plan]: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'hours')");
      },
    });
    expect(run.status).toBe('failed');
    expect(run.error).toContain("Cannot read properties of undefined (reading 'hours')");
  });

  it('refuses an input that is not a backfill, failing the instance', async () => {
    const run = await runOrchestration({
      orchestrator: registered(BACKFILL.orchestration),
      name: BACKFILL.orchestration,
      instanceId: 'x',
      input: { run: 'hourly' },
      activities: productionActivities,
      startInMs: TICK,
    });
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/driftBackfill needs \{ run: weeklyDrift \| dailyDrift/);
    expect(run.calls).toEqual([]);
  });
});
