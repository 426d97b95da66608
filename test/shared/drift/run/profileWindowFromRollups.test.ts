import { beforeAll, describe, expect, it } from 'vitest';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobProfileCache } from '../../../../shared/adapters/blobProfileCache.js';
import { BlobRollupStore } from '../../../../shared/adapters/blobRollupStore.js';
import { ContainerCaptureStore } from '../../../../shared/adapters/containerCaptureStore.js';
import { parseCaptureNameFormat } from '../../../../shared/capture/captureNameFormat.js';
import { captureSourceOf } from '../../../../shared/drift/run/captureSourceOf.js';
import { previousIsoWeek } from '../../../../shared/drift/run/driftWindow.js';
import { silentProgress, type CaptureSource } from '../../../../shared/drift/run/ports.js';
import { profileLandedBlob, type CaptureBlobFilter } from '../../../../shared/drift/run/profileLandedBlob.js';
import { readRollupDocument } from '../../../../shared/drift/run/rollups.js';
import type { RollupStore } from '../../../../shared/drift/run/ports.js';
import type { RollupKey } from '../../../../shared/drift/run/types.js';
import { runWeeklyDrift, type WeeklyDriftOutcome } from '../../../../shared/drift/run/runWeeklyDrift.js';
import { DEFAULT_DRIFT_OPTIONS } from '../../../../shared/drift/driftOptions.js';
import { unwrap } from '../../../../shared/errors.js';
import { transactionBaseline } from '../../../helpers/baselineFixture.js';
import { freshContainer } from '../../../helpers/storage.js';
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
const TICK = Date.UTC(2024, 0, 22, 3);
const WINDOW = previousIsoWeek(TICK);
const FORMAT = unwrap(
  parseCaptureNameFormat('{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'),
);
const FILTER: CaptureBlobFilter = {
  format: FORMAT,
  namespace: 'mrm-ns',
  hubNames: { events: 'events', scored: 'scored' },
};
const baseline = transactionBaseline();

/**
 * A week with several Capture files per partition and hour (so roll-ups merge many blobs), both codecs, drifted and
 * baseline-like traffic, an empty file, a truncated one, one with bad bodies, and the scored hub over two hours.
 */
async function writeWeek(capture: ContainerClient): Promise<string[]> {
  const names: string[] = [];
  const put = async (name: string, bytes: Buffer) => {
    await upload(capture, name, bytes);
    names.push(name);
  };
  const hours = [
    WINDOW.fromInMs + 3 * HOUR,
    WINDOW.fromInMs + 2 * DAY + 14 * HOUR,
    WINDOW.fromInMs + 5 * DAY + 23 * HOUR,
  ];
  let seed = 3000;
  for (const [h, hour] of hours.entries()) {
    for (let partition = 0; partition < 3; partition++) {
      for (let file = 0; file < 4; file++) {
        const start = hour + file * 5 * 60_000;
        const records = eventRecords(150 + 37 * file + partition, {
          seed: seed++,
          drift: h === 2 ? 0.8 : 0,
          startInMs: start,
        });
        await put(
          captureName('mrm-ns', 'events', partition, start),
          encodeCaptureFile(records, { codec: (file + partition) % 2 ? 'deflate' : 'null', recordsPerBlock: 61 }),
        );
      }
    }
  }
  await put(captureName('mrm-ns', 'events', 0, hours[0]! + 30 * 60_000), encodeCaptureFile([]));
  const truncated = encodeCaptureFile(eventRecords(200, { seed: 77, startInMs: hours[1]! }), { recordsPerBlock: 50 });
  await put(captureName('mrm-ns', 'events', 1, hours[1]! + 33 * 60_000), truncated.subarray(0, truncated.length - 40));
  await put(
    captureName('mrm-ns', 'events', 2, hours[2]! + 31 * 60_000),
    encodeCaptureFile([...eventRecords(20, { seed: 79, startInMs: hours[2]! }), ...badBodyRecords(hours[2]!)]),
  );
  for (const hour of [hours[0]!, hours[2]!]) {
    for (let file = 0; file < 3; file++) {
      const start = hour + file * 5 * 60_000;
      await put(
        captureName('mrm-ns', 'scored', 0, start),
        encodeCaptureFile(scoredRecords(300 + file, { seed: 80 + file, startInMs: start, accuracy: 0.8 }), {
          codec: 'deflate',
        }),
      );
    }
  }
  return names;
}

/** The Capture source, counting the blobs it reads. */
function countingSource(capture: ContainerClient): CaptureSource & { reads: string[] } {
  const inner = captureSourceOf(new ContainerCaptureStore(capture), {
    format: FORMAT,
    namespace: 'mrm-ns',
    hubNames: { events: 'events', scored: 'scored' },
  });
  const reads: string[] = [];
  return {
    hubs: inner.hubs,
    list: (hub, window) => inner.list(hub, window),
    read: (blob) => {
      reads.push(blob.name);
      return inner.read(blob);
    },
    reads,
  };
}

const metrics = { count: () => undefined, observe: () => undefined };

async function weekly(
  capture: ContainerClient,
  cache: ContainerClient,
  rollups: RollupStore | undefined,
): Promise<{ outcome: Extract<WeeklyDriftOutcome, { status: 'complete' }>; reads: string[] }> {
  const source = countingSource(capture);
  const outcome = await runWeeklyDrift(
    {
      source,
      cache: new BlobProfileCache(cache),
      clock: { nowInMs: () => TICK },
      progress: silentProgress,
      metrics,
      rollups,
    },
    { baseline, window: WINDOW, options: DEFAULT_DRIFT_OPTIONS },
  );
  if (outcome.status !== 'complete') throw new Error(`expected a complete run, got ${JSON.stringify(outcome)}`);
  return { outcome, reads: source.reads };
}

/** The trigger, as Event Grid delivers it: each blob once or twice, in a shuffled order, all at once. */
async function deliver(capture: ContainerClient, cache: ContainerClient, names: string[], seed: number) {
  const rollups = new BlobRollupStore(cache);
  const profileCache = new BlobProfileCache(cache);
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const deliveries = names.flatMap((name) => (random() < 0.3 ? [name, name] : [name]));
  deliveries.sort(() => random() - 0.5);
  return Promise.all(
    deliveries.map(async (name) => {
      const response = await capture.getBlobClient(name).download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
      return profileLandedBlob(
        { cache: profileCache, rollups },
        {
          schema: baseline.schema,
          filter: FILTER,
          blob: { name, etag: response.etag!, content: [Buffer.concat(chunks)] },
        },
      );
    }),
  );
}

/** The key a roll-up's name stands for (rollups/<schema>/v<fold>/<hub>/<yyyy>/<mm>/<dd>/<hh>.json). */
function rollupKeyOf(name: string): RollupKey {
  const [, schemaId, fold, body, hub, y, m, d, h] =
    /^rollups\/(\w+)\/v(\d+)\/body-(\d+)\/(\w+)\/(\d+)\/(\d+)\/(\d+)\/(\d+)\.json$/.exec(name)!;
  return {
    schemaId: schemaId!,
    hub: hub as RollupKey['hub'],
    foldVersion: Number(fold),
    maxBodyBytes: Number(body),
    hourStartInMs: Date.UTC(Number(y), Number(m) - 1, Number(d), Number(h)),
  };
}

/** The report without what only says where profiles came from (stored or read now). */
function withoutProvenance(outcome: { report: unknown }): unknown {
  const report = JSON.parse(JSON.stringify(outcome.report)) as {
    capture: { hubs: Record<string, { fromCache?: number }> };
  };
  for (const hub of Object.values(report.capture.hubs)) delete hub.fromCache;
  return report;
}

describe('weeklyDrift from hourly roll-ups', () => {
  let capture: ContainerClient;
  let names: string[];
  let fullFold: Awaited<ReturnType<typeof weekly>>;

  beforeAll(async () => {
    capture = await freshContainer('capture-rollups');
    names = await writeWeek(capture);
    fullFold = await weekly(capture, await freshContainer('cache-cold'), undefined);
  });

  it('merges the roll-ups of concurrent, redelivered, out-of-order triggers into exactly the report of a full fold', async () => {
    const cache = await freshContainer('cache-rollups');
    const outcomes = await deliver(capture, cache, names, 7);
    expect(outcomes.filter((o) => o.status === 'profiled' && o.rollup === 'merged')).toHaveLength(names.length);
    expect(outcomes.every((o) => o.status === 'profiled' && o.rollup !== 'conflict')).toBe(true);

    const fromRollups = await weekly(capture, cache, new BlobRollupStore(cache));
    // Nothing left to read: every blob of the week is in a roll-up.
    expect(fromRollups.reads).toEqual([]);
    expect(fromRollups.outcome.report.capture.hubs.events!.fromCache).toBe(
      names.filter((n) => n.includes('/events/')).length,
    );
    // The same profile bits, so the same statistics, verdicts, skipped blobs and bad-body counts.
    expect(JSON.stringify(withoutProvenance(fromRollups.outcome))).toBe(
      JSON.stringify(withoutProvenance(fullFold.outcome)),
    );
    // And to the bit with a full fold over the same stored per-blob profiles, HTML included.
    const warmFold = await weekly(capture, cache, undefined);
    expect(warmFold.reads).toEqual([]);
    expect(JSON.stringify(fromRollups.outcome.report)).toBe(JSON.stringify(warmFold.outcome.report));
    expect(fromRollups.outcome.html).toBe(warmFold.outcome.html);
    expect(fullFold.outcome.report.blobs.skipped).toEqual([
      { name: expect.stringContaining('/events/1/'), reason: 'CAPTURE.TRUNCATED' },
    ]);
  });

  it('stores each hour once per hub, with every blob merged exactly once despite redeliveries', async () => {
    const cache = await freshContainer('cache-rollups-docs');
    await deliver(capture, cache, names, 11);
    const docs: string[] = [];
    for await (const blob of cache.listBlobsFlat({ prefix: 'rollups/' })) docs.push(blob.name);
    expect(docs).toHaveLength(3 /* events hours */ + 2 /* scored hours */);
    const merged: string[] = [];
    for (const name of docs) {
      const bytes = await cache.getBlobClient(name).downloadToBuffer();
      const read = readRollupDocument(bytes, rollupKeyOf(name))!;
      merged.push(...read.blobNames);
      expect(read.tally.folded + read.tally.skipped.length).toBe(read.blobNames.length);
    }
    expect(merged.sort()).toEqual([...names].sort());
  });

  it('backfills only the blobs the trigger missed (written while it was off), and still gives the full fold’s report', async () => {
    const cache = await freshContainer('cache-backfill');
    const missed = names.filter((_, i) => i % 5 === 2);
    await deliver(
      capture,
      cache,
      names.filter((n) => !missed.includes(n)),
      3,
    );
    const fromRollups = await weekly(capture, cache, new BlobRollupStore(cache));
    expect([...fromRollups.reads].sort()).toEqual([...missed].sort());
    expect(JSON.stringify(withoutProvenance(fromRollups.outcome))).toBe(
      JSON.stringify(withoutProvenance(fullFold.outcome)),
    );
    // The backfill merged them into their roll-ups: the next run reads nothing.
    const again = await weekly(capture, cache, new BlobRollupStore(cache));
    expect(again.reads).toEqual([]);
    expect(again.outcome.report.capture.hubs.events!.fromCache).toBe(again.outcome.report.capture.hubs.events!.blobs);
    expect(JSON.stringify(withoutProvenance(again.outcome))).toBe(JSON.stringify(withoutProvenance(fullFold.outcome)));
  });

  it('does not trust a roll-up holding a blob that was overwritten since: that hour is folded blob by blob', async () => {
    const own = await freshContainer('capture-overwritten');
    const ownNames = await writeWeek(own);
    const cache = await freshContainer('cache-overwritten');
    await deliver(own, cache, ownNames, 5);
    const victim = ownNames[4]!;
    const start = WINDOW.fromInMs + 3 * HOUR;
    await upload(own, victim, encodeCaptureFile(eventRecords(90, { seed: 999, drift: 1, startInMs: start })));
    // The trigger's event for the new version records the conflict; the roll-up is then folded around.
    const [redelivered] = await deliver(own, cache, [victim], 1);
    expect(redelivered).toMatchObject({ status: 'profiled', rollup: 'conflict' });

    const fromRollups = await weekly(own, cache, new BlobRollupStore(cache));
    const cold = await weekly(own, await freshContainer('cache-overwritten-cold'), undefined);
    expect(JSON.stringify(withoutProvenance(fromRollups.outcome))).toBe(
      JSON.stringify(withoutProvenance(cold.outcome)),
    );
    expect(fromRollups.outcome.report.eventsProfiled).not.toBe(fullFold.outcome.report.eventsProfiled);
  });
});
