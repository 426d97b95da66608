import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { readVarint, VARINT_TRUNCATED, zigZag } from '../binary/varint.js';
import { fail, ok, type Failure, type Result } from '../errors.js';
import { CAPTURE_FAILURES } from './captureFailures.js';
import type { Implementation } from '../contracts/implementation.js';
import { CaptureRecordLayout, type CaptureRecordView } from './fast/captureRecordLayout.js';
import {
  CAPTURE_READER_SCHEMA,
  CAPTURE_VIEW_READER_SCHEMA,
  type CaptureRecord,
  type CaptureRecordBytes,
} from './captureSchema.js';

export type { CaptureRecordView } from './fast/captureRecordLayout.js';

export interface CaptureFileDecoderOptions {
  /** Largest block (compressed or not) held in memory at once; a larger one skips the file. Default 128 MiB. */
  maxBlockSizeInBytes?: number;
  /** Largest header (schema and metadata). Default 1 MiB. */
  maxHeaderSizeInBytes?: number;
  /**
   * How `ofViews` reads the records of a block. `plain`: avsc decodes each record with the writer schema resolved
   * against the reader schema, and the view is built from the record. `fast` (the default): the three fields are read
   * straight from the writer's byte layout (fast/captureRecordLayout.ts) and the body stays a view into the block;
   * writers without a hand-read layout still take avsc. A contract suite holds both to avsc's records.
   */
  reading?: Implementation;
}

export interface CaptureFileSummary {
  records: number;
  blocks: number;
  codec: 'null' | 'deflate';
  bytes: number;
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_SIZE = 16;
const NEED_MORE = -1;

class DecodeFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

interface Resolved {
  reader: avro.Type;
  resolver: avro.Resolver;
  /** The writer resolved against CAPTURE_VIEW_READER_SCHEMA (bodies as bytes), for views read by avsc. */
  bytesResolver: avro.Resolver;
  /** The writer's byte layout, read by hand for views; undefined when only avsc's resolution can read it. */
  layout: CaptureRecordLayout | undefined;
}

// Capture embeds the same schema in every file: resolving it once per process saves a schema parse per blob.
const resolverCache = new Map<string, Resolved | Failure>();
const readerType = avro.Type.forSchema(CAPTURE_READER_SCHEMA as unknown as avro.Schema);
const bytesReaderType = avro.Type.forSchema(CAPTURE_VIEW_READER_SCHEMA as unknown as avro.Schema);

/**
 * Decodes an Avro object container file of Event Hubs Capture incrementally: feed it chunks as they arrive (`push`),
 * then `end()`. It holds at most one block plus one chunk, decodes a whole block at a time from that buffer (fast),
 * and hands each record to `onRecord` as soon as its block is complete. Records are read with the writer schema the
 * file embeds, resolved against the lean reader schema (the property maps are skipped). Expected problems (truncated,
 * corrupt, foreign) come back as a Failure from `push` or `end`; after a failure the decoder ignores further input.
 * Errors thrown by `onRecord` are the caller's and propagate.
 *
 * `CaptureFileDecoder.ofViews` gives the same records as views into the block instead (the weekly fold's hot path):
 * the fields are read straight from the writer's byte layout, and the body stays bytes.
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
  /** Set by ofViews: records read by avsc keep their bodies as bytes and go here instead of onRecord. */
  private onBytesRecord: ((record: CaptureRecordBytes) => void) | undefined;
  private readonly view: CaptureRecordView = {
    block: Buffer.alloc(0),
    sequenceNumber: 0,
    enqueuedTimeUtc: '',
    bodyStart: -1,
    bodyEnd: -1,
  };

  constructor(
    private readonly onRecord: (record: CaptureRecord) => void,
    options: CaptureFileDecoderOptions = {},
  ) {
    this.maxBlockSizeInBytes = options.maxBlockSizeInBytes ?? 128 * 1024 * 1024;
    this.maxHeaderSizeInBytes = options.maxHeaderSizeInBytes ?? 1024 * 1024;
  }

  /** A decoder handing each record over as a view into its block (valid only during the callback). */
  static ofViews(
    onView: (view: CaptureRecordView) => void,
    options: CaptureFileDecoderOptions = {},
  ): CaptureFileDecoder {
    const decoder = new CaptureFileDecoder(() => undefined, options);
    decoder.onBytesRecord = viewOfRecord(onView);
    if ((options.reading ?? 'fast') === 'fast') decoder.onView = onView;
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
    if (!this.resolved) {
      // A wrong magic already failed in push: what is left is a cut header (or no bytes at all).
      return fail('bad-input', CAPTURE_FAILURES.truncated, `File ends inside its Avro header (${this.bytes} bytes)`, {
        bytes: this.bytes,
      });
    }
    if (this.pendingLength > 0) {
      return fail(
        'bad-input',
        CAPTURE_FAILURES.truncated,
        `File ends inside a block after ${this.blocks} complete blocks (${this.pendingLength} bytes left over)`,
        {
          blocks: this.blocks,
          leftOverBytes: this.pendingLength,
        },
      );
    }
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
        if (buffer.length - start > this.maxHeaderSizeInBytes) {
          throw new DecodeFailure({
            kind: 'bad-input',
            code: CAPTURE_FAILURES.corrupt,
            message: `Avro header longer than ${this.maxHeaderSizeInBytes} bytes`,
          });
        }
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
    if (buffer.length < MAGIC.length) {
      if (!MAGIC.subarray(0, buffer.length).equals(buffer)) throw new DecodeFailure(notAvro().error);
      return NEED_MORE;
    }
    if (!buffer.subarray(0, MAGIC.length).equals(MAGIC)) throw new DecodeFailure(notAvro().error);
    const cursor = { pos: MAGIC.length };
    const meta = new Map<string, Buffer>();
    for (;;) {
      let count = readLong(buffer, cursor);
      if (count === undefined) return NEED_MORE;
      if (count === 0) break;
      if (count < 0) {
        count = -count;
        if (readLong(buffer, cursor) === undefined) return NEED_MORE;
      }
      for (let i = 0; i < count; i++) {
        const key = readBytes(buffer, cursor);
        if (key === undefined) return NEED_MORE;
        const value = readBytes(buffer, cursor);
        if (value === undefined) return NEED_MORE;
        meta.set(key.toString('utf8'), value);
      }
    }
    if (buffer.length < cursor.pos + SYNC_SIZE) return NEED_MORE;
    this.sync = Buffer.from(buffer.subarray(cursor.pos, cursor.pos + SYNC_SIZE));
    const codec = meta.get('avro.codec')?.toString('utf8') ?? 'null';
    if (codec !== 'null' && codec !== 'deflate') {
      throw new DecodeFailure({
        kind: 'bad-input',
        code: CAPTURE_FAILURES.unsupportedCodec,
        message: `Avro codec "${codec}" is not supported (Capture writes null or deflate)`,
        detail: { codec },
      });
    }
    this.codec = codec;
    const schema = meta.get('avro.schema');
    if (!schema)
      throw new DecodeFailure({
        kind: 'bad-input',
        code: CAPTURE_FAILURES.badSchema,
        message: 'Avro header has no avro.schema',
      });
    this.resolved = resolve(schema.toString('utf8'));
    return cursor.pos + SYNC_SIZE;
  }

  private readBlock(buffer: Buffer, start: number): number {
    const cursor = { pos: start };
    const count = readLong(buffer, cursor);
    if (count === undefined) return this.needMore(0);
    const size = readLong(buffer, cursor);
    if (size === undefined) return this.needMore(0);
    if (count < 0 || size < 0) {
      throw new DecodeFailure({
        kind: 'bad-input',
        code: CAPTURE_FAILURES.corrupt,
        message: `Block ${this.blocks} has a negative count or size`,
        detail: { block: this.blocks },
      });
    }
    if (size > this.maxBlockSizeInBytes) {
      throw new DecodeFailure({
        kind: 'bad-input',
        code: CAPTURE_FAILURES.blockTooLarge,
        message: `Block ${this.blocks} is ${size} bytes, above the limit of ${this.maxBlockSizeInBytes}`,
        detail: { block: this.blocks, size, maxBlockSizeInBytes: this.maxBlockSizeInBytes },
      });
    }
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
    const bytes = this.onBytesRecord;
    const reader = bytes === undefined ? this.resolved!.reader : bytesReaderType;
    const resolver = bytes === undefined ? this.resolved!.resolver : this.resolved!.bytesResolver;
    const onRecord = (bytes ?? this.onRecord) as (record: unknown) => void;
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
      onRecord(decoded.value);
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

function resolve(schemaText: string): Resolved {
  const cached = resolverCache.get(schemaText);
  if (cached && 'reader' in cached) return cached;
  if (cached) throw new DecodeFailure(cached);
  let result: Resolved | Failure;
  let writer: avro.Type | undefined;
  try {
    // Property map unions ([long, double, string, bytes]) are ambiguous, so `wrapUnions: false` would reject the
    // schema in avsc 5.7; 'auto' wraps only those, and the reader schema skips them anyway.
    writer = avro.Type.forSchema(JSON.parse(schemaText) as avro.Schema, { wrapUnions: 'auto' });
  } catch (error) {
    result = {
      kind: 'bad-input',
      code: CAPTURE_FAILURES.badSchema,
      message: `Embedded schema is not valid Avro: ${(error as Error).message}`,
    };
  }
  if (writer) {
    try {
      result = {
        reader: readerType,
        resolver: readerType.createResolver(writer),
        bytesResolver: bytesReaderType.createResolver(writer),
        layout: undefined,
      };
    } catch (error) {
      const name = (writer as unknown as { name?: string }).name ?? writer.typeName;
      result = {
        kind: 'bad-input',
        code: CAPTURE_FAILURES.foreignSchema,
        message: `Records of type ${name} are not Event Hubs Capture EventData records: ${firstLine((error as Error).message)}`,
        detail: { recordType: name },
      };
    }
  }
  if (resolverCache.size >= 16) resolverCache.delete(resolverCache.keys().next().value!);
  resolverCache.set(schemaText, result!);
  if ('reader' in result!) {
    // Only a writer avsc resolves gets a hand-read layout, so both paths accept and refuse the same files.
    result.layout = CaptureRecordLayout.of(writer!);
    return result;
  }
  throw new DecodeFailure(result!);
}

/** For writer schemas without a hand-read layout, and plain reading: the avsc record as a view of its body's bytes. */
function viewOfRecord(onView: (view: CaptureRecordView) => void): (record: CaptureRecordBytes) => void {
  const view: CaptureRecordView = {
    block: Buffer.alloc(0),
    sequenceNumber: 0,
    enqueuedTimeUtc: '',
    bodyStart: -1,
    bodyEnd: -1,
  };
  return (record) => {
    const body = record.Body;
    view.block = body ?? Buffer.alloc(0);
    view.sequenceNumber = record.SequenceNumber;
    view.enqueuedTimeUtc = record.EnqueuedTimeUtc;
    view.bodyStart = body === null ? -1 : 0;
    view.bodyEnd = body === null ? -1 : body.length;
    onView(view);
  };
}

function notAvro(): { ok: false; error: Failure } {
  return fail('bad-input', CAPTURE_FAILURES.notAvro, 'Not an Avro object container file (no "Obj\\x01" magic)');
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** Zig-zag varint long (Avro `long`), exact up to 2^53; `undefined` when the buffer ends inside it. */
function readLong(buffer: Buffer, cursor: { pos: number }): number | undefined {
  const first = buffer[cursor.pos];
  const value = readVarint(buffer, cursor, buffer.length);
  if (value >= 0) return zigZag(value, first!);
  if (value === VARINT_TRUNCATED) return undefined;
  throw new DecodeFailure({
    kind: 'bad-input',
    code: CAPTURE_FAILURES.corrupt,
    message: 'Varint longer than 10 bytes',
  });
}

function readBytes(buffer: Buffer, cursor: { pos: number }): Buffer | undefined {
  const start = cursor.pos;
  const length = readLong(buffer, cursor);
  if (length === undefined) return undefined;
  if (length < 0)
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.corrupt,
      message: 'Negative length in the Avro header',
    });
  if (buffer.length < cursor.pos + length) {
    cursor.pos = start;
    return undefined;
  }
  const value = buffer.subarray(cursor.pos, cursor.pos + length);
  cursor.pos += length;
  return value;
}
