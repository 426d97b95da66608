import type { Failure } from '../errors.js';
import {
  checkBlockHead,
  checkHeaderSoFar,
  DEFAULT_MAX_BLOCK_SIZE_IN_BYTES,
  DEFAULT_MAX_HEADER_SIZE_IN_BYTES,
  readContainerHeader,
  readLong,
  SYNC_SIZE,
  truncatedBlock,
  truncatedHeader,
  type ContainerHeader,
} from './containerFraming.js';
import type { CaptureReadOptions } from './types.js';

/** A block's count and size are two varints of at most 10 bytes each. */
const MAX_BLOCK_HEAD = 20;

/**
 * Walks the lengths of a container file as its chunks pass on to avsc, without decoding anything: avsc's BlockDecoder
 * buffers a header or block whatever length it claims and, when the file is cut, simply ends its stream. The guard
 * refuses a block above the memory bound from its size alone, before its bytes arrive (CAPTURE.BLOCK_TOO_LARGE), a
 * header that never ends, a foreign magic or codec, and at the end a file cut inside its header or a block
 * (CAPTURE.TRUNCATED). Failures are thrown as DecodeFailure. It keeps only the header's bytes until they are complete
 * and at most 20 bytes of a block's head.
 */
export class CaptureFrameGuard {
  header: ContainerHeader | undefined;
  /** Complete blocks passed. */
  blocks = 0;
  bytes = 0;
  private readonly maxBlockSizeInBytes: number;
  private readonly maxHeaderSizeInBytes: number;
  private headerBytes = Buffer.alloc(0);
  private readonly head = Buffer.alloc(MAX_BLOCK_HEAD);
  private headLength = 0;
  /** Bytes of the current block's data and sync marker still to pass. */
  private remaining = 0;
  /** Bytes of the current (incomplete) block passed so far. */
  private blockBytes = 0;

  constructor(options: CaptureReadOptions = {}) {
    this.maxBlockSizeInBytes = options.maxBlockSizeInBytes ?? DEFAULT_MAX_BLOCK_SIZE_IN_BYTES;
    this.maxHeaderSizeInBytes = options.maxHeaderSizeInBytes ?? DEFAULT_MAX_HEADER_SIZE_IN_BYTES;
  }

  /** Checks the next chunk of the file. */
  pass(chunk: Buffer): void {
    this.bytes += chunk.length;
    let pos = 0;
    if (this.header === undefined) {
      const before = this.headerBytes.length;
      const buffered = before === 0 ? chunk : Buffer.concat([this.headerBytes, chunk]);
      const header = readContainerHeader(buffered);
      if (header === undefined) {
        checkHeaderSoFar(buffered.length, this.maxHeaderSizeInBytes);
        this.headerBytes = Buffer.from(buffered);
        return;
      }
      this.header = header;
      this.headerBytes = Buffer.alloc(0);
      // Earlier chunks held only header bytes (or the header would have ended there): it ends in this one.
      pos = header.length - before;
    }
    while (pos < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - pos);
        this.remaining -= take;
        this.blockBytes += take;
        pos += take;
        if (this.remaining === 0) {
          this.blocks++;
          this.blockBytes = 0;
        }
        continue;
      }
      pos += this.readBlockHead(chunk, pos);
    }
  }

  /** The failure of a file that ends here, if it is one: inside the header, or inside a block. */
  end(): Failure | undefined {
    if (this.header === undefined) return truncatedHeader(this.bytes);
    const leftOver = this.headLength + this.blockBytes;
    return leftOver > 0 ? truncatedBlock(this.blocks, leftOver) : undefined;
  }

  /** Takes the next block's count and size from `chunk[pos…]`; returns how many bytes of the chunk they took. */
  private readBlockHead(chunk: Buffer, pos: number): number {
    const had = this.headLength;
    const take = Math.min(MAX_BLOCK_HEAD - had, chunk.length - pos);
    chunk.copy(this.head, had, pos, pos + take);
    const bytes = this.head.subarray(0, had + take);
    const cursor = { pos: 0 };
    const count = readLong(bytes, cursor);
    const size = count === undefined ? undefined : readLong(bytes, cursor);
    if (count === undefined || size === undefined) {
      this.headLength = had + take;
      return take;
    }
    checkBlockHead(this.blocks, count, size, this.maxBlockSizeInBytes);
    this.headLength = 0;
    this.blockBytes = cursor.pos;
    this.remaining = size + SYNC_SIZE;
    return cursor.pos - had;
  }
}
