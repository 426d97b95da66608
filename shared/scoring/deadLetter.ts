import { isUtf8 } from 'node:buffer';
import type { EventMetadata } from './eventMetadata.js';

/**
 * One event that could not be scored, kept whole so it can be replayed (`mrm score --input <dead letters>`). The body
 * is held as the trigger delivered it and encoded only when the dead letter is written (`storedDeadLetter`), so a
 * batch of large bodies costs no second copy of them.
 */
export interface DeadLetter {
  kind: 'mrm.deadletter';
  /** The event id when the body had a readable one. */
  id: string | null;
  /** Stable reason code, e.g. `EVENT.NOT_FINITE`, `SCORER.UNAVAILABLE`. */
  reason: string;
  message: string;
  detail?: Record<string, unknown>;
  /** True when the same event may succeed later (the fault was not the event's), so a replay is worth it. */
  replayable: boolean;
  /** The original body, as received: bytes, text, or a parsed value. */
  original: unknown;
  metadata: EventMetadata;
  profileVersion: string;
  deadLetteredAt: string;
}

/** Why an event is dead-lettered, and whether a replay is worth it. */
export interface DeadLetterCause {
  reason: string;
  message: string;
  replayable: boolean;
  detail?: Record<string, unknown> | undefined;
}

/** The one way a dead letter is made: the body kept whole, its readable id, its metadata and the profile in use. */
export function deadLetterOf(
  body: unknown,
  metadata: EventMetadata,
  cause: DeadLetterCause,
  profileVersion: string,
  deadLetteredAt: string,
): DeadLetter {
  return {
    kind: 'mrm.deadletter',
    id: readableId(body),
    reason: cause.reason,
    message: cause.message,
    ...(cause.detail ? { detail: cause.detail } : {}),
    replayable: cause.replayable,
    original: body,
    metadata,
    profileVersion,
    deadLetteredAt,
  };
}

/**
 * How a stored body reads back: `text` as it is; `text-base64` text with control characters, as the base64 of its
 * UTF-8 (JSON would write each control character as six); `base64` bytes that are not plain UTF-8 text; `json` a
 * parsed value, as its JSON.
 */
export type BodyEncoding = 'text' | 'text-base64' | 'base64' | 'json';

/** A dead letter as written: one JSON line of the dead-letter blobs. */
export interface StoredDeadLetter extends Omit<DeadLetter, 'original'> {
  body: string;
  bodyEncoding: BodyEncoding;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Text with a lone surrogate has no UTF-8 form.
const LONE_SURROGATE = /\p{Cs}/u;

/** The dead letter as it is written, its body encoded. */
export function storedDeadLetter(letter: DeadLetter): StoredDeadLetter {
  const { original, ...rest } = letter;
  return { ...rest, ...encodeBody(original) };
}

/**
 * The dead letter's JSON line, newline included, as pieces of bytes to be written one after the other. The line is
 * never one string: a base64 body is copied once, straight into its piece, so a megabyte body costs about a megabyte
 * and a third rather than several.
 */
export function deadLetterLine(letter: DeadLetter): Buffer[] {
  const { original, ...rest } = letter;
  const { body, bodyEncoding } = encodeBody(original);
  // The body goes last, so that `"body":""}` closes the head and the body goes between its quotes.
  const head = Buffer.from(JSON.stringify({ ...rest, bodyEncoding, body: '' }).slice(0, -2), 'utf8');
  const content =
    bodyEncoding === 'base64' || bodyEncoding === 'text-base64'
      ? Buffer.from(body, 'latin1')
      : Buffer.from(JSON.stringify(body).slice(1, -1), 'utf8');
  return [head, content, CLOSE];
}

const CLOSE = Buffer.from('"}\n');

/**
 * Plain text as text, so people can read it; everything else so that JSON escaping costs at most a third more:
 * bytes that are not UTF-8 (or start with a byte-order mark) as base64, text with control characters as the base64 of
 * its UTF-8.
 */
export function encodeBody(body: unknown): Pick<StoredDeadLetter, 'body' | 'bodyEncoding'> {
  if (typeof body === 'string') {
    if (!hasControl(body) || LONE_SURROGATE.test(body)) return { body, bodyEncoding: 'text' };
    return { body: Buffer.from(body, 'utf8').toString('base64'), bodyEncoding: 'text-base64' };
  }
  if (body instanceof Uint8Array) {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    // Checked on the bytes, so a body bound for base64 is never decoded to a string first. A leading BOM would be read
    // differently as text than as bytes on replay.
    if (isUtf8(bytes) && !startsWithBom(bytes) && !hasControl(bytes)) {
      return { body: bytes.toString('utf8'), bodyEncoding: 'text' };
    }
    return { body: bytes.toString('base64'), bodyEncoding: 'base64' };
  }
  if (body === undefined) return { body: 'null', bodyEncoding: 'json' };
  try {
    return { body: JSON.stringify(body) ?? String(body), bodyEncoding: 'json' };
  } catch {
    return { body: String(body), bodyEncoding: 'text' };
  }
}

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

/**
 * Control characters but tab, newline and carriage return: JSON escapes most as \u00XX, six characters for one. In
 * UTF-8 a byte below 0x20 is always the ASCII control character itself, so bytes are checked without decoding.
 */
function hasControl(text: string | Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = typeof text === 'string' ? text.charCodeAt(i) : text[i]!;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return true;
  }
  return false;
}

/** The body as it was received, for replay: the same bytes, the same text, or the same parsed value. */
export function decodeBody(letter: Pick<StoredDeadLetter, 'body' | 'bodyEncoding'>): unknown {
  switch (letter.bodyEncoding) {
    case 'base64':
      return Buffer.from(letter.body, 'base64');
    case 'text-base64':
      return Buffer.from(letter.body, 'base64').toString('utf8');
    case 'json':
      try {
        return JSON.parse(letter.body);
      } catch {
        return letter.body;
      }
    default:
      return letter.body;
  }
}

/** Bodies larger than this are not parsed just to name their id. */
const MAX_ID_SEARCH_BYTES = 1 << 20;

/** The body's id when it has a readable one, so a dead letter can be found by the id its producer knows. */
export function readableId(body: unknown): string | null {
  let value = body;
  // Text and bytes (the binary trigger's bodies) are parsed here only on the dead-letter path.
  if (typeof body === 'string' || body instanceof Uint8Array) {
    // Only an object has an id: text that does not start with `{` is not decoded or parsed at all.
    if (!startsLikeObject(body)) return null;
    const text = typeof body === 'string' ? body : body.byteLength <= MAX_ID_SEARCH_BYTES ? utf8Text(body) : undefined;
    if (text === undefined || text.length > MAX_ID_SEARCH_BYTES) return null;
    try {
      value = JSON.parse(text);
    } catch {
      return null;
    }
  }
  if (typeof value === 'object' && value !== null) {
    const id = (value as { id?: unknown }).id;
    return typeof id === 'string' && id !== '' ? id : null;
  }
  return null;
}

function startsLikeObject(body: string | Uint8Array): boolean {
  for (let i = 0; i < body.length; i++) {
    const c = typeof body === 'string' ? body.charCodeAt(i) : body[i]!;
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return false;
}

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
