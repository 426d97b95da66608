/** Slots of the table: enough for tens of thousands of recurring texts before evictions dominate. */
const SLOTS = 1 << 14;
/** Longer texts are decoded every time: the table stays under a megabyte of strings whatever arrives. */
const MAX_INTERNED_LENGTH = 64;

/**
 * One string per recurring ASCII text (caller ids) read from byte ranges: a text seen before comes back as the same
 * string, without decoding it again. Maps keyed by such strings then find them by the hash V8 keeps in the string,
 * where a fresh string of every event is hashed again at every lookup (measured: with decoding, about a fifth of a
 * microsecond per event for the extraction defence's caller lookup). A direct-mapped table: a text whose slot
 * another took is decoded again and takes the slot back, so the table stays bounded.
 */
export class AsciiInterner {
  private readonly strings = new Array<string | undefined>(SLOTS).fill(undefined);

  /** The text of `bytes[start, end)`, read as Latin-1 (one character per byte, which ASCII bytes are). */
  intern(bytes: Buffer, start: number, end: number): string {
    const length = end - start;
    if (length > MAX_INTERNED_LENGTH) return bytes.toString('latin1', start, end);
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
    const slot = (hash ^ (hash >>> 15)) & (SLOTS - 1);
    const known = this.strings[slot];
    if (known !== undefined && known.length === length) {
      let k = 0;
      while (k < length && known.charCodeAt(k) === bytes[start + k]) k++;
      if (k === length) return known;
    }
    const text = bytes.toString('latin1', start, end);
    this.strings[slot] = text;
    return text;
  }
}
