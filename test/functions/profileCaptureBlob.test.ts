import { beforeAll, describe, expect, it } from 'vitest';
import { InvocationContext } from '@azure/functions';
import type { ContainerClient } from '@azure/storage-blob';
import { recordedRegistration, triggerBinding } from '../helpers/functionsCoreFake.js';
import { BlobProfileCache } from '../../shared/adapters/blobProfileCache.js';
import { BlobRollupStore } from '../../shared/adapters/blobRollupStore.js';
import { parseCaptureNameFormat } from '../../shared/capture/captureNameFormat.js';
import { canonicalEtag } from '../../shared/drift/run/blobProfileCacheKey.js';
import { foldIdentity } from '../../shared/drift/run/profileWindow.js';
import { readRollupDocument, rollupBlobs, rollupName } from '../../shared/drift/run/rollups.js';
import type { RollupKey } from '../../shared/drift/run/types.js';
import type { ProfileCache } from '../../shared/drift/run/ports.js';
import { unwrap } from '../../shared/errors.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { freshContainer } from '../helpers/storage.js';
import { captureName, encodeCaptureFile, eventRecords, upload } from '../shared/drift/run/fixtures/captureFixtures.js';

process.env.MRM_CAPTURE_CONTAINER = 'capture-landing';
await import('../../functions/profileCaptureBlob.js');
const { createProfileCaptureBlobHandler, containerBlobOpener } =
  await import('../../shared/compose/profileCaptureBlob.js');

const baseline = transactionBaseline();
const FORMAT = unwrap(
  parseCaptureNameFormat('{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}'),
);
const START = Date.UTC(2024, 0, 16, 10, 5);

describe('profileCaptureBlob registration', () => {
  it('is the Event Grid–based blob trigger on the capture container, over the app’s storage connection, with the bytes', () => {
    expect(triggerBinding(recordedRegistration('profileCaptureBlob'))).toMatchObject({
      type: 'blobTrigger',
      direction: 'in',
      path: 'capture-landing/{name}',
      connection: 'AzureWebJobsStorage',
      source: 'EventGrid',
      dataType: 'binary',
    });
  });
});

/** Counts the per-blob profiles folded (cache misses that were then written). */
class CountingCache implements ProfileCache {
  puts = 0;
  constructor(private readonly inner: BlobProfileCache) {}
  get(key: Parameters<ProfileCache['get']>[0]) {
    return this.inner.get(key);
  }
  put(key: Parameters<ProfileCache['put']>[0], outcome: Parameters<ProfileCache['put']>[1]) {
    this.puts++;
    return this.inner.put(key, outcome);
  }
}

describe('profileCaptureBlob over Capture files in Azurite', () => {
  let capture: ContainerClient;
  let cacheContainer: ContainerClient;
  let cache: CountingCache;
  let handler: ReturnType<typeof createProfileCaptureBlobHandler>;
  const good = captureName('mrm-ns', 'events', 3, START);
  const truncated = captureName('mrm-ns', 'events', 4, START);
  const logs: string[] = [];

  beforeAll(async () => {
    capture = await freshContainer('capture');
    cacheContainer = await freshContainer('drift-cache');
    await upload(
      capture,
      good,
      encodeCaptureFile(eventRecords(500, { seed: 5, startInMs: START }), { codec: 'deflate' }),
    );
    const file = encodeCaptureFile(eventRecords(300, { seed: 6, startInMs: START }), { recordsPerBlock: 40 });
    await upload(capture, truncated, file.subarray(0, file.length - 25));
    cache = new CountingCache(new BlobProfileCache(cacheContainer));
    handler = createProfileCaptureBlobHandler({
      baseline: { current: async () => baseline },
      cache,
      rollups: new BlobRollupStore(cacheContainer),
      filter: { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events', scored: 'scored' } },
      opener: containerBlobOpener(capture),
    });
  });

  /** Delivers the blob as the host does: its bytes, its name and its properties (ETag). */
  async function deliver(name: string, options: { withEtag?: boolean } = {}): Promise<void> {
    const response = await capture.getBlobClient(name).download();
    const chunks: Buffer[] = [];
    for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
    const context = new InvocationContext({
      invocationId: `i-${logs.length}`,
      functionName: 'profileCaptureBlob',
      triggerMetadata: {
        name,
        blobTrigger: `capture/${name}`,
        ...(options.withEtag === false ? {} : { properties: { eTag: response.etag, contentLength: chunks.length } }),
      },
      logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    });
    await handler(Buffer.concat(chunks), context);
  }

  async function rollupOf(name: string) {
    const etag = (await capture.getBlobClient(name).getProperties()).etag!;
    const key: RollupKey = {
      schemaId: baseline.schema.id,
      hub: 'events',
      ...foldIdentity(undefined),
      hourStartInMs: Date.UTC(2024, 0, 16, 10),
    };
    const bytes = await cacheContainer.getBlobClient(rollupName(key)).downloadToBuffer();
    return { doc: readRollupDocument(bytes, key)!, etag };
  }

  it('folds a landed blob into the profile cache and its hour’s roll-up', async () => {
    await deliver(good);
    const { doc, etag } = await rollupOf(good);
    expect(rollupBlobs(doc)).toEqual(new Map([[good, canonicalEtag(etag)]]));
    expect(doc.tally.merged.profile.events).toBe(500);
    expect(doc.tally).toMatchObject({ folded: 1, records: 500, skipped: [] });
    expect(cache.puts).toBe(1);
    expect(logs.at(-1)).toMatch(/information: .*500 events, 500 records \(folded\); roll-up merged/);
  });

  it('is idempotent under redelivery: the cached profile is reused and the roll-up merges it once', async () => {
    await deliver(good);
    await deliver(good, { withEtag: false });
    const { doc } = await rollupOf(good);
    expect(doc.tally.merged.profile.events).toBe(500);
    expect(doc.tally.folded).toBe(1);
    expect(cache.puts).toBe(1);
    expect(logs.at(-1)).toMatch(/profile from the cache\); roll-up already-merged/);
  });

  it('records a bad blob as skipped with its reason, returns normally, and never reads it again', async () => {
    await expect(deliver(truncated)).resolves.toBeUndefined();
    expect(logs.at(-1)).toMatch(/^warning: profileCaptureBlob: skipped .*events\/4\/.*CAPTURE\.TRUNCATED/);
    const puts = cache.puts;
    await deliver(truncated);
    expect(cache.puts).toBe(puts);
    const { doc } = await rollupOf(truncated);
    expect(doc.tally.skipped).toEqual([{ name: truncated, reason: 'CAPTURE.TRUNCATED', message: expect.any(String) }]);
    expect(doc.tally.folded).toBe(1);
    expect([...doc.blobNames].sort()).toEqual([good, truncated].sort());
  });

  it('ignores blobs that are not Capture files of the monitored hubs, and blobs deleted before delivery', async () => {
    const other = captureName('mrm-ns', 'audit', 0, START);
    await upload(capture, other, encodeCaptureFile(eventRecords(5, { seed: 1, startInMs: START })));
    await deliver(other);
    expect(logs.at(-1)).toMatch(/ignored .*audit.*Event Hub audit is not monitored/);
    await upload(capture, 'notes/readme.txt', Buffer.from('hello'));
    await deliver('notes/readme.txt');
    expect(logs.at(-1)).toMatch(/ignored notes\/readme\.txt: does not follow the Capture name format/);
    const gone = captureName('mrm-ns', 'events', 9, START);
    await handler(
      undefined,
      new InvocationContext({
        functionName: 'profileCaptureBlob',
        triggerMetadata: { name: gone },
        logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
      }),
    );
    expect(logs.at(-1)).toMatch(/is gone/);
  });

  it('reads events with scoreEvents’ body limit, and keys the cache and roll-up by it', async () => {
    const name = captureName('mrm-ns', 'events', 7, START);
    const records = eventRecords(20, { seed: 8, startInMs: START });
    for (const record of records.slice(0, 5))
      record.Body = Buffer.from(JSON.stringify({ ...JSON.parse(record.Body!.toString()), trace: 'x'.repeat(1100) }));
    await upload(capture, name, encodeCaptureFile(records));
    const limited = createProfileCaptureBlobHandler({
      baseline: { current: async () => baseline },
      cache,
      rollups: new BlobRollupStore(cacheContainer),
      filter: { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events' } },
      opener: containerBlobOpener(capture),
      maxBodyBytes: 1024,
    });
    await limited(undefined, new InvocationContext({ functionName: 'profileCaptureBlob', triggerMetadata: { name } }));
    const key: RollupKey = {
      schemaId: baseline.schema.id,
      hub: 'events',
      foldVersion: foldIdentity(undefined).foldVersion,
      maxBodyBytes: 1024,
      hourStartInMs: Date.UTC(2024, 0, 16, 10),
    };
    const bytes = await cacheContainer.getBlobClient(rollupName(key)).downloadToBuffer();
    const profile = readRollupDocument(bytes, key)!.tally.merged.profile;
    expect([profile.events, profile.badBodies]).toEqual([15, { 'EVENT.TOO_LARGE': 5 }]);
  });

  it('fails the invocation on a store fault, so the event is delivered again', async () => {
    const broken = createProfileCaptureBlobHandler({
      baseline: { current: async () => baseline },
      cache,
      rollups: {
        read: async () => {
          throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        },
        write: async () => true,
      },
      filter: { format: FORMAT, namespace: 'mrm-ns', hubNames: { events: 'events' } },
      opener: containerBlobOpener(capture),
    });
    const context = new InvocationContext({
      functionName: 'profileCaptureBlob',
      triggerMetadata: { name: good },
      logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
    });
    await expect(broken(undefined, context)).rejects.toThrow(/ECONNREFUSED/);
    expect(logs.at(-1)).toMatch(/^error: profileCaptureBlob failed on .*\(transient\).*delivered again/);
  });
});
