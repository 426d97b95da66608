import { readVarint, VARINT_TRUNCATED, zigZag } from '../binary/varint.js';
import type { Failure } from '../errors.js';
import { CAPTURE_FAILURES } from './captureFailures.js';

/**
 * The lengths of an Avro object container file, read without its contents: the header's end, codec and schema text,
 * and each block's count and size. Both readers need them before a byte is decoded: the plain one to bound what it
 * hands avsc (which buffers a block whatever length it claims) and to notice a cut file (where avsc's stream just
 * ends), the fast one to frame blocks in place.
 */

export const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
export const SYNC_SIZE = 16;
export const DEFAULT_MAX_BLOCK_SIZE_IN_BYTES = 128 * 1024 * 1024;
export const DEFAULT_MAX_HEADER_SIZE_IN_BYTES = 1024 * 1024;

/** An expected decode failure, thrown inside a reader and turned back into a value at its edge. */
export class DecodeFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.message);
  }
}

export interface ContainerHeader {
  codec: 'null' | 'deflate';
  schemaText: string;
  sync: Buffer;
  /** Bytes from the magic to the end of the sync marker. */
  length: number;
}

/**
 * The header at the start of `buffer`, or undefined while it is incomplete. Throws a DecodeFailure for a wrong magic
 * (as soon as the first bytes differ), a codec Capture never writes, or a header without a schema.
 */
export function readContainerHeader(buffer: Buffer): ContainerHeader | undefined {
  if (buffer.length < MAGIC.length) {
    if (!MAGIC.subarray(0, buffer.length).equals(buffer)) throw new DecodeFailure(notAvro());
    return undefined;
  }
  if (!buffer.subarray(0, MAGIC.length).equals(MAGIC)) throw new DecodeFailure(notAvro());
  const cursor = { pos: MAGIC.length };
  const meta = new Map<string, Buffer>();
  for (;;) {
    let count = readLong(buffer, cursor);
    if (count === undefined) return undefined;
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      if (readLong(buffer, cursor) === undefined) return undefined;
    }
    for (let i = 0; i < count; i++) {
      const key = readBytes(buffer, cursor);
      if (key === undefined) return undefined;
      const value = readBytes(buffer, cursor);
      if (value === undefined) return undefined;
      meta.set(key.toString('utf8'), value);
    }
  }
  if (buffer.length < cursor.pos + SYNC_SIZE) return undefined;
  const codec = meta.get('avro.codec')?.toString('utf8') ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') {
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.unsupportedCodec,
      message: `Avro codec "${codec}" is not supported (Capture writes null or deflate)`,
      detail: { codec },
    });
  }
  const schema = meta.get('avro.schema');
  if (!schema) {
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.badSchema,
      message: 'Avro header has no avro.schema',
    });
  }
  const sync = Buffer.from(buffer.subarray(cursor.pos, cursor.pos + SYNC_SIZE));
  return { codec, schemaText: schema.toString('utf8'), sync, length: cursor.pos + SYNC_SIZE };
}

/** Refuses a header still incomplete after `maxHeaderSizeInBytes`. */
export function checkHeaderSoFar(bufferedBytes: number, maxHeaderSizeInBytes: number): void {
  if (bufferedBytes > maxHeaderSizeInBytes) {
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.corrupt,
      message: `Avro header longer than ${maxHeaderSizeInBytes} bytes`,
    });
  }
}

/** Refuses a block whose count or size is negative, or whose size is above the memory bound. */
export function checkBlockHead(block: number, count: number, size: number, maxBlockSizeInBytes: number): void {
  if (count < 0 || size < 0) {
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.corrupt,
      message: `Block ${block} has a negative count or size`,
      detail: { block },
    });
  }
  if (size > maxBlockSizeInBytes) {
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.blockTooLarge,
      message: `Block ${block} is ${size} bytes, above the limit of ${maxBlockSizeInBytes}`,
      detail: { block, size, maxBlockSizeInBytes },
    });
  }
}

export function truncatedHeader(bytes: number): Failure {
  return {
    kind: 'bad-input',
    code: CAPTURE_FAILURES.truncated,
    message: `File ends inside its Avro header (${bytes} bytes)`,
    detail: { bytes },
  };
}

export function truncatedBlock(blocks: number, leftOverBytes: number): Failure {
  return {
    kind: 'bad-input',
    code: CAPTURE_FAILURES.truncated,
    message: `File ends inside a block after ${blocks} complete blocks (${leftOverBytes} bytes left over)`,
    detail: { blocks, leftOverBytes },
  };
}

function notAvro(): Failure {
  return {
    kind: 'bad-input',
    code: CAPTURE_FAILURES.notAvro,
    message: 'Not an Avro object container file (no "Obj\\x01" magic)',
  };
}

/** Zig-zag varint long (Avro `long`), exact up to 2^53; `undefined` when the buffer ends inside it. */
export function readLong(buffer: Buffer, cursor: { pos: number }): number | undefined {
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
  if (length < 0) {
    throw new DecodeFailure({
      kind: 'bad-input',
      code: CAPTURE_FAILURES.corrupt,
      message: 'Negative length in the Avro header',
    });
  }
  if (buffer.length < cursor.pos + length) {
    cursor.pos = start;
    return undefined;
  }
  const value = buffer.subarray(cursor.pos, cursor.pos + length);
  cursor.pos += length;
  return value;
}
