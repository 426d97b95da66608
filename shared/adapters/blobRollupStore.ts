import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { RollupStore, VersionedText } from '../drift/run/ports.js';

/**
 * Hourly roll-ups as blobs (in the drift cache container), written with ETag conditions: If-Match the version read,
 * or If-None-Match: * for the first write. A lost race is 412 (condition not met) or 409 (the blob appeared since).
 */
export class BlobRollupStore implements RollupStore {
  private containerChecked = false;

  constructor(private readonly container: ContainerClient) {}

  async read(name: string): Promise<VersionedText | undefined> {
    try {
      const response = await this.container.getBlobClient(name).download();
      const text = await streamText(response.readableStreamBody);
      return { text, version: response.etag! };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async write(name: string, text: string, expected: { version: string } | 'absent'): Promise<boolean> {
    const blob = this.container.getBlockBlobClient(name);
    const bytes = Buffer.from(text, 'utf8');
    const upload = () =>
      blob.uploadData(bytes, {
        blobHTTPHeaders: { blobContentType: 'application/json' },
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
      return this.write(name, text, expected);
    }
  }
}

async function streamText(body: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!body) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
