import type { BlobServiceClient } from '@azure/storage-blob';
import type { DemoStorage } from './ports.js';

/** The demo's blob writes against a storage account (Azurite): each container is created once, on first use. */
export class BlobDemoStorage implements DemoStorage {
  private readonly containers = new Map<string, Promise<unknown>>();

  constructor(private readonly service: BlobServiceClient) {}

  async upload(container: string, name: string, content: Buffer | string, contentType: string): Promise<void> {
    const client = this.service.getContainerClient(container);
    let created = this.containers.get(container);
    if (!created) this.containers.set(container, (created = client.createIfNotExists()));
    await created;
    await client
      .getBlockBlobClient(name)
      .upload(content, Buffer.byteLength(content), { blobHTTPHeaders: { blobContentType: contentType } });
  }
}
