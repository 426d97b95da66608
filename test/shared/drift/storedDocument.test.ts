import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeStoredDocument,
  encodeStoredDocument,
  storedDocumentContentType,
  type Packer,
  type Unpacker,
} from '../../../shared/drift/storedDocument.js';

/** A document with packed arrays in it, as the drift cache's builders make them. */
interface Sample {
  title: string;
  counts: number[];
  sums: number[];
  names: string[];
  nested: { more: number[] };
}

const build = (sample: Sample) => (pack: Packer) => ({
  title: sample.title,
  counts: pack.numbers(sample.counts),
  sums: pack.numbers(sample.sums),
  names: pack.strings(sample.names),
  nested: { more: pack.numbers(sample.nested.more) },
});

function read(bytes: Uint8Array): Sample | undefined {
  const decoded = decodeStoredDocument(bytes);
  if (!decoded) return undefined;
  const d = decoded.document as Record<string, unknown> & { nested: Record<string, unknown> };
  const u: Unpacker = decoded.unpack;
  return {
    title: d.title as string,
    counts: u.numbers(d.counts)!,
    sums: u.numbers(d.sums)!,
    names: u.strings(d.names)!,
    nested: { more: u.numbers(d.nested.more)! },
  };
}

const counts = fc.array(fc.nat({ max: 2 ** 32 - 1 }), { maxLength: 300 });
const doubles = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 300 });
const sample = fc.record({
  title: fc.string(),
  counts,
  sums: doubles,
  names: fc.array(fc.string({ unit: 'binary' }), { maxLength: 50 }),
  nested: fc.record({ more: fc.oneof(counts, doubles) }),
});

describe('stored documents (the drift cache’s per-blob profiles and roll-ups)', () => {
  it('read back, in the fast encoding, exactly what the plain (JSON) encoding reads back', () => {
    fc.assert(
      fc.property(sample, (s) => {
        const plain = read(encodeStoredDocument(build(s), 'plain'));
        const fast = read(encodeStoredDocument(build(s), 'fast'));
        expect(fast).toEqual(plain);
        // And that is the document itself, -0 read as 0 by both (JSON has no -0).
        expect(plain).toEqual(JSON.parse(JSON.stringify(s)));
        expect(
          Object.is(
            fast!.sums.find((v) => v === 0),
            -0,
          ),
        ).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every bit of doubles and whole counts up to 2^32 - 1', () => {
    const s: Sample = {
      title: 't',
      counts: [0, 1, 2 ** 32 - 1, 2 ** 31],
      sums: [0.1 + 0.2, Number.MAX_VALUE, Number.MIN_VALUE, -1e-300, 2 ** 53 + 2, 4294967296],
      names: ['', 'é', '\u{1F600}', 'a/b/c.avro'],
      nested: { more: [] },
    };
    for (const encoding of ['plain', 'fast'] as const)
      expect(read(encodeStoredDocument(build(s), encoding))).toEqual(s);
  });

  it('tells the encodings apart by the first byte, and names the content type', () => {
    const s: Sample = { title: 'x', counts: [1], sums: [0.5], names: ['n'], nested: { more: [2] } };
    const plain = encodeStoredDocument(build(s), 'plain');
    const fast = encodeStoredDocument(build(s), 'fast');
    expect(String.fromCharCode(plain[0]!)).toBe('{');
    expect(fast[0]).toBe(0);
    expect(storedDocumentContentType(plain)).toBe('application/json');
    expect(storedDocumentContentType(fast)).toBe('application/octet-stream');
  });

  it('keeps strings holding a NUL (the fast separator) in the JSON header, still exact', () => {
    const s: Sample = { title: '', counts: [], sums: [], names: ['a\0b', 'c'], nested: { more: [] } };
    expect(read(encodeStoredDocument(build(s), 'fast'))).toEqual(s);
  });

  it('tells no strings from one empty string', () => {
    for (const names of [[], [''], ['', '']]) {
      const s: Sample = { title: '', counts: [], sums: [], names, nested: { more: [] } };
      expect(read(encodeStoredDocument(build(s), 'fast'))!.names).toEqual(names);
    }
  });

  it('reads bytes that do not start on an aligned offset (a slice of a larger download)', () => {
    const s: Sample = { title: 'a', counts: [3, 4, 5], sums: [1.5, -2.25], names: ['x'], nested: { more: [7] } };
    const fast = encodeStoredDocument(build(s), 'fast');
    for (const shift of [1, 3, 4, 7]) {
      const larger = new Uint8Array(fast.length + shift);
      larger.set(fast, shift);
      expect(read(larger.subarray(shift))).toEqual(s);
    }
  });

  it.each<[string, (fast: Uint8Array) => Uint8Array]>([
    ['cut anywhere', (fast) => fast.subarray(0, fast.length - 9)],
    ['cut in the header', (fast) => fast.subarray(0, 12)],
    ['a header length past the end', (fast) => withU32(fast, 4, fast.length)],
    ['an array kind that does not exist', (fast) => withU32(fast, arrayTableAt(fast) + 8, 3)],
    ['an array longer than the bytes', (fast) => withU32(fast, arrayTableAt(fast) + 12, 1 << 30)],
    ['a header that is not JSON', (fast) => withByte(fast, 8, 0x7d)],
    ['empty', () => new Uint8Array(0)],
    ['JSON cut short', () => Buffer.from('{"title":')],
  ])('refuses %s as undefined, never throwing', (_label, corrupt) => {
    const s: Sample = { title: 'a', counts: [1, 2], sums: [0.5], names: ['n'], nested: { more: [] } };
    expect(decodeStoredDocument(corrupt(encodeStoredDocument(build(s), 'fast')))).toBeUndefined();
  });

  it('answers undefined for an array placeholder it does not hold, or of the other kind', () => {
    const s: Sample = { title: 'a', counts: [1, 2], sums: [0.5], names: ['n'], nested: { more: [] } };
    const { unpack } = decodeStoredDocument(encodeStoredDocument(build(s), 'fast'))!;
    expect(unpack.numbers({ $a: 99 })).toBeUndefined();
    expect(unpack.numbers({ $a: 2, n: 1 })).toBeUndefined(); // the names
    expect(unpack.strings({ $a: 0 })).toBeUndefined(); // the counts
    expect(unpack.numbers('1,2')).toBeUndefined();
    const plain = decodeStoredDocument(encodeStoredDocument(build(s), 'plain'))!.unpack;
    expect(plain.numbers({ $a: 0 })).toBeUndefined();
  });
});

function arrayTableAt(fast: Uint8Array): number {
  const headerLength = new DataView(fast.buffer, fast.byteOffset).getUint32(4, true);
  return Math.ceil((8 + headerLength) / 8) * 8;
}

function withU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(at, value, true);
  return copy;
}

function withByte(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[at] = value;
  return copy;
}
