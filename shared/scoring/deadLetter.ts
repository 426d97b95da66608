import type { EventMetadata } from './eventMetadata.js';

/** One event that could not be scored, kept whole so it can be replayed (`mrm score --input <dead letters>`). */
export interface DeadLetter {
  kind: 'mrm.deadletter';
  /** The event id when the body had a readable one. */
  id: string | null;
  /** Stable reason code, e.g. `EVENT.NOT_FINITE`, `SCORER.UNAVAILABLE`. */
  reason: string;
  message: string;
  detail?: Record<string, unknown>;
  /** True when the same event may succeed later (the scorer was unavailable), so a replay is worth it. */
  replayable: boolean;
  /** The original body: JSON text, plain text, or base64 for binary bodies. */
  body: string;
  bodyEncoding: 'json' | 'text' | 'base64';
  metadata: EventMetadata;
  profileVersion: string;
  deadLetteredAt: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text bodies as text, so people can read them; bytes that are not UTF-8 text (or start with a BOM) as base64. */
export function encodeBody(body: unknown): Pick<DeadLetter, 'body' | 'bodyEncoding'> {
  if (typeof body === 'string') return { body, bodyEncoding: 'text' };
  if (body instanceof Uint8Array) {
    const text = utf8Text(body);
    // A leading BOM would be read differently as text than as bytes on replay.
    if (text !== undefined && !text.startsWith('\uFEFF')) return { body: text, bodyEncoding: 'text' };
    return {
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
      bodyEncoding: 'base64',
    };
  }
  try {
    return { body: JSON.stringify(body) ?? String(body), bodyEncoding: 'json' };
  } catch {
    return { body: String(body), bodyEncoding: 'text' };
  }
}

/** The body as it was received, for replay. */
export function decodeBody(letter: Pick<DeadLetter, 'body' | 'bodyEncoding'>): unknown {
  if (letter.bodyEncoding === 'base64') return Buffer.from(letter.body, 'base64');
  return letter.body;
}

/** Bodies larger than this are not parsed just to name their id. */
const MAX_ID_SEARCH_BYTES = 1 << 20;

/** The body's id when it has a readable one, so a dead letter can be found by the id its producer knows. */
export function readableId(body: unknown): string | null {
  let value = body;
  // Text and bytes (the binary trigger's bodies) are parsed here only on the dead-letter path.
  if (typeof body === 'string' || body instanceof Uint8Array) {
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

function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}
