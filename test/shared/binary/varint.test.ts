import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import avro from 'avsc';
import {
  encodeVarint,
  readVarint,
  readVarintInt64,
  VARINT_TOO_LONG,
  VARINT_TRUNCATED,
  zigZag,
} from '../../../shared/binary/varint.js';

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

/** Protocol Buffers' int64 on the wire: the value's 64-bit two's complement as an unsigned varint (the reference). */
function int64Bytes(value: bigint): number[] {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return bytes;
}

describe('readVarintInt64', () => {
  it('reads every int64 as Protocol Buffers writes it, negative ones (ten bytes) included', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const bytes = Uint8Array.from([9, ...int64Bytes(value), 0x55]);
        const cursor = { pos: 1 };
        expect(readVarintInt64(bytes, cursor, bytes.length)).toBe(value);
        expect(cursor.pos).toBe(bytes.length - 1);
      }),
    );
    expect(int64Bytes(-1n)).toHaveLength(10);
  });

  it('answers VARINT_TRUNCATED and VARINT_TOO_LONG as readVarint does, leaving the cursor', () => {
    const bytes = Uint8Array.from(int64Bytes(-5n));
    const cursor = { pos: 0 };
    expect(readVarintInt64(bytes, cursor, 9)).toBe(VARINT_TRUNCATED);
    expect(readVarintInt64(Uint8Array.from(new Array<number>(11).fill(0x80)), cursor, 11)).toBe(VARINT_TOO_LONG);
    expect(cursor.pos).toBe(0);
  });
});

describe('encodeVarint', () => {
  it('writes what readVarint reads back, in as few bytes as the value needs', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (value) => {
        const bytes = Uint8Array.from(encodeVarint(value));
        expect(readVarint(bytes, { pos: 0 }, bytes.length)).toBe(value);
        expect(bytes.length).toBe(Math.max(1, Math.ceil(Math.log2(value + 1) / 7)));
      }),
    );
  });
});
