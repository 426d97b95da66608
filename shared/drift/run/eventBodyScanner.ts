import { SCANNED_KIND, type ScannedFeatures } from '../scannedFeatures.js';
import {
  CLOSE_BRACE,
  COLON,
  COMMA,
  FAIL,
  JsonByteScanner,
  KeyTable,
  MINUS,
  NINE,
  OPEN_BRACE,
  QUOTE,
  ZERO,
} from '../../json/jsonByteScanner.js';

const ABSENT = SCANNED_KIND.absent;

/**
 * The bytes the compact path compares with, as literals in its compiled code: a module's constants (and imports) are
 * loads from the module's context, each checked for initialisation, in every turn of the digit loops.
 */
const enum Byte {
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  CloseBrace = 125,
}
/** 10^0 … 10^15: exact doubles, the divisors of the plain-number path (at most 15 digits). */
const POW10 = Float64Array.from({ length: 16 }, (_, k) => Number(`1e${k}`));

/** `"features"` with its quotes, the one top-level key the scanner looks for. */
const FEATURES_KEY = Buffer.from('"features"', 'latin1');

/**
 * Reads the `features` of an event body (the event contract) straight from its UTF-8 bytes — no string of the body,
 * no JSON.parse — into one slot per schema feature (`values`, reused): the hot path of the weekly fold. It validates
 * the entire body as JSON while scanning, and gives the same values JSON.parse of the body's UTF-8 text would. Anything unusual — not an object, invalid JSON, `features`
 * missing, repeated or not an object, an escaped top-level key, deep nesting — returns false, and the caller takes
 * the general JSON.parse path, which then decides the bad-body reason.
 *
 * Nested values inside `features` are reported as null: the profile counts objects, arrays and null alike as
 * missing (a property test holds the scanner to the JSON.parse path on arbitrary bodies).
 */
export class EventBodyScanner extends JsonByteScanner {
  readonly values: ScannedFeatures;
  private readonly keys: KeyTable;
  /**
   * Each schema name's `"name":` (quotes and colon), all in one array: name k is memberKeys[memberKeyStarts[k],
   * memberKeyStarts[k + 1]), empty for a name that needs an escape (the compact path then stops at it).
   */
  private readonly memberKeys: Uint8Array;
  private readonly memberKeyStarts: Int32Array;
  /**
   * Whether the body's last byte but white space is `}`: then no run of digits or key comparison that starts inside
   * the body can leave it, and the compact path reads bytes without checking the end.
   */
  private closedByBrace = false;
  private readonly kinds: Uint8Array;
  private readonly numbers: Float64Array;
  private readonly strings: Array<string | undefined>;

  constructor(featureNames: readonly string[]) {
    super();
    this.keys = new KeyTable(featureNames);
    const memberKeys = this.keys.tokens.map((t) =>
      t === undefined ? Buffer.alloc(0) : Buffer.concat([t, Buffer.of(COLON)]),
    );
    this.memberKeys = Uint8Array.from(Buffer.concat(memberKeys));
    this.memberKeyStarts = new Int32Array(featureNames.length + 1);
    memberKeys.forEach((k, i) => (this.memberKeyStarts[i + 1] = this.memberKeyStarts[i]! + k.length));
    this.kinds = new Uint8Array(featureNames.length);
    this.numbers = new Float64Array(featureNames.length);
    this.strings = new Array<string | undefined>(featureNames.length).fill(undefined);
    this.values = { kinds: this.kinds, numbers: this.numbers, strings: this.strings };
  }

  /**
   * Scans the body in `bytes[start, end)`. True: `values` holds its features (valid until the next call). False:
   * the general path must decide.
   */
  scan(bytes: Buffer, start = 0, end = bytes.length): boolean {
    this.reset(bytes, end);
    let last = end - 1;
    while (last > start && isSpace(bytes[last]!)) last--;
    this.closedByBrace = last > start && bytes[last] === CLOSE_BRACE;
    // No fill of the slots here: featureObject marks those it does not write absent (a body without features is
    // refused, and its slots are never read).
    const after = this.topLevel(this.skipSpace(start));
    return after !== FAIL && this.skipSpace(after) === end;
  }

  private topLevel(start: number): number {
    if (this.at(start) !== OPEN_BRACE) return FAIL;
    let i = this.skipSpace(start + 1);
    let sawFeatures = false;
    if (this.at(i) === CLOSE_BRACE) return FAIL;
    for (;;) {
      if (this.at(i) !== QUOTE) return FAIL;
      const keyEnd = this.string(i);
      if (keyEnd === FAIL || this.stringHasEscape) return FAIL;
      const isFeatures = keyEnd - i === FEATURES_KEY.length && this.matches(FEATURES_KEY, i);
      i = this.skipSpace(keyEnd);
      if (this.at(i) !== COLON) return FAIL;
      i = this.skipSpace(i + 1);
      if (isFeatures) {
        if (sawFeatures || this.at(i) !== OPEN_BRACE) return FAIL;
        sawFeatures = true;
        i = this.featureObject(i);
      } else {
        i = this.value(i, 1);
      }
      if (i === FAIL) return FAIL;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === CLOSE_BRACE) return sawFeatures ? i + 1 : FAIL;
      if (c !== COMMA) return FAIL;
      i = this.skipSpace(i + 1);
    }
  }

  private featureObject(start: number): number {
    let i = start + 1;
    let expected = 0;
    if (this.closedByBrace) {
      const compact = this.compactMembers(i);
      if (compact < 0) return -compact;
      expected = compact;
      i = this.compactEnd;
    }
    // The slots the compact members did not write are absent unless the rest of the object names them.
    const kinds = this.kinds;
    if (expected < kinds.length) kinds.fill(ABSENT, expected);
    i = this.skipSpace(i);
    if (expected === 0 && this.at(i) === CLOSE_BRACE) return i + 1;
    for (;;) {
      if (this.at(i) !== QUOTE) return FAIL;
      const slot = this.slotOfKey(i, expected, this.keys);
      if (slot === FAIL) return FAIL;
      expected = slot + 1;
      i = this.skipSpace(this.keyEnd);
      if (this.at(i) !== COLON) return FAIL;
      i = this.skipSpace(i + 1);
      i = slot < 0 ? this.value(i, 2) : this.featureValue(i, slot);
      if (i === FAIL) return FAIL;
      i = this.skipSpace(i);
      const c = this.at(i);
      if (c === CLOSE_BRACE) return i + 1;
      if (c !== COMMA) return FAIL;
      i = this.skipSpace(i + 1);
    }
  }

  /** Where compactMembers stopped: the first byte it left to the general loop. */
  private compactEnd = 0;

  /**
   * The shape serializers write, member after member from `start`: `"name":number` with the schema's names in order,
   * no space, and plain numbers (no exponent, at most 15 digits), read in this one loop with the number parsed
   * inline. As a call to numberAt per value, with the cursor going through fields, it cost half as much again. The
   * first member that is anything else, and everything after it, is left to the general loop, from that member's
   * start (`compactEnd`); returns the number of slots written, or minus the position after the object when it
   * closed. Only for bodies closedByBrace: no read here goes past the body's last `}`.
   */
  private compactMembers(start: number): number {
    const bytes = this.bytes;
    const end = this.end;
    const kinds = this.kinds;
    const numbers = this.numbers;
    const keys = this.memberKeys;
    const keyStarts = this.memberKeyStarts;
    const slots = kinds.length;
    const number = SCANNED_KIND.number;
    let i = start;
    let expected = 0;
    for (; expected < slots; expected++) {
      const from = keyStarts[expected]!;
      const keyLength = keyStarts[expected + 1]! - from;
      // A name that needs an escape has no compact key; `i + keyLength < end` keeps the value's first byte inside.
      if (keyLength === 0 || i + keyLength >= end) break;
      let k = 0;
      while (k < keyLength && bytes[i + k] === keys[from + k]) k++;
      if (k < keyLength) break;
      let j = i + keyLength;
      // 1 for a minus sign, else 0, without a branch (+boolean compiles to none): random signs mispredict one.
      const minus = +(bytes[j] === Byte.Minus);
      j += minus;
      let mantissa = 0;
      let digits = 0;
      let scale = 0;
      // Bytes as digit values (byte - Byte.Zero): every byte but a digit falls outside 0…9 (unsigned). The body's last
      // `}` stops every run before its end.
      let d = bytes[j]! - Byte.Zero;
      if (d === 0) {
        d = bytes[++j]! - Byte.Zero;
      } else if (d >>> 0 <= 9) {
        const first = j;
        do {
          mantissa = mantissa * 10 + d;
          d = bytes[++j]! - Byte.Zero;
        } while (d >>> 0 <= 9);
        digits = j - first;
      } else break;
      if (d === Byte.Dot - Byte.Zero) {
        d = bytes[++j]! - Byte.Zero;
        if (d >>> 0 > 9) break;
        const first = j;
        do {
          mantissa = mantissa * 10 + d;
          d = bytes[++j]! - Byte.Zero;
        } while (d >>> 0 <= 9);
        scale = j - first;
        digits += scale;
      }
      // Long numbers go to numberAt. Up to 15 digits, mantissa and 10^scale are exact doubles: one division rounds
      // correctly (Clinger's fast path, as numberAt takes it), so the value is JSON.parse's.
      if (digits > 15) break;
      // Anything but `,` or `}` after the number (an exponent, a space, a leading zero's next digit, …) goes to the
      // general path too, which reads the member again from its start.
      const next = d + Byte.Zero;
      if (next !== Byte.Comma && next !== Byte.CloseBrace) break;
      kinds[expected] = number;
      // −0 for "-0": 0 times −1 keeps the sign, as JSON.parse does.
      numbers[expected] = (mantissa / POW10[scale]!) * (1 - 2 * minus);
      if (next === Byte.CloseBrace) {
        if (expected + 1 < slots) kinds.fill(ABSENT, expected + 1);
        return -(j + 1);
      }
      i = j + 1;
    }
    this.compactEnd = i;
    return expected;
  }

  private featureValue(i: number, slot: number): number {
    const c = this.at(i);
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      const end = this.numberAt(i);
      if (end === FAIL) return FAIL;
      this.kinds[slot] = SCANNED_KIND.number;
      this.numbers[slot] = this.number;
      return end;
    }
    if (c === QUOTE) {
      const end = this.string(i);
      if (end === FAIL) return FAIL;
      this.kinds[slot] = SCANNED_KIND.string;
      this.strings[slot] = this.stringAt(i, end);
      return end;
    }
    if (c === 110 /* n */) {
      this.kinds[slot] = SCANNED_KIND.null;
      return this.literal(i, 'null');
    }
    if (c === 116 /* t */) {
      this.kinds[slot] = SCANNED_KIND.true;
      return this.literal(i, 'true');
    }
    if (c === 102 /* f */) {
      this.kinds[slot] = SCANNED_KIND.false;
      return this.literal(i, 'false');
    }
    this.kinds[slot] = SCANNED_KIND.null;
    return this.value(i, 2);
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}
