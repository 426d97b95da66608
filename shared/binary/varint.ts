/** What `readVarint` answers instead of a value (a value is never negative). */
export const VARINT_TRUNCATED = -1;
export const VARINT_TOO_LONG = -2;

/**
 * The one varint reader: the unsigned base-128 varint (as Avro and Protocol Buffers write it) at `cursor.pos` in
 * bytes[…, end), at most 10 bytes, exact below 2^53. Moves the cursor past it, or leaves the cursor where it was and
 * answers VARINT_TRUNCATED when `end` comes first, VARINT_TOO_LONG after ten continuation bytes. Allocates nothing:
 * the Capture record layout calls it for every field of every record.
 */
export function readVarint(bytes: Uint8Array, cursor: { pos: number }, end: number): number {
  let pos = cursor.pos;
  let value = 0;
  let factor = 1;
  for (let read = 0; read < 10; read++) {
    if (pos >= end) return VARINT_TRUNCATED;
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * factor;
    if (byte < 0x80) {
      cursor.pos = pos;
      return value;
    }
    factor *= 128;
  }
  return VARINT_TOO_LONG;
}

/**
 * Avro's zig-zag long from the unsigned varint `u` and its first byte (whose lowest bit is the sign): reading the
 * sign from the byte spares a modulo of the double, which V8 computes with a call to fmod.
 */
export function zigZag(u: number, firstByte: number): number {
  return firstByte & 1 ? -(u + 1) / 2 : u / 2;
}

/**
 * The same varint as a signed 64-bit integer (Protocol Buffers int64, whose negative values are ten bytes of two's
 * complement), for values a double cannot hold. Moves the cursor past it, or answers VARINT_TRUNCATED /
 * VARINT_TOO_LONG and leaves the cursor, as readVarint does.
 */
export function readVarintInt64(
  bytes: Uint8Array,
  cursor: { pos: number },
  end: number,
): bigint | typeof VARINT_TRUNCATED | typeof VARINT_TOO_LONG {
  let pos = cursor.pos;
  let value = 0n;
  let shift = 0n;
  for (let read = 0; read < 10; read++) {
    if (pos >= end) return VARINT_TRUNCATED;
    const byte = bytes[pos++]!;
    value |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      cursor.pos = pos;
      return BigInt.asIntN(64, value);
    }
    shift += 7n;
  }
  return VARINT_TOO_LONG;
}

/** The unsigned varint of `value` (below 2^53), as Protocol Buffers, Avro (after zig-zag) and WebAssembly write it. */
export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
}
