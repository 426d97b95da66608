import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { inflateRaw } from 'node:zlib';
import avro from 'avsc';
import { fail, ok, type Result } from '../errors.js';
import { CAPTURE_FAILURES } from './captureFailures.js';
import { CaptureFrameGuard } from './captureFrameGuard.js';
import type { CaptureRecord } from './captureSchema.js';
import { DecodeFailure, DEFAULT_MAX_BLOCK_SIZE_IN_BYTES } from './containerFraming.js';
import { CAPTURE_READER_TYPE, resolveCaptureSchema } from './resolveCaptureSchema.js';
import type { CaptureChunks, CaptureFileSummary, CaptureReadOptions } from './types.js';

/**
 * The plain Capture reader: avsc's container decoder (`streams.BlockDecoder`) reads the header, frames the blocks,
 * checks each sync marker, inflates, and decodes every record with the writer schema the file embeds resolved against
 * the lean reader schema. What avsc does not check is checked around it: the guard in front (captureFrameGuard.ts)
 * bounds the header and each block before their bytes reach avsc and notices a cut file; the writer schema is resolved
 * first (resolveCaptureSchema.ts) so a foreign file gets its own code; inflating is bounded by the block limit. Whatever
 * avsc itself refuses after the header (a sync marker, a deflate stream, a record) is CAPTURE.CORRUPT.
 *
 * Chunks are copied on arrival: the caller may reuse a chunk's memory once the next one is asked for. Errors of the
 * chunks and of `onRecord` are the caller's and propagate.
 */
export async function readCaptureFileWithAvsc(
  chunks: CaptureChunks,
  onRecord: (record: CaptureRecord) => void,
  options: CaptureReadOptions = {},
): Promise<Result<CaptureFileSummary>> {
  const maxOutputLength = options.maxBlockSizeInBytes ?? DEFAULT_MAX_BLOCK_SIZE_IN_BYTES;
  const guard = new CaptureFrameGuard(options);
  let writer: avro.Type | undefined;
  let callersError: { error: unknown } | undefined;

  async function* callers(): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of chunks) yield chunk;
    } catch (error) {
      callersError = { error };
      throw error;
    }
  }
  async function* checked(): AsyncGenerator<Buffer> {
    for await (const chunk of callers()) {
      const buffer = Buffer.from(chunk);
      guard.pass(buffer);
      if (writer === undefined && guard.header !== undefined) {
        const resolved = resolveCaptureSchema(guard.header.schemaText);
        if (!resolved.ok) throw new DecodeFailure(resolved.error);
        writer = resolved.value.writer;
      }
      yield buffer;
    }
    const cut = guard.end();
    if (cut) throw new DecodeFailure(cut);
  }

  const decoder = new avro.streams.BlockDecoder({
    readerSchema: CAPTURE_READER_TYPE,
    // The guard resolved this very schema text before avsc saw the header: avsc reads with that writer type.
    parseHook: () => writer!,
    codecs: {
      null: (buffer, callback) => callback(null, buffer),
      deflate: (buffer, callback) => inflateRaw(buffer, { maxOutputLength }, callback),
    },
  });
  let blocks = 0;
  decoder.on('block', () => blocks++);
  // avsc may emit again once the pipeline has failed (a pending inflate, each later write after a bad header).
  decoder.on('error', () => {});
  let records = 0;
  try {
    await pipeline(Readable.from(checked()), decoder, async (values: AsyncIterable<CaptureRecord>) => {
      for await (const record of values) {
        records++;
        try {
          onRecord(record);
        } catch (error) {
          callersError = { error };
          throw error;
        }
      }
    });
  } catch (error) {
    if (callersError) throw callersError.error;
    if (error instanceof DecodeFailure) return { ok: false, error: error.failure };
    const reason = error instanceof Error ? error.message : String(error);
    return fail(
      'bad-input',
      CAPTURE_FAILURES.corrupt,
      `Avro data does not decode (avsc, ${blocks} blocks framed so far): ${reason}`,
      { blocks, reason },
    );
  }
  return ok({ records, blocks, codec: guard.header!.codec, bytes: guard.bytes });
}
