import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalCaptureStore } from '../../../shared/adapters/localCaptureStore.js';

/** Each chunk copied before the next is asked for, as a reader that keeps bytes must. */
async function* copies(chunks: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
  for await (const chunk of chunks) yield Buffer.from(chunk);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('LocalCaptureStore', () => {
  let root: string;
  const names = [
    'ns/events/0/2024/01/15/10/00/00.avro',
    'ns/events/0/2024/01/15/10/05/00.avro',
    'ns/events/1/2024/01/16/00/00/00.avro',
    'ns/events10/0/x.avro',
    'ns/scored/0/2024/01/15/10/00/00.avro',
  ];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'mrm-local-capture-'));
    for (const name of names) {
      await mkdir(dirname(join(root, name)), { recursive: true });
      await writeFile(join(root, name), Buffer.from(name));
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('lists files by name prefix like a container, in name order, with a size-and-mtime ETag', async () => {
    const store = new LocalCaptureStore(root);
    const listed = await collect(store.listBlobs('ns/events/0/2024/01/15/'));
    expect(listed.map((b) => b.name)).toEqual(names.slice(0, 2));
    expect(listed[0]).toMatchObject({ sizeInBytes: names[0]!.length, etag: expect.stringMatching(/^"\d+-\d+"$/) });
    // A prefix that ends inside a segment matches like blob names do.
    expect((await collect(store.listBlobs('ns/events1'))).map((b) => b.name)).toEqual(['ns/events10/0/x.avro']);
    expect(await collect(store.listBlobs('nothing/here/'))).toEqual([]);
  });

  it('lists the next path segments under a prefix, like a delimiter listing', async () => {
    const store = new LocalCaptureStore(root);
    expect(await collect(store.listPrefixes(''))).toEqual(['ns/']);
    expect(await collect(store.listPrefixes('ns/events/'))).toEqual(['ns/events/0/', 'ns/events/1/']);
    expect(await collect(store.listPrefixes('ns/ev'))).toEqual(['ns/events/', 'ns/events10/']);
    expect(await collect(store.listPrefixes('missing/'))).toEqual([]);
  });

  it('streams a file’s bytes', async () => {
    const store = new LocalCaptureStore(root);
    const [blob] = await collect(store.listBlobs(names[2]!));
    const chunks = await collect(copies(store.read(blob!)));
    expect(Buffer.concat(chunks).toString()).toBe(names[2]);
  });

  it('streams a file of several chunks, each valid until the next is asked for', async () => {
    const own = await mkdtemp(join(tmpdir(), 'mrm-local-capture-large-'));
    try {
      const content = randomBytes(2.5 * 1024 * 1024);
      const name = 'ns/events/0/2024/01/15/10/00/00.avro';
      await mkdir(dirname(join(own, name)), { recursive: true });
      await writeFile(join(own, name), content);
      const store = new LocalCaptureStore(own);
      const [blob] = await collect(store.listBlobs(name));
      const chunks = await collect(copies(store.read(blob!)));
      expect(chunks.length).toBeGreaterThan(1);
      expect(Buffer.concat(chunks).equals(content)).toBe(true);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});
