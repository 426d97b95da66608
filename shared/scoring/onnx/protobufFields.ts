import { encodeVarint, readVarint as readUnsignedVarint, readVarintInt64 } from '../../binary/varint.js';

/**
 * Protocol Buffers wire format, as much as reading and editing an ONNX model needs: a message is a run of fields,
 * each a key (field number and wire type) then a varint, a fixed 32/64-bit value or a length-delimited payload.
 * Fields are kept as byte ranges, so a message can be rewritten by copying the fields it keeps untouched.
 */
export interface ProtoField {
  field: number;
  wireType: 0 | 1 | 2 | 5;
  /** The whole field, key included: [start, end). */
  start: number;
  end: number;
  /** The payload of a length-delimited field, or the varint's bytes: [from, to). */
  from: number;
  to: number;
}

export class ProtobufError extends Error {
  override readonly name = 'ProtobufError';
}

/** The fields of the message in bytes[from, to). Throws ProtobufError when the bytes are not one. */
export function readFields(bytes: Uint8Array, from = 0, to = bytes.length): ProtoField[] {
  const fields: ProtoField[] = [];
  let at = from;
  while (at < to) {
    const start = at;
    const key = readVarint(bytes, at, to);
    at = key.next;
    const field = Math.floor(key.value / 8);
    const wireType = key.value % 8;
    if (field < 1) throw new ProtobufError(`field number ${field} at byte ${start}`);
    let payloadFrom = at;
    if (wireType === 0) {
      at = readInt64(bytes, at, to).next; // any 64-bit varint, negative int64 values included
    } else if (wireType === 1 || wireType === 5) {
      at += wireType === 1 ? 8 : 4;
    } else if (wireType === 2) {
      const length = readVarint(bytes, at, to);
      payloadFrom = length.next;
      at = length.next + length.value;
    } else {
      throw new ProtobufError(`unsupported wire type ${wireType} at byte ${start}`);
    }
    if (at > to) throw new ProtobufError(`field ${field} at byte ${start} runs past the end of its message`);
    fields.push({ field, wireType, start, end: at, from: payloadFrom, to: at });
  }
  return fields;
}

/** An unsigned varint of at most 53 bits (lengths, keys, enums); larger ones are refused. */
export function readVarint(bytes: Uint8Array, at: number, to = bytes.length): { value: number; next: number } {
  const cursor = { pos: at };
  const value = readUnsignedVarint(bytes, cursor, to);
  if (value < 0) throw new ProtobufError(`truncated varint at byte ${at}`);
  if (!Number.isSafeInteger(value)) throw new ProtobufError(`varint at byte ${at} is too large`);
  return { value, next: cursor.pos };
}

/** A varint as a signed 64-bit integer (int64 fields, e.g. ONNX class labels). */
export function readInt64(bytes: Uint8Array, at: number, to = bytes.length): { value: bigint; next: number } {
  const cursor = { pos: at };
  const value = readVarintInt64(bytes, cursor, to);
  if (typeof value !== 'bigint') throw new ProtobufError(`truncated varint at byte ${at}`);
  return { value, next: cursor.pos };
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

export function fieldText(bytes: Uint8Array, field: ProtoField): string {
  return utf8.decode(bytes.subarray(field.from, field.to));
}

/** One length-delimited field: key, length, payload. */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(field * 8 + 2), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

export function textField(field: number, text: string): Uint8Array {
  return lengthDelimited(field, encoder.encode(text));
}

export function varintField(field: number, value: number): Uint8Array {
  return Uint8Array.from([...encodeVarint(field * 8), ...encodeVarint(value)]);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
