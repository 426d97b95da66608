import { describe, expect, it } from 'vitest';
import { ContainerCaptureStore } from '../../../shared/adapters/containerCaptureStore.js';
import { freshContainer } from '../../helpers/storage.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('ContainerCaptureStore (Azurite)', () => {
  it('lists by prefix and by path level, and reads the listed version of a blob', async () => {
    const container = await freshContainer('capture-store');
    for (const name of [
      'ns/events/0/2024/01/15/10/00/00.avro',
      'ns/events/1/2024/01/15/10/00/00.avro',
      'ns/scored/0/2024/01/15/10/00/00.avro',
    ]) {
      await container.getBlockBlobClient(name).upload(name, name.length);
    }
    const store = new ContainerCaptureStore(container);
    expect(await collect(store.listPrefixes('ns/events/'))).toEqual(['ns/events/0/', 'ns/events/1/']);
    const listed = await collect(store.listBlobs('ns/events/'));
    expect(listed.map((b) => b.name)).toEqual([
      'ns/events/0/2024/01/15/10/00/00.avro',
      'ns/events/1/2024/01/15/10/00/00.avro',
    ]);
    expect(listed[0]).toMatchObject({ sizeInBytes: 36, etag: expect.any(String) });
    expect(Buffer.concat(await collect(store.read(listed[0]!))).toString()).toBe(listed[0]!.name);
  });

  it('fails the read (412) when the blob changed since it was listed, so no profile is cached under a stale ETag', async () => {
    const container = await freshContainer('capture-store');
    const name = 'ns/events/0/2024/01/15/10/00/00.avro';
    await container.getBlockBlobClient(name).upload('first', 5);
    const store = new ContainerCaptureStore(container);
    const [listed] = await collect(store.listBlobs('ns/'));
    await container.getBlockBlobClient(name).upload('second version', 14);
    await expect(collect(store.read(listed!))).rejects.toMatchObject({ statusCode: 412 });
  });
});
