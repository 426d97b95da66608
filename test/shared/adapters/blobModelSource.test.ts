import { describe, expect, it } from 'vitest';
import { BlobModelSource } from '../../../shared/adapters/blobModelSource.js';
import { FileModelSource } from '../../../shared/adapters/fileModelSource.js';
import { freshContainer } from '../../helpers/storage.js';
import { onnxBytes, ONNX_FIXTURES } from '../../helpers/onnxFixtures.js';
import { join } from 'node:path';

async function upload(container: Awaited<ReturnType<typeof freshContainer>>, bytes: Uint8Array): Promise<string> {
  const response = await container.getBlockBlobClient('model.onnx').uploadData(bytes);
  return response.etag!;
}

describe('BlobModelSource (Azurite)', () => {
  it('says which blob is missing, then serves the model once it is uploaded', async () => {
    const container = await freshContainer('models');
    const source = new BlobModelSource(container, 'model.onnx', { reloadCheckInMs: 0 });
    await expect(source.current()).rejects.toMatchObject({
      code: 'MODEL.UNAVAILABLE',
      message: `The ONNX model ${container.containerName}/model.onnx does not exist: upload it there (MRM_ONNX_MODEL_CONTAINER / MRM_ONNX_MODEL_BLOB)`,
    });
    const etag = await upload(container, onnxBytes('iris-gbt'));
    const model = await source.current();
    expect(model.bytes).toEqual(onnxBytes('iris-gbt'));
    expect(model.version).toBe(etag);
    expect(model.where).toBe(`${container.containerName}/model.onnx`);
  });

  it('downloads again only when the ETag changed, and checks no more often than asked', async () => {
    const container = await freshContainer('models');
    await upload(container, onnxBytes('iris-gbt'));
    let clock = 0;
    const source = new BlobModelSource(container, 'model.onnx', {
      reloadCheckInMs: 60_000,
      clock: { nowInMs: () => clock },
    });
    const first = await source.current();
    const etag = await upload(container, onnxBytes('iris-softmax'));
    clock = 59_999;
    expect(await source.current()).toBe(first);
    clock = 60_000;
    const second = await source.current();
    expect(second.version).toBe(etag);
    expect(second.bytes).toEqual(onnxBytes('iris-softmax'));
    clock = 120_000;
    expect(await source.current()).toBe(second);
  });

  it('keeps the last model when the blob goes away', async () => {
    const container = await freshContainer('models');
    await upload(container, onnxBytes('iris-gbt'));
    const source = new BlobModelSource(container, 'model.onnx', { reloadCheckInMs: 0 });
    const first = await source.current();
    await container.getBlobClient('model.onnx').delete();
    expect(await source.current()).toBe(first);
  });

  it('reads concurrent asks with one download', async () => {
    const container = await freshContainer('models');
    await upload(container, onnxBytes('iris-gbt'));
    const source = new BlobModelSource(container, 'model.onnx', { reloadCheckInMs: 0 });
    const [a, b, c] = await Promise.all([source.current(), source.current(), source.current()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });
});

describe('FileModelSource', () => {
  it('reads the file once and names a missing one', async () => {
    const source = new FileModelSource(join(ONNX_FIXTURES, 'iris-gbt.onnx'));
    expect((await source.current()).bytes).toEqual(onnxBytes('iris-gbt'));
    expect(await source.current()).toBe(await source.current());
    await expect(new FileModelSource('/nonexistent/model.onnx').current()).rejects.toMatchObject({
      code: 'MODEL.UNAVAILABLE',
      message: expect.stringMatching(/^Cannot read the ONNX model \/nonexistent\/model\.onnx: ENOENT/),
    });
  });
});
