import type { Random } from '../../shared/baseline/random.js';
import type { InputEvent } from '../../shared/contracts/records.js';

/**
 * The ways producers break events in practice, each with the dead-letter reason scoreEvents gives it. The demo and
 * `mrm send` inject them so dead-lettering is seen working, not just claimed.
 */
export const MALFORMED_KINDS = {
  /** A body cut short (a producer writing a partial buffer). */
  truncated: 'EVENT.NOT_JSON',
  /** Python's json.dumps writes NaN for a missing float unless told not to. */
  pythonNaN: 'EVENT.NOT_FINITE',
  /** A producer release that renamed or dropped a field. */
  missingFeature: 'EVENT.MISSING_FEATURE',
  /** A number sent as a localised string. */
  wrongType: 'EVENT.WRONG_TYPE',
  /** An empty message (a health probe sent to the wrong hub). */
  empty: 'EVENT.EMPTY',
  /** A batch of events sent as one JSON array. */
  array: 'EVENT.NOT_OBJECT',
  /** Compressed bytes sent without the producer's decompression. */
  binary: 'EVENT.NOT_UTF8',
} as const;

export type MalformedKind = keyof typeof MALFORMED_KINDS;

const KINDS = Object.keys(MALFORMED_KINDS) as MalformedKind[];

/** A broken version of `event` as bytes on the wire, of a kind drawn at random (or the one asked for). */
export function malformedBody(
  random: Random,
  event: InputEvent,
  kind: MalformedKind = KINDS[random.nextInt(KINDS.length)]!,
): { kind: MalformedKind; body: Buffer } {
  const json = JSON.stringify(event);
  switch (kind) {
    case 'truncated':
      return { kind, body: Buffer.from(json.slice(0, 10 + random.nextInt(json.length - 20))) };
    case 'pythonNaN':
      return { kind, body: Buffer.from(json.replace(/"amount":[^,}]+/, '"amount": NaN')) };
    case 'missingFeature': {
      const { amount: _dropped, ...features } = event.features;
      return { kind, body: Buffer.from(JSON.stringify({ ...event, features })) };
    }
    case 'wrongType': {
      const amount =
        typeof event.features.amount === 'number' ? event.features.amount.toFixed(2).replace('.', ',') : '0,00';
      return {
        kind,
        body: Buffer.from(JSON.stringify({ ...event, features: { ...event.features, amount: `${amount} EUR` } })),
      };
    }
    case 'empty':
      return { kind, body: Buffer.alloc(0) };
    case 'array':
      return { kind, body: Buffer.from(JSON.stringify([event])) };
    case 'binary': {
      // A gzip header followed by bytes that are not UTF-8 (0xff never is).
      const bytes = Buffer.alloc(24 + random.nextInt(40));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random.nextInt(256);
      bytes[0] = 0x1f;
      bytes[1] = 0x8b;
      bytes[2] = 0xff;
      return { kind, body: bytes };
    }
  }
}
