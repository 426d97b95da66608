import { RestError, type ContainerClient } from '@azure/storage-blob';
import { blobProfileCacheName, cachedBlobEntryBytes, readCachedBlobEntry } from '../drift/run/blobProfileCacheKey.js';
import { storedDocumentContentType } from '../drift/storedDocument.js';
import type { BlobProfileKey, CachedBlobOutcome, ProfileCache } from '../drift/run/ports.js';

/**
 * Per-blob drift profiles in a storage container (MRM_DRIFT_CACHE_CONTAINER), so a weeklyDrift run cut short by its
 * time budget, a crash or a redeploy resumes where it stopped. An entry that cannot be read counts as a miss.
 */
export class BlobProfileCache implements ProfileCache {
  private containerChecked = false;

  constructor(private readonly container: ContainerClient) {}

  async get(key: BlobProfileKey): Promise<CachedBlobOutcome | undefined> {
    try {
      const buffer = await this.container.getBlobClient(blobProfileCacheName(key)).downloadToBuffer();
      return readCachedBlobEntry(buffer, key);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  async put(key: BlobProfileKey, outcome: CachedBlobOutcome): Promise<void> {
    const bytes = cachedBlobEntryBytes(key, outcome);
    const blob = this.container.getBlockBlobClient(blobProfileCacheName(key));
    const headers = { blobHTTPHeaders: { blobContentType: storedDocumentContentType(bytes) } };
    try {
      await blob.uploadData(bytes, headers);
    } catch (error) {
      // Infra creates the container; locally (Azurite) the first write creates it.
      if (this.containerChecked || !(error instanceof RestError) || error.statusCode !== 404) throw error;
      this.containerChecked = true;
      await this.container.createIfNotExists();
      await blob.uploadData(bytes, headers);
    }
  }
}
