import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileProfileCache } from '../../../shared/adapters/fileProfileCache.js';
import { blobProfileCacheName } from '../../../shared/drift/run/blobProfileCacheKey.js';
import type { BlobProfileKey } from '../../../shared/drift/run/ports.js';

const key: BlobProfileKey = {
  schemaId: 's1',
  hub: 'scored',
  blobName: 'ns/scored/3/2024/01/15/10/00/00.avro',
  etag: '"12-345"',
  foldVersion: 2,
  maxBodyBytes: 65_536,
};

describe('FileProfileCache', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mrm-profile-cache-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('stores entries as files under the cache name and leaves no temporary file behind', async () => {
    const cache = new FileProfileCache(root);
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, { ok: false, code: 'CAPTURE.CORRUPT', message: 'bad sync' });
    expect(await cache.get(key)).toEqual({ ok: false, code: 'CAPTURE.CORRUPT', message: 'bad sync' });
    const directory = join(root, ...blobProfileCacheName(key).split('/').slice(0, -1));
    expect(await readdir(directory)).toEqual(['00.avro@12-345.json']);
  });

  it('treats an unreadable entry as a miss', async () => {
    const cache = new FileProfileCache(root);
    await cache.put(key, { ok: false, code: 'CAPTURE.CORRUPT', message: 'bad sync' });
    await writeFile(join(root, ...blobProfileCacheName(key).split('/')), 'not json');
    expect(await cache.get(key)).toBeUndefined();
  });
});
