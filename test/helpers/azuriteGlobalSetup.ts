import type { TestProject } from 'vitest/node';
import { startAzurite } from '../../dev/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    azuriteBlobEndpoint: string;
  }
}

// One Azurite per test run; each test uses its own container names (see test/helpers/storage.ts).
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide('azuriteConnectionString', azurite.connectionString);
  project.provide('azuriteBlobEndpoint', azurite.blobEndpoint);
  return () => azurite.stop();
}
