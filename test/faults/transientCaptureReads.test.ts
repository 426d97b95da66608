import { InvocationContext, type Timer } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BlobProfileCache } from '../../shared/adapters/blobProfileCache.js';
import { BlobProfileSource } from '../../shared/adapters/blobProfileSource.js';
import { BlobReportSink } from '../../shared/adapters/blobReportSink.js';
import { ContainerCaptureStore } from '../../shared/adapters/containerCaptureStore.js';
import { parseCaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import { defaultSettings } from '../../shared/config/settings.js';
import { captureSourceOf } from '../../shared/drift/run/captureSourceOf.js';
import { unwrap } from '../../shared/errors.js';
import { noMetrics } from '../../shared/telemetry/metricsPort.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { freshContainer } from '../helpers/storage.js';
import { startStorageProxy, type StorageProxy, type StorageProxyBehaviour } from '../helpers/storageProxy.js';
import { captureName, encodeCaptureFile, eventRecords, upload } from '../shared/drift/run/fixtures/captureFixtures.js';

// Fault suite, item 3: weeklyDrift skipped a blob it failed to read for now (ETag changed between listing and
// reading: 412; a 5xx after the SDK's retries; a dropped connection) as CAPTURE.UNREADABLE, wrote the report and
// succeeded, so no continuation ran: the week was missing those blobs and a rerun gave another report. Now such a
// read fails the invocation (the host's retry resumes from the per-blob cache) and only bad bytes are skipped.
const { createWeeklyDriftHandler } = await import('../../shared/compose/weeklyDrift.js');

const TICK = Date.UTC(2024, 0, 22, 3);
const WEEK_START = Date.UTC(2024, 0, 15);
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '2024-01-15T03:00:00Z', next: '2024-01-22T03:00:00Z', lastUpdated: '2024-01-15T03:00:00Z' },
};
const context = (logs: string[] = []) =>
  new InvocationContext({
    functionName: 'weeklyDrift',
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });

describe('weeklyDrift when a Capture blob cannot be read for now', () => {
  let capture: ContainerClient;
  const names: string[] = [];
  let badName = '';
  let proxy: StorageProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });

  beforeAll(async () => {
    capture = await freshContainer('capture');
    for (let i = 0; i < 6; i++) {
      const start = WEEK_START + i * 24 * 3_600_000;
      const name = captureName('mrm-ns', 'events', i % 2, start);
      names.push(name);
      await upload(capture, name, encodeCaptureFile(eventRecords(120, { seed: 900 + i, startInMs: start })));
    }
    // A truly bad blob: truncated inside a block. It is skipped, and named, in every report.
    const bad = captureName('mrm-ns', 'events', 0, WEEK_START + 6 * 24 * 3_600_000);
    names.push(bad);
    badName = bad;
    const whole = encodeCaptureFile(eventRecords(50, { seed: 1, startInMs: WEEK_START }));
    await upload(capture, bad, whole.subarray(0, whole.length - 40));
    names.sort();
  });

  /** weeklyDrift on the production adapters, reading Capture through the proxy (SDK retries cut to one). */
  async function weeklyDrift(behaviour: StorageProxyBehaviour | undefined) {
    const baselineContainer = await freshContainer('baseline');
    const text = JSON.stringify(transactionBaseline());
    await baselineContainer.getBlockBlobClient('profile.json').upload(text, Buffer.byteLength(text));
    const reports = await freshContainer('reports');
    const cache = await freshContainer('drift-cache');
    proxy = await startStorageProxy(behaviour);
    const throughProxy = BlobServiceClient.fromConnectionString(proxy.connectionString, {
      retryOptions: { maxTries: 2, retryDelayInMs: 10, maxRetryDelayInMs: 20 },
    }).getContainerClient(capture.containerName);
    const settings = defaultSettings({ MRM_DRIFT_CONCURRENCY: '2' });
    const handler = createWeeklyDriftHandler({
      settings,
      baseline: new BlobProfileSource(baselineContainer, 'profile.json', { reloadCheckInMs: 0 }),
      source: captureSourceOf(new ContainerCaptureStore(throughProxy), {
        format: unwrap(parseCaptureNameFormat(settings.drift.captureNameFormat)),
        namespace: 'mrm-ns',
        hubNames: { events: 'events' },
      }),
      cache: new BlobProfileCache(cache),
      reports: new BlobReportSink(reports),
      metrics: noMetrics,
      clock: { nowInMs: () => TICK },
    });
    const report = async () => {
      const blob = reports.getBlobClient('2024-W03/report.json');
      if (!(await blob.exists())) return undefined;
      return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as {
        events: number;
        blobs: { read: number; skipped: Array<{ name: string; reason: string }> };
        features: unknown;
      };
    };
    // Blob names as the proxy saw them, after the container's name.
    const reads = () => proxy!.requests.filter((r) => isRead(r)).map((r) => r.path.slice(r.path.indexOf('/') + 1));
    return { handler, report, reads };
  }

  const isRead = (r: { method: string; path: string; query: URLSearchParams }) =>
    r.method === 'GET' && r.path.endsWith('.avro') && !r.query.has('comp');
  const victim = () => names.filter((n) => n !== badName)[2]!;

  let clean: Awaited<ReturnType<Awaited<ReturnType<typeof weeklyDrift>>['report']>>;
  beforeAll(async () => {
    const run = await weeklyDrift(undefined);
    await run.handler(timer, context());
    clean = await run.report();
    await proxy!.close();
    proxy = undefined;
  });

  it('a clean week: every blob counted, the bad one skipped and named', () => {
    expect(clean!.blobs.read).toBe(6);
    expect(clean!.blobs.skipped).toEqual([expect.objectContaining({ name: badName, reason: 'CAPTURE.TRUNCATED' })]);
  });

  const cases: Array<[string, () => StorageProxyBehaviour]> = [
    [
      'its ETag changed between listing and reading (412)',
      () => {
        let rewritten = false;
        return {
          beforeDelivery: async (request) => {
            const listsVictim =
              request.query.get('comp') === 'list' &&
              !request.query.has('delimiter') &&
              victim().startsWith(request.query.get('prefix') ?? '');
            if (!rewritten && listsVictim) {
              rewritten = true;
              // Same bytes, new ETag: Capture never does this, a copy or a restore may.
              await upload(capture, victim(), await capture.getBlobClient(victim()).downloadToBuffer());
            }
          },
        };
      },
    ],
    [
      'storage answers 503 beyond the SDK retries',
      () => ({
        intercept: (request) =>
          isRead(request) && request.path.endsWith(`/${victim()}`) ? { status: 503, code: 'ServerBusy' } : undefined,
      }),
    ],
    [
      'the connection drops on every attempt',
      () => ({
        intercept: (request) => (isRead(request) && request.path.endsWith(`/${victim()}`) ? 'reset' : undefined),
      }),
    ],
  ];

  it.each(cases)(
    'when %s: the invocation fails, nothing is reported, and the retry reports the whole week',
    async (_name, behaviour) => {
      const first = await weeklyDrift(behaviour());
      const logs: string[] = [];
      await expect(first.handler(timer, context(logs))).rejects.toMatchObject({
        kind: 'transient',
        code: 'CAPTURE.READ_FAILED',
        message: expect.stringContaining(victim()),
      });
      expect(await first.report()).toBeUndefined();
      expect(logs.at(-1)).toMatch(
        /^error: weeklyDrift failed \(transient\): Could not read Capture blob [^\n]+ The retry resumes from the cached profiles\.$/,
      );

      // The host's retry, once the fault is gone: only what was not profiled yet is read.
      proxy!.behaviour = {};
      const readBefore = first.reads().length;
      await first.handler(timer, context());
      const report = await first.report();
      expect(report!.blobs).toEqual(clean!.blobs);
      expect(report!.events).toBe(clean!.events);
      expect(report!.features).toEqual(clean!.features);
      expect(first.reads().slice(readBefore)).toContain(victim());
      expect(first.reads().length - readBefore).toBeLessThan(names.length);
    },
  );
});
