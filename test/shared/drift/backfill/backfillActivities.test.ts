import { beforeEach, describe, expect, it } from 'vitest';
import { parseCaptureNameFormat } from '../../../../shared/capture/captureNameFormat.js';
import { backfillHour, planBackfill } from '../../../../shared/drift/backfill/backfillActivities.js';
import type { HourInput } from '../../../../shared/drift/backfill/backfillOrchestration.js';
import { captureSourceOf } from '../../../../shared/drift/run/captureSourceOf.js';
import { previousIsoWeek } from '../../../../shared/drift/run/driftWindow.js';
import { silentProgress } from '../../../../shared/drift/run/ports.js';
import { profileLandedBlob } from '../../../../shared/drift/run/profileLandedBlob.js';
import type { RollupStore } from '../../../../shared/drift/run/ports.js';
import { unwrap } from '../../../../shared/errors.js';
import { transactionBaseline } from '../../../helpers/baselineFixture.js';
import {
  MemoryCaptureStore,
  MemoryProfileCache,
  captureName,
  encodeCaptureFile,
  eventRecords,
} from '../run/fixtures/captureFixtures.js';

const HOUR = 3_600_000;
const WINDOW = previousIsoWeek(Date.UTC(2024, 0, 22, 3));
const FORMAT = unwrap(
  parseCaptureNameFormat('{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'),
);
const baseline = transactionBaseline();
const schema = baseline.schema;

class MemoryRollups implements RollupStore {
  readonly docs = new Map<string, { bytes: Uint8Array; version: string }>();
  failReads = false;
  private version = 0;
  async read(name: string) {
    if (this.failReads) throw Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });
    return this.docs.get(name);
  }
  async write(name: string, bytes: Uint8Array, expected: { version: string } | 'absent') {
    const current = this.docs.get(name);
    if (expected === 'absent' ? current !== undefined : current?.version !== expected.version) return false;
    this.docs.set(name, { bytes, version: String(++this.version) });
    return true;
  }
}

describe('the driftBackfill activities', () => {
  let store: MemoryCaptureStore;
  let rollups: MemoryRollups;
  let cache: MemoryProfileCache;
  const source = () =>
    captureSourceOf(store, { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events', scored: 'scored' } });
  const deps = () => ({
    source: source(),
    cache,
    rollups,
    clock: { nowInMs: () => 0 },
    progress: silentProgress,
  });
  const hourInput = (hour: number, schemaId = schema.id): HourInput => ({
    window: WINDOW,
    hub: 'events',
    hourStartInMs: WINDOW.fromInMs + hour * HOUR,
    schemaId,
  });

  beforeEach(async () => {
    store = new MemoryCaptureStore();
    rollups = new MemoryRollups();
    cache = new MemoryProfileCache();
    for (const hour of [2, 2, 30]) {
      const start = WINDOW.fromInMs + hour * HOUR + store.files.size * 60_000;
      store.put(
        captureName('mrm-ns', 'events', store.files.size, start),
        encodeCaptureFile(eventRecords(80, { seed: store.files.size, startInMs: start })),
      );
    }
    // The first blob of hour 2 landed while the trigger ran.
    const [first] = [...store.files.keys()].sort();
    await profileLandedBlob(
      { cache, rollups },
      {
        schema,
        filter: { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events' } },
        blob: { name: first!, etag: store.files.get(first!)!.etag, content: [store.files.get(first!)!.bytes] },
      },
    );
  });

  it('plan lists the hours with blobs no roll-up holds, with their counts and bytes, reading no Capture blob', async () => {
    const plan = await planBackfill(deps(), { schema, window: WINDOW });
    expect(plan).toEqual({
      ok: true,
      schemaId: schema.id,
      blobsTotal: 3,
      hours: [
        { hub: 'events', hourStartInMs: WINDOW.fromInMs + 2 * HOUR, blobs: 1, bytes: expect.any(Number) },
        { hub: 'events', hourStartInMs: WINDOW.fromInMs + 30 * HOUR, blobs: 1, bytes: expect.any(Number) },
      ],
    });
    expect(store.reads).toEqual([]);
  });

  it('an hour folds what its roll-up lacks into it, so the next plan finds nothing there', async () => {
    const result = await backfillHour(deps(), { schema, hour: hourInput(2), concurrency: 2, timeBudgetInMs: 60_000 });
    expect(result).toEqual({
      ok: true,
      hub: 'events',
      hourStartInMs: WINDOW.fromInMs + 2 * HOUR,
      blobs: 2,
      read: 1,
      skipped: 0,
      events: 160,
    });
    expect(store.reads).toHaveLength(1);
    const plan = await planBackfill(deps(), { schema, window: WINDOW });
    expect(plan.hours.map((h) => h.hourStartInMs)).toEqual([WINDOW.fromInMs + 30 * HOUR]);
  });

  it('an hour planned on another baseline is refused, untouched, to be planned again', async () => {
    const result = await backfillHour(deps(), {
      schema,
      hour: hourInput(2, 'old-schema'),
      concurrency: 2,
      timeBudgetInMs: 60_000,
    });
    expect(result).toEqual({
      ok: false,
      hub: 'events',
      hourStartInMs: WINDOW.fromInMs + 2 * HOUR,
      code: 'DRIFT.BASELINE_CHANGED',
      message: `the baseline's schema is ${schema.id} now, the plan's was old-schema: planned again`,
    });
    expect(store.reads).toEqual([]);
  });

  it('a store fault or a Capture read that fails is a value the orchestration outlasts, not a throw', async () => {
    rollups.failReads = true;
    expect(
      await backfillHour(deps(), { schema, hour: hourInput(2), concurrency: 1, timeBudgetInMs: 60_000 }),
    ).toMatchObject({
      ok: false,
      code: 'DRIFT.HOUR_FAILED',
      message: 'connect ETIMEDOUT',
    });
    rollups.failReads = false;
    store.failReads = new Set(store.files.keys());
    expect(
      await backfillHour(deps(), { schema, hour: hourInput(30), concurrency: 1, timeBudgetInMs: 60_000 }),
    ).toMatchObject({
      ok: false,
      code: 'CAPTURE.READ_FAILED',
    });
  });

  it('a bug throws (the instance fails, with it)', async () => {
    const broken = {
      ...deps(),
      cache: { get: () => Promise.reject(new TypeError('cache.get is broken')), put: cache.put },
    };
    await expect(
      backfillHour(broken as never, { schema, hour: hourInput(30), concurrency: 1, timeBudgetInMs: 60_000 }),
    ).rejects.toThrow(TypeError);
  });
});
