import { deadLetterLine, type DeadLetter } from './deadLetter.js';
import type { EventMetadata } from './eventMetadata.js';

/** Where a batch's dead letters are kept (blobs of JSON lines, in the function). */
export interface DeadLetterSink {
  /**
   * Stores the batch's dead letters and answers the names written. Resolves only once every letter is stored; rejects
   * when storage failed after its retries, so that the caller can fail the invocation and the host retry the batch.
   */
  write(letters: readonly DeadLetter[], batch: DeadLetterBatch): Promise<string[]>;
}

/** What names a batch's dead-letter blobs, so that a retried batch writes the same names again. */
export interface DeadLetterBatch {
  /** The first event's metadata (partition, sequence number, enqueued time). */
  first: EventMetadata | undefined;
  /** When the batch was handled, for batches without an enqueued time. */
  atInMs: number;
}

/** Largest blob of dead letters written at once; a line longer than this (one huge body) has a blob of its own. */
export const MAX_DEAD_LETTER_PART_BYTES = 4 * 1024 * 1024;

/**
 * The batch's dead letters as JSON lines, in parts of at most `maxPartBytes` (a longer line alone). Lazy: a part is
 * encoded only when asked for, so memory holds one part however large the batch.
 */
export function* deadLetterParts(
  letters: Iterable<DeadLetter>,
  maxPartBytes: number = MAX_DEAD_LETTER_PART_BYTES,
): Generator<Buffer> {
  let pieces: Buffer[] = [];
  let bytes = 0;
  for (const letter of letters) {
    const line = deadLetterLine(letter);
    const lineBytes = line.reduce((n, piece) => n + piece.byteLength, 0);
    if (bytes > 0 && bytes + lineBytes > maxPartBytes) {
      yield Buffer.concat(pieces, bytes);
      pieces = [];
      bytes = 0;
    }
    pieces.push(...line);
    bytes += lineBytes;
  }
  if (bytes > 0) yield Buffer.concat(pieces, bytes);
}

/**
 * The blob names of a batch's parts: `<yyyy>/<MM>/<dd>/<HH>/<partition>-<first sequence number>-<part>.jsonl`, from
 * the first event's enqueued time, so a retry of the same batch overwrites its own parts instead of adding copies.
 * Without metadata (not from the trigger) the time is the handling time and `unique` stands in for the position.
 */
export function deadLetterPartName(batch: DeadLetterBatch, part: number, unique: () => string): string {
  const enqueuedInMs = batch.first?.enqueuedTime ? Date.parse(batch.first.enqueuedTime) : NaN;
  const at = new Date(Number.isNaN(enqueuedInMs) ? batch.atInMs : enqueuedInMs).toISOString();
  const folder = `${at.slice(0, 4)}/${at.slice(5, 7)}/${at.slice(8, 10)}/${at.slice(11, 13)}`;
  const sequence = batch.first?.sequenceNumber;
  const position =
    batch.first?.partition !== null && batch.first?.partition !== undefined && typeof sequence === 'number'
      ? `${safe(batch.first.partition)}-${sequence}`
      : unique();
  return `${folder}/${position}-${String(part).padStart(3, '0')}.jsonl`;
}

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}
