import { describe, expect, it } from 'vitest';
import { BlobProfileCache } from '../../../shared/adapters/blobProfileCache.js';
import { blobProfileCacheName } from '../../../shared/drift/run/blobProfileCacheKey.js';
import type { BlobProfileKey, CachedBlobOutcome } from '../../../shared/drift/run/ports.js';
import { emptyProfile } from '../../../shared/drift/profile.js';
import { transactionBaseline } from '../../helpers/baselineFixture.js';
import { blobService, uniqueContainerName } from '../../helpers/storage.js';

const schema = transactionBaseline().schema;
const key: BlobProfileKey = {
  schemaId: schema.id,
  hub: 'events',
  blobName: 'ns/events/0/2024/01/15/10/00/00.avro',
  etag: '"0x8DC1"',
  foldVersion: 2,
  maxBodyBytes: 65_536,
};
const outcome: CachedBlobOutcome = {
  ok: true,
  profile: emptyProfile(schema),
  records: 0,
  firstEnqueuedInMs: null,
  lastEnqueuedInMs: null,
  unparsedTimes: 0,
};

describe('BlobProfileCache (Azurite)', () => {
  it('creates its container on first write and reads back what it wrote', async () => {
    const container = blobService().getContainerClient(uniqueContainerName('drift-cache'));
    const cache = new BlobProfileCache(container);
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, outcome);
    expect(await cache.get(key)).toEqual(outcome);
    expect(
      await container
        .getBlobClient(
          'profiles/' + schema.id + '/v2/body-65536/events/ns/events/0/2024/01/15/10/00/00.avro@0x8DC1.json',
        )
        .exists(),
    ).toBe(true);
  });

  it('misses for another ETag, schema, fold version or body limit, and for an entry that is not ours', async () => {
    const container = blobService().getContainerClient(uniqueContainerName('drift-cache'));
    const cache = new BlobProfileCache(container);
    await cache.put(key, { ok: false, code: 'CAPTURE.TRUNCATED', message: 'cut' });
    expect(await cache.get(key)).toEqual({ ok: false, code: 'CAPTURE.TRUNCATED', message: 'cut' });
    expect(await cache.get({ ...key, etag: '"0x8DC2"' })).toBeUndefined();
    expect(await cache.get({ ...key, schemaId: 'other' })).toBeUndefined();
    expect(await cache.get({ ...key, foldVersion: 1 })).toBeUndefined();
    // Bodies between the two limits are profiled under one and counted EVENT.TOO_LARGE under the other.
    expect(await cache.get({ ...key, maxBodyBytes: 1_048_576 })).toBeUndefined();
    // A corrupt entry (half-written, edited by hand) is a miss, not a crash.
    await container.getBlockBlobClient(blobProfileCacheName(key)).upload('{"kind":"mrm.blobProfile"', 25);
    expect(await cache.get(key)).toBeUndefined();
  });
});
