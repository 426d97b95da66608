import type { Implementation } from '../contracts/implementation.js';

/** Stores a long number array: returns what goes where the array was in the document. */
export type PackNumbers = (values: ReadonlyArray<number>) => unknown;
/** Reads a stored number array back (a JSON array, or a packed one); undefined for anything else. */
export type UnpackNumbers = (stored: unknown) => number[] | undefined;

/** How a document's builder stores its long arrays: numbers (sketch counts), strings (an hour's blob names). */
export interface Packer {
  numbers: PackNumbers;
  strings: (values: ReadonlyArray<string>) => unknown;
}

/** How a reader gets them back. */
export interface Unpacker {
  numbers: UnpackNumbers;
  strings: (stored: unknown) => string[] | undefined;
}

/**
 * How the drift cache stores its documents (per-blob profiles, hourly roll-ups). `plain`: JSON text. `fast` (the
 * default): a small JSON header, and the long arrays after it as raw bytes (numbers little-endian, strings UTF-8), so a
 * document is read and written without turning tens of thousands of numbers and hundreds of blob names into JSON and
 * back, which was most of a landed blob's roll-up update. Both are exact (-0 is read back as 0 by both) and both are
 * read: a document says which it is by its first byte (`{`, or the 0 of MAGIC).
 *
 * Fast layout: MAGIC (4 bytes), header length (u32), the header's UTF-8 JSON (each packed array replaced by
 * `{"$a": index}`), zero padding to a multiple of 8, the array count (u32) and 4 zero bytes, one (kind, byte length)
 * u32 pair per array, then each array's bytes padded to a multiple of 8. Kinds: 4, u32 (every value a whole number
 * below 2^32: counts); 8, f64; 1, strings joined by NUL (used only when no string holds one).
 */
export function encodeStoredDocument(build: (pack: Packer) => unknown, encoding: Implementation): Uint8Array {
  if (encoding === 'plain') return Buffer.from(JSON.stringify(build(PLAIN_PACKER)), 'utf8');
  const arrays: Array<{ kind: 1 | 4 | 8; numbers?: ReadonlyArray<number>; text?: Buffer }> = [];
  const packer: Packer = {
    numbers: (values) => {
      arrays.push({ kind: allWhole(values) ? 4 : 8, numbers: values });
      return { $a: arrays.length - 1 };
    },
    strings: (values) => {
      if (values.some((v) => v.includes('\0'))) return values;
      arrays.push({ kind: 1, text: Buffer.from(values.join('\0'), 'utf8') });
      return { $a: arrays.length - 1, n: values.length };
    },
  };
  const header = Buffer.from(JSON.stringify(build(packer)), 'utf8');
  const byteLength = (a: (typeof arrays)[number]) => (a.text ? a.text.length : a.numbers!.length * a.kind);
  const tableAt = padded(8 + header.length);
  let size = tableAt + 8 + 8 * arrays.length;
  for (const a of arrays) size += padded(byteLength(a));
  const out = new ArrayBuffer(size);
  const bytes = new Uint8Array(out);
  const view = new DataView(out);
  bytes.set(MAGIC, 0);
  view.setUint32(4, header.length, true);
  bytes.set(header, 8);
  view.setUint32(tableAt, arrays.length, true);
  let at = tableAt + 8 + 8 * arrays.length;
  arrays.forEach((a, i) => {
    view.setUint32(tableAt + 8 + 8 * i, a.kind, true);
    view.setUint32(tableAt + 12 + 8 * i, byteLength(a), true);
    if (a.text) bytes.set(a.text, at);
    else writeNumbers(out, at, a.numbers!, a.kind as 4 | 8);
    at += padded(byteLength(a));
  });
  return bytes;
}

/** A stored document back, with the reader of its arrays; undefined when the bytes are neither form, or cut short. */
export function decodeStoredDocument(stored: Uint8Array): { document: unknown; unpack: Unpacker } | undefined {
  if (stored.length >= 4 && MAGIC.every((b, i) => stored[i] === b)) return decodeFast(stored);
  const document = parseJson(textOf(stored, 0, stored.length));
  return document === undefined ? undefined : { document, unpack: PLAIN_UNPACKER };
}

/** The Content-Type a stored document is written with: JSON for the plain encoding, bytes for the fast one. */
export function storedDocumentContentType(stored: Uint8Array): string {
  return stored[0] === MAGIC[0] ? 'application/octet-stream' : 'application/json';
}

const MAGIC = Uint8Array.of(0, 0x4d, 0x52, 0x42); // "\0MRB": no JSON text starts with a zero byte
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const PLAIN_PACKER: Packer = { numbers: (values) => values, strings: (values) => values };
const PLAIN_UNPACKER: Unpacker = {
  numbers: (s) => (Array.isArray(s) ? (s as number[]) : undefined),
  strings: (s) => (Array.isArray(s) ? (s as string[]) : undefined),
};

function decodeFast(stored: Uint8Array): { document: unknown; unpack: Unpacker } | undefined {
  // Typed arrays need aligned offsets: copy once when the bytes do not start on an 8-byte boundary.
  const bytes = stored.byteOffset % 8 === 0 ? stored : stored.slice();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 8) return undefined;
  const headerLength = view.getUint32(4, true);
  const tableAt = padded(8 + headerLength);
  if (tableAt + 8 > bytes.length) return undefined;
  const document = parseJson(textOf(bytes, 8, headerLength));
  const count = view.getUint32(tableAt, true);
  if (document === undefined || tableAt + 8 + 8 * count > bytes.length) return undefined;
  const arrays: Array<{ kind: number; values: number[] | string[] }> = [];
  let at = tableAt + 8 + 8 * count;
  for (let i = 0; i < count; i++) {
    const kind = view.getUint32(tableAt + 8 + 8 * i, true);
    const length = view.getUint32(tableAt + 12 + 8 * i, true);
    if ((kind !== 1 && kind !== 4 && kind !== 8) || length % kind !== 0 || at + length > bytes.length) return undefined;
    const values =
      kind === 1 ? textOf(bytes, at, length).split('\0') : readNumbers(bytes, view, at, length / kind, kind);
    arrays.push({ kind, values });
    at += padded(length);
  }
  const packedAt = (s: unknown): { array: (typeof arrays)[number]; n: unknown } | undefined => {
    if (typeof s !== 'object' || s === null) return undefined;
    const { $a: index, n } = s as { $a?: unknown; n?: unknown };
    const array = typeof index === 'number' ? arrays[index] : undefined;
    return array && { array, n };
  };
  return {
    document,
    unpack: {
      numbers: (s) => {
        if (Array.isArray(s)) return s as number[];
        const found = packedAt(s);
        return found && found.array.kind !== 1 ? (found.array.values as number[]) : undefined;
      },
      strings: (s) => {
        if (Array.isArray(s)) return s as string[];
        const found = packedAt(s);
        if (!found || found.array.kind !== 1) return undefined;
        // No strings and one empty string both join to nothing: the count says which.
        if (found.n === 0) return [];
        return found.n === found.array.values.length ? (found.array.values as string[]) : undefined;
      },
    },
  };
}

function writeNumbers(out: ArrayBuffer, at: number, values: ReadonlyArray<number>, width: 4 | 8): void {
  // + 0 turns -0 into 0, as JSON text does: both encodings read back the same numbers.
  if (LITTLE_ENDIAN) {
    const typed = width === 4 ? new Uint32Array(out, at, values.length) : new Float64Array(out, at, values.length);
    for (let i = 0; i < values.length; i++) typed[i] = values[i]! + 0;
    return;
  }
  const view = new DataView(out, at);
  for (let i = 0; i < values.length; i++)
    if (width === 4) view.setUint32(i * 4, values[i]!, true);
    else view.setFloat64(i * 8, values[i]! + 0, true);
}

function readNumbers(bytes: Uint8Array, view: DataView, at: number, length: number, width: number): number[] {
  const values = new Array<number>(length);
  if (LITTLE_ENDIAN) {
    const typed =
      width === 4
        ? new Uint32Array(bytes.buffer, bytes.byteOffset + at, length)
        : new Float64Array(bytes.buffer, bytes.byteOffset + at, length);
    for (let i = 0; i < length; i++) values[i] = typed[i]!;
    return values;
  }
  for (let i = 0; i < length; i++)
    values[i] = width === 4 ? view.getUint32(at + i * 4, true) : view.getFloat64(at + i * 8, true);
  return values;
}

/** Counts: whole numbers in [0, 2^32). */
function allWhole(values: ReadonlyArray<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v >>> 0 !== v) return false;
  }
  return true;
}

function textOf(bytes: Uint8Array, at: number, length: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + at, length).toString('utf8');
}

function padded(length: number): number {
  return Math.ceil(length / 8) * 8;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
