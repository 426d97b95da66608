import type { Result } from '../errors.js';
import type { CaptureRecord } from './captureSchema.js';
import { CaptureFileDecoder } from './fast/captureFileDecoder.js';
import { readCaptureFileWithAvsc } from './readCaptureFileWithAvsc.js';
import type { CaptureChunks, CaptureFileSummary, CaptureReadOptions, CaptureRecordView } from './types.js';
import { viewOfRecord } from './viewOfRecord.js';

/**
 * Reads one Event Hubs Capture file (an Avro object container) chunk by chunk and hands over each record as soon as
 * its block is complete, read with the writer schema the file embeds. A file that does not read whole gives a
 * CAPTURE.* failure (captureFailures.ts) and the caller drops every record it was given: nothing of a bad file counts.
 * `options.reading` picks avsc's container decoder (`plain`) or the hand-read framing (`fast`, the default).
 */
export function readCaptureFile(
  chunks: CaptureChunks,
  onRecord: (record: CaptureRecord) => void,
  options: CaptureReadOptions = {},
): Promise<Result<CaptureFileSummary>> {
  if (options.reading === 'plain') return readCaptureFileWithAvsc(chunks, onRecord, options);
  return pushAll(new CaptureFileDecoder(onRecord, options), chunks);
}

/**
 * The same records as views into their block (the weekly fold's hot path): the fast reader takes the three fields
 * straight from the writer's byte layout and leaves the body as bytes; the plain one makes the view from avsc's record.
 * A view is valid only during the callback.
 */
export function readCaptureFileViews(
  chunks: CaptureChunks,
  onView: (view: CaptureRecordView) => void,
  options: CaptureReadOptions = {},
): Promise<Result<CaptureFileSummary>> {
  if (options.reading === 'plain') return readCaptureFileWithAvsc(chunks, viewOfRecord(onView), options);
  return pushAll(CaptureFileDecoder.ofViews(onView, options), chunks);
}

async function pushAll(decoder: CaptureFileDecoder, chunks: CaptureChunks): Promise<Result<CaptureFileSummary>> {
  for await (const chunk of chunks) {
    const failure = decoder.push(chunk);
    if (failure) return { ok: false, error: failure };
  }
  return decoder.end();
}
