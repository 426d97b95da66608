import { inflateRawSync } from 'node:zlib';
import type avro from 'avsc';
import { ok, type Failure, type Result } from '../../errors.js';
import { CAPTURE_FAILURES } from '../captureFailures.js';
import type { CaptureRecord } from '../captureSchema.js';
import {
  checkBlockHead,
  checkHeaderSoFar,
  DecodeFailure,
  DEFAULT_MAX_BLOCK_SIZE_IN_BYTES,
  DEFAULT_MAX_HEADER_SIZE_IN_BYTES,
  readContainerHeader,
  readLong,
  SYNC_SIZE,
  truncatedBlock,
  truncatedHeader,
} from '../containerFraming.js';
import { resolveCaptureSchema } from '../resolveCaptureSchema.js';
import { viewOfRecord } from '../viewOfRecord.js';
import type { CaptureFileSummary, CaptureReadOptions, CaptureRecordView } from '../types.js';
import { CaptureRecordLayout } from './captureRecordLayout.js';

const NEED_MORE = -1;

interface Resolved {
  reader: avro.Type;
  resolver: avro.Resolver;
  /** The writer's byte layout, read by hand for views; undefined when only avsc's resolution can read it. */
  layout: CaptureRecordLayout | undefined;
}

// One layout per writer type (resolveCaptureSchema keeps one writer type per schema text).
const layoutByWriter = new WeakMap<avro.Type, CaptureRecordLayout | undefined>();

/**
 * The fast Capture reader: the container framing read by hand. Feed it chunks as they arrive (`push`), then `end()`.
 * It holds at most one block plus one chunk, decodes a whole block at a time from that buffer (no stream, no copy of
 * a block lying whole in a chunk), and hands each record to `onRecord` as soon as its block is complete. Records are
 * read by avsc with the writer schema the file embeds, resolved against the lean reader schema (the property maps are
 * skipped). Expected problems (truncated, corrupt, foreign) come back as a Failure from `push` or `end`; after a
 * failure the decoder ignores further input. Errors thrown by `onRecord` are the caller's and propagate.
 *
 * `CaptureFileDecoder.ofViews` gives the same records as views into the block instead (the weekly fold's hot path):
 * the fields are read straight from the writer's byte layout (captureRecordLayout.ts), and the body stays bytes.
 */
export class CaptureFileDecoder {
  private readonly maxBlockSizeInBytes: number;
  private readonly maxHeaderSizeInBytes: number;
  /**
   * The bytes of a header or block begun in earlier chunks, copied out of them (`pending[0, pendingLength)`): chunks
   * are the caller's again once push returns (a store may read the next one into the same memory). One buffer, kept
   * and grown as needed: a fresh one per chunk was about a quarter of the file again in allocations.
   */
  private pending: Buffer = Buffer.alloc(0);
  private pendingLength = 0;
  /** Bytes the pending part must reach before the next parse attempt can succeed (0: unknown, try with each chunk). */
  private needed = 0;
  private sync: Buffer | undefined;
  private resolved: Resolved | undefined;
  private codec: 'null' | 'deflate' = 'null';
  private failure: Failure | undefined;
  private records = 0;
  private blocks = 0;
  private bytes = 0;
  private onView: ((view: CaptureRecordView) => void) | undefined;
  private readonly view: CaptureRecordView = {
    block: Buffer.alloc(0),
    sequenceNumber: 0,
    enqueuedTimeUtc: '',
    bodyStart: -1,
    bodyEnd: -1,
  };

  constructor(
    private readonly onRecord: (record: CaptureRecord) => void,
    options: CaptureReadOptions = {},
  ) {
    this.maxBlockSizeInBytes = options.maxBlockSizeInBytes ?? DEFAULT_MAX_BLOCK_SIZE_IN_BYTES;
    this.maxHeaderSizeInBytes = options.maxHeaderSizeInBytes ?? DEFAULT_MAX_HEADER_SIZE_IN_BYTES;
  }

  /** A decoder handing each record over as a view into its block (valid only during the callback). */
  static ofViews(onView: (view: CaptureRecordView) => void, options: CaptureReadOptions = {}): CaptureFileDecoder {
    const decoder = new CaptureFileDecoder(viewOfRecord(onView), options);
    decoder.onView = onView;
    return decoder;
  }

  /**
   * Feeds the next bytes of the file. Returns the failure that stops decoding, if any. The decoder keeps no reference
   * to `chunk` once this returns: the caller may reuse its memory for the next chunk.
   */
  push(chunk: Uint8Array): Failure | undefined {
    if (this.failure) return this.failure;
    if (chunk.byteLength === 0) return undefined;
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.bytes += buffer.byteLength;
    try {
      this.consume(buffer);
    } catch (error) {
      if (error instanceof DecodeFailure) {
        this.failure = error.failure;
        this.pendingLength = 0;
        return this.failure;
      }
      throw error;
    }
    return undefined;
  }

  /** Ends the file: succeeds only at a block boundary after a complete header. */
  end(): Result<CaptureFileSummary> {
    if (this.failure) return { ok: false, error: this.failure };
    // A wrong magic already failed in push: what is left is a cut header (or no bytes at all).
    if (!this.resolved) return { ok: false, error: truncatedHeader(this.bytes) };
    if (this.pendingLength > 0) return { ok: false, error: truncatedBlock(this.blocks, this.pendingLength) };
    return ok({ records: this.records, blocks: this.blocks, codec: this.codec, bytes: this.bytes });
  }

  /**
   * Decodes what `chunk` completes: first the pending header or block (only the bytes it lacks are copied to it, or
   * the whole chunk while its size is unknown), then every block lying wholly in the chunk, read in place; the tail
   * that begins another block is copied to the pending part.
   */
  private consume(chunk: Buffer): void {
    let from = 0;
    while (this.pendingLength > 0 && from < chunk.length) {
      const lacking = this.needed > this.pendingLength ? this.needed - this.pendingLength : chunk.length - from;
      const take = Math.min(lacking, chunk.length - from);
      this.append(chunk, from, take);
      from += take;
      if (this.pendingLength < this.needed) return;
      const decoded = this.decode(this.pending.subarray(0, this.pendingLength), 0);
      this.pending.copyWithin(0, decoded, this.pendingLength);
      this.pendingLength -= decoded;
    }
    if (from === chunk.length) return;
    const decoded = this.decode(chunk, from);
    this.append(chunk, decoded, chunk.length - decoded);
  }

  /** Decodes the header (when not yet read) and whole blocks from `start`; returns the position after the last. */
  private decode(buffer: Buffer, start: number): number {
    let pos = start;
    if (!this.resolved) {
      const afterHeader = this.readHeader(buffer.subarray(start));
      if (afterHeader === NEED_MORE) {
        checkHeaderSoFar(buffer.length - start, this.maxHeaderSizeInBytes);
        this.needed = 0;
        return start;
      }
      pos = start + afterHeader;
    }
    for (;;) {
      const next = this.readBlock(buffer, pos);
      if (next === NEED_MORE) return pos;
      pos = next;
    }
  }

  /** Copies `source[from, from + length)` to the end of the pending part, growing it (by doubling) when full. */
  private append(source: Buffer, from: number, length: number): void {
    if (length === 0) return;
    const total = this.pendingLength + length;
    if (this.pending.length < total) {
      const grown = Buffer.allocUnsafe(Math.max(total, 2 * this.pending.length));
      this.pending.copy(grown, 0, 0, this.pendingLength);
      this.pending = grown;
    }
    source.copy(this.pending, this.pendingLength, from, from + length);
    this.pendingLength = total;
  }

  private readHeader(buffer: Buffer): number {
    const header = readContainerHeader(buffer);
    if (header === undefined) return NEED_MORE;
    this.sync = header.sync;
    this.codec = header.codec;
    const resolved = resolveCaptureSchema(header.schemaText);
    if (!resolved.ok) throw new DecodeFailure(resolved.error);
    this.resolved = { ...resolved.value, layout: layoutOf(resolved.value.writer) };
    return header.length;
  }

  private readBlock(buffer: Buffer, start: number): number {
    const cursor = { pos: start };
    const count = readLong(buffer, cursor);
    if (count === undefined) return this.needMore(0);
    const size = readLong(buffer, cursor);
    if (size === undefined) return this.needMore(0);
    checkBlockHead(this.blocks, count, size, this.maxBlockSizeInBytes);
    const end = cursor.pos + size + SYNC_SIZE;
    if (buffer.length < end) return this.needMore(end - start);
    if (!buffer.subarray(end - SYNC_SIZE, end).equals(this.sync!)) {
      throw new DecodeFailure({
        kind: 'bad-input',
        code: CAPTURE_FAILURES.corrupt,
        message: `Sync marker after block ${this.blocks} does not match the header's`,
        detail: { block: this.blocks },
      });
    }
    const data =
      this.codec === 'deflate'
        ? this.inflate(buffer.subarray(cursor.pos, end - SYNC_SIZE))
        : buffer.subarray(cursor.pos, end - SYNC_SIZE);
    this.decodeRecords(data, count);
    this.blocks++;
    return end;
  }

  private needMore(bytesFromBlockStart: number): number {
    this.needed = bytesFromBlockStart;
    return NEED_MORE;
  }

  private inflate(compressed: Buffer): Buffer {
    try {
      return inflateRawSync(compressed, { maxOutputLength: this.maxBlockSizeInBytes });
    } catch (error) {
      throw new DecodeFailure({
        kind: 'bad-input',
        code: CAPTURE_FAILURES.corrupt,
        message: `Block ${this.blocks} does not inflate: ${(error as Error).message}`,
        detail: { block: this.blocks },
      });
    }
  }

  private decodeRecords(data: Buffer, count: number): void {
    const layout = this.resolved!.layout;
    if (this.onView !== undefined && layout !== undefined) {
      this.readViews(layout, this.onView, data, count);
      return;
    }
    const { reader, resolver } = this.resolved!;
    const onRecord = this.onRecord;
    let pos = 0;
    for (let i = 0; i < count; i++) {
      let decoded: { value: unknown; offset: number };
      try {
        decoded = reader.decode(data, pos, resolver);
      } catch (error) {
        throw this.recordFailure(i, (error as Error).message);
      }
      if (decoded.offset < 0) throw this.recordFailure(i, 'record runs past the end of its block');
      pos = decoded.offset;
      onRecord(decoded.value as CaptureRecord);
    }
    this.records += count;
    if (pos !== data.length)
      throw this.recordFailure(count, `${data.length - pos} bytes left over after ${count} records`);
  }

  private readViews(
    layout: CaptureRecordLayout,
    onView: (view: CaptureRecordView) => void,
    data: Buffer,
    count: number,
  ): void {
    const view = this.view;
    const end = data.length;
    let pos = 0;
    for (let i = 0; i < count; i++) {
      const next = layout.read(data, pos, end, view);
      if (typeof next === 'string') throw this.recordFailure(i, next);
      pos = next;
      onView(view);
    }
    this.records += count;
    if (pos !== end) throw this.recordFailure(count, `${end - pos} bytes left over after ${count} records`);
  }

  private recordFailure(index: number, reason: string): DecodeFailure {
    return new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.corrupt,
      message: `Record ${index} of block ${this.blocks} does not decode: ${reason}`,
      detail: { block: this.blocks, record: index },
    });
  }
}

/** Only a writer avsc resolves gets a hand-read layout, so both readers accept and refuse the same files. */
function layoutOf(writer: avro.Type): CaptureRecordLayout | undefined {
  if (!layoutByWriter.has(writer)) layoutByWriter.set(writer, CaptureRecordLayout.of(writer));
  return layoutByWriter.get(writer);
}
