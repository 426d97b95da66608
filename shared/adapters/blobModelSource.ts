import { RestError, type ContainerClient } from '@azure/storage-blob';
import { MrmError, errorMessage, kindOf } from '../errors.js';
import type { Clock } from '../contracts/clock.js';
import { monotonicClock } from './clocks.js';
import type { ModelBytes, ModelSource } from '../scoring/types.js';

export interface BlobModelSourceOptions {
  /** How often to compare the blob's ETag with the loaded one, in ms (0 = every call). */
  reloadCheckInMs: number;
  /** Default: the monotonic clock (only the time between checks is read). */
  clock?: Clock;
}

/**
 * The ONNX model blob, downloaded once per instance and again when its ETag changes (checked every reloadCheckInMs),
 * as the baseline profile is. The bytes' version is the ETag of the download itself, so a model and its version
 * never come from two different uploads. Whether the bytes are a usable model is the scorer's call: it keeps the last
 * good model when a new upload does not fit. When storage fails after a first download, the last bytes stay.
 */
export class BlobModelSource implements ModelSource {
  private loaded: ModelBytes | undefined;
  private lastCheckAt = -Infinity;
  private inFlight: Promise<ModelBytes> | undefined;
  private readonly clock: Clock;
  private readonly where: string;

  constructor(
    private readonly container: ContainerClient,
    private readonly blobName: string,
    private readonly options: BlobModelSourceOptions,
  ) {
    this.clock = options.clock ?? monotonicClock;
    this.where = `${container.containerName}/${blobName}`;
  }

  current(): Promise<ModelBytes> {
    if (this.loaded && this.clock.nowInMs() - this.lastCheckAt < this.options.reloadCheckInMs)
      return Promise.resolve(this.loaded);
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<ModelBytes> {
    const blob = this.container.getBlobClient(this.blobName);
    try {
      if (this.loaded) {
        const properties = await blob.getProperties();
        this.lastCheckAt = this.clock.nowInMs();
        if (properties.etag === this.loaded.version) return this.loaded;
      }
      const response = await blob.download();
      const bytes = await readAll(response.readableStreamBody);
      this.lastCheckAt = this.clock.nowInMs();
      this.loaded = {
        bytes,
        version: response.etag ?? `${this.where}@${String(response.lastModified)}`,
        where: this.where,
      };
      return this.loaded;
    } catch (error) {
      if (this.loaded) {
        this.lastCheckAt = this.clock.nowInMs();
        return this.loaded;
      }
      const missing = error instanceof RestError && error.statusCode === 404;
      throw new MrmError(
        missing ? 'configuration' : kindOf(error),
        'MODEL.UNAVAILABLE',
        missing
          ? `The ONNX model ${this.where} does not exist: upload it there (MRM_ONNX_MODEL_CONTAINER / MRM_ONNX_MODEL_BLOB)`
          : `The ONNX model ${this.where} could not be read: ${errorMessage(error)}`,
        { cause: error },
      );
    }
  }
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (!stream) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  const whole = Buffer.concat(chunks);
  return new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
}
