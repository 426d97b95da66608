import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../../shared/contracts/clock.js';
import { parseCaptureNameFormat } from '../../../../shared/capture/captureNameFormat.js';
import { captureSourceOf } from '../../../../shared/drift/run/captureSourceOf.js';
import { windowOf } from '../../../../shared/drift/run/driftWindow.js';
import { profileWindow, type ProfileWindowOutcome } from '../../../../shared/drift/run/profileWindow.js';
import { silentProgress, type DriftProgress } from '../../../../shared/drift/run/ports.js';
import { unwrap } from '../../../../shared/errors.js';
import { transactionBaseline } from '../../../helpers/baselineFixture.js';
import {
  MemoryCaptureStore,
  MemoryProfileCache,
  captureName,
  encodeCaptureFile,
  eventRecords,
} from './fixtures/captureFixtures.js';

const FROM = Date.UTC(2024, 0, 15);
const WINDOW = windowOf(FROM, FROM + 7 * 86_400_000);
const FORMAT = unwrap(
  parseCaptureNameFormat('{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'),
);
const baseline = transactionBaseline();

/** Twelve blobs over three partitions and four days, one of them truncated. */
function week(): MemoryCaptureStore {
  const store = new MemoryCaptureStore();
  for (let i = 0; i < 12; i++) {
    const start = FROM + (i % 4) * 86_400_000 + i * 300_000;
    const file = encodeCaptureFile(eventRecords(60 + i, { seed: 100 + i, startInMs: start }), {
      codec: i % 2 ? 'deflate' : 'null',
      recordsPerBlock: 25,
    });
    store.put(captureName('ns', 'events', i % 3, start), i === 7 ? file.subarray(0, file.length - 9) : file);
  }
  return store;
}

function run(
  store: MemoryCaptureStore,
  cache: MemoryProfileCache,
  options: { concurrency?: number; deadlineInMs?: number; clock?: Clock; progress?: DriftProgress } = {},
) {
  return profileWindow(
    {
      source: captureSourceOf(store, { format: FORMAT, namespace: 'ns', hubNames: { events: 'events' } }),
      cache,
      clock: options.clock ?? { nowInMs: () => 0 },
      progress: options.progress ?? silentProgress,
    },
    {
      schema: baseline.schema,
      window: WINDOW,
      concurrency: options.concurrency ?? 4,
      ...(options.deadlineInMs !== undefined ? { deadlineInMs: options.deadlineInMs } : {}),
    },
  );
}

function complete(outcome: ProfileWindowOutcome) {
  if (outcome.status !== 'complete') throw new Error(`expected a complete run, got ${JSON.stringify(outcome)}`);
  return outcome.hubs.events!;
}

describe('profileWindow', () => {
  it('folds every readable blob, skips the truncated one by name and reason, and counts records', async () => {
    const events = complete(await run(week(), new MemoryProfileCache()));
    const expectedEvents = Array.from({ length: 12 }, (_, i) => 60 + i).reduce((a, b) => a + b, 0) - 67;
    expect(events.blobs).toBe(12);
    expect(events.folded).toBe(11);
    expect(events.profile.events).toBe(expectedEvents);
    expect(events.skipped).toEqual([
      { name: expect.stringMatching(/^ns\/events\/1\//), reason: 'CAPTURE.TRUNCATED', message: expect.any(String) },
    ]);
  });

  it('merges in blob-name order whatever order reads finish in: the same profile, bit for bit', async () => {
    const serial = complete(await run(week(), new MemoryProfileCache(), { concurrency: 1 }));
    const store = week();
    // Later blobs finish first.
    store.onRead = (name) =>
      new Promise((resolve) => setTimeout(resolve, 40 - ((name.length + store.reads.length * 3) % 40)));
    const parallel = complete(await run(store, new MemoryProfileCache(), { concurrency: 6 }));
    expect(JSON.stringify(parallel.profile)).toBe(JSON.stringify(serial.profile));
  });

  it('stops starting blobs when the deadline passes, then resumes from the cache to the same result', async () => {
    const cache = new MemoryProfileCache();
    const store = week();
    let now = 0;
    store.onRead = () => {
      now += 1000;
    };
    const notes: string[] = [];
    const progress = { ...silentProgress, note: (m: string) => notes.push(m) };
    const first = await run(store, cache, {
      concurrency: 1,
      deadlineInMs: 4500,
      clock: { nowInMs: () => now },
      progress,
    });
    expect(first).toEqual({ status: 'incomplete', blobsDone: 5, blobsTotal: 12 });
    expect(notes.join()).toContain('5 of 12 blobs');

    const readsBefore = store.reads.length;
    const resumed = complete(await run(store, cache, { concurrency: 3 }));
    // Only the seven blobs not profiled yet are read again.
    expect(store.reads.length - readsBefore).toBe(7);
    expect(resumed.fromCache).toBe(5);
    expect(resumed.folded).toBe(11);
    const fresh = complete(await run(week(), new MemoryProfileCache()));
    expect(JSON.stringify(resumed.profile)).toBe(JSON.stringify(fresh.profile));
    expect(resumed.skipped).toEqual(fresh.skipped);
  });

  it('caches skipped blobs too, so a re-run does not read a corrupt file again', async () => {
    const cache = new MemoryProfileCache();
    const store = week();
    await run(store, cache);
    const readsBefore = store.reads.length;
    const again = complete(await run(store, cache));
    expect(store.reads.length).toBe(readsBefore);
    expect(again.skipped.map((s) => s.reason)).toEqual(['CAPTURE.TRUNCATED']);
  });

  it('fails the run when the store cannot read a blob, having cached the others, so that the retry reads only it', async () => {
    const cache = new MemoryProfileCache();
    const store = week();
    const victim = [...store.files.keys()].sort()[2]!;
    store.failReads.add(victim);
    await expect(run(store, cache)).rejects.toMatchObject({
      kind: 'transient',
      code: 'CAPTURE.READ_FAILED',
      message: expect.stringContaining(`Could not read Capture blob ${victim} of`),
      detail: { blob: victim },
    });
    store.failReads.clear();
    const readsBefore = store.reads.length;
    const second = complete(await run(store, cache));
    expect(store.reads.slice(readsBefore)).toContain(victim);
    expect(second.folded + second.skipped.length).toBe(12);
    expect(second.skipped.map((s) => s.reason)).toEqual(['CAPTURE.TRUNCATED']);
  });

  it('rethrows a bug as it is, not as a read failure', async () => {
    const store = week();
    const read = store.read.bind(store);
    store.read = (blob) => (blob.name === [...store.files.keys()].sort()[0] ? brokenRead() : read(blob));
    await expect(run(store, new MemoryProfileCache())).rejects.toThrow(TypeError);
  });

  it('goes on when the cache cannot be written, and says so', async () => {
    const cache = new MemoryProfileCache();
    cache.failPuts = true;
    const notes: string[] = [];
    const events = complete(await run(week(), cache, { progress: { ...silentProgress, note: (m) => notes.push(m) } }));
    expect(events.folded).toBe(11);
    expect(notes).toHaveLength(12);
    expect(notes[0]).toContain('storage unavailable');
  });

  it('reports progress per blob, in merge order', async () => {
    const done: string[] = [];
    let listed: unknown;
    await run(week(), new MemoryProfileCache(), {
      progress: { listed: (c) => (listed = c), blobDone: (e) => done.push(e.name), note: () => undefined },
    });
    expect(listed).toEqual({ events: 12, scored: 0 });
    expect(done).toEqual([...done].sort());
    expect(done).toHaveLength(12);
  });
});

// eslint-disable-next-line require-yield
async function* brokenRead(): AsyncIterable<Uint8Array> {
  throw new TypeError("Cannot read properties of undefined (reading 'length')");
}
