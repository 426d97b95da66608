import { RestError, type ContainerClient } from '@azure/storage-blob';
import type { StateStore } from '../retraining/ports.js';

/**
 * StateStore on block blobs, one JSON document per blob. Conditional requests carry the guarantees: create uses
 * `If-None-Match: *` (409 BlobAlreadyExists when another caller won), replace and remove `If-Match: <etag>` (412
 * ConditionNotMet when the blob changed). The container is created on first use.
 */
export class BlobStateStore implements StateStore {
  private ready: Promise<unknown> | undefined;

  constructor(private readonly container: ContainerClient) {}

  async read(name: string): Promise<{ value: unknown; etag: string } | undefined> {
    try {
      // One download gives body and ETag together, so the pair is consistent even while others write.
      const response = await this.container.getBlockBlobClient(name).download(0);
      const text = await streamToString(response.readableStreamBody);
      return { value: JSON.parse(text) as unknown, etag: response.etag! };
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async create(name: string, value: unknown): Promise<{ ok: true; etag: string } | { ok: false }> {
    await this.ensureContainer();
    return this.upload(name, value, { ifNoneMatch: '*' });
  }

  async replace(name: string, value: unknown, etag: string): Promise<{ ok: true; etag: string } | { ok: false }> {
    return this.upload(name, value, { ifMatch: etag });
  }

  async remove(name: string, etag: string): Promise<boolean> {
    try {
      await this.container.getBlockBlobClient(name).delete({ conditions: { ifMatch: etag } });
      return true;
    } catch (error) {
      if (isStatus(error, 404) || isStatus(error, 412)) return false;
      throw error;
    }
  }

  private async upload(
    name: string,
    value: unknown,
    conditions: { ifNoneMatch?: string; ifMatch?: string },
  ): Promise<{ ok: true; etag: string } | { ok: false }> {
    const body = JSON.stringify(value);
    try {
      const response = await this.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        conditions,
        blobHTTPHeaders: { blobContentType: 'application/json' },
      });
      return { ok: true, etag: response.etag! };
    } catch (error) {
      if (isStatus(error, 409) || isStatus(error, 412) || (conditions.ifMatch && isStatus(error, 404)))
        return { ok: false };
      throw error;
    }
  }

  private ensureContainer(): Promise<unknown> {
    this.ready ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

export function isStatus(error: unknown, status: number): boolean {
  return error instanceof RestError
    ? error.statusCode === status
    : (error as { statusCode?: unknown } | null)?.statusCode === status;
}

async function streamToString(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
