import { SCANNED_KIND } from './scannedFeatures.js';

export const QUOTE = 34;
const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
export const COMMA = 44;
export const COLON = 58;
export const MINUS = 45;
const PLUS = 43;
const DOT = 46;
export const ZERO = 48;
export const NINE = 57;
/** What `at` gives past the body's end: no JSON token starts with it, so every check against it fails. */
export const END = -1;
/** Positions are returned on success; FAIL says the bytes are not what the caller vouches for. */
export const FAIL = -1;
const MAX_DEPTH = 64;

/** What `slotOfKey` gives for a valid key that names none of the table's names. */
export const UNKNOWN_KEY = -2;

/**
 * Each name's `"name":` (quotes and colon) in one array, for compactNumbers: name k is bytes[starts[k], starts[k + 1]),
 * empty for a name left out (compactNumbers stops at it).
 */
export class CompactKeys {
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;

  constructor(tokens: ReadonlyArray<Buffer | undefined>) {
    const keys = tokens.map((token) =>
      token === undefined ? Buffer.alloc(0) : Buffer.concat([token, Buffer.of(COLON)]),
    );
    this.bytes = Uint8Array.from(Buffer.concat(keys));
    this.starts = new Int32Array(tokens.length + 1);
    keys.forEach((key, k) => (this.starts[k + 1] = this.starts[k]! + key.length));
  }
}

/** Names a scanner reads as object keys: each name's JSON token for comparison in place, and each name's slot. */
export class KeyTable {
  /** Each name's key token (quotes included) when it needs no escape. */
  readonly tokens: ReadonlyArray<Buffer | undefined>;
  readonly slots = new Map<string, number>();

  constructor(names: readonly string[]) {
    names.forEach((name, i) => this.slots.set(name, i));
    this.tokens = names.map((name) => {
      const token = JSON.stringify(name);
      return token === `"${name}"` ? Buffer.from(token, 'utf8') : undefined;
    });
  }
}

/** 10^0 … 10^22: every one exactly representable, which is what makes the fast number path exact. */
const POW10 = Float64Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
/**
 * The bytes compactNumbers compares with, as literals in its compiled code: a module's constants are loads from the
 * module's context, each checked for initialisation, in every turn of the digit loops.
 */
const enum Byte {
  Comma = 44,
  Minus = 45,
  Dot = 46,
  Zero = 48,
  CloseBrace = 125,
}

/**
 * The JSON grammar over UTF-8 bytes, for scanners that read one known document shape straight from a body's bytes
 * (no string of the body, no JSON.parse) and hand anything unusual to the general path. Every method validates what
 * it passes over and returns the position after it, or FAIL. Numbers get the value JSON.parse would give (up to 15
 * significant digits by the exact Clinger fast path, others by Number()); strings are decoded as UTF-8 and, with
 * escapes, by JSON.parse of the token. UTF-8 decoding is local at ASCII bytes, so decoding a string token alone gives
 * what decoding the whole body gives.
 */
export class JsonByteScanner {
  protected bytes: Buffer = Buffer.alloc(0);
  protected end = 0;
  /** The value of the number `numberAt` just read. */
  protected number = 0;
  /** Whether the string `string` just read had an escape. */
  protected stringHasEscape = false;
  /** Whether the string `string` just read held a byte of 0x80 or above. */
  protected stringHasNonAscii = false;
  /**
   * Whether any string since `reset` held a byte of 0x80 or above. Outside strings such a byte is never valid JSON,
   * so a scan that ends without it read pure ASCII: no invalid UTF-8 can have passed unseen.
   */
  protected sawNonAscii = false;

  /** Where the key `slotOfKey` just read ends. */
  protected keyEnd = 0;

  /** Whether the body's last byte but white space is `}` (see compactNumbers). */
  protected endsWithBrace = false;
  /** Where compactNumbers stopped: the first byte it left to the general loop, or after the `}` that closed. */
  protected compactAt = 0;
  /** Whether compactNumbers read the object's closing `}`. */
  protected compactClosed = false;

  /** Starts a scan of `bytes[start, end)`. */
  protected reset(bytes: Buffer, end: number, start = 0): void {
    this.bytes = bytes;
    this.end = end;
    this.sawNonAscii = false;
    let last = end - 1;
    while (last > start && isSpace(bytes[last]!)) last--;
    this.endsWithBrace = last > start && bytes[last] === CLOSE_BRACE;
  }

  protected at(i: number): number {
    return i < this.end ? this.bytes[i]! : END;
  }

  protected skipSpace(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    while (i < end && isSpace(bytes[i]!)) i++;
    return i;
  }

  /** Whether `token` sits at `i`, wholly inside the body. */
  protected matches(token: Buffer, i: number): boolean {
    const n = token.length;
    if (i + n > this.end) return false;
    const bytes = this.bytes;
    for (let k = 0; k < n; k++) if (bytes[i + k] !== token[k]) return false;
    return true;
  }

  protected literal(i: number, word: 'null' | 'true' | 'false'): number {
    for (let k = 0; k < word.length; k++) if (this.at(i + k) !== word.charCodeAt(k)) return FAIL;
    return i + word.length;
  }

  /**
   * The slot of the key string at `i`: the `expected` name's when its token sits there (bodies list names in the same
   * order event after event, so one comparison in place usually decides), else the slot of the key's text;
   * UNKNOWN_KEY for a name not in the table, FAIL for an invalid string. Sets keyEnd.
   */
  protected slotOfKey(i: number, expected: number, keys: KeyTable): number {
    const guess = keys.tokens[expected];
    if (guess !== undefined && this.matches(guess, i)) {
      this.keyEnd = i + guess.length;
      return expected;
    }
    const end = this.string(i);
    if (end === FAIL) return FAIL;
    this.keyEnd = end;
    return keys.slots.get(this.stringAt(i, end)) ?? UNKNOWN_KEY;
  }

  /**
   * Reads object members in the shape serializers write, from `start` (just after the object's `{`): `"name":number`
   * with the names of `keys` in order from slot 0, no space, plain numbers (no exponent, at most 15 digits), each value
   * into `numbers[slot]` and its kind into `kinds[slot]`, in one loop with the number parsed inline: as a call to
   * numberAt per value, with the cursor going through fields, it costs half as much again. Stops at the first member
   * that is anything else (a name with no compact key included), leaving that member's start in compactAt for the
   * caller's general loop; when the object closed, compactAt is the position after its `}` and compactClosed is set.
   * Returns how many slots it wrote (slots 0 to the result, exclusive). Reads nothing unless the body ends with `}`
   * (endsWithBrace): then no run of digits or key comparison can leave it, and bytes are read without checking the
   * end.
   */
  protected compactNumbers(start: number, keys: CompactKeys, numbers: Float64Array, kinds: Uint8Array): number {
    this.compactAt = start;
    this.compactClosed = false;
    if (!this.endsWithBrace) return 0;
    const bytes = this.bytes;
    const end = this.end;
    const keyBytes = keys.bytes;
    const keyStarts = keys.starts;
    const slots = keyStarts.length - 1;
    // In a local: an import is a context load, checked for initialisation, at every use in the loop.
    const numberKind = SCANNED_KIND.number;
    let i = start;
    let expected = 0;
    for (; expected < slots; expected++) {
      const from = keyStarts[expected]!;
      const keyLength = keyStarts[expected + 1]! - from;
      // `i + keyLength < end` keeps the value's first byte inside the body.
      if (keyLength === 0 || i + keyLength >= end) break;
      let k = 0;
      while (k < keyLength && bytes[i + k] === keyBytes[from + k]) k++;
      if (k < keyLength) break;
      let j = i + keyLength;
      // 1 for a minus sign, else 0, without a branch (+boolean compiles to none): random signs mispredict one.
      const minus = +(bytes[j] === Byte.Minus);
      j += minus;
      // The digits accumulate in an int32, whose multiply-add is a short chain where a double's is a long one: most
      // numbers have at most 9 digits, which an int32 holds exactly; a longer one is read again as a double below.
      let mantissa = 0;
      let digits = 0;
      let scale = 0;
      const first = j;
      // Bytes as digit values (byte - Byte.Zero): every byte but a digit falls outside 0…9 (unsigned). The body's
      // last `}` stops every run before its end.
      let d = bytes[j]! - Byte.Zero;
      if (d === 0) {
        d = bytes[++j]! - Byte.Zero;
      } else if (d >>> 0 <= 9) {
        do {
          mantissa = (mantissa * 10 + d) | 0;
          d = bytes[++j]! - Byte.Zero;
        } while (d >>> 0 <= 9);
        digits = j - first;
      } else break;
      if (d === Byte.Dot - Byte.Zero) {
        d = bytes[++j]! - Byte.Zero;
        if (d >>> 0 > 9) break;
        const fraction = j;
        do {
          mantissa = (mantissa * 10 + d) | 0;
          d = bytes[++j]! - Byte.Zero;
        } while (d >>> 0 <= 9);
        scale = j - fraction;
        digits += scale;
      }
      // Clinger's fast path, as numberAt takes it: one division of exact doubles rounds correctly, so the value is
      // JSON.parse's. Leading zeros of a fraction count as digits here, which only sends more numbers to numberAt.
      if (digits > 15) break;
      const value = digits > 9 ? digitsValue(bytes, first, j) : mantissa;
      // Anything but `,` or `}` after the number (an exponent, a space, a leading zero's next digit, …) is left to
      // the general loop, which reads the member again from its start.
      const next = d + Byte.Zero;
      if (next !== Byte.Comma && next !== Byte.CloseBrace) break;
      // −0 for "-0": 0 times −1 keeps the sign, as JSON.parse does.
      numbers[expected] = (value / POW10[scale]!) * (1 - 2 * minus);
      kinds[expected] = numberKind;
      i = j + 1;
      if (next === Byte.CloseBrace) {
        this.compactClosed = true;
        expected++;
        break;
      }
    }
    this.compactAt = i;
    return expected;
  }

  /** The text of the string token [start, end) that `string` just validated. */
  protected stringAt(start: number, end: number): string {
    return this.stringHasEscape
      ? (JSON.parse(this.bytes.toString('utf8', start, end)) as string)
      : this.bytes.toString('utf8', start + 1, end - 1);
  }

  /** Validates any JSON value; returns the position after it. */
  protected value(i: number, depth: number): number {
    const c = this.at(i);
    if (c === QUOTE) return this.string(i);
    if (c === MINUS || (c >= ZERO && c <= NINE)) return this.numberAt(i);
    if (c === 110) return this.literal(i, 'null');
    if (c === 116) return this.literal(i, 'true');
    if (c === 102) return this.literal(i, 'false');
    if (depth >= MAX_DEPTH) return FAIL;
    if (c === OPEN_BRACE) {
      let j = this.skipSpace(i + 1);
      if (this.at(j) === CLOSE_BRACE) return j + 1;
      for (;;) {
        if (this.at(j) !== QUOTE) return FAIL;
        j = this.string(j);
        if (j === FAIL) return FAIL;
        j = this.skipSpace(j);
        if (this.at(j) !== COLON) return FAIL;
        j = this.value(this.skipSpace(j + 1), depth + 1);
        if (j === FAIL) return FAIL;
        j = this.skipSpace(j);
        const d = this.at(j);
        if (d === CLOSE_BRACE) return j + 1;
        if (d !== COMMA) return FAIL;
        j = this.skipSpace(j + 1);
      }
    }
    if (c === OPEN_BRACKET) {
      let j = this.skipSpace(i + 1);
      if (this.at(j) === CLOSE_BRACKET) return j + 1;
      for (;;) {
        j = this.value(j, depth + 1);
        if (j === FAIL) return FAIL;
        j = this.skipSpace(j);
        const d = this.at(j);
        if (d === CLOSE_BRACKET) return j + 1;
        if (d !== COMMA) return FAIL;
        j = this.skipSpace(j + 1);
      }
    }
    return FAIL;
  }

  /**
   * A JSON string starting at the quote at `i`; the position after its closing quote. Sets stringHasEscape and
   * stringHasNonAscii. Bytes of 0x80 and above are always inside a string's UTF-8 (a sequence the decoder replaces
   * with U+FFFD included), so only control bytes and escapes need checking; such bytes also set sawNonAscii, for
   * scanners that must then check the body is UTF-8.
   */
  protected string(i: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let escaped = false;
    let nonAscii = false;
    for (let j = i + 1; j < end; j++) {
      const c = bytes[j]!;
      if (c === QUOTE) {
        this.stringHasEscape = escaped;
        this.stringHasNonAscii = nonAscii;
        if (nonAscii) this.sawNonAscii = true;
        return j + 1;
      }
      if (c < 32) return FAIL;
      if (c >= 128) nonAscii = true;
      else if (c === BACKSLASH) {
        escaped = true;
        const e = this.at(++j);
        if (e === 117 /* u */) {
          for (let h = 1; h <= 4; h++) if (!isHex(this.at(j + h))) return FAIL;
          j += 4;
        } else if (
          e !== QUOTE &&
          e !== BACKSLASH &&
          e !== 47 &&
          e !== 98 &&
          e !== 102 &&
          e !== 110 &&
          e !== 114 &&
          e !== 116
        ) {
          return FAIL;
        }
      }
    }
    return FAIL;
  }

  /** A JSON number at `start`; the position after it, its value in this.number. */
  protected numberAt(start: number): number {
    const bytes = this.bytes;
    const end = this.end;
    let i = start;
    const negative = bytes[i] === MINUS;
    if (negative) i++;
    let mantissa = 0;
    let significant = 0;
    let scale = 0;
    let c = i < end ? bytes[i]! : END;
    if (c === ZERO) {
      c = ++i < end ? bytes[i]! : END;
    } else if (c > ZERO && c <= NINE) {
      do {
        mantissa = mantissa * 10 + (c - ZERO);
        significant++;
        c = ++i < end ? bytes[i]! : END;
      } while (c >= ZERO && c <= NINE);
    } else {
      return FAIL;
    }
    if (c === DOT) {
      c = ++i < end ? bytes[i]! : END;
      if (!(c >= ZERO && c <= NINE)) return FAIL;
      do {
        if (mantissa !== 0 || c !== ZERO) significant++;
        mantissa = mantissa * 10 + (c - ZERO);
        scale++;
        c = ++i < end ? bytes[i]! : END;
      } while (c >= ZERO && c <= NINE);
    }
    let exponent = 0;
    if (c === 101 || c === 69 /* e E */) {
      c = ++i < end ? bytes[i]! : END;
      let exponentSign = 1;
      if (c === PLUS || c === MINUS) {
        if (c === MINUS) exponentSign = -1;
        c = ++i < end ? bytes[i]! : END;
      }
      if (!(c >= ZERO && c <= NINE)) return FAIL;
      do {
        if (exponent < 100_000) exponent = exponent * 10 + (c - ZERO);
        c = ++i < end ? bytes[i]! : END;
      } while (c >= ZERO && c <= NINE);
      exponent *= exponentSign;
    }
    const power = exponent - scale;
    if (significant <= 15 && power >= -22 && power <= 22) {
      // Clinger's fast path: mantissa and 10^|power| are exact doubles, so one IEEE operation rounds correctly.
      const magnitude = power >= 0 ? mantissa * POW10[power]! : mantissa / POW10[-power]!;
      this.number = negative ? -magnitude : magnitude;
    } else {
      this.number = Number(bytes.toString('latin1', start, i));
    }
    return i;
  }
}

/** The digits of bytes[from, to) as one integer, the `.` skipped: exact for up to 15 digits. */
function digitsValue(bytes: Buffer, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = bytes[i]! - ZERO;
    if (d >>> 0 <= 9) value = value * 10 + d;
  }
  return value;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
