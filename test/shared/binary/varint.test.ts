import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import avro from 'avsc';
import { readVarint, VARINT_TOO_LONG, VARINT_TRUNCATED, zigZag } from '../../../shared/binary/varint.js';
import { encodeVarint } from '../../../shared/scoring/onnx/protobufFields.js';

const long = avro.Type.forSchema('long');

describe('readVarint', () => {
  it('reads every unsigned varint below 2^53 as Protocol Buffers writes it, and moves the cursor past it', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.uint8Array({ maxLength: 3 }), (value, after) => {
        const bytes = Uint8Array.from([7, ...encodeVarint(value), ...after]);
        const cursor = { pos: 1 };
        expect(readVarint(bytes, cursor, bytes.length)).toBe(value);
        expect(cursor.pos).toBe(1 + encodeVarint(value).length);
      }),
    );
  });

  it('reads Avro longs of either sign through zigZag, as avsc writes them', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (value) => {
        const bytes = long.toBuffer(value);
        const cursor = { pos: 0 };
        expect(zigZag(readVarint(bytes, cursor, bytes.length), bytes[0]!)).toBe(value);
        expect(cursor.pos).toBe(bytes.length);
      }),
    );
  });

  it('answers VARINT_TRUNCATED when the end comes inside it, leaving the cursor where it was', () => {
    const bytes = Uint8Array.from(encodeVarint(300_000));
    for (let end = 0; end < bytes.length; end++) {
      const cursor = { pos: 0 };
      expect(readVarint(bytes, cursor, end)).toBe(VARINT_TRUNCATED);
      expect(cursor.pos).toBe(0);
    }
  });

  it('answers VARINT_TOO_LONG after ten continuation bytes, whatever follows', () => {
    const bytes = Uint8Array.from([...new Array<number>(10).fill(0x80), 1]);
    const cursor = { pos: 0 };
    expect(readVarint(bytes, cursor, bytes.length)).toBe(VARINT_TOO_LONG);
    expect(cursor.pos).toBe(0);
    // Ten bytes, the last without continuation, are still a varint.
    expect(readVarint(Uint8Array.from([...new Array<number>(9).fill(0x80), 1]), { pos: 0 }, 10)).toBe(2 ** 63);
  });
});
