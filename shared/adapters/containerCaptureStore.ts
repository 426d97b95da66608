import type { ContainerClient } from '@azure/storage-blob';
import type { CaptureStore, StoredBlob } from '../capture/ports.js';

/**
 * Capture blobs in an Azure Storage container. Reads are pinned to the listed ETag, so the profile cached under a
 * blob's ETag is always the profile of those bytes (a blob rewritten in between fails with 412 and is retried by
 * the next run).
 */
export class ContainerCaptureStore implements CaptureStore {
  readonly description: string;

  constructor(private readonly container: ContainerClient) {
    this.description = `container ${container.containerName}`;
  }

  async *listBlobs(prefix: string): AsyncIterable<StoredBlob> {
    for await (const blob of this.container.listBlobsFlat({ prefix })) {
      yield { name: blob.name, etag: blob.properties.etag ?? '', sizeInBytes: blob.properties.contentLength ?? 0 };
    }
  }

  async *listPrefixes(prefix: string): AsyncIterable<string> {
    for await (const item of this.container.listBlobsByHierarchy('/', { prefix })) {
      if (item.kind === 'prefix') yield item.name;
    }
  }

  async *read(blob: StoredBlob): AsyncIterable<Uint8Array> {
    const response = await this.container.getBlobClient(blob.name).download(0, undefined, {
      conditions: blob.etag ? { ifMatch: blob.etag } : {},
      // The SDK resumes an interrupted body from the last byte received, up to this many times.
      maxRetryRequests: 5,
    });
    const body = response.readableStreamBody;
    if (!body) return;
    for await (const chunk of body) yield chunk as Buffer;
  }
}
