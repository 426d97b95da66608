import { describe, expect, it } from 'vitest';
import { BlobStateStore } from '../../../shared/adapters/blobStateStore.js';
import { blobService, uniqueContainerName } from '../../helpers/storage.js';

describe('BlobStateStore on Azurite', () => {
  it('creates its container on first write and reads missing documents as undefined', async () => {
    const store = new BlobStateStore(blobService().getContainerClient(uniqueContainerName('state')));
    expect(await store.read('a.json')).toBeUndefined();
    expect(await store.create('a.json', { n: 1 })).toMatchObject({ ok: true });
    expect(await store.read('a.json')).toMatchObject({ value: { n: 1 } });
  });

  it('creates a document once: of concurrent creates exactly one succeeds', async () => {
    const store = new BlobStateStore(blobService().getContainerClient(uniqueContainerName('state')));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.create('claim.json', { i })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('replaces and removes only while the document is unchanged', async () => {
    const store = new BlobStateStore(blobService().getContainerClient(uniqueContainerName('state')));
    const created = await store.create('d.json', { v: 1 });
    if (!created.ok) throw new Error('create failed');
    const replaced = await store.replace('d.json', { v: 2 }, created.etag);
    expect(replaced.ok).toBe(true);
    expect(await store.replace('d.json', { v: 3 }, created.etag)).toEqual({ ok: false });
    expect(await store.remove('d.json', created.etag)).toBe(false);
    const current = await store.read('d.json');
    expect(current?.value).toEqual({ v: 2 });
    expect(await store.remove('d.json', current!.etag)).toBe(true);
    expect(await store.replace('d.json', { v: 4 }, current!.etag)).toEqual({ ok: false });
  });
});
