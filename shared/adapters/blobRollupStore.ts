import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { RollupStore, VersionedBytes } from '../drift/run/ports.js';
import { storedDocumentContentType } from '../drift/storedDocument.js';

/**
 * Hourly roll-ups as blobs (in the drift cache container), written with ETag conditions: If-Match the version read,
 * or If-None-Match: * for the first write. A lost race is 412 (condition not met) or 409 (the blob appeared since).
 */
export class BlobRollupStore implements RollupStore {
  private containerChecked = false;

  constructor(private readonly container: ContainerClient) {}

  async read(name: string): Promise<VersionedBytes | undefined> {
    try {
      const response = await this.container.getBlobClient(name).download();
      const bytes = await streamBytes(response.readableStreamBody);
      return { bytes, version: response.etag! };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async write(name: string, bytes: Uint8Array, expected: { version: string } | 'absent'): Promise<boolean> {
    const blob = this.container.getBlockBlobClient(name);
    const upload = () =>
      blob.uploadData(bytes, {
        blobHTTPHeaders: { blobContentType: storedDocumentContentType(bytes) },
        conditions: expected === 'absent' ? { ifNoneMatch: '*' } : { ifMatch: expected.version },
      });
    try {
      await upload();
      return true;
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      if (error.statusCode === 412 || error.statusCode === 409) return false;
      // Infra creates the container; locally (Azurite) the first write creates it.
      if (error.statusCode !== 404 || this.containerChecked || expected !== 'absent') throw error;
      this.containerChecked = true;
      await this.container.createIfNotExists();
      return this.write(name, bytes, expected);
    }
  }
}

async function streamBytes(body: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
