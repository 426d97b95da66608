import { BlobServiceClient } from '@azure/storage-blob';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobProfileSource } from '../../shared/adapters/blobProfileSource.js';
import { transactionBaseline } from '../helpers/baselineFixture.js';
import { freshContainer } from '../helpers/storage.js';
import { startStorageProxy, type StorageProxy } from '../helpers/storageProxy.js';

// Fault suite, item 9: BlobProfileSource downloaded the profile, then read its ETag in a second request; an upload in
// between left the instance on the old profile for ever (the new ETag was taken for the old content's).
describe('BlobProfileSource when a new profile is uploaded while the old one is being downloaded', () => {
  let proxy: StorageProxy | undefined;
  afterEach(async () => proxy?.close());

  it('loads the new profile on the next check', async () => {
    const older = transactionBaseline();
    const newer = transactionBaseline(3000, 11);
    const direct = await freshContainer('baseline');
    const upload = (profile: typeof older) =>
      direct
        .getBlockBlobClient('profile.json')
        .upload(JSON.stringify(profile), Buffer.byteLength(JSON.stringify(profile)));
    await upload(older);

    let uploaded = false;
    proxy = await startStorageProxy({
      // Right after the first download of the profile has been answered, and before the source sees the answer.
      beforeDelivery: async (request) => {
        const download =
          request.method === 'GET' && request.path.endsWith('/profile.json') && !request.query.has('comp');
        if (download && !uploaded) {
          uploaded = true;
          await upload(newer);
        }
      },
    });
    const through = BlobServiceClient.fromConnectionString(proxy.connectionString).getContainerClient(
      direct.containerName,
    );
    const source = new BlobProfileSource(through, 'profile.json', { reloadCheckInMs: 0 });
    expect((await source.current()).profileVersion).toBe(older.profileVersion);
    expect(uploaded).toBe(true);
    expect((await source.current()).profileVersion).toBe(newer.profileVersion);
  });

  it('checks for a new version in one request, and downloads nothing while the profile is unchanged', async () => {
    const direct = await freshContainer('baseline');
    const profile = JSON.stringify(transactionBaseline());
    await direct.getBlockBlobClient('profile.json').upload(profile, Buffer.byteLength(profile));
    proxy = await startStorageProxy();
    const through = BlobServiceClient.fromConnectionString(proxy.connectionString).getContainerClient(
      direct.containerName,
    );
    const source = new BlobProfileSource(through, 'profile.json', { reloadCheckInMs: 0 });
    await source.current();
    await source.current();
    await source.current();
    expect(proxy.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'GET 304', 'GET 304']);
  });
});
