import type { ContainerClient } from '@azure/storage-blob';
import { MrmError, errorMessage, kindOf } from '../errors.js';
import type { BaselineProfile } from '../baseline/profile.js';
import { readBaselineProfile } from '../baseline/readBaselineProfile.js';
import type { Clock } from '../contracts/clock.js';
import { monotonicClock } from './clocks.js';
import { isStatus } from './blobStateStore.js';

export interface ProfileSource {
  /** The current profile; reloads when the blob's ETag changed. Throws `PROFILE.UNAVAILABLE` when none can be had. */
  current(): Promise<BaselineProfile>;
}

export interface BlobProfileSourceOptions {
  /** How often to compare the blob's ETag with the loaded one, in ms (0 = every call). */
  reloadCheckInMs: number;
  /** Default: the monotonic clock (only the time between checks is read). */
  clock?: Clock;
  /** Told when a new version is loaded or a reload fails (the previous profile stays in use). */
  onEvent?: (message: string) => void;
}

/**
 * Loads the baseline profile from blob storage once per instance and reloads it when its ETag changes. A new upload
 * that fails validation is reported and ignored: the instance keeps scoring with the last good profile.
 */
export class BlobProfileSource implements ProfileSource {
  private loaded: { profile: BaselineProfile; etag: string | undefined } | undefined;
  private lastCheckAt = -Infinity;
  private inFlight: Promise<BaselineProfile> | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly container: ContainerClient,
    private readonly blobName: string,
    private readonly options: BlobProfileSourceOptions,
  ) {
    this.clock = options.clock ?? monotonicClock;
  }

  current(): Promise<BaselineProfile> {
    if (this.loaded && this.clock.nowInMs() - this.lastCheckAt < this.options.reloadCheckInMs)
      return Promise.resolve(this.loaded.profile);
    // One refresh at a time, however many batches ask at once.
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<BaselineProfile> {
    const blob = this.container.getBlobClient(this.blobName);
    const where = `${this.container.containerName}/${this.blobName}`;
    try {
      // One conditional GET answers both questions: 304 while the blob is the one loaded, else its bytes and the
      // ETag of those very bytes (an ETag read in a request of its own could belong to a newer upload).
      let response;
      try {
        response = await blob.download(0, undefined, {
          conditions: this.loaded?.etag ? { ifNoneMatch: this.loaded.etag } : {},
        });
      } catch (error) {
        if (this.loaded && isStatus(error, 304)) {
          this.lastCheckAt = this.clock.nowInMs();
          return this.loaded.profile;
        }
        throw error;
      }
      const buffer = await bytesOf(response.readableStreamBody);
      this.lastCheckAt = this.clock.nowInMs();
      let json: unknown;
      try {
        json = JSON.parse(buffer.toString('utf8'));
      } catch (cause) {
        throw new MrmError('configuration', 'PROFILE.INVALID', `${where} is not JSON: ${errorMessage(cause)}`);
      }
      const read = readBaselineProfile(json, where);
      if (!read.ok) throw MrmError.fromFailure(read.error);
      this.loaded = { profile: read.value, etag: response.etag };
      this.options.onEvent?.(`Loaded baseline profile ${read.value.profileVersion} from ${where}`);
      return read.value;
    } catch (error) {
      if (this.loaded) {
        this.lastCheckAt = this.clock.nowInMs();
        this.options.onEvent?.(
          `Keeping profile ${this.loaded.profile.profileVersion}: reload of ${where} failed: ${errorMessage(error)}`,
        );
        return this.loaded.profile;
      }
      if (error instanceof MrmError) throw error;
      throw new MrmError(
        kindOf(error),
        'PROFILE.UNAVAILABLE',
        `Baseline profile ${where} could not be read: ${errorMessage(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}

async function bytesOf(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
