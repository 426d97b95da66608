import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';

export function azuriteConnectionString(): string {
  return inject('azuriteConnectionString');
}

export function blobService(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(azuriteConnectionString());
}

/** A container name no other test uses (3–63 lowercase letters, digits, dashes). */
export function uniqueContainerName(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`.toLowerCase().slice(0, 63);
}

export async function freshContainer(prefix: string): Promise<ContainerClient> {
  const container = blobService().getContainerClient(uniqueContainerName(prefix));
  await container.create();
  return container;
}
