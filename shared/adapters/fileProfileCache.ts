import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { blobProfileCacheName, cachedBlobEntryBytes, readCachedBlobEntry } from '../drift/run/blobProfileCacheKey.js';
import type { BlobProfileKey, CachedBlobOutcome, ProfileCache } from '../drift/run/ports.js';

/** Per-blob drift profiles in a local folder (`mrm drift --cache <dir>`): re-runs over the same files read nothing twice. */
export class FileProfileCache implements ProfileCache {
  constructor(private readonly root: string) {}

  async get(key: BlobProfileKey): Promise<CachedBlobOutcome | undefined> {
    try {
      return readCachedBlobEntry(await readFile(this.pathOf(key)), key);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(key: BlobProfileKey, outcome: CachedBlobOutcome): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename: an interrupted run never leaves a half-written entry behind.
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, cachedBlobEntryBytes(key, outcome));
    await rename(temporary, path);
  }

  private pathOf(key: BlobProfileKey): string {
    return join(this.root, ...blobProfileCacheName(key).split('/'));
  }
}
