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

export function encodeBody(body: unknown): Pick<DeadLetter, 'body' | 'bodyEncoding'> {
  if (typeof body === 'string') return { body, bodyEncoding: 'text' };
  if (body instanceof Uint8Array)
    return {
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
      bodyEncoding: 'base64',
    };
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

export function readableId(body: unknown): string | null {
  if (typeof body === 'object' && body !== null && !(body instanceof Uint8Array)) {
    const id = (body as { id?: unknown }).id;
    return typeof id === 'string' && id !== '' ? id : null;
  }
  return null;
}
