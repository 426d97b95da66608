/** The stores Capture is read from: adapters implement them for an Azure container and a local folder. */

/** A blob as a store lists it. */
export interface StoredBlob {
  name: string;
  /** Changes whenever the content changes (the blob's ETag; size and mtime for local files). */
  etag: string;
  sizeInBytes: number;
}

/** The listing half of a blob store, as Capture reading needs it (implemented by adapters for Azure and local disk). */
export interface BlobListing {
  /** Every blob whose name starts with `prefix`, in name order. */
  listBlobs(prefix: string): AsyncIterable<StoredBlob>;
  /** The distinct next path segments under `prefix` (a delimiter `/` listing), each returned as `prefix + segment + '/'`. */
  listPrefixes(prefix: string): AsyncIterable<string>;
}

/** A blob store Capture can be read from: listing plus streaming reads (Azure container, local folder). */
export interface CaptureStore extends BlobListing {
  /** Human-readable location for messages (`container capture`, `folder /data/capture`). */
  readonly description: string;
  /**
   * The blob's bytes, in chunks; the version listed (same ETag) or a fault. Throws on store faults. A chunk is valid
   * until the next one is asked for (a store may read each into the same memory): a reader that keeps bytes copies
   * them, as both Capture readers do (readCaptureFile.ts).
   */
  read(blob: StoredBlob): AsyncIterable<Uint8Array>;
}
