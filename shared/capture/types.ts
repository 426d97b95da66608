import type { StoredBlob } from './ports.js';
import type { Implementation } from '../contracts/implementation.js';

export interface CaptureReadOptions {
  /** Largest block (compressed or not) held in memory at once; a larger one skips the file. Default 128 MiB. */
  maxBlockSizeInBytes?: number;
  /** Largest header (schema and metadata). Default 1 MiB. */
  maxHeaderSizeInBytes?: number;
  /**
   * How the file is read. `plain`: avsc's container decoder (`streams.BlockDecoder`) frames the file and decodes each
   * record, behind a guard that bounds memory and notices a cut file (captureFrameGuard.ts). `fast` (the default):
   * the framing is read by hand from one buffer (fast/captureFileDecoder.ts) and, for views, the three fields straight
   * from the writer's byte layout (fast/captureRecordLayout.ts). A contract suite holds both to the same records and
   * the same failure codes.
   */
  reading?: Implementation;
}

export interface CaptureFileSummary {
  records: number;
  blocks: number;
  codec: 'null' | 'deflate';
  bytes: number;
}

/**
 * One record as positions in its block, for readers that want the body's bytes (the weekly fold): no string of the
 * body, no record object. The reader reuses one view: it is valid only during the callback.
 */
export interface CaptureRecordView {
  /** The (inflated) block the record lies in. */
  block: Buffer;
  sequenceNumber: number;
  enqueuedTimeUtc: string;
  /** The body is block[bodyStart, bodyEnd); bodyStart is -1 when the event had no body. */
  bodyStart: number;
  bodyEnd: number;
}

/** The bytes of one Capture file, in chunks as a store delivers them. */
export type CaptureChunks = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** A Capture blob of the window. */
export interface CaptureBlobRef extends StoredBlob {
  eventHub: string;
  partitionId: string;
  windowStartInMs: number;
}
