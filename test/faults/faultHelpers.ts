import type { ContainerClient } from '@azure/storage-blob';
import { BlobDeadLetterSink } from '../../shared/adapters/blobDeadLetterSink.js';
import type { StoredDeadLetter } from '../../shared/scoring/deadLetter.js';
import { blobService, uniqueContainerName } from '../helpers/storage.js';

/** The production dead-letter sink on a fresh Azurite container, and what it stored, read back line by line. */
export function azuriteDeadLetters(options: { maxPartBytes?: number } = {}): {
  container: ContainerClient;
  sink: BlobDeadLetterSink;
  blobs(): Promise<Array<{ name: string; bytes: Buffer }>>;
  letters(): Promise<StoredDeadLetter[]>;
  /** What was stored since the last take, read back, then removed (for several invocations on one sink). */
  take(): Promise<StoredDeadLetter[]>;
} {
  const container = blobService().getContainerClient(uniqueContainerName('deadletters'));
  const blobs = async () => {
    const found: Array<{ name: string; bytes: Buffer }> = [];
    if (!(await container.exists())) return found;
    for await (const blob of container.listBlobsFlat())
      found.push({ name: blob.name, bytes: await container.getBlobClient(blob.name).downloadToBuffer() });
    return found;
  };
  const linesOf = (found: Array<{ bytes: Buffer }>) =>
    found.flatMap((blob) =>
      blob.bytes
        .toString('utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as StoredDeadLetter),
    );
  return {
    container,
    sink: new BlobDeadLetterSink(container, options),
    blobs,
    letters: async () => linesOf(await blobs()),
    take: async () => {
      const found = await blobs();
      for (const blob of found) await container.deleteBlob(blob.name);
      return linesOf(found);
    },
  };
}
